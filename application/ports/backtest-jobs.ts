// Backtest jobs: what is asked, and the two ways it runs — a worker-thread pool on this machine, and a
// durable RabbitMQ work queue with competing consumers across machines. One contract for both.
import type { OperandCoverage } from '../../domain/backtest/operand-coverage.js';
import type { Genome } from '../../domain/strategy/genome.js';
import type { Interval } from '../../domain/market/candles.js';
import type { ResultTrade } from '../../domain/backtest/result-trade.js';
import type { AppliedRunSettings, RunSettings } from '../../domain/execution/run-settings.js';

/** What a walk-forward or grid-search job does beyond a plain backtest (stored in BacktestRequested). */
export type BacktestAnalysisRequest =
  | {
      readonly kind: 'walk_forward';
      readonly walkForward: {
        readonly inSample: number;
        readonly outOfSample: number;
        readonly step?: number;
        readonly anchored?: boolean;
        readonly grid?: Readonly<Record<string, readonly number[]>>;
        readonly metric?: string;
      };
    }
  | { readonly kind: 'grid_search'; readonly gridSearch: { readonly grid: Readonly<Record<string, readonly number[]>>; readonly metric?: string } };

export interface BacktestJob {
  /** Unique per job; event ids derive from it, so a redelivered job is recorded once. */
  readonly jobId: string;
  /** Set when the job backtests a stored strategy (its genome is then the strategy's). */
  readonly strategyId?: string;
  readonly genome: Genome;
  readonly exchange: string;
  readonly symbols: readonly string[];
  readonly interval: Interval;
  /** Candles with from <= openTime < to. */
  readonly period: { readonly from: number; readonly to: number };
  /** Strategies tried in the same run (for the deflated Sharpe ratio). */
  readonly trials?: { readonly count: number; readonly annualisedSharpeVariance: number };
  /** Fees, slippage, capital, sizing, bars per year. Absent (jobs stored before settings existed): DEFAULT_RUN_SETTINGS. */
  readonly settings?: RunSettings;
  /**
   * `summary`: metrics and per-symbol counts only, no trade list or equity curve — for bulk runs (a daily cycle
   * of hundreds of strategies), where shipping millions of trades between threads would cost more than the backtests.
   * Default `full`.
   */
  readonly detail?: 'full' | 'summary';
  /**
   * A walk-forward or grid-search job: the analysis to run instead of a single backtest (its result then has an
   * `analysis` table). Carried with the job to whatever runs it (a worker thread, a queue consumer); stored apart,
   * as BacktestRequested's `analysis`.
   */
  readonly analysis?: BacktestAnalysisRequest;
}

/** The outcome the runner hands back for recording. Large arrays are already down-sampled. */
export interface BacktestJobResult {
  readonly jobId: string;
  readonly engineVersion: string;
  /** Hash of the candles used (exchange, symbols, interval, open times and prices): which data produced it. */
  readonly dataFingerprint: string;
  readonly window: { readonly from: number; readonly to: number; readonly bars: number };
  /** Aggregate metrics (finite numbers only) and per-symbol metrics. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly perSymbol: Readonly<
    Record<
      string,
      {
        readonly metrics: Readonly<Record<string, number>>;
        readonly gaps: number;
        readonly trades: number;
        /** Per external operand, the bars with its data (absent when the genome reads none). */
        readonly coverage?: readonly OperandCoverage[];
      }
    >
  >;
  /** Down-sampled equity curve per symbol: [openTime, equity] pairs. */
  readonly equity: Readonly<Record<string, readonly (readonly [number, number])[]>>;
  readonly trades: readonly ResultTrade[];
  /** The settings the result was computed with (bars per year filled in, with where it came from). */
  readonly settings?: AppliedRunSettings;
}

export type BacktestJobOutcome =
  { readonly ok: true; readonly result: BacktestJobResult } | { readonly ok: false; readonly jobId: string; readonly error: string; readonly code: string };

/** Runs jobs on this machine (worker threads). */
export interface BacktestExecutor {
  run(job: BacktestJob): Promise<BacktestJobOutcome>;
  runMany(jobs: readonly BacktestJob[]): Promise<BacktestJobOutcome[]>;
  close(): Promise<void>;
}

/** Records an outcome (events + read model); must be idempotent by jobId. */
export type RecordBacktestOutcome = (job: BacktestJob, outcome: BacktestJobOutcome) => Promise<void>;

/** The durable queue. */
export interface BacktestJobQueue {
  submit(job: BacktestJob): Promise<void>;
  /** Consumes jobs: runs each, records it, acks only after recording. */
  consume(
    run: (job: BacktestJob) => Promise<BacktestJobOutcome>,
    record: RecordBacktestOutcome,
    options?: { readonly prefetch?: number },
  ): Promise<{ stop(): Promise<void> }>;
  close(): Promise<void>;
}
