// Reading the `logs` table (GET /api/logs): newest first, keyset paging by (time, id) so a page never repeats or skips
// a row when records arrive meanwhile (new ones are newer than the first page, the cursor is exact to the microsecond).
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

export interface LogCursor {
  /** The row's time as PostgreSQL holds it (microseconds, UTC). */
  readonly time: string;
  readonly id: string;
}

export interface LogSearch {
  readonly service?: string;
  /** This level and above. */
  readonly minLevel?: number;
  readonly from: string;
  readonly to: string;
  /** Full text, websearch syntax ("a b" -c or d). */
  readonly q?: string;
  readonly limit: number;
  readonly after?: LogCursor;
}

const LogRow = z.object({
  id: z.number(),
  time: z.string(),
  cursorTime: z.string(),
  service: z.string(),
  level: z.number(),
  msg: z.string(),
  record: z.unknown(),
});

const levelName = (n: number): string => {
  let name = 'trace';
  for (const [k, v] of Object.entries(LOG_LEVELS)) if (n >= v) name = k;
  return name;
};

export const encodeCursor = (c: LogCursor): string => Buffer.from(`${c.time}|${c.id}`).toString('base64url');
export const decodeCursor = (s: string): LogCursor | undefined => {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(s)) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,19})$/.exec(Buffer.from(s, 'base64url').toString());
  return m && !Number.isNaN(Date.parse(m[1]!)) ? { time: m[1]!, id: m[2]! } : undefined;
};

export const searchLogs = async (db: CommonQueryMethods, s: LogSearch) => {
  const where = [
    sql.fragment`time >= ${s.from}::timestamptz`,
    sql.fragment`time <= ${s.to}::timestamptz`,
    ...(s.service === undefined ? [] : [sql.fragment`service = ${s.service}`]),
    ...(s.minLevel === undefined ? [] : [sql.fragment`level >= ${s.minLevel}`]),
    ...(s.q === undefined ? [] : [sql.fragment`search @@ websearch_to_tsquery('english', ${s.q})`]),
    ...(s.after === undefined ? [] : [sql.fragment`(time, id) < (${s.after.time}::timestamptz, ${s.after.id}::bigint)`]),
  ];
  const rows = await db.any(sql.type(LogRow)`
    SELECT id, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time,
           to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorTime",
           service, level, msg, record
      FROM logs WHERE ${sql.join(where, sql.fragment` AND `)}
     ORDER BY time DESC, id DESC LIMIT ${s.limit + 1}`);
  const page = rows.slice(0, s.limit);
  const last = page[page.length - 1];
  return {
    logs: page.map(({ cursorTime: _c, ...r }) => ({ ...r, levelName: levelName(r.level) })),
    nextCursor: rows.length > s.limit && last !== undefined ? encodeCursor({ time: last.cursorTime, id: String(last.id) }) : null,
  };
};
