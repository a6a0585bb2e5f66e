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
import { START, type EventFilter, type EventStore, type Position } from '../application/ports/event-store.js';
import { categoryOf } from '../domain/events/catalog.js';
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

/** What one projection of a rebuild read, passed over and wrote. */
export interface ProjectionRebuilt extends RebuildResult {
  readonly name: string;
  readonly version: number;
  /** Time spent in this projection's applyBatch (its writes), within the rebuild's wall time. */
  readonly applyMs: number;
}

export interface RebuildAllInput {
  readonly pool: DatabasePool;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly log: ProjectionLog;
  /** Events per read (default 5000). */
  readonly batchSize?: number;
  /** Events per applyBatch call of each projection (default 10,000; at least batchSize). */
  readonly windowSize?: number;
  /** The quarantine to pass over (default: read from the store when the rebuild starts). */
  readonly quarantine?: QuarantineState;
}

export interface RebuildAllResult {
  /** Events read from the log (those of no projection's filter are not read). */
  readonly read: number;
  readonly projections: readonly ProjectionRebuilt[];
  readonly ms: number;
}

/** The smallest filter that lets through every event of any of these filters. */
export const unionFilter = (filters: readonly EventFilter[]): EventFilter => {
  const categories = filters.every((f) => f.categories && f.categories.length > 0) ? [...new Set(filters.flatMap((f) => f.categories!))].sort() : undefined;
  const eventTypes = filters.every((f) => f.eventTypes && f.eventTypes.length > 0) ? [...new Set(filters.flatMap((f) => f.eventTypes!))].sort() : undefined;
  return { ...(categories ? { categories } : {}), ...(eventTypes ? { eventTypes } : {}) };
};

/** The store's own test of a filter (postgres-event-store.ts: category = ANY, event_type = ANY), in memory. */
const matcher = (filter: EventFilter): ((category: string, type: string) => boolean) => {
  const categories = filter.categories && filter.categories.length > 0 ? new Set(filter.categories) : undefined;
  const types = filter.eventTypes && filter.eventTypes.length > 0 ? new Set(filter.eventTypes) : undefined;
  return (category, type) => (categories === undefined || categories.has(category)) && (types === undefined || types.has(type));
};

interface Target {
  readonly projection: Projection;
  readonly matches: (category: string, type: string) => boolean;
  window: DecodedEvent[];
  events: number;
  position: Position;
  applyMs: number;
  readonly skipped: SkippedEvent[];
}

/**
 * Rebuilds several projections from position zero in ONE pass over the log and ONE transaction.
 *
 * One pass: each event is read and decoded once, however many projections read it (strategy events feed
 * strategies, activation_audit, training_set and the pipeline's read models; order events orders and positions),
 * and handed to every projection whose filter it passes, in log order. Each projection sees exactly the events, the
 * windows and the checkpoint a rebuild of it alone would (same filter, same quarantine, same decoding checks).
 *
 * One transaction: the read models switch together, at one log position, so a reader never sees rankings rebuilt
 * against strategies that are not yet; a failure anywhere (a write, an event that does not decode) leaves every read
 * model as it was. The price: the write locks of all of them are held for the whole rebuild (their live batches
 * wait), and nothing is visible until the end. Readers keep the old rows until the commit, as for one projection.
 */
