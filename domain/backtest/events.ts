// The facts of one backtest job, on its own stream `backtest-<jobId>`: it was requested (what, by whom, which kind),
// then it completed (the BacktestJobResult: metrics, window, data fingerprint, engine version, per-symbol summary,
// down-sampled equity, trades, and for walk-forward / grid-search jobs the per-window / per-cell `analysis`, compact:
// headline metrics per window and per cell) or it failed (a code and a message). Event ids derive from the job id,
// so a redelivered job is recorded once.
import * as t from 'io-ts';
import {
  Actor,
  EpochMs,
  Finite,
  FiniteRecord,
  IdString,
  Name,
  NonNegativeInt,
  Text,
  Uuid,
  boundedArray,
  boundedRecord,
  nonEmptyArray,
} from '../primitives/codecs.js';
import { ExchangeId } from '../market/exchange.js';
import { AppliedRunSettings, RunSettings } from '../execution/run-settings.js';
import { GENOME_BOUNDS, Genome, MarketSymbol, Timeframe } from '../strategy/genome.js';

export const BACKTEST_CATEGORY = 'backtest';
export const backtestStream = (jobId: string) => `${BACKTEST_CATEGORY}-${jobId}`;

/** Event-id names (fed to IdGenerator.idFor): one per fact, so a retry derives the same ids. */
export const backtestEventName = {
  requested: (jobId: string) => `backtest:${jobId}:requested`,
  outcome: (jobId: string) => `backtest:${jobId}:outcome`,
} as const;

export const BACKTEST_KINDS = ['single', 'walk_forward', 'grid_search'] as const;
export const BacktestKind = t.keyof({ single: null, walk_forward: null, grid_search: null }, 'BacktestKind');
export type BacktestKind = t.TypeOf<typeof BacktestKind>;

const PositiveInt = t.refinement(NonNegativeInt, (n) => n >= 1, 'PositiveInt');

/**
 * The most a stored backtest may hold: schema ceilings, generous enough for every result stored before they existed
 * (the API's configured limits and the runners' caps are lower). A result over them is recorded as a failure.
 */
export const BACKTEST_BOUNDS = {
  /** Parameters a grid varies, and values per parameter. */
  gridParams: 16,
  gridValues: 1000,
  /** Cells of a grid search and windows of a walk-forward kept in a result. */
  cells: 10_000,
  windows: 10_000,
  /** Trades listed in a result (metrics always cover all of them). */
  trades: 100_000,
  /** Equity points per symbol. */
  equityPoints: 10_000,
} as const;

/** A parameter grid: a genome path (`indicators.fast.params.period`, or `fast.period` for short) → the values to try. */
export const ParameterGridCodec = boundedRecord(nonEmptyArray(Finite, undefined, BACKTEST_BOUNDS.gridValues), BACKTEST_BOUNDS.gridParams, 'ParameterGrid');
export type ParameterGridSpec = t.TypeOf<typeof ParameterGridCodec>;

/** Which metric ranks grid cells (higher is better unless the metric is a loss such as maxDrawdown). */
export const RankingMetric = Name;

export const GridSearchSpecCodec = t.intersection([t.type({ grid: ParameterGridCodec }), t.partial({ metric: RankingMetric })], 'GridSearchSpec');
export type GridSearchSpecData = t.TypeOf<typeof GridSearchSpecCodec>;

/** Window sizes in bars of the first symbol's series; `step` defaults to `outOfSample`. */
export const WalkForwardSpecCodec = t.intersection(
  [
    t.type({ inSample: PositiveInt, outOfSample: PositiveInt }),
    t.partial({ step: PositiveInt, anchored: t.boolean, grid: ParameterGridCodec, metric: RankingMetric }),
  ],
  'WalkForwardSpec',
);
export type WalkForwardSpecData = t.TypeOf<typeof WalkForwardSpecCodec>;

export const BacktestAnalysisSpec = t.union([
  t.type({ kind: t.literal('walk_forward'), walkForward: WalkForwardSpecCodec }),
  t.type({ kind: t.literal('grid_search'), gridSearch: GridSearchSpecCodec }),
]);
export type BacktestAnalysisSpec = t.TypeOf<typeof BacktestAnalysisSpec>;

/**
 * The BacktestJob of application/ports/backtest-jobs.ts, as stored (period in epoch ms, [from, to)). `settings`: the
 * run settings asked for (defaults resolved, barsPerYear only when overridden); jobs stored before settings existed
 * have none and run with DEFAULT_RUN_SETTINGS (domain/execution/run-settings.ts).
 */
export const BacktestJobCodec = t.intersection(
  [
    t.type({
      jobId: IdString,
      genome: Genome,
      exchange: ExchangeId,
      symbols: nonEmptyArray(MarketSymbol, undefined, GENOME_BOUNDS.symbols),
      interval: Timeframe,
      period: t.type({ from: EpochMs, to: EpochMs }),
    }),
    t.partial({
      strategyId: Uuid,
      trials: t.type({ count: NonNegativeInt, annualisedSharpeVariance: Finite }),
      settings: RunSettings,
    }),
  ],
  'BacktestJob',
);

const TradeCodec = t.type({
  symbol: MarketSymbol,
  side: t.keyof({ long: null, short: null }),
  entryTime: Finite,
  exitTime: Finite,
  entryPrice: Finite,
  exitPrice: Finite,
  quantity: Finite,
  pnl: Finite,
  returnPct: Finite,
  fees: Finite,
  exitReason: Name,
});

const WindowRange = t.type({ from: EpochMs, to: EpochMs, bars: NonNegativeInt });

/**
 * The few metrics a grid cell or a walk-forward part keeps (finite ones only): enough to compare and sort them.
 * A cell's full backtest is one single backtest away (doc/backtesting.md, "Full detail").
 */
