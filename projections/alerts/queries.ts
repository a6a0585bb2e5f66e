// Reads of the alerts read model: a page newest first (keyset: the cursor is the last row's first-seen time and
// id, so a page never repeats or skips a row while alerts arrive), one alert, and the open alerts of some rules.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { AlertRow } from './fold.js';

export interface AlertCursor {
  readonly firstSeenAt: string;
  readonly alertId: string;
}

export interface AlertQuery {
  readonly state?: 'open' | 'resolved';
  readonly severity?: string;
  readonly rule?: string;
  readonly limit: number;
  readonly after?: AlertCursor;
}

const RowOnly = z.object({ row: z.unknown() });

export const listAlerts = async (db: CommonQueryMethods, q: AlertQuery): Promise<{ alerts: AlertRow[]; next: AlertCursor | null }> => {
  const rows = (await db.anyFirst(sql.type(RowOnly)`
    SELECT row FROM alerts
     WHERE (${q.state ?? null}::text IS NULL OR state = ${q.state ?? null})
       AND (${q.severity ?? null}::text IS NULL OR severity = ${q.severity ?? null})
       AND (${q.rule ?? null}::text IS NULL OR rule = ${q.rule ?? null})
       AND (${q.after?.firstSeenAt ?? null}::timestamptz IS NULL
            OR (first_seen_at, alert_id) < (${q.after?.firstSeenAt ?? null}::timestamptz, ${q.after?.alertId ?? null}::uuid))
     ORDER BY first_seen_at DESC, alert_id DESC
     LIMIT ${q.limit + 1}`)) as AlertRow[];
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { alerts: page, next: rows.length > q.limit && last ? { firstSeenAt: last.firstSeenAt, alertId: last.alertId } : null };
};

export const findAlert = async (db: CommonQueryMethods, alertId: string): Promise<AlertRow | undefined> =>
  ((await db.maybeOneFirst(sql.type(RowOnly)`SELECT row FROM alerts WHERE alert_id = ${alertId}::uuid`)) as AlertRow | null) ?? undefined;

export const openAlertsOfRules = async (db: CommonQueryMethods, rules: readonly string[]): Promise<{ dedupKey: string; rule: string }[]> =>
  (
    await db.any(
      sql.type(
        z.object({ dedup_key: z.string(), rule: z.string() }),
      )`SELECT dedup_key, rule FROM alerts WHERE state = 'open' AND rule = ANY(${sql.array([...rules], 'text')})`,
    )
  ).map((r) => ({ dedupKey: r.dedup_key, rule: r.rule }));
