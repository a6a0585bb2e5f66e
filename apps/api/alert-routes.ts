// The alert routes (doc/alerts.md): `GET /api/alerts` pages the alerts read model newest first (keyset: pass the
// answer's `nextCursor` as `cursor`), narrowed by state, severity and rule; `POST /api/alerts/:id/acknowledge` is an
// operator command (a reason required; recorded as the key's actor, operator:<key name>, which a body may repeat but
// never replace — apps/api/principal.ts) through the alert decider. Query strings and bodies decode exactly:
// a bad value or an unknown field is a 400 naming its path.
import express, { type Request, type Response } from 'express';
import { principalOf, withKeyActor } from './principal.js';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { handleAlertCommand } from '../../application/alerts/handle-alert-command.js';
import type { CommandDeps } from '../../application/commands/handle-command.js';
import type { AlertError } from '../../domain/alerts/decide.js';
import { ALERT_RULES, ALERT_SEVERITIES, AlertRule, AlertSeverity } from '../../domain/alerts/events.js';
import { Actor, IsoTimestamp, Reason, Uuid } from '../../domain/primitives/codecs.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { decodeStorable } from '../../domain/primitives/exact.js';
import { findAlert, listAlerts, type AlertCursor } from '../../projections/alerts/queries.js';
import { invalidRequest, type HttpAnswer } from './problems.js';
import { decodeQuery, send } from './query.js';

export interface AlertRouteDeps extends CommandDeps {
  readonly db: CommonQueryMethods;
}

export const MAX_ALERT_PAGE = 500;
export const DEFAULT_ALERT_PAGE = 50;

const Limit = new t.Type<number, string, unknown>(
  'Limit',
  (u): u is number => typeof u === 'number',
  (u, c) =>
    typeof u === 'string' && /^\d{1,4}$/.test(u) && Number(u) >= 1 && Number(u) <= MAX_ALERT_PAGE
      ? t.success(Number(u))
      : t.failure(u, c, `must be a whole number in [1, ${MAX_ALERT_PAGE}], got ${JSON.stringify(u)}`),
  String,
);

const CursorJson = t.type({ t: IsoTimestamp, id: Uuid });
/** base64url of {"t": first-seen time, "id": alert id} of the last row of the previous page. */
export const encodeCursor = (c: AlertCursor): string => Buffer.from(JSON.stringify({ t: c.firstSeenAt, id: c.alertId })).toString('base64url');
const Cursor = new t.Type<AlertCursor, string, unknown>(
  'Cursor',
  (u): u is AlertCursor => typeof u === 'object' && u !== null,
  (u, c) => {
    if (typeof u !== 'string' || u.length > 200 || !/^[A-Za-z0-9_-]+$/.test(u)) return t.failure(u, c, 'must be a cursor from a previous page (nextCursor)');
    try {
      const decoded = CursorJson.decode(JSON.parse(Buffer.from(u, 'base64url').toString('utf8')));
      return either.isRight(decoded)
        ? t.success({ firstSeenAt: decoded.right.t, alertId: decoded.right.id })
        : t.failure(u, c, 'must be a cursor from a previous page (nextCursor)');
    } catch {
      return t.failure(u, c, 'must be a cursor from a previous page (nextCursor)');
    }
  },
  encodeCursor,
);

export const AlertsQuery = t.partial(
  {
    state: t.keyof({ open: null, resolved: null }, 'AlertState (open | resolved)'),
    severity: t.keyof(AlertSeverity.keys, `AlertSeverity (${ALERT_SEVERITIES.join(' | ')})`),
    rule: t.keyof(AlertRule.keys, `AlertRule (${ALERT_RULES.join(' | ')})`),
    limit: Limit,
    cursor: Cursor,
  },
  'AlertsQuery',
);

export const AcknowledgeBody = t.type({ actor: Actor, reason: Reason }, 'AcknowledgeBody');

const alertProblem = (e: AlertError): HttpAnswer => {
  switch (e.kind) {
    case 'AlertNotFound':
      return { status: 404, body: { error: 'AlertNotFound', message: `no alert ${e.alertId}`, alertId: e.alertId } };
    case 'AlertNotOpen':
      return { status: 409, body: { error: 'AlertNotOpen', message: e.message, alertId: e.alertId } };
    default: {
      const unknown: never = e;
      throw new Error(`unmapped alert error ${JSON.stringify(unknown)}`);
    }
  }
};

export const alertRoutes = (deps: AlertRouteDeps): express.Router => {
  const router = express.Router();

  router.get('/api/alerts', async (req: Request, res: Response) => {
    const q = decodeQuery(AlertsQuery, req.query);
    if (either.isLeft(q)) return send(res, q.left);
    const limit = q.right.limit ?? DEFAULT_ALERT_PAGE;
    const { alerts, next } = await listAlerts(deps.db, {
      ...(q.right.state ? { state: q.right.state } : {}),
      ...(q.right.severity ? { severity: q.right.severity } : {}),
      ...(q.right.rule ? { rule: q.right.rule } : {}),
      ...(q.right.cursor ? { after: q.right.cursor } : {}),
      limit,
    });
    res.json({ alerts, limit, nextCursor: next ? encodeCursor(next) : null });
  });

  router.post('/api/alerts/:id/acknowledge', async (req: Request, res: Response) => {
    const id = t.type({ id: Uuid }).decode(req.params);
    if (either.isLeft(id)) return send(res, invalidRequest(fieldErrors(id.left), 'path'));
    const principal = principalOf(res);
    const body = decodeStorable(AcknowledgeBody, principal ? withKeyActor(req.body, principal) : req.body);
    if (either.isLeft(body)) return send(res, invalidRequest(body.left, 'body'));
    // The read model names the alert's stream (its de-duplication key); the decider decides on the stream itself.
    const alert = await findAlert(deps.db, id.right.id);
    if (alert === undefined) return send(res, alertProblem({ kind: 'AlertNotFound', alertId: id.right.id }));
    const result = await handleAlertCommand(
      deps,
      alert.dedupKey,
      { type: 'AcknowledgeAlert', alertId: id.right.id, at: deps.clock.now().toISOString() as IsoTimestamp, by: body.right.actor, reason: body.right.reason },
      { actor: body.right.actor },
    );
    if (either.isLeft(result)) {
      const e = result.left;
      if (e.kind === 'AlertNotFound' || e.kind === 'AlertNotOpen') return send(res, alertProblem(e));
      if (e.kind === 'WrongExpectedRevision')
        return send(res, { status: 409, body: { error: 'WrongExpectedRevision', message: 'the alert changed meanwhile; try again' } });
      return send(res, { status: 500, body: { error: e.kind, message: 'message' in e ? e.message : 'the acknowledgement could not be stored' } });
    }
    const open = result.right.state.open?.alertId === id.right.id;
    res.json({ id: id.right.id, state: open ? 'open' : 'resolved', acknowledged: true, events: result.right.events });
  });

  return router;
};
