// PostgreSQL side of the collection status: recorded by the collectors, read by GET /api/market-data/status.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { CollectionStatusRecorder } from '../../application/ports/collection-status.js';

export const collectionStatusRecorder = (db: CommonQueryMethods): CollectionStatusRecorder => ({
  async succeeded(r) {
    await db.query(sql.unsafe`
      INSERT INTO collection_status (source, symbol, interval, last_update_at, last_observation_at, observations, gaps, consecutive_errors)
      VALUES (${r.source}, ${r.symbol}, ${r.interval ?? ''}, ${r.at.toISOString()},
              ${r.lastObservationAt === undefined ? null : new Date(r.lastObservationAt).toISOString()},
              ${r.observations ?? 0}, ${sql.jsonb((r.gaps ?? []) as never)}, 0)
      ON CONFLICT (source, symbol, interval) DO UPDATE SET
        last_update_at = EXCLUDED.last_update_at,
        last_observation_at = COALESCE(EXCLUDED.last_observation_at, collection_status.last_observation_at),
        observations = CASE WHEN ${r.observations === undefined} THEN collection_status.observations ELSE EXCLUDED.observations END,
        gaps = CASE WHEN ${r.gaps === undefined} THEN collection_status.gaps ELSE EXCLUDED.gaps END,
        consecutive_errors = 0`);
  },
  async failed(r) {
    // With `stored`, the counts are replaced by what the store holds now (a file cut short keeps its first rows).
    const kept = r.stored === undefined;
    const s = r.stored;
    await db.query(sql.unsafe`
      INSERT INTO collection_status (source, symbol, interval, last_update_at, last_observation_at, observations, gaps, last_error, last_error_at, consecutive_errors)
      VALUES (${r.source}, ${r.symbol}, ${r.interval ?? ''}, ${s?.updated ? r.at.toISOString() : null},
              ${s?.lastObservationAt === undefined ? null : new Date(s.lastObservationAt).toISOString()},
              ${s?.observations ?? 0}, ${sql.jsonb((s?.gaps ?? []) as never)}, ${r.error}, ${r.at.toISOString()}, 1)
      ON CONFLICT (source, symbol, interval) DO UPDATE SET
        last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at,
        consecutive_errors = collection_status.consecutive_errors + 1,
        last_update_at = COALESCE(EXCLUDED.last_update_at, collection_status.last_update_at),
        last_observation_at = CASE WHEN ${kept} THEN collection_status.last_observation_at ELSE EXCLUDED.last_observation_at END,
        observations = CASE WHEN ${kept} THEN collection_status.observations ELSE EXCLUDED.observations END,
        gaps = CASE WHEN ${kept || s?.gaps === undefined} THEN collection_status.gaps ELSE EXCLUDED.gaps END`);
  },
});

export interface CollectionStatusRow {
  readonly source: string;
  readonly symbol: string;
  readonly interval: string;
  readonly lastUpdateAt: string | null;
  readonly lastObservationAt: string | null;
  /** How far the newest observation is behind `now`, in seconds (null when nothing is stored). */
  readonly lagSeconds: number | null;
  readonly observations: number;
  readonly gaps: unknown;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly consecutiveErrors: number;
}

/** A collection_status row as the read-model pool returns it (timestamps as ISO-8601 strings, bigint as a number). */
const StatusRow = z.object({
  source: z.string(),
  symbol: z.string(),
  interval: z.string(),
  last_update_at: z.string().nullable(),
  last_observation_at: z.string().nullable(),
  observations: z.number(),
  gaps: z.unknown(),
  last_error: z.string().nullable(),
  last_error_at: z.string().nullable(),
  consecutive_errors: z.number(),
});

export const listCollectionStatus = async (db: CommonQueryMethods, now: Date, q: { source?: string; symbol?: string } = {}): Promise<CollectionStatusRow[]> => {
  const rows = await db.any(sql.type(StatusRow)`
    SELECT source, symbol, interval, last_update_at, last_observation_at, observations, gaps, last_error, last_error_at, consecutive_errors
      FROM collection_status
     WHERE (${q.source ?? null}::text IS NULL OR source = ${q.source ?? null})
       AND (${q.symbol ?? null}::text IS NULL OR symbol = ${q.symbol ?? null})
     ORDER BY source, symbol, interval`);
  return rows.map((r) => ({
    source: r.source,
    symbol: r.symbol,
    interval: r.interval,
    lastUpdateAt: r.last_update_at,
    lastObservationAt: r.last_observation_at,
    lagSeconds: r.last_observation_at ? Math.round((now.getTime() - Date.parse(r.last_observation_at)) / 1000) : null,
    observations: r.observations,
    gaps: r.gaps,
    lastError: r.last_error,
    lastErrorAt: r.last_error_at,
    consecutiveErrors: r.consecutive_errors,
  }));
};
