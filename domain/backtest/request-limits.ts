// The checks a backtest request passes before anything is stored: what it asks for must exist and fit the limits.
// Two steps, both pure: `planProblems` needs only the request and the time (symbols per genome, the period not in the
// future, grid paths that are parameters of the genome, known ranking metrics, grid cells, walk-forward steps);
// `coverageProblems` also needs what the candle store holds (a known exchange and symbols, a period inside the stored
// candles, the candles per job, the walk-forward windows and the backtests per job, counted on the stored bars).
// Every problem names the request's field path, as a 400 answer shows it.
import type { FieldError } from '../primitives/decode-errors.js';
import { INTERVAL_MS, type Interval } from '../market/candles.js';
import type { Genome } from '../strategy/genome.js';
import { gridPathProblem, gridSize, normaliseParamPath, type ParameterGrid } from './grid-search.js';
import type { BacktestLimits } from './limits.js';
import { isRankingMetric, RANKING_METRICS } from './ranking-metrics.js';
import { walkForwardWindowCount } from './walk-forward.js';

/** A grid path longer than this is refused without being resolved (the longest real one is about 40 characters). */
export const MAX_GRID_PATH_LENGTH = 200;

export interface BacktestRequestPlan {
  /** The genome as the job runs it (on the job's symbols and interval). */
  readonly genome: Genome;
  readonly exchange: string;
  readonly symbols: readonly string[];
  readonly interval: Interval;
  /** Epoch ms, [from, to). */
  readonly period: { readonly from: number; readonly to: number };
  readonly gridSearch?: { readonly grid: ParameterGrid; readonly metric?: string };
  readonly walkForward?: {
    readonly inSample: number;
    readonly outOfSample: number;
    readonly step?: number;
    readonly grid?: ParameterGrid;
    readonly metric?: string;
  };
  /** The request's fields that gave the symbols (`symbols` or `genome.symbols`) and the exchange. */
  readonly paths: { readonly symbols: string; readonly exchange: string };
}

/** What the candle store holds for the plan's exchange, symbols and interval. */
export interface CandleFacts {
  readonly exchangeKnown: boolean;
  /** Per symbol: the first and last stored open time and how many candles lie in the period; undefined when none is stored. */
  readonly series: Readonly<Record<string, { readonly first: number; readonly last: number; readonly inPeriod: number } | undefined>>;
}

const iso = (ms: number) => (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms));
const shown = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** The grid's problems under `at` (`gridSearch.grid` or `walkForward.grid`); its cell count when it has none. */
const gridProblems = (genome: Genome, grid: ParameterGrid, at: string, limits: BacktestLimits, problems: FieldError[]): void => {
  const paths = Object.keys(grid);
  if (paths.length === 0) {
    problems.push({ path: at, message: 'names no parameter: give at least one path with its values' });
    return;
  }
  const seen = new Map<string, string>();
  for (const raw of paths) {
    if (raw.length > MAX_GRID_PATH_LENGTH) {
      problems.push({ path: at, message: `a path is longer than ${MAX_GRID_PATH_LENGTH} characters ("${shown(raw)}")` });
      continue;
    }
    const problem = gridPathProblem(genome, raw);
    if (problem !== undefined) {
      problems.push({ path: `${at}.${raw}`, message: problem });
      continue;
    }
    const target = normaliseParamPath(genome, raw);
    const earlier = seen.get(target);
    if (earlier !== undefined) problems.push({ path: `${at}.${raw}`, message: `names the same parameter as "${earlier}"` });
    else seen.set(target, raw);
  }
  const cells = gridSize(grid);
  if (cells > limits.maxGridCells) problems.push({ path: at, message: `${cells} cells (the product of the value counts), at most ${limits.maxGridCells}` });
  else if (cells > limits.maxBacktestsPerJob)
    problems.push({ path: at, message: `${cells} cells are ${cells} backtests, at most ${limits.maxBacktestsPerJob} per job` });
};

const metricProblem = (metric: string | undefined, at: string, problems: FieldError[]): void => {
  if (metric !== undefined && !isRankingMetric(metric))
    problems.push({ path: at, message: `unknown metric "${shown(metric)}"; one of ${RANKING_METRICS.join(', ')}` });
};

