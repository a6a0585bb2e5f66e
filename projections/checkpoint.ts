// A projection's checkpoint and the one way rows reach a read model: a batch applied in the same
// transaction that moves the checkpoint compare-and-set, under the projection's write lock.
//
// Two advisory locks per projection, keyed by its name:
// - the owner lock (session level, held by the runner that owns the projection on a dedicated connection):
//   one live owner at a time, standbys keep trying;
// - the write lock (transaction level): every live batch and every rebuild takes it, so a rebuild started from
//   the CLI and a live batch never interleave. Live batches only try it (a rebuild in progress means "later").
import { either } from 'fp-ts';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { decodeEvent, type EventDecodeFailed } from '../application/events/decode-event.js';
import type { QuarantineState } from '../application/quarantine/quarantine.js';
import type { EventFilter, EventStore, Position, RecordedEvent } from '../application/ports/event-store.js';
import type { AnyEvent, DecodedEvent, Projection } from './projection.js';

export const ownerLockKey = (name: string) => sql.fragment`hashtextextended(${`mt-projection-owner:${name}`}, 0)`;
export const writeLockKey = (name: string) => sql.fragment`hashtextextended(${`mt-projection-write:${name}`}, 0)`;

/** Where and why a projection stopped (an event that does not decode), as every process can read it. */
export interface ProjectionStop {
  readonly error: string;
  readonly streamName?: string;
  readonly revision?: string;
  readonly eventId?: string;
  readonly eventType?: string;
  readonly position?: { readonly commit: string; readonly prepare: string };
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly at: string;
}

export interface StoredCheckpoint {
  /** The projection version the rows were built with. */
  readonly version: number;
  readonly position: Position;
  readonly eventsApplied: number;
  readonly updatedAt: string;
  /** Set while the projection is stopped. */
  readonly stopped: ProjectionStop | null;
}

const CheckpointRow = z.object({
  projection: z.string(),
  version: z.number(),
  commit_position: z.string(),
  prepare_position: z.string(),
  events_applied: z.number(),
  updated_at: z.string(),
  stopped: z.unknown(),
});

const toCheckpoint = (r: z.infer<typeof CheckpointRow>): StoredCheckpoint => ({
  version: r.version,
  position: { commit: BigInt(r.commit_position), prepare: BigInt(r.prepare_position) },
  eventsApplied: r.events_applied,
  updatedAt: r.updated_at,
  stopped: (r.stopped ?? null) as ProjectionStop | null,
});

// Positions travel as text: numeric(20,0) holds a full 64-bit position that a JS number would round.
const selectCheckpoints = sql.fragment`
  SELECT projection, version, commit_position::text AS commit_position, prepare_position::text AS prepare_position,
         events_applied, updated_at, stopped
    FROM projection_checkpoints`;

export const loadCheckpoint = async (db: CommonQueryMethods, name: string): Promise<StoredCheckpoint | undefined> => {
  const row = await db.maybeOne(sql.type(CheckpointRow)`${selectCheckpoints} WHERE projection = ${name}`);
  return row ? toCheckpoint(row) : undefined;
};

export const loadCheckpoints = async (db: CommonQueryMethods, names: readonly string[]): Promise<Map<string, StoredCheckpoint>> => {
  const rows = await db.any(sql.type(CheckpointRow)`${selectCheckpoints} WHERE projection = ANY(${sql.array([...names], 'text')})`);
  return new Map(rows.map((r) => [r.projection, toCheckpoint(r)]));
};

/** Sets the checkpoint unconditionally (a rebuild, which holds the write lock and has just swapped in the tables it built). */
export const resetCheckpoint = async (db: CommonQueryMethods, name: string, version: number, position: Position, eventsApplied: number): Promise<void> => {
  await db.query(sql.unsafe`
    INSERT INTO projection_checkpoints (projection, version, commit_position, prepare_position, events_applied, updated_at)
    VALUES (${name}, ${version}, ${position.commit.toString()}::numeric, ${position.prepare.toString()}::numeric, ${eventsApplied}, now())
    ON CONFLICT (projection) DO UPDATE SET
      version = EXCLUDED.version,
      commit_position = EXCLUDED.commit_position,
      prepare_position = EXCLUDED.prepare_position,
      events_applied = EXCLUDED.events_applied,
      updated_at = EXCLUDED.updated_at,
      stopped = NULL`);
};

