// One valid, realistic example of every event type in the catalog (data and the stream it goes to), for the append
// check's property test: each is mutated with hostile values, and whatever the check accepts must read back.
// A new event type needs an example here (a test fails until it has one).
import { computeInsights } from '../../domain/learning/insights/insights.js';
import { initialPolicy, updatePolicy } from '../../domain/learning/policy/policy.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { exampleCommands } from '../../apps/api/examples.js';

const STRATEGY = '0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10';
const JOB = '5d2e8f11-0c4b-4f7a-8e6d-3a9b2c1d0e4f';
const EVENT = '7a1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

const result = (exampleCommands['record-backtest'] as { result: unknown }).result;
const verdict = (exampleCommands.filter as { verdict: unknown }).verdict;
const decision = (exampleCommands.activate as { decision: unknown }).decision;

const insights = computeInsights(
  Array.from({ length: 24 }, (_, i) => ({
    features: { strategyType: i % 3 === 0 ? 'momentum' : 'mean_reversion', indicatorCount: 1 + (i % 4), stopLoss: 0.01 * (1 + (i % 5)) },
    oosSharpe: ((i * 37) % 17) / 8 - 1,
  })),
  { minSupport: 2 },
);
const policy = updatePolicy(initialPolicy(), 'trend_low_vol', [
  { genome: smaCrossoverGenome(), reward: 0.8 },
  { genome: rsiMeanReversionGenome(), reward: -0.2 },
]);

const trade = {
  symbol: 'BTCUSDT',
  side: 'long',
  entryTime: 1698796800000,
  exitTime: 1698825600000,
  entryPrice: 34567.1,
  exitPrice: 34890.4,
  quantity: 0.289,
  pnl: 93.43,
  returnPct: 0.00935,
  fees: 20.08,
  exitReason: 'takeProfit',
};

const ORDER = 'mt-0b6f1c7e-entry-1';
const STOP = 'mt-0b6f1c7e-sl-1';
const entrySpec = { clientOrderId: ORDER, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: 0.25, price: 34567.1, timeInForce: 'GTC', purpose: 'entry' };
const stopSpec = {
  clientOrderId: STOP,
  symbol: 'BTCUSDT',
  side: 'sell',
  type: 'stop_market',
  stopPrice: 33800,
  reduceOnly: true,
  ocoGroup: 'bracket-1',
  purpose: 'stop_loss',
};
const takeProfitSpec = {
  clientOrderId: 'mt-0b6f1c7e-tp-1',
  symbol: 'BTCUSDT',
  side: 'sell',
  type: 'take_profit',
  price: 36000,
  reduceOnly: true,
  ocoGroup: 'bracket-1',
  purpose: 'take_profit',
};
const fill = {
  clientOrderId: ORDER,
  tradeId: '3418840123',
  price: 34567.1,
  quantity: 0.1,
  fee: 0.0001,
  feeCurrency: 'BTC',
  liquidity: 'maker',
  time: 1698796805123,
  cumulativeQuantity: 0.1,
  averagePrice: 34567.1,
};

export interface EventExample {
  readonly streamName: string;
  readonly data: unknown;
}

