// The checkpointed projection runner: keeps every read model folded from the event log, exactly once.
//
// Per projection:
// - one owner at a time: the runner that holds the projection's owner lock (a session-level advisory lock on a
//   connection it keeps, see owner-lock.ts) applies; any other runner is a standby that retries the lock;
// - it reads a batch after its checkpoint, decodes it, and in ONE transaction takes the write lock, moves the
//   checkpoint compare-and-set (WHERE it is still where this runner read from) and applies the batch, so rows and
//   checkpoint commit together: a crash replays nothing twice, a stale owner moves nothing (see checkpoint.ts);
// - an event that does not decode stops the projection at that event with a loud error (the events before it in
//   the batch are applied), and its checkpoint stays before it until a fixed release runs; the stopped runner keeps
//   the owner lock (a standby running the same code would only stop at the same event);
// - a stored version older than the code's (or no checkpoint at all) rebuilds it from position zero (rebuild.ts).
import type { DatabasePool } from 'slonik';
import { START, type EventStore, type Position } from '../application/ports/event-store.js';
import type { EventDecodeFailed } from '../application/events/decode-event.js';
import { applyBatchWithCheckpoint, decodeBatch, loadCheckpoint, loadCheckpoints, readBatches } from './checkpoint.js';
import { OwnerLockConnection } from './owner-lock.js';
import type { AnyEvent, Projection, ProjectionLog } from './projection.js';
import { DEFAULT_REBUILD_BATCH_SIZE, rebuildProjection } from './rebuild.js';

export type { Projection, ProjectionLog } from './projection.js';
export { rebuildProjection, ProjectionDecodeError, type RebuildResult } from './rebuild.js';
export { applyBatchWithCheckpoint, loadCheckpoint, type BatchOutcome, type StoredCheckpoint } from './checkpoint.js';

export const DEFAULT_BATCH_SIZE = 2000;
export const DEFAULT_IDLE_MS = 250;

export interface ProjectionRunnerOptions {
  readonly pool: DatabasePool;
  readonly store: EventStore;
  readonly projections: readonly Projection[];
  readonly log: ProjectionLog;
  /** Events per live batch (default 2000). */
  readonly batchSize?: number;
  /** Events per read when rebuilding (default 5000; see rebuild.ts for how they are applied). */
  readonly rebuildBatchSize?: number;
  /** How long a caught-up projection waits before reading again (ms, default 250). */
  readonly idleMs?: number;
  /** How often a standby tries to become the owner (ms, default 4 × idleMs). */
  readonly lockRetryMs?: number;
}

/** JSON-ready (positions as decimal strings) for /health. */
export interface ProjectionStatus {
  readonly name: string;
  /** The code's version. */
  readonly version: number;
  /** The version the stored rows were built with; null before the first run. */
  readonly storedVersion: number | null;
  readonly checkpoint: { readonly commit: string; readonly prepare: string } | null;
  readonly eventsApplied: number;
  /** Events matching the projection's filter after its checkpoint. */
  readonly lag: number;
  /** owner: this runner applies it; standby: another runner does (or nobody yet); halted: stopped at an error; stopped: runner not running. */
  readonly role: 'owner' | 'standby' | 'halted' | 'stopped';
  readonly lastError?: string;
  readonly updatedAt: string | null;
}

type DrainEnd = 'caught-up' | 'busy' | 'halted' | 'interrupted';

interface RunnerContext {
  readonly pool: DatabasePool;
  readonly store: EventStore;
  readonly log: ProjectionLog;
  readonly batchSize: number;
  readonly rebuildBatchSize: number;
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One projection inside a runner. */
class ProjectionWorker {
  owned = false;
  /** Set when the projection must not run on (an event that does not decode, a newer stored version). */
  halted: string | undefined;
  lastError: string | undefined;
  loop: Promise<void> | undefined;
  /** Where this runner believes the checkpoint is; undefined: load (and maybe rebuild) before the next batch. */
  private checkpoint: Position | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly projection: Projection<AnyEvent>,
    private readonly ctx: RunnerContext,
  ) {}

  get name(): string {
    return this.projection.name;
  }

  /** Runs fn after whatever this projection is already doing (the live loop and catchUp never apply side by side). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  forgetCheckpoint(): void {
    this.checkpoint = undefined;
  }

  /** Applies batches until the log holds nothing more for this projection (or it must stop). */
  async drain(shouldContinue: () => boolean): Promise<DrainEnd> {
    for (;;) {
      if (this.halted) return 'halted';
      if (!shouldContinue()) return 'interrupted';
      if (!this.checkpoint) {
        this.checkpoint = await this.prepare();
        if (!this.checkpoint) return 'halted';
      }
      const { applied, end } = await this.pass(shouldContinue);
      if (end === 'stale') {
        this.ctx.log.warn({ projection: this.name }, 'the checkpoint moved under this runner (another owner or a rebuild): reloading it');
        continue;
      }
      // The pass read ahead while its own transactions were open, and the PostgreSQL store hides events of
      // transactions newer than the oldest open one: confirm "nothing more" with a read that overlaps nothing.
      if (end === 'caught-up' && applied > 0) continue;
      return end;
    }
  }

