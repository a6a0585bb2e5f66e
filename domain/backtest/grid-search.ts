// Grid search over a genome's parameters: every combination of the grid's values is written into a copy of the
// genome, validated with the Genome codec (an invalid combination is skipped with the codec's reason, never run),
// backtested over the same candles with one shared indicator cache, and ranked by a chosen metric.
// Pure: no I/O, no clock, no randomness. Paths name genome fields: `indicators.fast.params.period` (an indicator
// is found by its id), `exitRules.stopLoss`, `risk.positionSize`; `fast.period` is short for the first.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { IndicatorCache } from '../indicators/cache.js';
import type { CandleSeries } from '../market/candles.js';
import { fieldErrors, formatFieldErrors } from '../primitives/decode-errors.js';
import { Genome } from '../strategy/genome.js';
import { backtestGenome, type BacktestOptions, type GenomeBacktest } from './engine.js';
import { BACKTEST_BOUNDS } from './events.js';

/** The most cells a grid search runs at all (the cells a stored result may list): the API's limit is lower. */
export const GRID_CELL_CEILING = BACKTEST_BOUNDS.cells;

export type ParameterGrid = Readonly<Record<string, readonly number[]>>;
export type ParameterSet = Readonly<Record<string, number>>;

/** Metrics where less is better (losses, risk): ranked ascending. Every other metric is ranked descending. */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'maxDrawdown',
  'maxDrawdownAmount',
  'maxDrawdownDurationBars',
  'maxDrawdownDurationMs',
  'longestDrawdownBars',
  'longestDrawdownMs',
  'ulcerIndex',
  'annualVolatility',
  'downsideDeviation',
]);

export const DEFAULT_RANKING_METRIC = 'sharpe';

