// The simple way to run backtest jobs, on this process's event loop: load the candles from the candle store,
// run the job with a fresh indicator cache and hand the outcome to the recorder. The API uses it when no worker
// pool or queue is configured, and the CLI always. Single jobs go through the shared job runner
// (infrastructure/backtest/job-runner.ts, injected: it hashes with node:crypto); walk-forward and grid-search jobs
// run the domain's analyses here and are shaped the same way, with the per-window / per-cell table as `analysis`.
import { resultTrade } from '../../domain/backtest/result-trade.js';
import type { BacktestJob, BacktestJobOutcome, BacktestJobResult, RecordBacktestOutcome } from '../ports/backtest-jobs.js';
import type { CandleStore } from '../ports/candle-store.js';
import { CompileError } from '../../domain/backtest/compile.js';
import { BacktestError, findGaps, windowIndices } from '../../domain/backtest/engine.js';
import { EXIT_REASON_NAMES } from '../../domain/backtest/fill-model.js';
import { gridSearch, GridSearchError } from '../../domain/backtest/grid-search.js';
import { walkForward, WalkForwardError } from '../../domain/backtest/walk-forward.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { INTERVAL_MS, type CandleSeries } from '../../domain/market/candles.js';
import type { Genome } from '../../domain/strategy/genome.js';
import type { BacktestAnalysisRequest } from './record-outcome.js';

/** Candles loaded before the period so indicators are warmed up when the simulation starts. */
export const WARMUP_BARS = 1000;

type Point = readonly [number, number];

/** The shared job runner's functions (infrastructure/backtest/job-runner.ts satisfies it as a module namespace). */
export interface JobRunner {
  runBacktestJob(job: BacktestJob, seriesBySymbol: Readonly<Record<string, CandleSeries>>, cache: IndicatorCache): BacktestJobOutcome;
  dataFingerprint(
    job: Pick<BacktestJob, 'exchange' | 'interval' | 'symbols'>,
    seriesBySymbol: Readonly<Record<string, CandleSeries>>,
    ends: Readonly<Record<string, number>>,
  ): string;
  downsampleEquity(equity: ArrayLike<number>, openTime: ArrayLike<number>, maxPoints?: number): Point[];
}

export interface InProcessDeps {
  readonly candles: Pick<CandleStore, 'readSeries'>;
  readonly jobRunner: JobRunner;
  /** The engine version stamped on walk-forward / grid-search results (domain/backtest/version.ts). */
  readonly engineVersion: string;
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

const onJobSymbols = (job: BacktestJob): Genome => ({ ...job.genome, symbols: [...job.symbols] }) as Genome;

const finiteOnly = (m: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));

/** Window, fingerprint and per-symbol gaps of the period, shared by the analysis results. */
const periodFacts = (deps: InProcessDeps, job: BacktestJob, series: Readonly<Record<string, CandleSeries>>) => {
  const ends: Record<string, number> = {};
  const gaps: Record<string, number> = {};
  let from = Infinity;
  let to = -Infinity;
  let bars = 0;
  for (const symbol of job.symbols) {
    const s = series[symbol]!;
    const w = windowIndices(s, job.period.from, job.period.to);
    ends[symbol] = w.to;
    gaps[symbol] = findGaps(s.openTime, w.from, w.to, INTERVAL_MS[job.interval]).gaps;
    from = Math.min(from, s.openTime[w.from]!);
    to = Math.max(to, s.openTime[w.to - 1]!);
    bars += w.to - w.from;
  }
  return { window: { from, to, bars }, gaps, dataFingerprint: deps.jobRunner.dataFingerprint(job, series, ends) };
};

const runWalkForward = (
  deps: InProcessDeps,
  job: BacktestJob,
  spec: Extract<BacktestAnalysisRequest, { kind: 'walk_forward' }>['walkForward'],
  series: Readonly<Record<string, CandleSeries>>,
): BacktestJobOutcome => {
  const wf = walkForward(onJobSymbols(job), series, new IndicatorCache(), spec, {
    from: job.period.from,
    to: job.period.to,
    ...(job.trials === undefined ? {} : { trials: job.trials }),
  });
  const facts = periodFacts(deps, job, series);
  const perSymbol: Record<string, { metrics: Record<string, number>; gaps: number; trades: number }> = {};
  const equity: Record<string, Point[]> = {};
  const trades: BacktestJobResult['trades'][number][] = [];
  for (const [symbol, oos] of Object.entries(wf.outOfSample.perSymbol)) {
    perSymbol[symbol] = { metrics: finiteOnly(oos.metrics), gaps: facts.gaps[symbol] ?? 0, trades: oos.trades.length };
    equity[symbol] = deps.jobRunner.downsampleEquity(oos.equity, oos.openTime);
    for (const t of oos.trades)
      trades.push(resultTrade(symbol, t, t.exitReason));
  }
  const result = {
    jobId: job.jobId,
    engineVersion: deps.engineVersion,
    dataFingerprint: facts.dataFingerprint,
    window: facts.window,
    // The summary a walk-forward job stands for: the out-of-sample parts chained.
    metrics: finiteOnly({ ...wf.outOfSample.metrics, windows: wf.windows.length, totalTrades: trades.length }),
    perSymbol,
    equity,
    trades,
    analysis: {
      kind: 'walk_forward' as const,
      spec,
      windows: wf.windows.map((w) => ({
        ...w,
        inSampleMetrics: finiteOnly(w.inSampleMetrics),
        outOfSampleMetrics: finiteOnly(w.outOfSampleMetrics),
      })),
      outOfSampleMetrics: finiteOnly(wf.outOfSample.metrics),
    },
  };
  return { ok: true, result };
};

