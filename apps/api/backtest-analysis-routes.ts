// The table of a grid search or a walk-forward, paged: `GET /api/backtests/:id/cells` and `/windows`
// (?offset=&limit=&sort=, `-key` sorts descending; 400 naming the parameter for a bad value, 404 for an unknown job
// or a job without such a table), from the backtest_results read model or, until it has caught up, from the job's
// stream. A cell or window keeps only its headline metrics; its full backtest (every metric, the curve, the trades)
// is one single backtest away, and `GET /api/backtests/:id/cells/:index/backtest-request` (or `/windows/:index/…`)
// gives the body to POST to /api/backtests for it. `presentAnalysis` is how GET /api/backtests/:id shows the summary.
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { decodeAll } from '../../application/events/decode-event.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { DEFAULT_RUN_SETTINGS, type RunSettings } from '../../domain/execution/run-settings.js';
import {
  gridCellRows,
  walkForwardWindowRows,
  type AnalysisSummary,
  type GridCellRow,
  type WalkForwardWindowRow,
} from '../../domain/backtest/compact-analysis.js';
import { backtestStream, type BacktestEvent } from '../../domain/backtest/events.js';
import { applyParams } from '../../domain/backtest/grid-search.js';
import { Uuid } from '../../domain/primitives/codecs.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import type { Genome } from '../../domain/strategy/genome.js';
import {
  CELL_SORT_KEYS,
  DEFAULT_PAGE_LIMIT,
  gridCellAt,
  MAX_PAGE_LIMIT,
  pageGridCellRows,
  pageGridCells,
  pageWalkForwardWindowRows,
  pageWalkForwardWindows,
  walkForwardWindowAt,
  WINDOW_SORT_KEYS,
  type PageQuery,
} from '../../projections/backtest-results/analysis-pages.js';
import { getBacktestHead } from '../../projections/backtest-results/queries.js';
import { invalidRequest, type HttpAnswer } from './problems.js';
import { send } from './query.js';

export interface BacktestAnalysisRouteDeps {
  readonly store: EventStore;
  /** Where the backtest_results read model lives. */
  readonly db: CommonQueryMethods;
}

const notFound = (jobId: string, message: string, error = 'BacktestNotFound'): HttpAnswer => ({ status: 404, body: { error, message, jobId } });

const cellsPath = (jobId: string) => `/api/backtests/${jobId}/cells`;
const windowsPath = (jobId: string) => `/api/backtests/${jobId}/windows`;

export const CELL_FULL_DETAIL =
  "A cell keeps its headline metrics only. Its full backtest (every metric, the equity curve, the trades) is a single backtest of the genome with the cell's parameters: GET /api/backtests/{id}/cells/{index}/backtest-request gives the body, POST it to /api/backtests.";
export const WINDOW_FULL_DETAIL =
  'A window keeps the headline metrics of each part only. The full backtest of its out-of-sample part is a single backtest of the genome with the parameters it chose, over that part: GET /api/backtests/{id}/windows/{index}/backtest-request gives the body, POST it to /api/backtests.';

/** The summary GET /api/backtests/:id answers for an analysis: no table, its size and where to page it. */
export const presentAnalysis = (jobId: string, summary: AnalysisSummary) =>
  summary.kind === 'grid_search'
    ? {
        ...summary,
        best: summary.best === null ? null : { ...summary.best, backtestRequest: `${cellsPath(jobId)}/${summary.best.index}/backtest-request` },
        cells: { ...summary.cells, href: cellsPath(jobId) },
        fullDetail: CELL_FULL_DETAIL,
      }
    : { ...summary, windows: { ...summary.windows, href: windowsPath(jobId) }, fullDetail: WINDOW_FULL_DETAIL };

// --- query strings

/** A whole number written in decimal, within [min, max]. */
const IntParam = (min: number, max: number) =>
  new t.Type<number, string, unknown>(
    `Int[${min}, ${max}]`,
    (u): u is number => typeof u === 'number',
    (u, c) =>
      typeof u === 'string' && /^\d{1,10}$/.test(u) && Number(u) >= min && Number(u) <= max
        ? t.success(Number(u))
        : t.failure(u, c, `must be a whole number in [${min}, ${max}], got ${JSON.stringify(u)}`),
    String,
  );

const SortParam = <K extends string>(keys: readonly K[]) =>
  new t.Type<{ key: K; descending: boolean }, string, unknown>(
    'Sort',
    (u): u is { key: K; descending: boolean } => typeof u === 'object' && u !== null,
    (u, c) => {
      const key = typeof u === 'string' ? u.replace(/^-/, '') : undefined;
      return key !== undefined && (keys as readonly string[]).includes(key)
        ? t.success({ key: key as K, descending: (u as string).startsWith('-') })
        : t.failure(u, c, `must be one of ${keys.join(', ')} (prefix - for descending), got ${JSON.stringify(u)}`);
    },
    (s) => `${s.descending ? '-' : ''}${s.key}`,
  );