export const rebuildAll = async (input: RebuildAllInput): Promise<RebuildAllResult> => {
  const { pool, store, projections, log } = input;
  const names = projections.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`rebuildAll: projection "${dup}" is given twice`);
  const batchSize = input.batchSize ?? DEFAULT_REBUILD_BATCH_SIZE;
  const windowSize = Math.max(input.windowSize ?? DEFAULT_REBUILD_WINDOW, batchSize);
  const started = performance.now();
  const quarantine = input.quarantine ?? (await loadQuarantine(store));
  const targets: Target[] = projections.map((projection) => ({
    projection,
    matches: matcher(projection.filter),
    window: [],
    events: 0,
    position: START,
    applyMs: 0,
    skipped: [],
  }));
  for (const p of projections) log.info({ projection: p.name, version: p.version }, 'rebuild started');
  let read = 0;
  if (targets.length > 0)
    await pool.transaction(async (tx) => {
      // A rebuild that does not commit changes nothing; one that commits is rebuilt again from the log if lost in a crash.
      await tx.query(sql.unsafe`SET LOCAL synchronous_commit = off`);
      // In name order, so two rebuilds of overlapping sets wait for each other instead of deadlocking.
      // Each waits for a live batch in flight to commit; live batches started later see the lock taken and back off.
      for (const name of [...names].sort()) await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock(${writeLockKey(name)})`);
      for (const p of projections) for (const table of p.tables) await tx.query(sql.unsafe`DELETE FROM ${sql.identifier(table.split('.'))}`);
      // One window is written while the next events are read and decoded: the database and this process work side
      // by side. The transaction's connection runs one statement at a time, so one write is in flight at most.
      let writing: Promise<void> = Promise.resolve();
      const write = async (t: Target) => {
        const batch = t.window;
        t.window = [];
        await writing;
        if (batch.length === 0) return;
        writing = (async () => {
          const t0 = performance.now();
          await t.projection.applyBatch(tx, batch);
          t.applyMs += performance.now() - t0;
        })();
        writing.catch(() => undefined); // awaited before the next write and at the end
      };
      const single = targets.length === 1 ? targets[0] : undefined;
      const matching: Target[] = [];
      try {
        for await (const batch of readBatches(store, START, unionFilter(projections.map((p) => p.filter)), batchSize)) {
          read += batch.length;
          for (let i = 0; i < batch.length; i++) {
            const r = batch[i]!;
            matching.length = 0;
            if (single) matching.push(single); // the store applied its filter
            else {
              const category = categoryOf(r.streamName);
              for (const t of targets) if (t.matches(category, r.type)) matching.push(t);
              if (matching.length === 0) continue;
            }
            for (const t of matching) {
              t.events += 1;
              t.position = r.position;
            }
            const entry = quarantine.size > 0 ? quarantine.get(r.eventId) : undefined;
            if (entry !== undefined) {
              for (const t of matching) {
                t.skipped.push({ eventId: r.eventId, streamName: r.streamName, revision: r.revision.toString(), eventType: r.type, reason: entry.reason });
                log.warn(
                  { projection: t.projection.name, eventId: r.eventId, event: `${r.streamName}@${r.revision}`, reason: entry.reason },
                  `rebuild of ${t.projection.name} passes over quarantined event ${r.streamName}@${r.revision} (${r.type})`,
                );
              }
              continue;
            }
            // Decoded once, whatever the number of projections reading it.
            const decoded = decodeEvent(r);
            if (either.isLeft(decoded)) {
              const f = decoded.left;
              const readers = matching.map((t) => t.projection.name);
              log.error(
                { projection: readers[0], projections: readers, stream: f.streamName, revision: f.revision, eventId: f.eventId, eventType: f.eventType, errors: f.errors },
                `rebuild of ${readers.join(', ')} failed: ${f.message}; nothing was changed. Quarantine the event to pass over it: ` +
                  `npm run quarantine -- add ${f.streamName}@${f.revision} --reason "<why>"`,
              );
              throw new ProjectionDecodeError(readers[0]!, f);
            }
            for (const t of matching) t.window.push(decoded.right);
          }
          for (const t of targets) if (t.window.length >= windowSize) await write(t);
        }
        for (const t of targets) await write(t);
        await writing;
      } finally {
        await writing.catch(() => undefined); // never leave a statement running when the transaction ends
      }
      for (const t of targets) await resetCheckpoint(tx, t.projection.name, t.projection.version, t.position, t.events);
    });
  const ms = performance.now() - started;
  for (const t of targets)
    log.info(
      {
        projection: t.projection.name,
        version: t.projection.version,
        events: t.events,
        ms: Math.round(ms),
        eventsPerSecond: Math.round(t.events / (ms / 1000)),
      },
      'rebuild committed',
    );
  return {
    read,
    ms,
    projections: targets.map((t) => ({
      name: t.projection.name,
      version: t.projection.version,
      events: t.events,
      skipped: t.skipped,
      position: t.position,
      ms,
      applyMs: t.applyMs,
    })),
  };
};

/** Rebuilds one projection from position zero, in one transaction (see rebuildAll, which does it for one). */
export const rebuildProjection = async <E extends AnyEvent>(input: RebuildInput<E>): Promise<RebuildResult> => {
  const { projection, ...rest } = input;
  const result = await rebuildAll({ ...rest, projections: [projection as unknown as Projection] });
  const { events, skipped, position, ms } = result.projections[0]!;
  return { events, skipped, position, ms };
};