const runGridSearch = (
  deps: InProcessDeps,
  job: BacktestJob,
  spec: Extract<BacktestAnalysisRequest, { kind: 'grid_search' }>['gridSearch'],
  series: Readonly<Record<string, CandleSeries>>,
): BacktestJobOutcome => {
  const search = gridSearch(onJobSymbols(job), spec.grid, series, new IndicatorCache(), {
    from: job.period.from,
    to: job.period.to,
    ...(spec.metric === undefined ? {} : { metric: spec.metric }),
    ...(job.trials === undefined ? {} : { trials: job.trials }),
  });
  if (search.best === undefined)
    return failure(
      job.jobId,
      'NO_VALID_GRID_CELL',
      `no grid cell could be scored by ${search.metric}: ${search.cells
        .slice(0, 3)
        .map((c) => c.skipped ?? 'no value')
        .join(' | ')}`,
    );
  const facts = periodFacts(deps, job, series);
  const best = search.best.backtest;
  const perSymbol: Record<string, { metrics: Record<string, number>; gaps: number; trades: number }> = {};
  const equity: Record<string, Point[]> = {};
  const trades: BacktestJobResult['trades'][number][] = [];
  for (const symbol of job.symbols) {
    const r = best.perSymbol[symbol]!;
    const s = series[symbol]!;
    const w = windowIndices(s, job.period.from, job.period.to);
    perSymbol[symbol] = { metrics: finiteOnly(r.storedMetrics), gaps: r.gaps.gaps, trades: r.trades.length };
    equity[symbol] = deps.jobRunner.downsampleEquity(r.equity, s.openTime.subarray(w.from, w.to));
    r.trades.forEach((t, i) =>
      trades.push(resultTrade(symbol, t, EXIT_REASON_NAMES[r.exitReasons[i]!] ?? 'unknown')),
    );
  }
  const result = {
    jobId: job.jobId,
    engineVersion: deps.engineVersion,
    dataFingerprint: facts.dataFingerprint,
    window: facts.window,
    // The best cell's backtest over the whole period (the curves and trades are its own).
    metrics: finiteOnly({ ...best.aggregate.meanMetrics, totalTrades: best.aggregate.totalTrades, meanFinalEquity: best.aggregate.meanFinalEquity }),
    perSymbol,
    equity,
    trades,
    analysis: {
      kind: 'grid_search' as const,
      spec,
      metric: search.metric,
      cells: search.cells.map((c) => ({ ...c, ...(c.metrics ? { metrics: finiteOnly(c.metrics) } : {}) })),
      best: { params: search.best.params, score: search.best.score },
    },
  };
  return { ok: true, result };
};

/** Runs one job to its outcome; never throws for a bad job (a failure outcome with a code instead). */
export const runBacktestInProcess = async (deps: InProcessDeps, job: BacktestJob, analysis?: BacktestAnalysisRequest): Promise<BacktestJobOutcome> => {
  if (!(job.period.from < job.period.to)) return failure(job.jobId, 'INVALID_PERIOD', `empty period [${iso(job.period.from)}, ${iso(job.period.to)})`);
  const loaded = await loadJobSeries(deps.candles, job);
  if (!loaded.ok) return loaded.outcome;
  try {
    if (analysis?.kind === 'walk_forward') return runWalkForward(deps, job, analysis.walkForward, loaded.series);
    if (analysis?.kind === 'grid_search') return runGridSearch(deps, job, analysis.gridSearch, loaded.series);
    return deps.jobRunner.runBacktestJob(job, loaded.series, new IndicatorCache());
  } catch (e) {
    if (e instanceof BacktestError || e instanceof CompileError || e instanceof WalkForwardError || e instanceof GridSearchError)
      return failure(job.jobId, e.code, e.message);
    return failure(job.jobId, 'BACKTEST_FAILED', e instanceof Error ? e.message : String(e));
  }
};

export interface InProcessDispatcher {
  readonly dispatch: BacktestDispatch;
  /** Resolves when every dispatched job has been run and recorded (tests, shutdown). */
  idle(): Promise<void>;
}

/** A dispatch that runs each job in the background of this process and records its outcome. */
export const inProcessDispatcher = (
  deps: InProcessDeps & { readonly record: RecordBacktestOutcome; readonly onError?: (err: unknown, job: BacktestJob) => void },
): InProcessDispatcher => {
  const pending = new Set<Promise<void>>();
  return {
    dispatch: async (job, analysis) => {
      const run = runBacktestInProcess(deps, job, analysis)
        .then((outcome) => deps.record(job, outcome))
        .catch((err) => deps.onError?.(err, job));
      pending.add(run);
      void run.finally(() => pending.delete(run));
    },
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
};
