// Runs a walk-forward or grid-search job over candles already in memory and shapes its outcome for recording — the
// one definition of an analysis result, used by the worker threads (backtest-worker.ts) and by the in-process runner
// of the CLI alike. The result is a BacktestJobResult whose metrics, curves and trades are those of the out-of-sample
// parts chained (walk-forward) or of the best cell over the whole period (grid search), plus a compact `analysis`
// table: headline metrics per window and per cell (domain/backtest/compact-analysis.ts), never full metric records.
// Synchronous and free of I/O (infrastructure/ only because the data fingerprint hashes with node:crypto).
import type { BacktestAnalysisRequest, BacktestJob, BacktestJobOutcome, BacktestJobResult } from '../../application/ports/backtest-jobs.js';
import { compactCell, compactWindow } from '../../domain/backtest/compact-analysis.js';
import { CompileError } from '../../domain/backtest/compile.js';
import { OperandDataError, type OperandData } from '../../domain/backtest/operand-data.js';
import { BacktestError, findGaps, windowIndices } from '../../domain/backtest/engine.js';
import { EXIT_REASON_NAMES } from '../../domain/execution/fill-model.js';
import { gridSearch, GridSearchError } from '../../domain/backtest/grid-search.js';
import { resultTrade } from '../../domain/backtest/result-trade.js';
import { ENGINE_VERSION } from '../../domain/backtest/version.js';
import { walkForward, WalkForwardError } from '../../domain/backtest/walk-forward.js';
import type { IndicatorCache } from '../../domain/indicators/cache.js';
import { INTERVAL_MS, type CandleSeries } from '../../domain/market/candles.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { dataFingerprint, downsampleEquity, jobRunSettings, jobSeriesProblem } from './job-runner.js';

type Point = readonly [number, number];
type Series = Readonly<Record<string, CandleSeries>>;

const failure = (jobId: string, code: string, error: string): BacktestJobOutcome => ({ ok: false, jobId, code, error });

const finiteOnly = (m: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(m).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)));

const onJobSymbols = (job: BacktestJob): Genome => ({ ...job.genome, symbols: [...job.symbols] }) as Genome;

/** Window, fingerprint and per-symbol gaps of the period, shared by the analysis results. */
const periodFacts = (job: BacktestJob, series: Series) => {
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
  return { window: { from, to, bars }, gaps, dataFingerprint: dataFingerprint(job, series, ends) };
};

type WalkForwardRequest = Extract<BacktestAnalysisRequest, { kind: 'walk_forward' }>['walkForward'];
type GridSearchRequest = Extract<BacktestAnalysisRequest, { kind: 'grid_search' }>['gridSearch'];

const runWalkForward = (job: BacktestJob, spec: WalkForwardRequest, series: Series, cache: IndicatorCache, operands?: OperandData): BacktestJobOutcome => {
  const run = jobRunSettings(job, operands);
  const wf = walkForward(onJobSymbols(job), series, cache, spec, run.options);
  const facts = periodFacts(job, series);
  const perSymbol: Record<string, { metrics: Record<string, number>; gaps: number; trades: number }> = {};
  const equity: Record<string, Point[]> = {};
  const trades: BacktestJobResult['trades'][number][] = [];
  for (const [symbol, oos] of Object.entries(wf.outOfSample.perSymbol)) {
    perSymbol[symbol] = { metrics: finiteOnly(oos.metrics), gaps: facts.gaps[symbol] ?? 0, trades: oos.trades.length };
    equity[symbol] = downsampleEquity(oos.equity, oos.openTime);
    for (const t of oos.trades) trades.push(resultTrade(symbol, t, t.exitReason));
  }
  const result = {
    jobId: job.jobId,
    engineVersion: ENGINE_VERSION,
    dataFingerprint: facts.dataFingerprint,
    window: facts.window,
    // The summary a walk-forward job stands for: the out-of-sample parts chained.
    metrics: finiteOnly({ ...wf.outOfSample.metrics, windows: wf.windows.length, totalTrades: trades.length }),
    perSymbol,
    equity,
    trades,
    settings: run.settings,
    analysis: {
      kind: 'walk_forward' as const,
      spec,
      windows: wf.windows.map(compactWindow),
      outOfSampleMetrics: finiteOnly(wf.outOfSample.metrics),
    },
  };
  return { ok: true, result };
};