export const EVENT_EXAMPLES: Readonly<Record<string, EventExample>> = {
  StrategyGenerated: { streamName: `strategy-${STRATEGY}`, data: { strategyId: STRATEGY, genome: rsiMeanReversionGenome() } },
  StrategyBacktested: {
    streamName: `strategy-${STRATEGY}`,
    data: {
      strategyId: STRATEGY,
      result: {
        ...(result as object),
        backtestId: JOB,
        regime: { label: 'trend_low_vol', trendStrength: 1.7, volatility: 0.0061 },
        inSampleWindow: { start: '2023-09-01T00:00:00.000Z', end: '2023-10-31T00:00:00.000Z' },
        outOfSampleWindow: { start: '2023-10-31T00:00:00.000Z', end: '2023-11-14T00:00:00.000Z' },
      },
    },
  },
  StrategyFiltered: { streamName: `strategy-${STRATEGY}`, data: { strategyId: STRATEGY, verdict } },
  PaperTradingStarted: { streamName: `strategy-${STRATEGY}`, data: { strategyId: STRATEGY, decidedBy: 'system:scheduler', reason: 'passed the daily filter' } },
  StrategyActivated: { streamName: `strategy-${STRATEGY}`, data: { strategyId: STRATEGY, decidedBy: 'operator:alice', reason: 'best paper score', decision } },
  StrategyDeactivated: {
    streamName: `strategy-${STRATEGY}`,
    data: { strategyId: STRATEGY, decidedBy: 'system:activation-policy', reason: 'drawdown 16%', decision },
  },
  StrategyRetired: { streamName: `strategy-${STRATEGY}`, data: { strategyId: STRATEGY, decidedBy: 'operator:alice', reason: 'edge gone', fromState: 'Live' } },
  PaperTradingEvaluated: {
    streamName: `strategy-${STRATEGY}`,
    data: {
      strategyId: STRATEGY,
      decidedBy: 'system:pipeline',
      reason: 'paper period of 7 days judged',
      evaluation: {
        outcome: 'eligible',
        reasons: [],
        paper: { sharpe: 1.1, totalReturn: 0.012, maxDrawdown: 0.021, trades: 6, days: 7 },
        backtest: { sharpe: 1.42, maxDrawdown: 0.07 },
        thresholds: { days: 7, minSharpeRatio: 0.5 },
        period: { start: '2024-07-01T00:00:00.000Z', end: '2024-07-08T00:00:00.000Z' },
      },
    },
  },
  StrategyPinned: { streamName: `strategy-${STRATEGY}`, data: { strategyId: STRATEGY, decidedBy: 'operator:alice', reason: 'keep it live over the weekend' } },
  StrategyUnpinned: { streamName: `strategy-${STRATEGY}`, data: { strategyId: STRATEGY, decidedBy: 'operator:alice', reason: 'back to the policy' } },
  PairsSelected: {
    streamName: 'selection-2023-12-30',
    data: {
      day: '2023-12-30',
      asOf: '2023-12-30T02:00:00.000Z',
      exchange: 'binance',
      interval: '1h',
      window: { start: '2023-11-30T02:00:00.000Z', end: '2023-12-30T02:00:00.000Z' },
      rules: { weights: { volume: 0.4, volatility: 0.2, liquidity: 0.2, trend: 0.2 }, topN: 2, minQuoteVolumePerDay: 1e7, maxVolatility: 2, minBars: 576 },
      candidates: [
        {
          symbol: 'BTCUSDT',
          score: 0.82,
          rank: 1,
          eligible: true,
          parts: { volume: 1, volatility: 0.5, liquidity: 0.9, trend: 0.7 },
          metrics: { bars: 720, quoteVolumePerDay: 1.2e10, volatility: 0.41, liquidity: 0.95, liquiditySource: 'amihud', trendStrength: 0.31 },
        },
        {
          symbol: 'SHIBUSDT',
          score: 0.1,
          rank: 2,
          eligible: false,
          ineligibleReason: 'volatility 2.4 above 2',
          parts: { volume: 0.2, volatility: 0, liquidity: 0.1, trend: 0.1 },
          metrics: { bars: 720, quoteVolumePerDay: 2e8, volatility: 2.4, liquidity: 0.2, liquiditySource: 'order_book', trendStrength: 0.05 },
        },
      ],
      selected: ['BTCUSDT'],
      added: ['BTCUSDT'],
      removed: [],
    },
  },
  LearningCycleStarted: {
    streamName: 'cycle-2023-06-01',
    data: {
      cycleId: '2023-06-01',
      asOf: '2023-06-01T03:00:00.000Z',
      n: 500,
      seed: 20230601,
      exchange: 'binance',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      isDays: 60,
      oosDays: 14,
      inSample: { start: '2023-03-19T03:00:00.000Z', end: '2023-05-18T03:00:00.000Z' },
      outOfSample: { start: '2023-05-18T03:00:00.000Z', end: '2023-06-01T03:00:00.000Z' },
      filter: { minOosSharpe: 0.5, minOosTrades: 3, minIsSharpe: 0 },
      timeframes: ['1h', '4h'],
      minHistory: 20,
      recordedOnResume: true,
      leftOut: [{ symbol: 'BNBUSDT', reason: 'no binance 1h candles stored: left out of the cycle' }],
    },
  },
  CycleStageCompleted: {
    streamName: 'cycle-2023-06-01',
    data: {
      cycleId: '2023-06-01',
      stage: 'data',
      counts: { symbols: 2, candles: 3720, leftOut: 1 },
      elapsedMs: 1520,
      at: '2023-06-01T03:00:02.000Z',
      degradations: [{ symbol: 'BNBUSDT', reason: 'no binance 1h candles stored: left out of the cycle' }],
      notes: ['regime: trend strength 0.12'],
    },
  },
  CycleBacktestsProgressed: {
    streamName: 'cycle-2023-06-01',
    data: { cycleId: '2023-06-01', done: 50, planned: 500, elapsedMs: 61_000, at: '2023-06-01T03:01:03.000Z' },
  },
  CycleBudgetExhausted: {
    streamName: 'cycle-2023-06-01',
    data: {
      cycleId: '2023-06-01',
      planned: 500,
      backtested: 450,
      leftOut: [{ index: 450, fingerprint: 'a3f1c2d4e5b6' }],
      budgetMs: 10_800_000,
      elapsedMs: 10_812_000,
      at: '2023-06-01T06:00:14.000Z',
    },
  },
  CycleCompleted: {
    streamName: 'cycle-2023-06-01',
    data: { cycleId: '2023-06-01', planned: 500, backtested: 450, passed: 12, promoted: 3, paperResultsLearned: 4, at: '2023-06-01T06:02:00.000Z' },
  },
  LearningInsightsRecorded: {
    streamName: 'cycle-2023-12-30',
    data: { cycleId: '2023-12-30', insights, regime: 'trend_low_vol', asOf: '2023-12-30T03:00:00.000Z' },
  },
  LearningPolicyUpdated: {
    streamName: 'model-learning-policy',
    data: { cycleId: '2023-12-30', policy, regime: 'trend_low_vol', asOf: '2023-12-30T03:00:00.000Z', results: 2 },
  },
  BacktestRequested: {
    streamName: `backtest-${JOB}`,
    data: {
      jobId: JOB,
      kind: 'grid_search',
      requestedBy: 'operator:alice',
      job: {
        jobId: JOB,
        strategyId: STRATEGY,
        genome: smaCrossoverGenome(),
        exchange: 'binance',
        symbols: ['BTCUSDT'],
        interval: '1h',
        period: { from: 1698796800000, to: 1701388800000 },
        trials: { count: 12, annualisedSharpeVariance: 0.8 },
        settings: { takerFee: 0.001, makerFee: 0.0005, slippage: 0.0002, initialCapital: 25000, sizing: { mode: 'lot', lotSize: 0.001 } },
      },
      analysis: { kind: 'grid_search', gridSearch: { grid: { 'fast.period': [5, 10, 20], 'slow.period': [30, 50] }, metric: 'sharpe' } },
    },
  },
  BacktestCompleted: {
    streamName: `backtest-${JOB}`,
    data: {
      jobId: JOB,
      result: {
        jobId: JOB,
        engineVersion: '1.3.0',
        dataFingerprint: 'a3f1c9e0b7d24f6a8e5c3b1d9f7a6e4c2b0d8f6e4c2a0b9d7f5e3c1a9b8d7f6e',
        window: { from: 1698796800000, to: 1701385200000, bars: 720 },
        metrics: { sharpe: 1.21, totalReturn: 0.043, maxDrawdown: 0.031, tradeCount: 9 },
        perSymbol: { BTCUSDT: { metrics: { sharpe: 1.21, totalReturn: 0.043 }, gaps: 0, trades: 9 } },
        equity: {
          BTCUSDT: [
            [1698796800000, 10000],
            [1700000000000, 9820.5],
            [1701385200000, 10430.2],
          ],
        },
        trades: [trade],
        settings: {
          takerFee: 0.001,
          makerFee: 0.0005,
          slippage: 0.0002,
          initialCapital: 25000,
          sizing: { mode: 'lot', lotSize: 0.001 },
          barsPerYear: 8760,
          barsPerYearSource: 'derived',
        },
        analysis: {
          kind: 'grid_search',
          spec: { grid: { 'fast.period': [5, 10], 'slow.period': [30] }, metric: 'sharpe' },
          metric: 'sharpe',
          cells: [
            {
              params: { 'fast.period': 5, 'slow.period': 30 },
              headline: { sharpe: 0.7, totalReturn: 0.02, maxDrawdown: 0.04, tradeCount: 11 },
              score: 0.7,
              rank: 2,
            },
            {
              params: { 'fast.period': 10, 'slow.period': 30 },
              headline: { sharpe: 1.21, totalReturn: 0.043, maxDrawdown: 0.031, tradeCount: 9 },
              score: 1.21,
              rank: 1,
            },
            { params: { 'fast.period': 40, 'slow.period': 30 }, skipped: 'the fast period is not below the slow one' },
          ],
          best: { params: { 'fast.period': 10, 'slow.period': 30 }, score: 1.21 },
        },
      },
    },
  },
  BacktestFailed: {
    streamName: `backtest-${JOB}`,
    data: { jobId: JOB, code: 'NO_DATA', error: 'no binance BTCUSDT 1h candles in [2019-01-01T00:00:00.000Z, 2019-02-01T00:00:00.000Z)' },
  },
  EventQuarantined: {
    streamName: 'quarantine',
    data: {
      event: { eventId: EVENT, streamName: `backtest-${JOB}`, revision: 0, eventType: 'BacktestRequested', position: { commit: '7812', prepare: '120034' } },
      reason: 'stored by a release that accepted periods before 1970; the job never ran',
      decodeErrors: [{ path: 'data.job.period.from', message: 'expected EpochMs, got -315619200000' }],
    },
  },
  OrderPlaced: {
    streamName: `order-${ORDER}`,
    data: {
      clientOrderId: ORDER,
      account: 'paper-1',
      strategyId: STRATEGY,
      exchange: 'binance',
      spec: entrySpec,
      bracket: { ocoGroup: 'bracket-1', children: [stopSpec, takeProfitSpec] },
      execution: { mode: 'native' },
      time: 1698796800000,
    },
  },
  OrderTriggered: {
    streamName: `order-${STOP}`,
    data: { clientOrderId: STOP, triggerPrice: 33799.5, time: 1698800400000, submitsAs: 'market' },
  },
  OrderAccepted: { streamName: `order-${ORDER}`, data: { clientOrderId: ORDER, exchangeOrderId: '28457103911', time: 1698796800412 } },
  OrderPartiallyFilled: { streamName: `order-${ORDER}`, data: fill },
  OrderFilled: {
    streamName: `order-${ORDER}`,
    data: { ...fill, tradeId: '3418840124', quantity: 0.15, price: 34560, cumulativeQuantity: 0.25, averagePrice: 34562.84, liquidity: 'taker' },
  },
  OrderCancelled: {
    streamName: `order-${STOP}`,
    data: { clientOrderId: STOP, by: 'oco', reason: 'mt-0b6f1c7e-tp-1 of OCO group bracket-1 filled', time: 1698811200000 },
  },
  OrderRejected: {
    streamName: `order-${ORDER}`,
    data: {
      clientOrderId: ORDER,
      rejection: { by: 'risk', rule: 'max_position_size', limit: 0.2, actual: 0.25, message: 'the position would reach 0.25 BTC, above the maximum 0.2 BTC' },
      time: 1698796800000,
      order: { account: 'paper-1', strategyId: STRATEGY, exchange: 'binance', spec: entrySpec },
    },
  },
  OrderExpired: {
    streamName: `order-${ORDER}`,
    data: { clientOrderId: ORDER, reason: 'IOC: the rest of the order was not filled at once', time: 1698796800500 },
  },
  FillUnmatched: {
    streamName: 'executor-paper-1',
    data: {
      account: 'paper-1',
      exchange: 'binance',
      clientOrderId: 'mt-unknown-7',
      problem: 'unknown_order',
      message: 'a fill (trade 3418840999) for mt-unknown-7, an order never placed',
      fill: { tradeId: '3418840999', price: 34501.2, quantity: 0.01, fee: 0.00001, feeCurrency: 'BTC', liquidity: 'taker', time: 1698796900000 },
    },
  },
  EventQuarantineLifted: { streamName: 'quarantine', data: { eventId: EVENT, reason: 'release 0.3 reads it again' } },
  TradingDayClosed: {
    streamName: `performance-${STRATEGY}`,
    data: {
      strategyId: STRATEGY,
      mode: 'paper',
      account: `paper-${STRATEGY}`,
      day: '2024-07-02',
      initialCapital: 10000,
      equity: 10123.4,
      dayReturn: 0.0041,
      trades: 2,
      tradesTotal: 5,
      // The account's final day (it ended at 14:00 and was closed at market then); a day that is not final leaves it out.
      position: 0,
      at: 1719928800000,
      final: true,
    },
  },
  ReplayHourCompleted: {
    streamName: 'pipeline-replay-2023-09-01-2023-10-31',
    data: { from: '2023-09-01', to: '2023-10-31', hour: 1693612800000, hoursDone: 24 },
  },
  ApiKeyCreated: {
    streamName: 'api-keys',
    data: {
      keyId: '3f9a0c1d2e4b5a69',
      name: 'ops-dashboard',
      role: 'operator',
      keyHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      createdBy: 'operator:alice',
      purpose: 'the ops dashboard on the NOC screen',
    },
  },
  ApiKeyRevoked: {
    streamName: 'api-keys',
    data: { keyId: '3f9a0c1d2e4b5a69', name: 'ops-dashboard', revokedBy: 'operator:alice', reason: 'the laptop that held it was lost' },
  },
  ModelTrained: {
    streamName: 'model-btc-1h',
    data: {
      data: {
        rows: 1367,
        sha256: '0d65d498cf8983d85629dac91795db18ee287ee655380f8db7f3db6831ee29ab',
        symbol: 'BTCUSDT',
        exchange: 'binance',
        timeframe: '1h',
        lastCandle: '2021-05-31T23:00:00.000Z',
        firstCandle: '2021-04-04T20:00:00.000Z',
        requestedSymbol: 'BTCUSDT',
      },
      kind: 'lstm-transformer',
      seed: 1,
      model: 'btc-1h',
      split: { dropped: 105, boundary: '2021-05-21T16:00:00.000Z', trainSamples: 990, fearGreedRows: 1367, validationSamples: 248 },
      window: 24,
      profile: 'small',
      purpose: 'walk-forward',
      version: 1,
      features: [
        'return_1h',
        'range_hl',
        'body_oc',
        'volume_change',
        'rsi_14',
        'macd_hist',
        'bbands_pct_b',
        'atr_14',
        'adx_14',
        'stoch_k',
        'cci_20',
        'mfi_14',
        'willr_14',
        'roc_24',
        'sma_20',
        'ema_50',
        'tema_20',
        'vwma_20',
        'vwap_24',
        'stddev_20',
        'obv_change_24',
        'fear_greed',
        'fear_greed_known',
      ],
      artifacts: [
        {
          kind: 'lstm-transformer',
          role: 'model',
          files: ['model.json', 'weights.bin'],
          sha256: '2326d085c5b06f8165cfc8c53a202e1fc39571da53f1bb6c0cdb575ac715f943',
          profile: 'small',
          directory: 'btc-1h/v1/lstm-transformer',
        },
        {
          kind: 'ridge',
          role: 'baseline',
          files: ['ridge.json'],
          sha256: '4aa65e657835d9626964521e94d81d4980bf5d418d79f8d42aca15198310e9fe',
          profile: 'default',
          directory: 'btc-1h/v1/ridge',
        },
      ],
      trainedAt: '2026-12-05T03:26:07.726Z',
      validation: {
        model: { mae: 0.010858333460316404, rmse: 0.013894934973151198, samples: 248, directionalAccuracy: 0.5161290322580645 },
        ridge: { mae: 0.010059678781773997, rmse: 0.013341699993710794, samples: 248, directionalAccuracy: 0.5362903225806451 },
        persistence: { mae: 0.010121958258848955, rmse: 0.013319185355137167, samples: 248, directionalAccuracy: 0.5161290322580645 },
      },
      residualStd: { model: 0.01368844682182138, ridge: 0.013313399486134057 },
      normalisation: {
        std: [
          0.01091371199913004, 0.015056506584920063, 0.010909735191552302, 0.42012757229518055, 11.427429782482074, 0.003069033333469609, 0.3335729485769018,
          0.008635695703267509, 11.122166381063037, 24.70057930871738, 113.32119358325143, 16.432307481208582, 26.822708444063036, 0.045362061306571146,
          0.024046768145946903, 0.03262823652622624, 0.011922824275391014, 0.02048330949446291, 0.023207005099806218, 0.010131959126708095, 0.19881186676824553,
          0.405463455605034, 1,
        ],
        mean: [
          -0.0003408822386774326, 0.015432924860145747, -0.00033893033651945904, 0.008040460897471501, 49.117828908276834, 1.957773345911836e-5,
          0.48301774185645796, 0.015097421609706903, 29.543808929985346, 53.799472746843236, -5.207537522520302, 48.517116576352144, -46.196408414390355,
          -0.0071091972168654625, 0.0036556887600084267, 0.009476914753345961, 2.7459242671542294e-5, 0.0012944527442940216, 0.001409480695852374,
          0.014627407021165212, -0.03726811350456544, 0.12978281397545058, 1,
        ],
      },
    },
  },
  ModelTrainingFailed: {
    streamName: 'model-btc-1h',
    data: {
      model: 'btc-1h',
      kind: 'lstm-transformer',
      profile: 'small',
      failedAt: '2026-12-05T03:00:00.000Z',
      code: 'TOO_LITTLE_HISTORY',
      reason: '412 usable hours before 2021-04-20, at least 1000 needed',
    },
  },
  PredictionMade: {
    streamName: 'predictions-btc-1h',
    data: {
      kind: 'lstm-transformer',
      model: 'btc-1h',
      madeAt: '2021-06-01T00:00:00.000Z',
      symbol: 'BTCUSDT',
      forHour: '2021-06-01T00:00:00.000Z',
      exchange: 'binance',
      baselines: { ridge: -0.001444381894543767, persistence: 0 },
      confidence: 0.09315884687550446,
      modelVersion: 1,
      upProbability: 0.45342057656224777,
      expectedReturn: -0.0016018731985241175,
    },
  },
  AlertRaised: {
    streamName: 'alert-5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
    data: {
      alertId: '5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
      rule: 'cycle-over-budget',
      kind: 'incident',
      severity: 'warning',
      subject: 'cycle-2024-07-02',
      message: 'the 2024-07-02 cycle ran out of its 180-minute budget with 112 of 500 backtests not run',
      figures: { budgetMinutes: 180, notRun: 112 },
      dedupKey: 'cycle-over-budget:cycle-2024-07-02',
      firstSeenAt: '2024-07-02T06:00:00.000Z',
    },
  },
  AlertRepeated: {
    streamName: 'alert-5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
    data: {
      alertId: '5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
      count: 2,
      lastSeenAt: '2024-07-02T06:15:00.000Z',
      message: 'still over budget',
      figures: { notRun: 112 },
    },
  },
  AlertAcknowledged: {
    streamName: 'alert-5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
    data: {
      alertId: '5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
      acknowledgedAt: '2024-07-02T07:00:00.000Z',
      acknowledgedBy: 'operator:alice',
      reason: 'budget raised to 240 minutes for tomorrow',
    },
  },
  AlertResolved: {
    streamName: 'alert-5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
    data: {
      alertId: '5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
      resolvedAt: '2024-07-02T07:00:00.000Z',
      resolvedBy: 'operator:alice',
      reason: 'acknowledged by the operator',
    },
  },
  AlertDelivered: {
    streamName: 'alert-5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
    data: { alertId: '5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90', notification: 'raised', channel: 'webhook', attempts: 1, at: '2024-07-02T06:00:01.000Z' },
  },
  AlertDeliveryFailed: {
    streamName: 'alert-5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
    data: {
      alertId: '5b0e8e0a-2d7c-5c1e-9a43-6f1d2b8c7e90',
      notification: 'raised',
      channel: 'telegram',
      attempts: 3,
      error: 'HTTP 502 from the Telegram API',
      at: '2024-07-02T06:00:09.000Z',
    },
  },
  SettingChanged: {
    streamName: 'settings',
    data: { name: 'maxActiveStrategies', value: 3, previous: 2, actor: 'operator:alice', reason: 'a third strategy passed its paper weeks' },
  },
  RiskLimitsSet: {
    streamName: 'risk-paper-main',
    data: {
      account: 'paper-main',
      limits: { maxPositionNotional: 50_000, maxSymbolExposure: 0.3, maxPortfolioExposure: 1, maxOpenPositions: 5, dailyLossLimit: 0.04, maxDrawdown: 0.15 },
      previous: {
        maxPositionNotional: 100_000,
        maxSymbolExposure: 0.25,
        maxPortfolioExposure: 1,
        maxOpenPositions: 10,
        dailyLossLimit: 0.05,
        maxDrawdown: 0.2,
      },
      decidedBy: 'operator:alice',
      reason: 'smaller account for the first live week',
    },
  },
  RiskOrderRefused: {
    streamName: 'risk-paper-main',
    data: {
      account: 'paper-main',
      strategyId: STRATEGY,
      exchange: 'binance',
      order: { clientOrderId: 'mt-7f3a2c-0001', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: 0.12, purpose: 'entry' },
      referencePrice: 43_250.5,
      time: 1704103200000,
      rule: 'max_symbol_exposure',
      limit: 0.25,
      actual: 0.3461,
      message: 'BTCUSDT would reach 0.3461 × equity, above the maximum 0.25',
    },
  },
  KillSwitchEngaged: {
    streamName: 'risk-paper-main',
    data: {
      account: 'paper-main',
      trigger: 'max_drawdown',
      time: 1704189600000,
      decidedBy: 'system:risk-gate',
      reason: 'equity 9,540 is 20.5% below the peak 12,000: the maximum drawdown is 20%',
      positionsToClose: [
        { symbol: 'BTCUSDT', quantity: 0.05 },
        { symbol: 'ETHUSDT', quantity: -1.2 },
      ],
      figures: { limit: 0.2, actual: 0.205, equity: 9540, reference: 12_000 },
    },
  },
  KillSwitchReleased: {
    streamName: 'risk-paper-main',
    data: { account: 'paper-main', trigger: 'max_drawdown', time: 1704276000000, releasedBy: 'operator:alice', reason: 'reviewed the losses, strategy paused' },
  },
  ExchangeReconciled: {
    streamName: 'exchange-binance',
    data: {
      exchange: 'binance',
      account: 'live-main',
      at: 1709294400000,
      checked: { knownOpenOrders: 2, exchangeOpenOrders: 2, assets: 3 },
      differences: [
        {
          kind: 'unknown_open_order',
          order: {
            clientOrderId: 'web_7f3a9c',
            exchangeOrderId: '28457',
            symbol: 'BTCUSDT',
            side: 'buy',
            type: 'limit',
            status: 'cancelled',
            quantity: 0.01,
            filledQuantity: 0,
            price: 30000,
          },
          resolution: 'cancelled',
        },
        {
          kind: 'order_ended',
          clientOrderId: 'mt-7d1c2e-entry',
          symbol: 'BTCUSDT',
          order: {
            clientOrderId: 'mt-7d1c2e-entry',
            exchangeOrderId: '28460',
            symbol: 'BTCUSDT',
            side: 'buy',
            type: 'limit',
            status: 'filled',
            quantity: 0.02,
            filledQuantity: 0.02,
            price: 39000,
          },
          newFills: [{ tradeId: '5012', price: 39000, quantity: 0.02, fee: 0.00002, feeCurrency: 'BTC', liquidity: 'maker', time: 1709290800000 }],
          resolution: 'record_outcome',
        },
        {
          kind: 'fills_missed',
          clientOrderId: 'mt-7d1c2e-tp',
          symbol: 'BTCUSDT',
          order: {
            clientOrderId: 'mt-7d1c2e-tp',
            exchangeOrderId: '28461',
            symbol: 'BTCUSDT',
            side: 'sell',
            type: 'limit',
            status: 'partially_filled',
            quantity: 0.02,
            filledQuantity: 0.01,
            price: 42000,
          },
          newFills: [{ tradeId: '5013', price: 42000, quantity: 0.01, fee: 0.42, feeCurrency: 'USDT', liquidity: 'maker', time: 1709292600000 }],
          resolution: 'record_fills',
        },
        { kind: 'order_not_on_exchange', clientOrderId: 'mt-7d1c2e-sl', symbol: 'BTCUSDT', resolution: 'record_rejected' },
        { kind: 'balance_mismatch', asset: 'USDT', expected: 10000, actual: 9218.4, resolution: 'adopt_exchange_balance' },
      ],
    },
  },
  PaperSessionStarted: {
    streamName: 'paper-4c7e9a21-3b5d-4f6e-8a9b-0c1d2e3f4a5b',
    data: {
      sessionId: '4c7e9a21-3b5d-4f6e-8a9b-0c1d2e3f4a5b',
      accounts: [
        { account: 'paper-4c7e9a21-BTCUSDT', symbol: 'BTCUSDT', strategyId: STRATEGY, genome: smaCrossoverGenome(10, 30, ['BTCUSDT', 'ETHUSDT']) },
        { account: 'paper-4c7e9a21-ETHUSDT', symbol: 'ETHUSDT', genome: smaCrossoverGenome(10, 30, ['BTCUSDT', 'ETHUSDT']) },
      ],
      interval: '1h',
      exchange: 'binance',
      settings: { takerFee: 0, makerFee: 0, slippage: 0.0005, initialCapital: 5000, sizing: { mode: 'lot', lotSize: 0.001 }, barsPerYear: 8760 },
      riskLimits: { maxPositionNotional: 100_000, maxSymbolExposure: 1, maxPortfolioExposure: 2, maxOpenPositions: 10, dailyLossLimit: 0.05, maxDrawdown: 0.2 },
      window: { kind: 'replay', from: 1672531200000, to: 1675209600000 },
      startedBy: 'operator:alice',
      at: 1709294400000,
    },
  },
  PaperSessionStopped: {
    streamName: 'paper-4c7e9a21-3b5d-4f6e-8a9b-0c1d2e3f4a5b',
    data: {
      sessionId: '4c7e9a21-3b5d-4f6e-8a9b-0c1d2e3f4a5b',
      reason: 'end_of_data',
      at: 1709294460000,
      candles: 1488,
      accounts: [
        {
          account: 'paper-4c7e9a21-BTCUSDT',
          symbol: 'BTCUSDT',
          trades: 17,
          ordersPlaced: 52,
          ordersRefused: 1,
          ordersRejected: 0,
          finalEquity: 5312.77,
          totalReturn: 0.062554,
        },
        {
          account: 'paper-4c7e9a21-ETHUSDT',
          symbol: 'ETHUSDT',
          trades: 0,
          ordersPlaced: 0,
          ordersRefused: 0,
          ordersRejected: 0,
          finalEquity: 5000,
          totalReturn: 0,
        },
      ],
      failures: 0,
      message: 'replayed every candle of the window',
    },
  },
};

export const exampleMetadata = (overrides: Record<string, unknown> = {}) => ({
  correlationId: '3c9a1f7e-2b4d-4e6f-8a1b-2c3d4e5f6a7b',
  causationId: '3c9a1f7e-2b4d-4e6f-8a1b-2c3d4e5f6a7b',
  actor: 'operator:alice',
  schemaVersion: 1,
  occurredAt: '2024-03-01T12:00:00.000Z',
  idempotencyKey: 'request-42',
  ...overrides,
});