const pageQuery = <K extends string>(keys: readonly K[], defaultSort: K, query: unknown): either.Either<HttpAnswer, PageQuery<K>> => {
  const decoded = t.partial({ offset: IntParam(0, 1_000_000_000), limit: IntParam(1, MAX_PAGE_LIMIT), sort: SortParam(keys) }).decode(query);
  if (either.isLeft(decoded)) return either.left(invalidRequest(fieldErrors(decoded.left), 'query'));
  const q = decoded.right;
  return either.right({
    offset: q.offset ?? 0,
    limit: q.limit ?? DEFAULT_PAGE_LIMIT,
    sort: q.sort?.key ?? defaultSort,
    descending: q.sort?.descending ?? false,
  });
};

const sortText = (q: PageQuery<string>) => `${q.descending ? '-' : ''}${q.sort}`;
const nextPage = (path: string, q: PageQuery<string>, total: number) =>
  q.offset + q.limit < total ? `${path}?offset=${q.offset + q.limit}&limit=${q.limit}&sort=${encodeURIComponent(sortText(q))}` : null;

// --- the job, from the read model or its stream

interface JobRequest {
  readonly genome: Genome;
  readonly symbols: readonly string[];
  readonly interval: string;
  readonly exchange: string;
  readonly period: { readonly from: number; readonly to: number };
  readonly settings?: RunSettings;
}

interface JobTable {
  readonly status: 'requested' | 'completed' | 'failed';
  readonly kind: string | null;
  readonly source: 'read_model' | 'stream';
  readonly job: JobRequest | undefined;
  /** From the stream only: the table in memory (the read model pages its own). */
  readonly cells?: readonly GridCellRow[];
  readonly windows?: readonly WalkForwardWindowRow[];
}

const jobTable = async (deps: BacktestAnalysisRouteDeps, jobId: string): Promise<either.Either<HttpAnswer, JobTable>> => {
  const head = await getBacktestHead(deps.db, jobId);
  if (head !== undefined && head.status !== 'requested')
    return either.right({ status: head.status, kind: head.kind, source: 'read_model', job: (head.request as { job?: JobRequest } | null)?.job });
  // Not in the read model yet, or not finished there: the stream is always current.
  const decoded = decodeAll<BacktestEvent>(await deps.store.readStream(backtestStream(jobId)));
  if (either.isLeft(decoded)) return either.left({ status: 500, body: { error: 'EventDecodeFailed', message: decoded.left.message } });
  if (decoded.right.length === 0) return either.left(notFound(jobId, `no backtest ${jobId}`));
  let table: JobTable = { status: 'requested', kind: null, source: 'stream', job: undefined };
  for (const { event } of decoded.right) {
    if (event.type === 'BacktestRequested') table = { ...table, kind: event.data.kind, job: event.data.job };
    else if (event.type === 'BacktestFailed') table = { ...table, status: 'failed' };
    else {
      const a = event.data.result.analysis;
      table = {
        ...table,
        status: 'completed',
        ...(a?.kind === 'grid_search' ? { cells: gridCellRows(a.cells) } : {}),
        ...(a?.kind === 'walk_forward' ? { windows: walkForwardWindowRows(a.windows) } : {}),
      };
    }
  }
  return either.right(table);
};

const wrongKind = (jobId: string, kind: string | null, wanted: 'grid_search' | 'walk_forward'): HttpAnswer =>
  notFound(
    jobId,
    wanted === 'grid_search'
      ? `backtest ${jobId} is a ${kind ?? 'single'} job: it has no grid cells${kind === 'walk_forward' ? ` (its windows are at ${windowsPath(jobId)})` : ''}`
      : `backtest ${jobId} is a ${kind ?? 'single'} job: it has no walk-forward windows${kind === 'grid_search' ? ` (its cells are at ${cellsPath(jobId)})` : ''}`,
    wanted === 'grid_search' ? 'NoGridCells' : 'NoWalkForwardWindows',
  );

/**
 * The POST /api/backtests body that backtests one row in full: the job's genome with the row's parameters, and the
 * job's run settings (a job stored before settings existed ran with the built-in defaults: those).
 */
const backtestRequest = (
  job: JobRequest,
  params: Readonly<Record<string, number>> | null,
  period: { from: number; to: number },
): either.Either<string, unknown> => {
  const genome = params === null ? either.right(job.genome) : applyParams(job.genome, params);
  if (either.isLeft(genome)) return genome;
  return either.right({
    method: 'POST',
    path: '/api/backtests',
    body: {
      genome: genome.right,
      symbols: [...job.symbols],
      interval: job.interval,
      exchange: job.exchange,
      period: { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() },
      settings: job.settings ?? DEFAULT_RUN_SETTINGS,
    },
  });
};

