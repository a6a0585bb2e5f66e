// Reading the `backtest_results` read model (the API's GET /api/backtests/:id and the list behind it).
// Rows come back JSON-ready in camelCase; lists leave the curves, trades and analysis out. The analysis column holds
// the summary of a grid search or walk-forward; its cells and windows are paged by analysis-pages.ts.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

const Json = z.unknown();

const BacktestListRow = z.object({
  jobId: z.string(),
  status: z.enum(['requested', 'completed', 'failed']),
  kind: z.string().nullable(),
  strategyId: z.string().nullable(),
  requestedBy: z.string().nullable(),
  symbols: z.array(z.string()).nullable(),
  interval: z.string().nullable(),
  metrics: Json,
  settings: Json,
  dataWindow: Json,
  dataFingerprint: z.string().nullable(),
  engineVersion: z.string().nullable(),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  requestedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
  revision: z.number(),
});
export type BacktestListRow = z.infer<typeof BacktestListRow>;

const BacktestRow = BacktestListRow.extend({ request: Json, perSymbol: Json, equity: Json, trades: Json, analysis: Json });
export type BacktestRow = z.infer<typeof BacktestRow>;

const listColumns = sql.fragment`
  job_id AS "jobId", status, kind, strategy_id AS "strategyId", requested_by AS "requestedBy", symbols, "interval",
  metrics, settings, data_window AS "dataWindow", data_fingerprint AS "dataFingerprint", engine_version AS "engineVersion",
  error_code AS "errorCode", error, requested_at AS "requestedAt", finished_at AS "finishedAt", updated_at AS "updatedAt", revision`;

export const getBacktestResult = async (db: CommonQueryMethods, jobId: string): Promise<BacktestRow | undefined> =>
  (await db.maybeOne(sql.type(BacktestRow)`
    SELECT ${listColumns}, request, per_symbol AS "perSymbol", equity, trades, analysis
      FROM backtest_results WHERE job_id = ${jobId}`)) ?? undefined;

export interface ListBacktestsQuery {
  readonly strategyId?: string;
  readonly status?: string;
  readonly limit?: number;
}

/** Most recently changed first. */
export const listBacktestResults = (db: CommonQueryMethods, q: ListBacktestsQuery = {}): Promise<readonly BacktestListRow[]> =>
  db.any(sql.type(BacktestListRow)`
    SELECT ${listColumns} FROM backtest_results
     WHERE ${q.strategyId === undefined ? sql.fragment`TRUE` : sql.fragment`strategy_id = ${q.strategyId}`}
       AND ${q.status === undefined ? sql.fragment`TRUE` : sql.fragment`status = ${q.status}`}
     ORDER BY updated_at DESC, job_id
     LIMIT ${q.limit ?? 100}`);

/** Every row in full, in job order (tests compare a rebuild with the live rows). */
export const allBacktestResults = (db: CommonQueryMethods): Promise<readonly BacktestRow[]> =>
  db.any(sql.type(BacktestRow)`
    SELECT ${listColumns}, request, per_symbol AS "perSymbol", equity, trades, analysis FROM backtest_results ORDER BY job_id`);

const BacktestHead = z.object({ jobId: z.string(), status: z.enum(['requested', 'completed', 'failed']), kind: z.string().nullable(), request: Json });
export type BacktestHead = z.infer<typeof BacktestHead>;

/** A job's status, kind and request only (what the analysis pages need to know about their job). */
export const getBacktestHead = async (db: CommonQueryMethods, jobId: string): Promise<BacktestHead | undefined> =>
  (await db.maybeOne(sql.type(BacktestHead)`SELECT job_id AS "jobId", status, kind, request FROM backtest_results WHERE job_id = ${jobId}`)) ?? undefined;
