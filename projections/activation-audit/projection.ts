// The activation audit: one row per StrategyActivated and StrategyDeactivated with everything the decision used
// (score and its parts, the candidates it was weighed against, thresholds, MAX_ACTIVE_STRATEGIES and how many were
// active, and the whole decision: weights, each part's inputs, what it activated and deactivated), who decided and why, so any activation can be explained afterwards. One multi-row insert per batch.
import { sql } from 'slonik';
import type { Projection } from '../projection.js';
import { STRATEGY_CATEGORY, type StrategyActivated, type StrategyDeactivated } from '../../domain/strategy/events.js';

export type ActivationEvent = StrategyActivated | StrategyDeactivated;

export const activationAuditProjection: Projection<ActivationEvent> = {
  name: 'activation_audit',
  // Still 1: migration 17 added `decision` and filled it from the stored events (what a rebuild would write).
  version: 1,
  filter: { categories: [STRATEGY_CATEGORY], eventTypes: ['StrategyActivated', 'StrategyDeactivated'] },
  tables: ['activation_audit'],
  async applyBatch(tx, events) {
    const rows = events.map(({ event, metadata, recorded }) => {
      const decision = event.data.decision;
      return {
        event_id: recorded.eventId,
        strategy_id: event.data.strategyId,
        action: event.type === 'StrategyActivated' ? 'activated' : 'deactivated',
        stream_revision: Number(recorded.revision),
        decided_by: event.data.decidedBy,
        reason: event.data.reason,
        score: decision?.score,
        score_parts: decision?.scoreParts,
        candidates: decision?.candidates,
        thresholds: decision?.thresholds,
        max_active_strategies: decision?.maxActiveStrategies,
        active_strategies: decision?.activeStrategies,
        decision,
        correlation_id: metadata.correlationId,
        occurred_at: metadata.occurredAt,
      };
    });
    if (rows.length === 0) return;
    await tx.query(sql.unsafe`
      INSERT INTO activation_audit (event_id, strategy_id, action, stream_revision, decided_by, reason, score, score_parts,
                                    candidates, thresholds, max_active_strategies, active_strategies, decision, correlation_id, occurred_at)
      SELECT event_id, strategy_id, action, stream_revision, decided_by, reason, score, score_parts,
             candidates, thresholds, max_active_strategies, active_strategies, decision, correlation_id, occurred_at
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
          event_id uuid, strategy_id uuid, action text, stream_revision bigint, decided_by text, reason text,
          score double precision, score_parts jsonb, candidates jsonb, thresholds jsonb, max_active_strategies integer,
          active_strategies integer, decision jsonb, correlation_id text, occurred_at timestamptz)
      ON CONFLICT (event_id) DO NOTHING`);
  },
};
