// The `alerts` read model (doc/alerts.md): one row per alert from the alert-<key> streams. A batch reads the rows of
// the alerts it touches, folds its events into them (fold.ts) and writes them back in one statement.
import { sql } from 'slonik';
import { z } from 'zod';
import { ALERT_CATEGORY, ALERT_EVENT_TYPES, type AlertEvent } from '../../domain/alerts/events.js';
import type { Projection } from '../projection.js';
import { foldAlert, type AlertRow } from './fold.js';

export const alertsProjection: Projection<AlertEvent> = {
  name: 'alerts',
  version: 1,
  filter: { categories: [ALERT_CATEGORY], eventTypes: ALERT_EVENT_TYPES },
  tables: ['alerts'],
  async applyBatch(tx, events) {
    const ids = [...new Set(events.map((e) => e.event.data.alertId))];
    const stored = await tx.anyFirst(sql.type(z.object({ row: z.unknown() }))`SELECT row FROM alerts WHERE alert_id = ANY(${sql.array(ids, 'uuid')})`);
    const rows = new Map((stored as AlertRow[]).map((r) => [r.alertId, r]));
    const touched = new Set<string>();
    for (const { event, recorded } of events) {
      const next = foldAlert(rows.get(event.data.alertId), event, recorded.streamName, Number(recorded.revision));
      if (next === undefined) continue;
      rows.set(next.alertId, next);
      touched.add(next.alertId);
    }
    const out = [...touched].flatMap((id) => {
      const r = rows.get(id);
      return r
        ? [
            {
              alert_id: r.alertId,
              stream_name: r.streamName,
              dedup_key: r.dedupKey,
              rule: r.rule,
              severity: r.severity,
              state: r.state,
              first_seen_at: r.firstSeenAt,
              last_seen_at: r.lastSeenAt,
              resolved_at: r.resolvedAt,
              revision: r.revision,
              row: r,
            },
          ]
        : [];
    });
    if (out.length === 0) return;
    await tx.query(sql.unsafe`
      INSERT INTO alerts AS a (alert_id, stream_name, dedup_key, rule, severity, state, first_seen_at, last_seen_at, resolved_at, revision, row)
      SELECT alert_id, stream_name, dedup_key, rule, severity, state, first_seen_at, last_seen_at, resolved_at, revision, row
        FROM jsonb_to_recordset(${JSON.stringify(out)}::jsonb) AS x (
          alert_id uuid, stream_name text, dedup_key text, rule text, severity text, state text, first_seen_at timestamptz,
          last_seen_at timestamptz, resolved_at timestamptz, revision bigint, row jsonb)
      ON CONFLICT (alert_id) DO UPDATE SET
        state = EXCLUDED.state, last_seen_at = EXCLUDED.last_seen_at, resolved_at = EXCLUDED.resolved_at,
        revision = EXCLUDED.revision, row = EXCLUDED.row
      WHERE a.revision < EXCLUDED.revision`);
  },
};
