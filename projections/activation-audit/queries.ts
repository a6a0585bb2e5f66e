// Reading the activation audit (the API's GET /api/audit/activations): newest first, for one strategy or all.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

const AuditRow = z.object({
  eventId: z.string(),
  strategyId: z.string(),
  action: z.enum(['activated', 'deactivated']),
  streamRevision: z.number(),
  decidedBy: z.string(),
  reason: z.string(),
  /** Null for a deactivation that carried no decision (an operator's). */
  score: z.number().nullable(),
  scoreParts: z.record(z.number()).nullable(),
  candidates: z
    .array(
      z.object({
        strategyId: z.string(),
        score: z.number(),
        parts: z.record(z.number()).optional(),
        live: z.boolean().optional(),
        breached: z.boolean().optional(),
      }),
    )
    .nullable(),
  thresholds: z.record(z.number()).nullable(),
  maxActiveStrategies: z.number().nullable(),
  activeStrategies: z.number().nullable(),
  /**
   * The whole decision as recorded (weights, each part's inputs, activations, deactivations, decidedAt, held,
   * currentRegime); null for a deactivation without one.
   */
  decision: z.record(z.unknown()).nullable(),
  correlationId: z.string(),
  occurredAt: z.string(),
});
export type ActivationAuditRow = z.infer<typeof AuditRow>;

export interface ListActivationAuditQuery {
  readonly strategyId?: string;
  readonly limit?: number;
}

export const listActivationAudit = (db: CommonQueryMethods, q: ListActivationAuditQuery = {}): Promise<readonly ActivationAuditRow[]> =>
  db.any(sql.type(AuditRow)`
    SELECT event_id AS "eventId", strategy_id AS "strategyId", action, stream_revision AS "streamRevision",
           decided_by AS "decidedBy", reason, score, score_parts AS "scoreParts", candidates, thresholds,
           max_active_strategies AS "maxActiveStrategies", active_strategies AS "activeStrategies",
           decision, correlation_id AS "correlationId", occurred_at AS "occurredAt"
      FROM activation_audit
     WHERE ${q.strategyId === undefined ? sql.fragment`TRUE` : sql.fragment`strategy_id = ${q.strategyId}`}
     ORDER BY occurred_at DESC, strategy_id, stream_revision DESC
     LIMIT ${q.limit ?? 200}`);

/** The shape apps/api/server.ts asks for (its ActivationAuditReadModel). */
export const activationAuditReadModel = (db: CommonQueryMethods) => ({
  list: (q: { readonly strategyId?: string; readonly limit: number }) => listActivationAudit(db, q),
});
