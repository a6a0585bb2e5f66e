// Rebuilding a projection from position zero (the CLI's `npm run replay`, and the runner when a projection's version changed).
//
// Rebuild beside: the whole rebuild is ONE transaction that takes the projection's write lock, writes every event
// from START, in batches, into empty copies of its tables (shadow-tables.ts), and at the end swaps the copies in
// and resets the checkpoint. Until it commits, every reader keeps seeing the old rows and the old checkpoint; the
// commit switches them all at once to the new rows and the old tables are gone (nothing left to vacuum). A failure
// anywhere rolls back to the old tables, untouched.
// Costs to know: live batches of this projection wait (they only try the write lock), readers wait for the swap's
// last statements, and, because the rebuild holds a transaction id, every subscriber of the PostgreSQL event store
// is held back until it commits.
import { either } from 'fp-ts';
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import { START, type EventFilter, type EventStore, type Position } from '../application/ports/event-store.js';
import { categoryOf } from '../domain/events/catalog.js';
import { decodeEvent, type EventDecodeFailed } from '../application/events/decode-event.js';
import { loadQuarantine, type QuarantineState } from '../application/quarantine/quarantine.js';
import { readBatches, resetCheckpoint, writeLockKey } from './checkpoint.js';
import { closeShadowSchema, createShadowTable, openShadowSchema, swapShadowTable, type ShadowSchema, type ShadowTable } from './shadow-tables.js';
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

/**
 * Transactions writing side by side in a rebuild of several projections. Two: on a 2-core machine PostgreSQL then
 * writes on both cores while this process reads and decodes (bench/rebuild-all.ts).
 */
export const DEFAULT_REBUILD_CONNECTIONS = 2;

/** Windows a lane may hold queued behind the one it writes (bench/rebuild-all.ts). */
export const DEFAULT_REBUILD_QUEUE_DEPTH = 2;

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
  /** Transactions (connections of the pool) writing side by side (default 2, at most one per projection). */
  readonly connections?: number;
  /** Windows a lane may hold queued behind the one it writes (default 2; 0: the pass waits for each write). */
  readonly queueDepth?: number;
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
  /** The transaction that writes this projection, chosen at its first write. */
  lane?: Lane;
  /** Its tables' copies, made at its first write. */
  readonly shadowTables: ShadowTable[];
}

/** One connection and its transaction; one write at a time on it. */
interface Lane {
  tx?: DatabaseTransactionConnection;
  /** Where this transaction builds its projections' tables (shadow-tables.ts). */
  shadow?: ShadowSchema;
  /** The last write queued: each write starts when the one before it on the lane has ended. */
  writing: Promise<void>;
  /** Writes handed to this lane, oldest first; dropped once ended, when the lane is full. */
  readonly queued: Promise<void>[];
  /** Events handed to this lane so far: a new projection goes to the least loaded. */
  load: number;
  readonly targets: Target[];
}

/**
 * Rebuilds several projections from position zero in ONE pass over the log, each in a transaction that commits
 * only once every one of them is rebuilt.
 *
 * One pass: each event is read and decoded once, however many projections read it (strategy events feed
 * strategies, activation_audit, training_set and the pipeline's read models; order events orders and positions),
 * and handed to every projection whose filter it passes, in log order. Each projection sees exactly the events, the
 * windows and the checkpoint a rebuild of it alone would (same filter, same quarantine, same decoding checks).
 *
 * Transactions: the writes go through `connections` transactions (default 2) so that PostgreSQL writes two read
 * models at once while this process reads and decodes the next events; each projection is written into copies of
 * its tables, swapped in and checkpointed in one of them (the least loaded when its first window is written: a
 * projection only ever reads its own tables). The first takes every write lock, in name order (a second rebuild
 * waits for the first as a whole, never half of it: no deadlock), and swaps and commits last, once the others have
 * committed (so it holds no table lock their swaps could wait for). Nothing commits before everything is rebuilt: a
 * failure anywhere (a write, an event that does not decode) rolls every transaction back and leaves every read
 * model as it was; readers keep the old rows until the commits, which follow each other within milliseconds
 * (a projection's rows and its checkpoint always commit together). The price: all write locks are held for the
 * whole rebuild (live batches of these projections wait) and nothing is visible before the end.
 */
