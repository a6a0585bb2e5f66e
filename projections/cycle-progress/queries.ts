// Reading the `cycle_progress` read model (GET /api/cycles and /api/cycles/:day).
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

const CycleProgressRow = z.object({
  cycleId: z.string(),
  asOf: z.string().nullable(),
  stage: z.string(),
  startedAt: z.string().nullable(),
  elapsedMs: z.number(),
  etaMs: z.number().nullable(),
  planned: z.number().nullable(),
  backtested: z.number(),
  stages: z.unknown(),
  budget: z.unknown(),
  degradations: z.unknown(),
  finishedAt: z.string().nullable(),
  completed: z.unknown(),
});
export type CycleProgressRow = z.infer<typeof CycleProgressRow>;

const columns = sql.fragment`
  cycle_id AS "cycleId", to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "asOf", stage,
  to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt", elapsed_ms::float8 AS "elapsedMs",
  eta_ms::float8 AS "etaMs", planned, backtested, stages, budget, degradations,
  to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "finishedAt", completed`;

/** Newest day first. */
export const listCycleProgress = (db: CommonQueryMethods, q: { readonly limit: number; readonly before?: string }): Promise<readonly CycleProgressRow[]> =>
  db.any(sql.type(CycleProgressRow)`
    SELECT ${columns} FROM cycle_progress
     WHERE ${q.before === undefined ? sql.fragment`TRUE` : sql.fragment`cycle_id < ${q.before}`}
     ORDER BY cycle_id DESC LIMIT ${q.limit}`);

export const getCycleProgress = async (db: CommonQueryMethods, cycleId: string): Promise<CycleProgressRow | undefined> =>
  (await db.maybeOne(sql.type(CycleProgressRow)`SELECT ${columns} FROM cycle_progress WHERE cycle_id = ${cycleId}`)) ?? undefined;