const runGridSearch = (job: BacktestJob, spec: GridSearchRequest, series: Series, cache: IndicatorCache, operands?: OperandData): BacktestJobOutcome => {
  const run = jobRunSettings(job, operands);
  const search = gridSearch(onJobSymbols(job), spec.grid, series, cache, {
    ...run.options,
    ...(spec.metric === undefined ? {} : { metric: spec.metric }),
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
  const facts = periodFacts(job, series);
  const best = search.best.backtest;
  const perSymbol: Record<string, { metrics: Record<string, number>; gaps: number; trades: number }> = {};
  const equity: Record<string, Point[]> = {};
  const trades: BacktestJobResult['trades'][number][] = [];
  for (const symbol of job.symbols) {
    const r = best.perSymbol[symbol]!;
    const s = series[symbol]!;
    const w = windowIndices(s, job.period.from, job.period.to);
    perSymbol[symbol] = { metrics: finiteOnly(r.storedMetrics), gaps: r.gaps.gaps, trades: r.trades.length };
    equity[symbol] = downsampleEquity(r.equity, s.openTime.subarray(w.from, w.to));
    r.trades.forEach((t, i) => trades.push(resultTrade(symbol, t, EXIT_REASON_NAMES[r.exitReasons[i]!] ?? 'unknown')));
  }
  const result = {
    jobId: job.jobId,
    engineVersion: ENGINE_VERSION,
    dataFingerprint: facts.dataFingerprint,
    window: facts.window,
    // The best cell's backtest over the whole period (the curves and trades are its own).
    metrics: finiteOnly({ ...best.aggregate.meanMetrics, totalTrades: best.aggregate.totalTrades, meanFinalEquity: best.aggregate.meanFinalEquity }),
    perSymbol,
    equity,
    trades,
    settings: run.settings,
    analysis: {
      kind: 'grid_search' as const,
      spec,
      metric: search.metric,
      cells: search.cells.map(compactCell),
      best: { params: search.best.params, score: search.best.score },
    },
  };
  return { ok: true, result };
};

/**
 * Runs the job's analysis over `seriesBySymbol` (the job's exchange/interval series of each of its symbols; the
 * indicators warm up on the candles before the period). Engine, genome and analysis errors become
 * `{ ok: false, code, error }` (MISSING_SERIES, SERIES_MISMATCH, INVALID_JOB, EMPTY_WINDOW, INVALID_GENOME,
 * RANGE_TOO_SHORT, TOO_MANY_WINDOWS, INVALID_WALK_FORWARD, EMPTY_GRID, GRID_TOO_LARGE, NO_VALID_GRID_CELL,
 * BACKTEST_FAILED); it never throws.
 */
export const runAnalysisJob = (
  job: BacktestJob,
  analysis: BacktestAnalysisRequest,
  seriesBySymbol: Series,
  cache: IndicatorCache,
  operands?: OperandData,
): BacktestJobOutcome => {
  try {
    const unfit = jobSeriesProblem(job, seriesBySymbol);
    if (unfit !== undefined) return unfit;
    return analysis.kind === 'walk_forward'
      ? runWalkForward(job, analysis.walkForward, seriesBySymbol, cache, operands)
      : runGridSearch(job, analysis.gridSearch, seriesBySymbol, cache, operands);
  } catch (e) {
    if (
      e instanceof BacktestError ||
      e instanceof CompileError ||
      e instanceof OperandDataError ||
      e instanceof WalkForwardError ||
      e instanceof GridSearchError
    )
      return failure(job.jobId, e.code, e.message);
    return failure(job.jobId, 'BACKTEST_FAILED', e instanceof Error ? e.message : String(e));
  }
};