export class GridSearchError extends Error {
  override readonly name = 'GridSearchError';
  constructor(
    readonly code: 'EMPTY_GRID' | 'GRID_TOO_LARGE',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** `fast.period` → `indicators.fast.params.period` when `fast` is one of the genome's indicator ids. */
export const normaliseParamPath = (genome: Genome, path: string): string => {
  const parts = path.split('.');
  if (parts.length === 2 && genome.indicators.some((i) => i.id === parts[0])) return `indicators.${parts[0]}.params.${parts[1]}`;
  return path;
};

/** Every combination, the grid's first path varying slowest; paths keep the caller's spelling. */
export const expandGrid = (grid: ParameterGrid): ParameterSet[] => {
  const paths = Object.keys(grid);
  if (paths.length === 0) return [];
  let combos: Record<string, number>[] = [{}];
  for (const path of paths) {
    const values = grid[path]!;
    const next: Record<string, number>[] = [];
    for (const c of combos) for (const v of values) next.push({ ...c, [path]: v });
    combos = next;
  }
  return combos;
};

export const gridSize = (grid: ParameterGrid): number => Object.values(grid).reduce((n, vs) => n * vs.length, Object.keys(grid).length === 0 ? 0 : 1);

// Keys that reach the prototype chain rather than the genome: a path through them names nothing.
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** One step of a path: an array index, an id among the array's elements, or an object's own key. */
const childOf = (node: unknown, key: string): unknown => {
  if (FORBIDDEN_KEYS.has(key)) return undefined;
  if (Array.isArray(node))
    return /^\d+$/.test(key) ? node[Number(key)] : node.find((x: unknown) => typeof x === 'object' && x !== null && (x as { id?: unknown }).id === key);
  if (typeof node === 'object' && node !== null && Object.hasOwn(node, key)) return (node as Record<string, unknown>)[key];
  return undefined;
};

/**
 * Where a grid path's value goes in `root` (the genome or a copy of it): the node that holds it and its key.
 * Left: why the path names nothing in the genome. applyParams writes through it and the API checks paths with it
 * (gridPathProblem), so a path accepted up front is a path the run can write.
 */
export const resolveParamPath = (
  root: unknown,
  genome: Genome,
  rawPath: string,
): Either<string, { readonly node: Record<string, unknown>; readonly key: string }> => {
  const parts = normaliseParamPath(genome, rawPath).split('.');
  let node: unknown = root;
  for (let i = 0; i < parts.length - 1; i++) {
    node = childOf(node, parts[i]!);
    if (typeof node !== 'object' || node === null) return either.left(`${rawPath}: the genome has no "${parts.slice(0, i + 1).join('.')}"`);
  }
  const key = parts[parts.length - 1]!;
  if (FORBIDDEN_KEYS.has(key)) return either.left(`${rawPath}: "${key}" is not a genome field`);
  return either.right({ node: node as Record<string, unknown>, key });
};

/** Rules a genome may leave out that a grid may set: they are numbers when present. */
const OPTIONAL_NUMBERS: ReadonlySet<string> = new Set(['exitRules.takeProfit', 'exitRules.stopLoss', 'exitRules.trailingStop', 'risk.maxOpenPositions']);

/**
 * Why a grid path is not a parameter of the genome, or undefined when it is: a path that resolves to a number of
 * the genome (an indicator parameter, an exit or risk rule, a condition's constant) or to an optional exit/risk rule.
 * Symbols and lineage are not parameters.
 */
export const gridPathProblem = (genome: Genome, rawPath: string): string | undefined => {
  const path = normaliseParamPath(genome, rawPath);
  const head = path.split('.')[0];
  if (head === 'lineage' || head === 'symbols') return `${rawPath}: ${head} is not a strategy parameter`;
  const resolved = resolveParamPath(genome, genome, rawPath);
  if (either.isLeft(resolved)) return resolved.left;
  const { node, key } = resolved.right;
  const current = Object.hasOwn(node, key) ? node[key] : undefined;
  if (typeof current === 'number' || (current === undefined && OPTIONAL_NUMBERS.has(path))) return undefined;
  return `${rawPath}: "${path}" is not a numeric parameter of the genome`;
};

/** Writes the parameters into a copy of the genome and validates it; Left is the reason it is not a valid genome. */
export const applyParams = (genome: Genome, params: ParameterSet): Either<string, Genome> => {
  const copy = structuredClone(genome) as unknown as Record<string, unknown>;
  for (const [rawPath, value] of Object.entries(params)) {
    const resolved = resolveParamPath(copy, genome, rawPath);
    if (either.isLeft(resolved)) return resolved;
    resolved.right.node[resolved.right.key] = value;
  }
  const decoded = Genome.decode(copy);
  return either.isLeft(decoded) ? either.left(formatFieldErrors(fieldErrors(decoded.left))) : either.right(decoded.right);
};

export interface GridCell {
  readonly params: ParameterSet;
  /** Aggregate metrics (the engine's mean over symbols); absent when skipped. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** The ranking metric's value; absent when skipped or when the metric has no value for this cell. */
  readonly score?: number;
  /** 1 = best; absent when skipped or unscored. */
  readonly rank?: number;
  /** Why the cell was not run (its genome is invalid). */
  readonly skipped?: string;
}

export interface GridSearchResult {
  readonly metric: string;
  /** In grid order. */
  readonly cells: readonly GridCell[];
  readonly best?: { readonly params: ParameterSet; readonly score: number; readonly genome: Genome; readonly backtest: GenomeBacktest };
}

export interface GridSearchOptions extends BacktestOptions {
  /** The metric that ranks the cells (a key of the stored metrics). Default sharpe. */
  readonly metric?: string;
}

/** Higher is better for `metric` unless it is in LOWER_IS_BETTER; the comparator puts the best first. */
export const betterFirst =
  (metric: string) =>
  (a: number, b: number): number =>
    LOWER_IS_BETTER.has(metric) ? a - b : b - a;

export const gridSearch = (
  genome: Genome,
  grid: ParameterGrid,
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  cache: IndicatorCache,
  options: GridSearchOptions = {},
): GridSearchResult => {
  const metric = options.metric ?? DEFAULT_RANKING_METRIC;
  const size = gridSize(grid);
  if (size === 0) throw new GridSearchError('EMPTY_GRID', 'the grid has no parameter or a parameter with no value');
  if (size > GRID_CELL_CEILING) throw new GridSearchError('GRID_TOO_LARGE', `${size} combinations, at most ${GRID_CELL_CEILING}`);
  const cells: GridCell[] = [];
  const cmp = betterFirst(metric);
  // Only the best run's curves are kept: a large grid must not hold every equity curve.
  let best: { cell: number; genome: Genome; backtest: GenomeBacktest } | undefined;
  for (const params of expandGrid(grid)) {
    const applied = applyParams(genome, params);
    if (either.isLeft(applied)) {
      cells.push({ params, skipped: applied.left });
      continue;
    }
    const backtest = backtestGenome(applied.right, seriesBySymbol, cache, options);
    const metrics = backtest.aggregate.meanMetrics;
    const score = metrics[metric];
    cells.push({ params, metrics, ...(score === undefined ? {} : { score }) });
    // Strictly better only: ties keep the earlier cell.
    if (score !== undefined && (best === undefined || cmp(score, cells[best.cell]!.score!) < 0))
      best = { cell: cells.length - 1, genome: applied.right, backtest };
  }
  const scored = cells.map((c, i) => ({ c, i })).filter(({ c }) => c.score !== undefined);
  scored.sort((a, b) => cmp(a.c.score!, b.c.score!) || a.i - b.i);
  scored.forEach(({ i }, r) => (cells[i] = { ...cells[i]!, rank: r + 1 }));
  return {
    metric,
    cells,
    ...(best === undefined
      ? {}
      : { best: { params: cells[best.cell]!.params, score: cells[best.cell]!.score!, genome: best.genome, backtest: best.backtest } }),
  };
};
