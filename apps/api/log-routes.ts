// GET /api/logs: the services' stored log records (the `logs` table, doc/observability.md), newest first.
// ?service= &level= (this level and above) &from= &to= (ISO-8601; default the last 24 hours, at most 31 days apart)
// &q= (full text, websearch syntax) &limit= (1..500, default 100) &cursor= (the nextCursor of the page before).
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import type { Clock } from '../../application/ports/clock.js';
import { fieldErrors, type FieldError } from '../../domain/primitives/decode-errors.js';
import { decodeCursor, LOG_LEVELS, searchLogs, type LogCursor, type LogLevelName } from '../../infrastructure/logging/log-query.js';
import { invalidRequest } from './problems.js';
import { send } from './query.js';

export interface LogRouteDeps {
  readonly db: CommonQueryMethods;
  readonly clock: Clock;
}

export const MAX_LOGS_LIMIT = 500;
export const DEFAULT_LOGS_LIMIT = 100;
export const MAX_LOGS_RANGE_DAYS = 31;
export const MAX_LOGS_QUERY_CHARS = 200;
const DAY = 86_400_000;

/** A string accepted when `ok`, turned into an A; refused with `message`. */
const checked = <A>(name: string, ok: (s: string) => boolean, to: (s: string) => A, message: string) =>
  new t.Type<A, string, unknown>(
    name,
    (_u): _u is A => false,
    (u, c) => (typeof u === 'string' && ok(u) ? t.success(to(u)) : t.failure(u, c, message)),
    String,
  );

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const isTime = (s: string) => ISO_TIME.test(s) && !Number.isNaN(Date.parse(s)) && Date.parse(s) >= 0 && Date.parse(s) < Date.UTC(10000, 0);

const LogsQuery = t.exact(
  t.partial({
    service: checked(
      'Service',
      (s) => /^[A-Za-z0-9_.:-]{1,64}$/.test(s),
      (s) => s,
      'must be 1 to 64 letters, digits, or _ . : -',
    ),
    level: checked(
      'Level',
      (s) => Object.hasOwn(LOG_LEVELS, s),
      (s) => LOG_LEVELS[s as LogLevelName],
      `must be one of ${Object.keys(LOG_LEVELS).join(', ')}`,
    ),
    from: checked('Time', isTime, (s) => new Date(Date.parse(s)), 'must be an ISO-8601 time like 2024-01-31T12:00:00Z'),
    to: checked('Time', isTime, (s) => new Date(Date.parse(s)), 'must be an ISO-8601 time like 2024-01-31T12:00:00Z'),
    q: checked(
      'SearchText',
      (s) => s.trim().length >= 1 && s.length <= MAX_LOGS_QUERY_CHARS && !CONTROL.test(s),
      (s) => s,
      `must be 1 to ${MAX_LOGS_QUERY_CHARS} characters, no control character`,
    ),
    limit: checked(
      'Limit',
      (s) => /^\d{1,3}$/.test(s) && Number(s) >= 1 && Number(s) <= MAX_LOGS_LIMIT,
      Number,
      `must be an integer in [1, ${MAX_LOGS_LIMIT}]`,
    ),
    cursor: checked<LogCursor>(
      'Cursor',
      (s) => decodeCursor(s) !== undefined,
      (s) => decodeCursor(s)!,
      'must be the nextCursor of a previous page',
    ),
  }),
);

export const logRoutes = (deps: LogRouteDeps): express.Router => {
  const router = express.Router();

  router.get('/api/logs', async (req: Request, res: Response) => {
    const decoded = t.type({ query: LogsQuery }).decode({ query: req.query });
    if (either.isLeft(decoded)) return send(res, invalidRequest(fieldErrors(decoded.left), 'query'));
    const q = decoded.right.query;
    const unknown = Object.keys(req.query as object).filter((k) => !Object.hasOwn(LogsQuery.type.props, k));
    const to = q.to ?? (q.from ? new Date(Math.min(q.from.getTime() + DAY, deps.clock.now().getTime())) : deps.clock.now());
    const from = q.from ?? new Date(to.getTime() - DAY);
    const problems: FieldError[] = [
      ...unknown.map((k) => ({
        path: `query.${k.slice(0, 50)}`,
        message: `unknown parameter; the parameters are ${Object.keys(LogsQuery.type.props).join(', ')}`,
      })),
      ...(from > to ? [{ path: 'query.from', message: 'must not be after to' }] : []),
      ...(to.getTime() - from.getTime() > MAX_LOGS_RANGE_DAYS * DAY
        ? [{ path: 'query.to', message: `must be at most ${MAX_LOGS_RANGE_DAYS} days after from` }]
        : []),
    ];
    if (problems.length > 0) return send(res, invalidRequest(problems, 'query'));
    const page = await searchLogs(deps.db, {
      ...(q.service === undefined ? {} : { service: q.service }),
      ...(q.level === undefined ? {} : { minLevel: q.level }),
      ...(q.q === undefined ? {} : { q: q.q }),
      ...(q.cursor === undefined ? {} : { after: q.cursor }),
      from: from.toISOString(),
      to: to.toISOString(),
      limit: q.limit ?? DEFAULT_LOGS_LIMIT,
    });
    res.json({ from: from.toISOString(), to: to.toISOString(), ...page });
  });

  return router;
};
