// Example bodies for every command, shown in /openapi.json and checked by the tests to decode.
import { rsiMeanReversionGenome } from '../../domain/strategy/templates.js';
import type { LifecycleRouteName } from './command-bodies.js';

export const exampleGenerate = { genome: rsiMeanReversionGenome(), actor: 'operator:alice' };

/** The strategy the example activation is for; a real body names the strategy of its URL among the activations. */
export const EXAMPLE_ACTIVATED = '0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10';
const ALREADY_LIVE = '5d2e8f11-0c4b-4f7a-8e6d-3a9b2c1d0e4f';

/**
 * The activation policy's decision as ActivateStrategy carries it (doc/activation.md): score = Σ weight × part
 * = .5·.6 + .25·.4 + .15·1 + .1·.8 = .63; the one live strategy (.39) stays, this one joins it: 2 of a maximum of 2.
 */
export const exampleActivationDecision = (strategyId: string = EXAMPLE_ACTIVATED) => ({
  score: 0.63,
  scoreParts: { performance: 0.6, backtest: 0.4, regimeFit: 1, risk: 0.8 },
  weights: { performance: 0.5, backtest: 0.25, regimeFit: 0.15, risk: 0.1 },
  inputs: {
    performance: { paperSharpe: 1.8, paperDays: 14, sharpe: 1.8 },
    backtest: { outOfSampleSharpe: 1.2 },
    regimeFit: { regime: 'trend_low_vol', currentRegime: 'trend_low_vol' },
    risk: { maxDrawdown: 0.1 },
  },
  missing: [],
  candidates: [
    { strategyId, score: 0.63, parts: { performance: 0.6, backtest: 0.4, regimeFit: 1, risk: 0.8 }, live: false, breached: false },
    { strategyId: ALREADY_LIVE, score: 0.39, parts: { performance: 0.4, backtest: 0.4, regimeFit: 0, risk: 0.9 }, live: true, breached: false },
  ],
  thresholds: {
    sharpeForFullMarks: 3,
    drawdownForZero: 0.5,
    unknownRegimeFit: 0.5,
    minIntervalMs: 14_400_000,
    minActiveStrategies: 2,
    replacementMargin: 0.05,
  },
  maxActiveStrategies: 2,
  activeStrategies: 1,
  activations: [strategyId],
  deactivations: [],
  decidedAt: 1_700_000_000_000,
  lastChangeAt: 1_699_980_000_000,
  held: false,
  currentRegime: 'trend_low_vol',
});
const decision = exampleActivationDecision();

export const exampleCommands: Record<LifecycleRouteName, unknown> = {
  'record-backtest': {
    expectedRevision: 0,
    actor: 'operator:alice',
    result: {
      metrics: { totalReturn: 0.184, sharpe: 1.35, sortino: 1.9, maxDrawdown: 0.082, winRate: 0.56, trades: 41 },
      outOfSampleMetrics: { totalReturn: 0.041, sharpe: 0.88, maxDrawdown: 0.051, trades: 9 },
      window: { start: '2023-09-01T00:00:00.000Z', end: '2023-11-30T00:00:00.000Z' },
      timeframe: '1h',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      dataFingerprint: 'sha256:3f0a9c…',
      engineVersion: '1.0.0',
    },
  },
  filter: {
    expectedRevision: 1,
    actor: 'operator:alice',
    verdict: {
      outcome: 'passed',
      reasons: ['out-of-sample Sharpe 0.88 >= 0.5', 'max drawdown 8.2% <= 20%'],
      thresholds: { minSharpe: 0.5, maxDrawdown: 0.2 },
      score: 0.88,
    },
  },
  'start-paper': { expectedRevision: 2, actor: 'operator:alice', reason: 'passed the daily filter; paper slot free' },
  activate: { expectedRevision: 3, actor: 'operator:alice', reason: 'best paper score after 14 days', decision },
  deactivate: { expectedRevision: 4, actor: 'operator:alice', reason: 'drawdown 16% breached the 15% limit', decision: { ...decision, score: 0.4 } },
  retire: { actor: 'operator:alice', reason: 'edge gone after the regime change' },
  pin: { actor: 'operator:alice', reason: 'keep it live through the FOMC week whatever the ranking says' },
  unpin: { actor: 'operator:alice', reason: 'back to the policy' },
};

export const exampleBacktest = {
  genome: rsiMeanReversionGenome(),
  symbols: ['BTCUSDT', 'ETHUSDT'],
  interval: '1h',
  period: { from: '2023-09-01T00:00:00.000Z', to: '2023-12-01T00:00:00.000Z' },
  settings: { takerFee: 0.001, makerFee: 0.0005, slippage: 0.0002, initialCapital: 25_000, sizing: { mode: 'lot', lotSize: 0.001 } },
  actor: 'operator:alice',
};

/** An equity daily series: tickers on nasdaq, zero fees, whole shares; bars per year derived (252). */
export const exampleEquityBacktest = {
  genome: { ...rsiMeanReversionGenome(), symbols: ['GOOG'], timeframe: '1d' },
  exchange: 'nasdaq',
  period: { from: '2010-01-01T00:00:00.000Z', to: '2013-01-01T00:00:00.000Z' },
  settings: { takerFee: 0, makerFee: 0, initialCapital: 50_000, sizing: { mode: 'whole' } },
};
