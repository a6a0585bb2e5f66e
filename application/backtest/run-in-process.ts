// The simple way to run backtest jobs, on this process's event loop: load the candles from the candle store, run
// the job with a fresh indicator cache and hand the outcome to the recorder. Only for callers that serve nobody else
// (the CLI's `npm run backtest`, tests): the API hands its jobs to the worker pool or the work queue, because a grid
// search or a walk-forward holds the event loop for seconds. The job itself runs through the shared `runJob`
// (infrastructure/backtest/run-job.ts, injected: it hashes with node:crypto), the same function the worker threads
// call, so a single, walk-forward or grid-search job is shaped the same way wherever it runs.
import type { BacktestAnalysisRequest, BacktestJob, BacktestJobOutcome, RecordBacktestOutcome } from '../ports/backtest-jobs.js';
import type { CandleStore } from '../ports/candle-store.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { CompileError, compileGenome } from '../../domain/backtest/compile.js';
import { needsNothing, type OperandData } from '../../domain/backtest/operand-data.js';
import { loadOperandData, type OperandSources } from './operand-data-loader.js';
import { INTERVAL_MS, type CandleSeries } from '../../domain/market/candles.js';

/** Candles loaded before the period so indicators are warmed up when the simulation starts. */
export const WARMUP_BARS = 1000;

/** Runs a job over candles in memory; never throws for a bad job (infrastructure/backtest/run-job.ts runJob). */
export type RunJob = (
  job: BacktestJob,
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  cache: IndicatorCache,
  operands?: OperandData,
) => BacktestJobOutcome;

export interface InProcessDeps {
  readonly candles: Pick<CandleStore, 'readSeries'>;
  readonly runJob: RunJob;
  /**
   * Where the genome's external operands come from (daily series, other symbols' candles from `candles` when not
   * given, recorded predictions). Without it a genome reading any fails with OPERAND_DATA_MISSING.
   */
  readonly operands?: OperandSources;
}

/** How a requested job leaves the API: to the pool, the queue, or this process. Resolves once handed over. */
export type BacktestDispatch = (job: BacktestJob, analysis?: BacktestAnalysisRequest) => Promise<void>;

const failure = (jobId: string, code: string, error: string): BacktestJobOutcome => ({ ok: false, jobId, code, error });
const iso = (ms: number) => new Date(ms).toISOString();

/** The job's candles (with warm-up), or a NO_DATA failure naming the first symbol without a candle in the period. */
export const loadJobSeries = async (
  candles: Pick<CandleStore, 'readSeries'>,
  job: BacktestJob,
): Promise<{ ok: true; series: Record<string, CandleSeries> } | { ok: false; outcome: BacktestJobOutcome }> => {
  const series: Record<string, CandleSeries> = {};
  const from = Math.max(0, job.period.from - WARMUP_BARS * INTERVAL_MS[job.interval]);
  for (const symbol of job.symbols) {
    const s = await candles.readSeries({ exchange: job.exchange, symbol, interval: job.interval }, { from, to: job.period.to });
    let inPeriod = false;
    for (let i = s.length - 1; i >= 0 && !inPeriod; i--) inPeriod = s.openTime[i]! >= job.period.from;
    if (!inPeriod)
      return {
        ok: false,
        outcome: failure(job.jobId, 'NO_DATA', `no ${job.exchange} ${symbol} ${job.interval} candles in [${iso(job.period.from)}, ${iso(job.period.to)})`),
      };
    series[symbol] = s;
  }
  return { ok: true, series };
};

/** The external data the job's genome reads, over the same bars as its candles (warm-up included). */
export const loadJobOperands = async (
  deps: Pick<InProcessDeps, 'candles' | 'operands'>,
  job: BacktestJob,
): Promise<{ ok: true; data: OperandData | undefined } | { ok: false; outcome: BacktestJobOutcome }> => {
  let needs;
  try {
    needs = compileGenome(job.genome).needs;
  } catch (e) {
    if (e instanceof CompileError) return { ok: false, outcome: failure(job.jobId, e.code, e.message) };
    throw e;
  }
  if (needsNothing(needs) || deps.operands === undefined) return { ok: true, data: undefined };
  const from = Math.max(0, job.period.from - WARMUP_BARS * INTERVAL_MS[job.interval]);
  const sources = { candles: deps.candles, ...deps.operands };
  return { ok: true, data: await loadOperandData(sources, needs, { exchange: job.exchange, interval: job.interval, from, to: job.period.to }) };
};

/** The job with its analysis (a walk-forward or grid-search job carries it to whatever runs it). */
export const withAnalysis = (job: BacktestJob, analysis: BacktestAnalysisRequest | undefined): BacktestJob =>
  analysis === undefined ? job : { ...job, analysis };

/** Runs one job to its outcome; never throws for a bad job (a failure outcome with a code instead). */
export const runBacktestInProcess = async (deps: InProcessDeps, job: BacktestJob, analysis?: BacktestAnalysisRequest): Promise<BacktestJobOutcome> => {
  if (!(job.period.from < job.period.to)) return failure(job.jobId, 'INVALID_PERIOD', `empty period [${iso(job.period.from)}, ${iso(job.period.to)})`);
  const loaded = await loadJobSeries(deps.candles, job);
  if (!loaded.ok) return loaded.outcome;
  const operands = await loadJobOperands(deps, job);
  if (!operands.ok) return operands.outcome;
  return deps.runJob(withAnalysis(job, analysis), loaded.series, new IndicatorCache(), operands.data);
};

export interface InProcessDispatcher {
  readonly dispatch: BacktestDispatch;
  /** Resolves when every dispatched job has been run and recorded (tests, shutdown). */
  idle(): Promise<void>;
}

/** A dispatch that runs each job in the background of this process and records its outcome (tests). */
export const inProcessDispatcher = (
  deps: InProcessDeps & { readonly record: RecordBacktestOutcome; readonly onError?: (err: unknown, job: BacktestJob) => void },
): InProcessDispatcher => {
  const pending = new Set<Promise<void>>();
  return {
    dispatch: async (job, analysis) => {
      const run = runBacktestInProcess(deps, job, analysis)
        .then((outcome) => deps.record(withAnalysis(job, analysis), outcome))
        .catch((err) => deps.onError?.(err, job));
      pending.add(run);
      void run.finally(() => pending.delete(run));
    },
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
};