export const backtestAnalysisRoutes = (deps: BacktestAnalysisRouteDeps): express.Router => {
  const router = express.Router();

  /** A grid's cells or a walk-forward's windows, paged: the same answer shape for both tables. */
  const pagedTable =
    <K extends string, R>(table: {
      readonly kind: 'grid_search' | 'walk_forward';
      readonly field: 'cells' | 'windows';
      readonly sortKeys: readonly K[];
      readonly defaultSort: K;
      readonly fromStream: (job: JobTable, q: PageQuery<K>) => { total: number; rows: readonly R[] };
      readonly fromReadModel: (db: CommonQueryMethods, jobId: string, q: PageQuery<K>) => Promise<{ total: number; rows: readonly R[] }>;
      readonly path: (jobId: string) => string;
      readonly fullDetail: string;
    }) =>
    async (req: Request, res: Response) => {
      const id = t.type({ id: Uuid }).decode(req.params);
      if (either.isLeft(id)) return send(res, invalidRequest(fieldErrors(id.left), 'path'));
      const q = pageQuery(table.sortKeys, table.defaultSort, req.query);
      if (either.isLeft(q)) return send(res, q.left);
      const jobId = id.right.id;
      const found = await jobTable(deps, jobId);
      if (either.isLeft(found)) return send(res, found.left);
      const job = found.right;
      if (job.kind !== table.kind) return send(res, wrongKind(jobId, job.kind, table.kind));
      const page =
        job.status !== 'completed'
          ? { total: 0, rows: [] }
          : job.source === 'stream'
            ? table.fromStream(job, q.right)
            : await table.fromReadModel(deps.db, jobId, q.right);
      res.json({
        jobId,
        kind: job.kind,
        status: job.status,
        source: job.source,
        total: page.total,
        offset: q.right.offset,
        limit: q.right.limit,
        sort: sortText(q.right),
        [table.field]: page.rows,
        next: nextPage(table.path(jobId), q.right, page.total),
        fullDetail: table.fullDetail,
      });
    };

  router.get(
    '/api/backtests/:id/cells',
    pagedTable({
      kind: 'grid_search',
      field: 'cells',
      sortKeys: CELL_SORT_KEYS,
      defaultSort: 'rank',
      fromStream: (job, q) => pageGridCellRows(job.cells ?? [], q),
      fromReadModel: pageGridCells,
      path: cellsPath,
      fullDetail: CELL_FULL_DETAIL,
    }),
  );
  router.get(
    '/api/backtests/:id/windows',
    pagedTable({
      kind: 'walk_forward',
      field: 'windows',
      sortKeys: WINDOW_SORT_KEYS,
      defaultSort: 'index',
      fromStream: (job, q) => pageWalkForwardWindowRows(job.windows ?? [], q),
      fromReadModel: pageWalkForwardWindows,
      path: windowsPath,
      fullDetail: WINDOW_FULL_DETAIL,
    }),
  );

  const RowPath = t.type({ id: Uuid, index: IntParam(0, 1_000_000_000) });

  router.get('/api/backtests/:id/cells/:index/backtest-request', async (req: Request, res: Response) => {
    const p = RowPath.decode(req.params);
    if (either.isLeft(p)) return send(res, invalidRequest(fieldErrors(p.left), 'path'));
    const { id: jobId, index } = p.right;
    const found = await jobTable(deps, jobId);
    if (either.isLeft(found)) return send(res, found.left);
    const job = found.right;
    if (job.kind !== 'grid_search') return send(res, wrongKind(jobId, job.kind, 'grid_search'));
    const cell = job.source === 'stream' ? job.cells?.[index] : await gridCellAt(deps.db, jobId, index);
    if (cell === undefined || job.job === undefined) return send(res, notFound(jobId, `backtest ${jobId} has no cell ${index}`, 'CellNotFound'));
    const request = backtestRequest(job.job, cell.params, job.job.period);
    if (either.isLeft(request))
      return send(res, { status: 422, body: { error: 'CellSkipped', message: `cell ${index} is not a valid genome: ${request.left}`, jobId, cell } });
    res.json({ jobId, cell, request: request.right });
  });

  router.get('/api/backtests/:id/windows/:index/backtest-request', async (req: Request, res: Response) => {
    const p = RowPath.decode(req.params);
    if (either.isLeft(p)) return send(res, invalidRequest(fieldErrors(p.left), 'path'));
    const { id: jobId, index } = p.right;
    const found = await jobTable(deps, jobId);
    if (either.isLeft(found)) return send(res, found.left);
    const job = found.right;
    if (job.kind !== 'walk_forward') return send(res, wrongKind(jobId, job.kind, 'walk_forward'));
    const window = job.source === 'stream' ? job.windows?.find((w) => w.index === index) : await walkForwardWindowAt(deps.db, jobId, index);
    if (window === undefined || job.job === undefined) return send(res, notFound(jobId, `backtest ${jobId} has no window ${index}`, 'WindowNotFound'));
    const request = backtestRequest(job.job, window.params, window.outOfSample);
    if (either.isLeft(request)) return send(res, { status: 422, body: { error: 'InvalidParameters', message: request.left, jobId, window } });
    res.json({ jobId, window, request: request.right });
  });

  return router;
};
