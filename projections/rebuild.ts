// Rebuilding a projection from position zero (the CLI's `npm run replay`, and the runner when a projection's version changed).
//
// Rebuild beside, the way PostgreSQL's MVCC gives it to us: the whole rebuild is ONE transaction that takes the
// projection's write lock, empties its tables with DELETE (not TRUNCATE, whose ACCESS EXCLUSIVE lock would block
// readers), resets the checkpoint and applies every event from START in batches. Until it commits, every reader
// keeps seeing the old rows and the old checkpoint; the commit switches them all at once to the new rows, and the
// old row versions are left to vacuum. A failure anywhere rolls back to the old rows, untouched.
// Costs to know: live batches of this projection wait (they only try the write lock) and, because the rebuild holds
// a transaction id, every subscriber of the PostgreSQL event store is held back until it commits.
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { START, type EventStore, type Position } from '../application/ports/event-store.js';
import { decodeEvent, type EventDecodeFailed } from '../application/events/decode-event.js';
import { loadQuarantine, type QuarantineState } from '../application/quarantine/quarantine.js';
import { readBatches, resetCheckpoint, writeLockKey } from './checkpoint.js';
import type { AnyEvent, DecodedEvent, Projection, ProjectionLog } from './projection.js';

/** Events per read from the store. */
export const DEFAULT_REBUILD_BATCH_SIZE = 5000;
/**
 * Events per applyBatch call while rebuilding. Larger than a read: a projection folds a batch in memory before
 * writing it, so the events of one strategy that fall in one window become one row write, not one each.
 * Measured on a daily-cycle-shaped history, 5,000–20,000 did equally well; far larger windows lose the overlap
 * of reading and writing and hold more in memory.
 */
export const DEFAULT_REBUILD_WINDOW = 10_000;

export class ProjectionDecodeError extends Error {
  constructor(
    readonly projection: string,
    readonly failure: EventDecodeFailed,
  ) {
    super(`projection ${projection} stopped: ${failure.message}`);
    this.name = 'ProjectionDecodeError';
  }
}

export interface RebuildInput<E extends AnyEvent> {
  readonly pool: DatabasePool;
  readonly store: EventStore;
  readonly projection: Projection<E>;
  readonly log: ProjectionLog;
  /** Events per read (default 5000). */
  readonly batchSize?: number;
  /** Events per applyBatch call (default 10,000; at least batchSize). */
  readonly windowSize?: number;
  /** The quarantine to pass over (default: read from the store when the rebuild starts). */
  readonly quarantine?: QuarantineState;
}

/** A quarantined event the rebuild passed over. */
export interface SkippedEvent {
  readonly eventId: string;
  readonly streamName: string;
  readonly revision: string;
  readonly eventType: string;
  readonly reason: string;
}

export interface RebuildResult {
  /** Events read from the log for this projection (quarantined ones included). */
  readonly events: number;
  readonly skipped: readonly SkippedEvent[];
  readonly position: Position;
  readonly ms: number;
}

export const rebuildProjection = async <E extends AnyEvent>(input: RebuildInput<E>): Promise<RebuildResult> => {
  const { pool, store, projection, log } = input;
  const batchSize = input.batchSize ?? DEFAULT_REBUILD_BATCH_SIZE;
  const windowSize = Math.max(input.windowSize ?? DEFAULT_REBUILD_WINDOW, batchSize);
  const started = performance.now();
  const quarantine = input.quarantine ?? (await loadQuarantine(store));
  const skipped: SkippedEvent[] = [];
  log.info({ projection: projection.name, version: projection.version }, 'rebuild started');
  const result = await pool.transaction(async (tx) => {
    // Waits for a live batch in flight to commit; live batches started later see the lock taken and back off.
    await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock(${writeLockKey(projection.name)})`);
    for (const table of projection.tables) await tx.query(sql.unsafe`DELETE FROM ${sql.identifier(table.split('.'))}`);
    let position: Position = START;
    let events = 0;
    let window: DecodedEvent<E>[] = [];
    // One window is written while the next one is read and decoded: the database and this process work side by side.
    let writing: Promise<void> = Promise.resolve();
    const write = async () => {
      const batch = window;
      window = [];
      await writing;
      writing = batch.length > 0 ? projection.applyBatch(tx, batch) : Promise.resolve();
      writing.catch(() => undefined); // awaited before the next write and at the end
    };
    try {
      for await (const batch of readBatches(store, START, projection.filter, batchSize)) {
        // Decoded straight into the window (no per-batch array in between).
        for (let i = 0; i < batch.length; i++) {
          const entry = quarantine.size > 0 ? quarantine.get(batch[i]!.eventId) : undefined;
          if (entry !== undefined) {
            const r = batch[i]!;
            skipped.push({ eventId: r.eventId, streamName: r.streamName, revision: r.revision.toString(), eventType: r.type, reason: entry.reason });
            log.warn(
              { projection: projection.name, eventId: r.eventId, event: `${r.streamName}@${r.revision}`, reason: entry.reason },
              `rebuild of ${projection.name} passes over quarantined event ${r.streamName}@${r.revision} (${r.type})`,
            );
            continue;
          }
          const decoded = decodeEvent<E>(batch[i]!);
          if (either.isLeft(decoded)) {
            const f = decoded.left;
            log.error(
              { projection: projection.name, stream: f.streamName, revision: f.revision, eventId: f.eventId, eventType: f.eventType, errors: f.errors },
              `rebuild of ${projection.name} failed: ${f.message}; nothing was changed. Quarantine the event to pass over it: ` +
                `npm run quarantine -- add ${f.streamName}@${f.revision} --reason "<why>"`,
            );
            throw new ProjectionDecodeError(projection.name, f);
          }
          window.push(decoded.right);
        }
        events += batch.length;
        position = batch[batch.length - 1]!.position;
        if (window.length >= windowSize) await write();
      }
      await write();
      await writing;
    } finally {
      await writing.catch(() => undefined); // never leave a statement running when the transaction ends
    }
    await resetCheckpoint(tx, projection.name, projection.version, position, events);
    return { events, position };
  });
  const ms = performance.now() - started;
  log.info(
    {
      projection: projection.name,
      version: projection.version,
      events: result.events,
      ms: Math.round(ms),
      eventsPerSecond: Math.round(result.events / (ms / 1000)),
    },
    'rebuild committed',
  );
  return { ...result, skipped, ms };
};