  /** The stored checkpoint, after a rebuild when it is missing or older than the code. Undefined: halted. */
  private async prepare(): Promise<Position | undefined> {
    const { pool, store, log } = this.ctx;
    const p = this.projection;
    const stored = await loadCheckpoint(pool, p.name);
    if (stored && stored.version === p.version) return stored.position;
    if (stored && stored.version > p.version) {
      this.halt(`its stored version ${stored.version} is newer than this code's version ${p.version}: a newer release owns it`);
      return undefined;
    }
    log.info(
      { projection: p.name, storedVersion: stored?.version ?? null, version: p.version },
      stored ? `projection ${p.name} changed (version ${stored.version} → ${p.version}): rebuilding it` : `projection ${p.name} has no checkpoint: building it`,
    );
    const rebuilt = await rebuildProjection({ pool, store, projection: p, log, batchSize: this.ctx.rebuildBatchSize });
    return rebuilt.position;
  }

  private async pass(shouldContinue: () => boolean): Promise<{ applied: number; end: DrainEnd | 'stale' }> {
    const { pool, store, batchSize } = this.ctx;
    let applied = 0;
    for await (const batch of readBatches(store, this.checkpoint ?? START, this.projection.filter, batchSize)) {
      if (!shouldContinue()) return { applied, end: 'interrupted' };
      const { events, failure } = decodeBatch(batch);
      const last = failure ? events[events.length - 1] : { recorded: batch[batch.length - 1]! };
      if (last) {
        const to = last.recorded.position;
        const outcome = await applyBatchWithCheckpoint({ pool, projection: this.projection, from: this.checkpoint ?? START, to, events });
        if (outcome === 'stale') {
          this.checkpoint = undefined;
          return { applied, end: 'stale' };
        }
        if (outcome === 'busy') return { applied, end: 'busy' };
        this.checkpoint = to;
        applied += events.length;
        this.lastError = undefined;
      }
      if (failure) {
        this.haltOnDecode(failure);
        return { applied, end: 'halted' };
      }
    }
    return { applied, end: 'caught-up' };
  }

  private haltOnDecode(f: EventDecodeFailed): void {
    this.ctx.log.error(
      { projection: this.name, stream: f.streamName, revision: f.revision, eventId: f.eventId, eventType: f.eventType, errors: f.errors },
      `projection ${this.name} STOPPED at ${f.streamName}@${f.revision} (${f.eventType}): ${f.message}. Its checkpoint stays before this event; ` +
        `fix the codec (or the event) and restart; rows before it are applied.`,
    );
    this.halted = f.message;
    this.lastError = f.message;
  }

  private halt(why: string): void {
    this.ctx.log.error({ projection: this.name }, `projection ${this.name} STOPPED: ${why}`);
    this.halted = why;
    this.lastError = why;
  }
}

export class ProjectionRunner {
  private readonly workers: ProjectionWorker[];
  private readonly pool: DatabasePool;
  private readonly store: EventStore;
  private readonly log: ProjectionLog;
  private readonly idleMs: number;
  private readonly lockRetryMs: number;
  private lockConnection: OwnerLockConnection | undefined;
  private opening: Promise<OwnerLockConnection> | undefined;
  private ownershipLoop: Promise<void> | undefined;
  private running = false;
  private stopping = false;
  private readonly sleepers = new Set<() => void>();