export const rebuildAll = async (input: RebuildAllInput): Promise<RebuildAllResult> => {
  const { pool, store, projections, log } = input;
  const names = projections.map((p) => p.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`rebuildAll: projection "${dup}" is given twice`);
  const batchSize = input.batchSize ?? DEFAULT_REBUILD_BATCH_SIZE;
  const windowSize = Math.max(input.windowSize ?? DEFAULT_REBUILD_WINDOW, batchSize);
  const maxQueued = Math.max(1, (input.queueDepth ?? DEFAULT_REBUILD_QUEUE_DEPTH) + 1); // the write in flight counts
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
    shadowTables: [],
  }));
  for (const p of projections) log.info({ projection: p.name, version: p.version }, 'rebuild started');
  let read = 0;
  if (targets.length > 0) {
    const lanes: Lane[] = Array.from({ length: Math.max(1, Math.min(input.connections ?? DEFAULT_REBUILD_CONNECTIONS, targets.length)) }, () => ({
      writing: Promise.resolve(),
      queued: [],
      load: 0,
      targets: [],
    }));
    // Each lane's transaction opens, then waits for the pass to end (or fail) before it checkpoints and commits.
    const outcome: { failed?: { readonly error: unknown } } = {};
    const throwIfFailed = () => {
      if (outcome.failed) throw outcome.failed.error;
    };
    let endPass!: () => void;
    const passEnded = new Promise<void>((resolve) => (endPass = resolve));
    const opened: Promise<void>[] = [];
    const committed: Promise<void>[] = [];
    for (const [i, lane] of lanes.entries()) {
      let isOpen!: () => void;
      opened.push(new Promise<void>((resolve) => (isOpen = resolve)));
      committed.push(
        pool.transaction(async (tx) => {
          // A rebuild that does not commit changes nothing; one that commits is rebuilt again from the log if lost in a crash.
          await tx.query(sql.unsafe`SET LOCAL synchronous_commit = off`);
          // Each waits for a live batch in flight to commit; live batches started later see the lock taken and back off.
          if (i === 0) for (const name of [...names].sort()) await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock(${writeLockKey(name)})`);
          lane.tx = tx;
          const shadow = await openShadowSchema(tx);
          lane.shadow = shadow;
          isOpen();
          await passEnded;
          if (outcome.failed) throw outcome.failed.error;
          await lane.writing;
          // The lane holding the write locks swaps and commits last: no live batch runs before every read model is in
          // place. It waits for the others before it swaps, so it holds no table lock another lane's swap could wait for.
          if (i === 0) await Promise.all(committed.slice(1));
          for (const t of lane.targets) {
            for (const table of t.shadowTables) await swapShadowTable(tx, shadow, table);
            await resetCheckpoint(tx, t.projection.name, t.projection.version, t.position, t.events);
          }
          await closeShadowSchema(tx, shadow);
        }),
      );
      // The lanes' openings race: one that fails to open ends the pass (and so the others) through `failed`.
      committed[i]!.catch((error: unknown) => {
        outcome.failed ??= { error };
        isOpen();
        endPass();
      });
    }
    const assign = (t: Target): Lane => {
      if (t.lane) return t.lane;
      const lane = lanes.reduce((a, b) => (b.load < a.load ? b : a));
      t.lane = lane;
      lane.targets.push(t);
      const tx = lane.tx!;
      const shadow = lane.shadow!;
      // Written into empty copies of its tables, swapped in when the rebuild commits (readers keep the old rows until then).
      lane.writing = lane.writing.then(async () => {
        for (const table of t.projection.tables) t.shadowTables.push(await createShadowTable(tx, shadow, table));
      });
      lane.writing.catch(() => undefined);
      return lane;
    };
    // A window is written while the next events are read and decoded: the database and this process work side by
    // side. A lane writes one window at a time (a connection runs one statement at a time) and queues up to
    // `queueDepth` more: the pass reads on while one lane is busy with a large window, so the other lane and this
    // process are not left waiting for it. A window queued holds its decoded events until written (memory).
    const write = async (t: Target) => {
      const batch = t.window;
      t.window = [];
      const lane = assign(t);
      lane.load += batch.length;
      if (batch.length === 0) return;
      while (lane.queued.length >= maxQueued) await lane.queued.shift()!.catch(() => undefined);
      const tx = lane.tx!;
      // After the write before it on this lane (the table copies first); a failure skips every write queued after it.
      const written = lane.writing.then(async () => {
        const t0 = performance.now();
        await t.projection.applyBatch(tx, batch);
        t.applyMs += performance.now() - t0;
      });
      // Its failure ends the pass (throwIfFailed); the end awaits it again as the lane's last write.
      written.catch((error: unknown) => (outcome.failed ??= { error }));
      lane.writing = written;
      lane.queued.push(written);
    };
    try {
      await Promise.all(opened);
      throwIfFailed();
      const single = targets.length === 1 ? targets[0] : undefined;
      const matching: Target[] = [];
      for await (const batch of readBatches(store, START, unionFilter(projections.map((p) => p.filter)), batchSize)) {
        read += batch.length;
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i]!;
          matching.length = 0;
          if (single)
            matching.push(single); // the store applied its filter
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
              {
                projection: readers[0],
                projections: readers,
                stream: f.streamName,
                revision: f.revision,
                eventId: f.eventId,
                eventType: f.eventType,
                errors: f.errors,
              },
              `rebuild of ${readers.join(', ')} failed: ${f.message}; nothing was changed. Quarantine the event to pass over it: ` +
                `npm run quarantine -- add ${f.streamName}@${f.revision} --reason "<why>"`,
            );
            throw new ProjectionDecodeError(readers[0]!, f);
          }
          for (const t of matching) t.window.push(decoded.right);
        }
        for (const t of targets) if (t.window.length >= windowSize) await write(t);
        throwIfFailed();
      }
      for (const t of targets) await write(t);
      for (const lane of lanes) await lane.writing;
    } catch (error) {
      outcome.failed ??= { error };
    } finally {
      // Never leave a statement running when a transaction ends.
      for (const lane of lanes) await lane.writing.catch(() => undefined);
      endPass();
    }
    const outcomes = await Promise.allSettled(committed);
    if (outcome.failed) throw outcome.failed.error;
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (rejected) throw rejected.reason;
  }
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
  const result = await rebuildAll({ ...rest, projections: [projection] });
  const [rebuilt] = result.projections;
  if (!rebuilt) throw new Error(`rebuildAll returned nothing for ${projection.name}`);
  return { events: rebuilt.events, skipped: rebuilt.skipped, position: rebuilt.position, ms: rebuilt.ms };
};