export const HEADLINE_METRICS = ['sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'] as const;
export type HeadlineMetric = (typeof HEADLINE_METRICS)[number];
export const HeadlineMetricsCodec = t.partial({ sharpe: Finite, totalReturn: Finite, maxDrawdown: Finite, tradeCount: Finite }, 'HeadlineMetrics');
export type HeadlineMetrics = t.TypeOf<typeof HeadlineMetricsCodec>;

const WindowChoice = t.partial({ params: FiniteRecord, inSampleScore: Finite });

/**
 * One walk-forward window: its in-sample and out-of-sample ranges, the parameters chosen in-sample, and the headline
 * metrics of each part. Events stored before results were compact carry the full metric records instead
 * (`inSampleMetrics`, `outOfSampleMetrics`): both shapes decode.
 */
export const WalkForwardWindowCodec = t.union(
  [
    t.intersection([
      t.type({
        index: NonNegativeInt,
        inSample: WindowRange,
        outOfSample: WindowRange,
        inSampleHeadline: HeadlineMetricsCodec,
        outOfSampleHeadline: HeadlineMetricsCodec,
      }),
      WindowChoice,
    ]),
    t.intersection([
      t.type({ index: NonNegativeInt, inSample: WindowRange, outOfSample: WindowRange, inSampleMetrics: FiniteRecord, outOfSampleMetrics: FiniteRecord }),
      WindowChoice,
    ]),
  ],
  'WalkForwardWindow',
);
export type WalkForwardWindowData = t.TypeOf<typeof WalkForwardWindowCodec>;

/**
 * One grid cell: its parameters and either its score, rank and headline metrics, or why it was skipped. Events
 * stored before results were compact carry the full metric record in `metrics` instead of `headline`.
 */
export const GridCellCodec = t.intersection(
  [t.type({ params: FiniteRecord }), t.partial({ headline: HeadlineMetricsCodec, score: Finite, rank: NonNegativeInt, skipped: Text, metrics: FiniteRecord })],
  'GridCell',
);
export type GridCellData = t.TypeOf<typeof GridCellCodec>;

export const BacktestAnalysisCodec = t.union(
  [
    t.type({
      kind: t.literal('walk_forward'),
      spec: WalkForwardSpecCodec,
      windows: boundedArray(WalkForwardWindowCodec, BACKTEST_BOUNDS.windows),
      /** The metrics of the out-of-sample parts chained together. */
      outOfSampleMetrics: FiniteRecord,
    }),
    t.intersection([
      t.type({ kind: t.literal('grid_search'), spec: GridSearchSpecCodec, metric: Name, cells: boundedArray(GridCellCodec, BACKTEST_BOUNDS.cells) }),
      t.partial({ best: t.type({ params: FiniteRecord, score: Finite }) }),
    ]),
  ],
  'BacktestAnalysis',
);
export type BacktestAnalysis = t.TypeOf<typeof BacktestAnalysisCodec>;

const OperandCoverageCodec = t.type({
  operand: Text,
  source: Text,
  coveredBars: NonNegativeInt,
  bars: NonNegativeInt,
  firstCovered: Finite,
  lastCovered: Finite,
  partial: t.boolean,
});

/**
 * The BacktestJobResult of the job contract, plus (extension) the walk-forward / grid-search `analysis`. `settings`:
 * the run settings the result was computed with, bars per year included with where it came from (absent in results
 * stored before settings existed: they used DEFAULT_RUN_SETTINGS and the calendar year).
 */
export const BacktestJobResultCodec = t.intersection(
  [
    t.type({
      jobId: IdString,
      engineVersion: Name,
      dataFingerprint: IdString,
      window: WindowRange,
      metrics: FiniteRecord,
      perSymbol: boundedRecord(
        t.intersection([
          t.type({ metrics: FiniteRecord, gaps: NonNegativeInt, trades: NonNegativeInt }),
          // Per external operand, how many bars had its data (operand-coverage.ts); absent before operands existed.
          t.partial({ coverage: boundedArray(OperandCoverageCodec, 64) }),
        ]),
        GENOME_BOUNDS.symbols,
      ),
      equity: boundedRecord(boundedArray(t.tuple([Finite, Finite]), BACKTEST_BOUNDS.equityPoints), GENOME_BOUNDS.symbols),
      trades: boundedArray(TradeCodec, BACKTEST_BOUNDS.trades),
    }),
    t.partial({ analysis: BacktestAnalysisCodec, settings: AppliedRunSettings }),
  ],
  'BacktestJobResult',
);
export type BacktestJobResultData = t.TypeOf<typeof BacktestJobResultCodec>;

export const BacktestEventData = {
  BacktestRequested: t.intersection([
    t.type({ jobId: IdString, kind: BacktestKind, requestedBy: Actor, job: BacktestJobCodec }),
    t.partial({ analysis: BacktestAnalysisSpec }),
  ]),
  BacktestCompleted: t.type({ jobId: IdString, result: BacktestJobResultCodec }),
  BacktestFailed: t.type({ jobId: IdString, code: Name, error: Text }),
} as const;

export type BacktestEventType = keyof typeof BacktestEventData;
export type BacktestEventOf<K extends BacktestEventType> = {
  readonly type: K;
  readonly data: t.TypeOf<(typeof BacktestEventData)[K]>;
};
export type BacktestEvent = { [K in BacktestEventType]: BacktestEventOf<K> }[BacktestEventType];
export type BacktestRequestedData = BacktestEventOf<'BacktestRequested'>['data'];
export const BACKTEST_EVENT_TYPES = Object.keys(BacktestEventData) as BacktestEventType[];