/** The problems seen without the candle store: every one of them, in field order. */
export const planProblems = (plan: BacktestRequestPlan, now: number, limits: BacktestLimits, maxSymbols: number): FieldError[] => {
  const problems: FieldError[] = [];
  if (plan.symbols.length > maxSymbols)
    problems.push({ path: plan.paths.symbols, message: `${plan.symbols.length} symbols, at most ${maxSymbols} per genome` });
  const { from, to } = plan.period;
  if (from < 0) problems.push({ path: 'period.from', message: `is before 1970-01-01 (${iso(from)}): no candles are that old` });
  if (from >= now) problems.push({ path: 'period.from', message: `is in the future (now is ${iso(now)})` });
  if (to > now) problems.push({ path: 'period.to', message: `is in the future (now is ${iso(now)})` });
  if (plan.gridSearch !== undefined) {
    gridProblems(plan.genome, plan.gridSearch.grid, 'gridSearch.grid', limits, problems);
    metricProblem(plan.gridSearch.metric, 'gridSearch.metric', problems);
  }
  const wf = plan.walkForward;
  if (wf !== undefined) {
    if (wf.step !== undefined && wf.step < wf.outOfSample)
      problems.push({ path: 'walkForward.step', message: `${wf.step} is below outOfSample (${wf.outOfSample}): the out-of-sample parts would overlap` });
    if (wf.grid !== undefined) gridProblems(plan.genome, wf.grid, 'walkForward.grid', limits, problems);
    metricProblem(wf.metric, 'walkForward.metric', problems);
  }
  return problems;
};

/** The problems that need the stored candles; call it once planProblems found none. */
export const coverageProblems = (plan: BacktestRequestPlan, facts: CandleFacts, limits: BacktestLimits): FieldError[] => {
  if (!facts.exchangeKnown) return [{ path: plan.paths.exchange, message: `no candles are stored for exchange "${shown(plan.exchange)}"` }];
  const problems: FieldError[] = [];
  const step = INTERVAL_MS[plan.interval];
  let candles = 0;
  plan.symbols.forEach((symbol, i) => {
    const s = facts.series[symbol];
    const name = `${plan.exchange} ${symbol} ${plan.interval}`;
    if (s === undefined) {
      problems.push({ path: `${plan.paths.symbols}.${i}`, message: `no ${name} candles are stored (import or collect them first)` });
      return;
    }
    if (plan.period.from < s.first) problems.push({ path: 'period.from', message: `is before the first stored ${name} candle (${iso(s.first)})` });
    if (plan.period.to > s.last + step) problems.push({ path: 'period.to', message: `is after the last stored ${name} candle (${iso(s.last)}) ends` });
    else if (s.inPeriod === 0 && plan.period.from >= s.first) problems.push({ path: 'period', message: `holds no ${name} candle (a gap in the stored data)` });
    candles += s.inPeriod;
  });
  if (problems.length > 0) return problems;
  if (candles > limits.maxCandlesPerJob)
    problems.push({
      path: 'period',
      message: `holds ${candles} candles over ${plan.symbols.length} symbol(s), at most ${limits.maxCandlesPerJob} per job: shorten the period or use fewer symbols`,
    });
  const wf = plan.walkForward;
  if (wf !== undefined) {
    // Windows are counted in bars of the first symbol's series, as the walk-forward analysis cuts them.
    const bars = facts.series[plan.symbols[0]!]!.inPeriod;
    const windows = walkForwardWindowCount(bars, wf);
    const span = wf.inSample + wf.outOfSample;
    if (windows === 0)
      problems.push({
        path: 'walkForward.inSample',
        message: `inSample + outOfSample (${span} bars) is longer than the period (${bars} ${plan.symbols[0]} ${plan.interval} bars)`,
      });
    else if (windows > limits.maxWalkForwardWindows)
      problems.push({
        path: 'walkForward.step',
        message: `the period's ${bars} bars hold ${windows} windows, at most ${limits.maxWalkForwardWindows}: raise step or outOfSample, or shorten the period`,
      });
    else {
      const inSampleRuns = wf.grid === undefined ? 1 : gridSize(wf.grid);
      const backtests = windows * (inSampleRuns + 1);
      if (backtests > limits.maxBacktestsPerJob)
        problems.push({
          path: 'walkForward',
          message: `${windows} windows × (${inSampleRuns} in-sample + 1 out-of-sample) = ${backtests} backtests, at most ${limits.maxBacktestsPerJob} per job`,
        });
    }
  }
  return problems;
};