  constructor(options: ProjectionRunnerOptions) {
    const names = options.projections.map((p) => p.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new Error(`ProjectionRunner: projection "${dup}" is given twice`);
    this.pool = options.pool;
    this.store = options.store;
    this.log = options.log;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.lockRetryMs = options.lockRetryMs ?? this.idleMs * 4;
    const ctx: RunnerContext = {
      pool: options.pool,
      store: options.store,
      log: options.log,
      batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
      rebuildBatchSize: options.rebuildBatchSize ?? DEFAULT_REBUILD_BATCH_SIZE,
    };
    this.workers = options.projections.map((p) => new ProjectionWorker(p, ctx));
  }

  /** Becomes (or waits to become) the owner of every projection and keeps them up to date until stop(). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.ownershipLoop = this.keepOwnership();
  }

  /**
   * Applies every projection until the log holds nothing more for it (tests, replays, one-shot runs).
   * Takes the owner locks first (kept until stop()); rejects, after doing what it could, when a projection is
   * owned by another runner, stopped at an event that does not decode, or failed.
   */
  async catchUp(): Promise<void> {
    this.stopping = false;
    await this.acquire();
    const problems: string[] = [];
    for (const w of this.workers) {
      if (!w.owned) {
        problems.push(`${w.name}: owned by another runner`);
        continue;
      }
      w.halted = undefined; // an explicit catch-up tries again
      try {
        let end: DrainEnd;
        while ((end = await w.exclusive(() => w.drain(() => w.owned && !this.stopping))) === 'busy') await this.sleep(this.idleMs);
        if (end === 'halted') problems.push(`${w.name}: ${w.halted}`);
        if (end === 'interrupted' && !this.stopping) problems.push(`${w.name}: lost its owner lock`);
      } catch (err) {
        w.lastError = errorMessage(err);
        w.forgetCheckpoint();
        problems.push(`${w.name}: ${w.lastError}`);
      }
    }
    if (problems.length > 0) throw new Error(`projection catch-up incomplete: ${problems.join('; ')}`);
  }

  /** Stops applying (after the batch in hand) and releases the owner locks. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    for (const wake of [...this.sleepers]) wake();
    await this.ownershipLoop?.catch(() => undefined);
    this.ownershipLoop = undefined;
    await Promise.all(this.workers.map((w) => w.loop?.catch(() => undefined)));
    await Promise.all(this.workers.map((w) => w.exclusive(async () => undefined).catch(() => undefined)));
    await this.opening?.catch(() => undefined);
    const conn = this.lockConnection;
    this.lockConnection = undefined;
    for (const w of this.workers) {
      w.owned = false;
      w.forgetCheckpoint();
    }
    await conn?.close();
  }

  async status(): Promise<ProjectionStatus[]> {
    const stored = await loadCheckpoints(
      this.pool,
      this.workers.map((w) => w.name),
    );
    return Promise.all(
      this.workers.map(async (w): Promise<ProjectionStatus> => {
        const s = stored.get(w.name);
        const lag = await this.store.countAfter(s?.position ?? START, w.projection.filter);
        const role = w.halted ? 'halted' : w.owned ? 'owner' : this.running ? 'standby' : 'stopped';
        return {
          name: w.name,
          version: w.projection.version,
          storedVersion: s?.version ?? null,
          checkpoint: s ? { commit: s.position.commit.toString(), prepare: s.position.prepare.toString() } : null,
          eventsApplied: s?.eventsApplied ?? 0,
          lag,
          role,
          ...(w.lastError !== undefined ? { lastError: w.lastError } : {}),
          updatedAt: s?.updatedAt ?? null,
        };
      }),
    );
  }

  private async keepOwnership(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.acquire();
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'projection runner: cannot take the owner locks now; retrying');
      }
      for (const w of this.workers)
        if (w.owned && !w.halted && !w.loop && !this.stopping)
          w.loop = this.runLive(w).finally(() => {
            w.loop = undefined;
          });
      await this.sleep(this.lockRetryMs);
    }
  }

  private async runLive(w: ProjectionWorker): Promise<void> {
    let failures = 0;
    while (w.owned && !w.halted && !this.stopping) {
      try {
        const end = await w.exclusive(() => w.drain(() => w.owned && !this.stopping));
        failures = 0;
        if (end === 'busy') this.log.debug({ projection: w.name }, 'a rebuild holds the write lock: waiting');
      } catch (err) {
        failures += 1;
        w.lastError = errorMessage(err);
        w.forgetCheckpoint();
        const backoff = Math.min(this.idleMs * 2 ** failures, 30_000);
        this.log.error({ projection: w.name, err: w.lastError, failures, retryInMs: backoff }, `projection ${w.name} failed a batch; retrying`);
        await this.sleep(backoff);
        continue;
      }
      await this.sleep(this.idleMs);
    }
  }

  /** Opens the lock connection if needed and tries the owner lock of every projection not owned yet. */
  private async acquire(): Promise<void> {
    const conn = await this.connection();
    for (const w of this.workers) {
      if (w.owned) continue;
      if (await conn.tryLock(w.name)) {
        w.owned = true;
        w.forgetCheckpoint();
        this.log.info({ projection: w.name }, `this runner now owns projection ${w.name}`);
      }
    }
  }

  private async connection(): Promise<OwnerLockConnection> {
    if (this.lockConnection && !this.lockConnection.isLost) return this.lockConnection;
    this.opening ??= OwnerLockConnection.open(this.pool)
      .then((conn) => {
        conn.onLost((err) => {
          if (this.lockConnection === conn) this.lockConnection = undefined;
          for (const w of this.workers) {
            if (w.owned) this.log.warn({ projection: w.name, err: errorMessage(err) }, `lost the owner lock of ${w.name} (its connection failed)`);
            w.owned = false;
            w.forgetCheckpoint();
          }
        });
        this.lockConnection = conn;
        return conn;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
