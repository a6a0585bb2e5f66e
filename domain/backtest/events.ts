// The facts of one backtest job, on its own stream `backtest-<jobId>`: it was requested (what, by whom, which kind),
// then it completed (the BacktestJobResult: metrics, window, data fingerprint, engine version, per-symbol summary,
// down-sampled equity, trades, and for walk-forward / grid-search jobs the per-window / per-cell `analysis`, compact:
// headline metrics per window and per cell) or it failed (a code and a message). Event ids derive from the job id,
// so a redelivered job is recorded once.
import * as t from 'io-ts';
import { Actor, Finite, FiniteRecord, NonNegativeInt, Uuid, nonEmptyArray } from '../primitives/codecs.js';
import { Genome, MarketSymbol, Timeframe } from '../strategy/genome.js';

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
const EpochMs = NonNegativeInt;

/** A parameter grid: a genome path (`indicators.fast.params.period`, or `fast.period` for short) → the values to try. */
export const ParameterGridCodec = t.record(t.string, nonEmptyArray(Finite), 'ParameterGrid');
export type ParameterGridSpec = t.TypeOf<typeof ParameterGridCodec>;

/** Which metric ranks grid cells (higher is better unless the metric is a loss such as maxDrawdown). */
export const RankingMetric = t.string;

export const GridSearchSpecCodec = t.intersection(
  [t.type({ grid: ParameterGridCodec }), t.partial({ metric: RankingMetric })],
  'GridSearchSpec',
);
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

/** The BacktestJob of application/ports/backtest-jobs.ts, as stored (period in epoch ms, [from, to)). */
export const BacktestJobCodec = t.intersection(
  [
    t.type({
      jobId: t.string,
      genome: Genome,
      exchange: t.string,
      symbols: nonEmptyArray(MarketSymbol),
      interval: Timeframe,
      period: t.type({ from: EpochMs, to: EpochMs }),
    }),
    t.partial({
      strategyId: Uuid,
      trials: t.type({ count: NonNegativeInt, annualisedSharpeVariance: Finite }),
    }),
  ],
  'BacktestJob',
);

const TradeCodec = t.type({
  symbol: t.string,
  side: t.keyof({ long: null, short: null }),
  entryTime: Finite,
  exitTime: Finite,
  entryPrice: Finite,
  exitPrice: Finite,
  quantity: Finite,
  pnl: Finite,
  returnPct: Finite,
  fees: Finite,
  exitReason: t.string,
});

const WindowRange = t.type({ from: EpochMs, to: EpochMs, bars: NonNegativeInt });

/**
 * The few metrics a grid cell or a walk-forward part keeps (finite ones only): enough to compare and sort them.
 * A cell's full backtest is one single backtest away (doc/backtesting.md, "Full detail").
 */
export const HEADLINE_METRICS = ['sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'] as const;
export type HeadlineMetric = (typeof HEADLINE_METRICS)[number];
export const HeadlineMetricsCodec = t.partial(
  { sharpe: Finite, totalReturn: Finite, maxDrawdown: Finite, tradeCount: Finite },
  'HeadlineMetrics',
);
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
      t.type({ index: NonNegativeInt, inSample: WindowRange, outOfSample: WindowRange, inSampleHeadline: HeadlineMetricsCodec, outOfSampleHeadline: HeadlineMetricsCodec }),
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
  [t.type({ params: FiniteRecord }), t.partial({ headline: HeadlineMetricsCodec, score: Finite, rank: NonNegativeInt, skipped: t.string, metrics: FiniteRecord })],
  'GridCell',
);
export type GridCellData = t.TypeOf<typeof GridCellCodec>;

export const BacktestAnalysisCodec = t.union(
  [
    t.type({
      kind: t.literal('walk_forward'),
      spec: WalkForwardSpecCodec,
      windows: t.array(WalkForwardWindowCodec),
      /** The metrics of the out-of-sample parts chained together. */
      outOfSampleMetrics: FiniteRecord,
    }),
    t.intersection([
      t.type({ kind: t.literal('grid_search'), spec: GridSearchSpecCodec, metric: t.string, cells: t.array(GridCellCodec) }),
      t.partial({ best: t.type({ params: FiniteRecord, score: Finite }) }),
    ]),
  ],
  'BacktestAnalysis',
);
export type BacktestAnalysis = t.TypeOf<typeof BacktestAnalysisCodec>;

/** The BacktestJobResult of the job contract, plus (extension) the walk-forward / grid-search `analysis`. */
export const BacktestJobResultCodec = t.intersection(
  [
    t.type({
      jobId: t.string,
      engineVersion: t.string,
      dataFingerprint: t.string,
      window: WindowRange,
      metrics: FiniteRecord,
      perSymbol: t.record(t.string, t.type({ metrics: FiniteRecord, gaps: NonNegativeInt, trades: NonNegativeInt })),
      equity: t.record(t.string, t.array(t.tuple([Finite, Finite]))),
      trades: t.array(TradeCodec),
    }),
    t.partial({ analysis: BacktestAnalysisCodec }),
  ],
  'BacktestJobResult',
);
export type BacktestJobResultData = t.TypeOf<typeof BacktestJobResultCodec>;

export const BacktestEventData = {
  BacktestRequested: t.intersection([
    t.type({ jobId: t.string, kind: BacktestKind, requestedBy: Actor, job: BacktestJobCodec }),
    t.partial({ analysis: BacktestAnalysisSpec }),
  ]),
  BacktestCompleted: t.type({ jobId: t.string, result: BacktestJobResultCodec }),
  BacktestFailed: t.type({ jobId: t.string, code: t.string, error: t.string }),
} as const;

export type BacktestEventType = keyof typeof BacktestEventData;
export type BacktestEventOf<K extends BacktestEventType> = {
  readonly type: K;
  readonly data: t.TypeOf<(typeof BacktestEventData)[K]>;
};
export type BacktestEvent = { [K in BacktestEventType]: BacktestEventOf<K> }[BacktestEventType];
export type BacktestRequestedData = BacktestEventOf<'BacktestRequested'>['data'];
export const BACKTEST_EVENT_TYPES = Object.keys(BacktestEventData) as BacktestEventType[];