/**
 * Records (or clears, with null) where a projection stopped. A projection that stopped before its first build has no
 * checkpoint row yet: it gets one with version 0 (never built), so the next start still builds it from zero.
 */
export const recordStop = async (db: CommonQueryMethods, name: string, stop: ProjectionStop | null): Promise<void> => {
  await db.query(sql.unsafe`
    INSERT INTO projection_checkpoints (projection, version, stopped) VALUES (${name}, 0, ${stop === null ? null : JSON.stringify(stop)}::jsonb)
    ON CONFLICT (projection) DO UPDATE SET stopped = EXCLUDED.stopped`);
};

/**
 * applied: rows and checkpoint committed together.
 * stale: the checkpoint is no longer where this runner believed (another owner moved it, or a rebuild reset it):
 *        nothing was written; reload the checkpoint and read again.
 * busy: a rebuild holds the write lock; nothing was written; try again later.
 */
export type BatchOutcome = 'applied' | 'stale' | 'busy';

class StaleCheckpoint extends Error {}

export interface ApplyBatchInput<E extends AnyEvent> {
  readonly pool: DatabasePool;
  readonly projection: Projection<E>;
  /** The checkpoint the batch was read after: the compare-and-set expects to find exactly this. */
  readonly from: Position;
  /** The position of the batch's last event. */
  readonly to: Position;
  readonly events: readonly DecodedEvent<E>[];
}

export const applyBatchWithCheckpoint = async <E extends AnyEvent>(input: ApplyBatchInput<E>): Promise<BatchOutcome> => {
  const { pool, projection, from, to, events } = input;
  try {
    return await pool.transaction(async (tx): Promise<BatchOutcome> => {
      const locked = await tx.oneFirst(
        sql.type(z.object({ locked: z.boolean() }))`SELECT pg_try_advisory_xact_lock(${writeLockKey(projection.name)}) AS locked`,
      );
      if (!locked) return 'busy';
      // Compare-and-set first: a stale owner finds 0 rows and rolls back before writing anything.
      const moved = await tx.query(sql.unsafe`
        UPDATE projection_checkpoints
           SET commit_position = ${to.commit.toString()}::numeric,
               prepare_position = ${to.prepare.toString()}::numeric,
               events_applied = events_applied + ${events.length},
               updated_at = now(),
               stopped = NULL
         WHERE projection = ${projection.name}
           AND version = ${projection.version}
           AND commit_position = ${from.commit.toString()}::numeric
           AND prepare_position = ${from.prepare.toString()}::numeric`);
      if (moved.rowCount !== 1) throw new StaleCheckpoint();
      if (events.length > 0) await projection.applyBatch(tx, events);
      return 'applied';
    });
  } catch (err) {
    if (err instanceof StaleCheckpoint) return 'stale';
    throw err;
  }
};

/**
 * Decodes a batch up to its first event that does not decode, passing over quarantined events (decodable or not: a
 * quarantined event is left out the same way live and on every rebuild).
 * `failure` is set when the batch stopped early; `events` holds the good events before it; `skipped` the quarantined.
 */
export const decodeBatch = <E extends AnyEvent>(
  batch: readonly RecordedEvent[],
  quarantine?: QuarantineState,
): { readonly events: DecodedEvent<E>[]; readonly skipped: RecordedEvent[]; readonly failure?: EventDecodeFailed } => {
  const events: DecodedEvent<E>[] = [];
  const skipped: RecordedEvent[] = [];
  for (const r of batch) {
    if (quarantine !== undefined && quarantine.size > 0 && quarantine.has(r.eventId)) {
      skipped.push(r);
      continue;
    }
    const d = decodeEvent<E>(r);
    if (either.isLeft(d)) return { events, skipped, failure: d.left };
    events.push(d.right);
  }
  return { events, skipped };
};

/**
 * The log after `from`, in batches. The next batch is read while the caller applies the current one
 * (the read runs on the store's connection, the write on the pool's), so reading and writing overlap.
 */
export async function* readBatches(
  store: EventStore,
  from: Position,
  filter: EventFilter,
  batchSize: number,
): AsyncGenerator<readonly RecordedEvent[], void, undefined> {
  let next = store.readAll({ from, maxCount: batchSize, filter });
  for (;;) {
    const batch = await next;
    const last = batch[batch.length - 1];
    if (!last) return;
    next = store.readAll({ from: last.position, maxCount: batchSize, filter });
    next.catch(() => undefined); // a caller that stops early never awaits it
    yield batch;
  }
}
