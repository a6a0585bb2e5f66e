// Pages of an analysis table: the grid cells or the walk-forward windows of one job, sorted and sliced in SQL from
// backtest_grid_cells / backtest_walk_forward_windows — or, while the read model has not caught up, in memory from
// the job's stream, in the same order (null values last whichever the direction, ties by index).
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { GridCellRow, WalkForwardWindowRow } from '../../domain/backtest/compact-analysis.js';
import type { HeadlineMetrics } from '../../domain/backtest/events.js';

/** What a cell page can be sorted by: its place in the grid, its rank or score, a headline metric. */
export const CELL_SORT_KEYS = ['rank', 'index', 'score', 'sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'] as const;
/** What a window page can be sorted by: its place, the in-sample score, a headline metric of its out-of-sample part. */
export const WINDOW_SORT_KEYS = ['index', 'inSampleScore', 'sharpe', 'totalReturn', 'maxDrawdown', 'tradeCount'] as const;
export type CellSortKey = (typeof CELL_SORT_KEYS)[number];
export type WindowSortKey = (typeof WINDOW_SORT_KEYS)[number];

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export interface PageQuery<K extends string> {
  readonly offset: number;
  readonly limit: number;
  readonly sort: K;
  /** `-key` in the query string. */
  readonly descending: boolean;
}

export interface Page<R> {
  readonly total: number;
  readonly rows: readonly R[];
}

const COLUMN: Readonly<Record<CellSortKey | WindowSortKey, string>> = {
  rank: 'rank',
  index: 'index',
  score: 'score',
  inSampleScore: 'in_sample_score',
  sharpe: 'sharpe',
  totalReturn: 'total_return',
  maxDrawdown: 'max_drawdown',
  tradeCount: 'trade_count',
};

const orderBy = (q: PageQuery<string>, indexColumn: string) => {
  const column = q.sort === 'index' ? indexColumn : COLUMN[q.sort as CellSortKey];
  return sql.fragment`ORDER BY ${sql.identifier([column])} ${q.descending ? sql.fragment`DESC` : sql.fragment`ASC`} NULLS LAST, ${sql.identifier([indexColumn])} ASC`;
};

const Headline = z.record(z.number()) as unknown as z.ZodType<HeadlineMetrics>;
const Params = z.record(z.number());
const Range = z.object({ from: z.number(), to: z.number(), bars: z.number() });

const CellRow = z.object({
  index: z.number(),
  params: Params,
  score: z.number().nullable(),
  rank: z.number().nullable(),
  skipped: z.string().nullable(),
  headline: Headline,
});
const WindowRow = z.object({
  index: z.number(),
  inSample: Range,
  outOfSample: Range,
  params: Params.nullable(),
  inSampleScore: z.number().nullable(),
  inSampleHeadline: Headline,
  outOfSampleHeadline: Headline,
});

export const pageGridCells = async (db: CommonQueryMethods, jobId: string, q: PageQuery<CellSortKey>): Promise<Page<GridCellRow>> => {
  const total = await db.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM backtest_grid_cells WHERE job_id = ${jobId}`);
  const rows = await db.any(sql.type(CellRow)`
    SELECT cell AS index, params, score, rank, skipped, headline FROM backtest_grid_cells
     WHERE job_id = ${jobId} ${orderBy(q, 'cell')} OFFSET ${q.offset} LIMIT ${q.limit}`);
  return { total, rows };
};

export const pageWalkForwardWindows = async (db: CommonQueryMethods, jobId: string, q: PageQuery<WindowSortKey>): Promise<Page<WalkForwardWindowRow>> => {
  const total = await db.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM backtest_walk_forward_windows WHERE job_id = ${jobId}`);
  const rows = await db.any(sql.type(WindowRow)`
    SELECT window_index AS index, in_sample AS "inSample", out_of_sample AS "outOfSample", params, in_sample_score AS "inSampleScore",
           in_sample_headline AS "inSampleHeadline", out_of_sample_headline AS "outOfSampleHeadline"
      FROM backtest_walk_forward_windows
     WHERE job_id = ${jobId} ${orderBy(q, 'window_index')} OFFSET ${q.offset} LIMIT ${q.limit}`);
  return { total, rows };
};

/** The value a row is sorted by (null sorts last). */
const cellValue = (r: GridCellRow, key: CellSortKey): number | null =>
  key === 'index' ? r.index : key === 'rank' ? r.rank : key === 'score' ? r.score : (r.headline[key] ?? null);
const windowValue = (r: WalkForwardWindowRow, key: WindowSortKey): number | null =>
  key === 'index' ? r.index : key === 'inSampleScore' ? r.inSampleScore : (r.outOfSampleHeadline[key] ?? null);

const pageInMemory = <R extends { readonly index: number }>(rows: readonly R[], q: PageQuery<string>, value: (r: R) => number | null): Page<R> => {
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      return q.descending ? y - x : x - y;
    }
    return a.index - b.index;
  });
  return { total: rows.length, rows: sorted.slice(q.offset, q.offset + q.limit) };
};

/** The same page as pageGridCells, from rows in memory (the job's stream). */
export const pageGridCellRows = (rows: readonly GridCellRow[], q: PageQuery<CellSortKey>): Page<GridCellRow> =>
  pageInMemory(rows, q, (r) => cellValue(r, q.sort));

/** The same page as pageWalkForwardWindows, from rows in memory (the job's stream). */
export const pageWalkForwardWindowRows = (rows: readonly WalkForwardWindowRow[], q: PageQuery<WindowSortKey>): Page<WalkForwardWindowRow> =>
  pageInMemory(rows, q, (r) => windowValue(r, q.sort));

/** One cell / window by its index (the full-detail request of one row). */
export const gridCellAt = async (db: CommonQueryMethods, jobId: string, index: number): Promise<GridCellRow | undefined> =>
  (await db.maybeOne(sql.type(CellRow)`
    SELECT cell AS index, params, score, rank, skipped, headline FROM backtest_grid_cells WHERE job_id = ${jobId} AND cell = ${index}`)) ?? undefined;

export const walkForwardWindowAt = async (db: CommonQueryMethods, jobId: string, index: number): Promise<WalkForwardWindowRow | undefined> =>
  (await db.maybeOne(sql.type(WindowRow)`
    SELECT window_index AS index, in_sample AS "inSample", out_of_sample AS "outOfSample", params, in_sample_score AS "inSampleScore",
           in_sample_headline AS "inSampleHeadline", out_of_sample_headline AS "outOfSampleHeadline"
      FROM backtest_walk_forward_windows WHERE job_id = ${jobId} AND window_index = ${index}`)) ?? undefined;
