// The checkpointed projection runner: keeps every read model folded from the event log, exactly once.
//
// Per projection:
// - one owner at a time: the runner that holds the projection's owner lock (a session-level advisory lock on a
//   connection it keeps, see owner-lock.ts) applies; any other runner is a standby that retries the lock;
// - it reads a batch after its checkpoint, decodes it, and in ONE transaction takes the write lock, moves the
//   checkpoint compare-and-set (WHERE it is still where this runner read from) and applies the batch, so rows and
//   checkpoint commit together: a crash replays nothing twice, a stale owner moves nothing (see checkpoint.ts);
// - an event that does not decode stops the projection at that event with a loud error (the events before it in
//   the batch are applied), its checkpoint stays before it and the stop is recorded with the checkpoint (every
//   process's /health reports it) until a fixed release runs or an operator quarantines the event
//   (`npm run quarantine`): a stopped runner looks at the quarantine again every few seconds and, once the event is
//   quarantined, passes over it and goes on. A quarantined event is passed over live and on every rebuild alike.
//   The stopped runner keeps the owner lock (a standby running the same code would only stop at the same event);
// - a stored version older than the code's (or no checkpoint at all) rebuilds it from position zero (rebuild.ts).
import type { DatabasePool } from 'slonik';
import { START, type EventStore, type Position } from '../application/ports/event-store.js';
import type { EventDecodeFailed } from '../application/events/decode-event.js';
import { loadQuarantine, type QuarantineState } from '../application/quarantine/quarantine.js';
import { applyBatchWithCheckpoint, decodeBatch, loadCheckpoint, loadCheckpoints, readBatches, recordStop, type ProjectionStop } from './checkpoint.js';
import { OwnerLockConnection } from './owner-lock.js';
import type { AnyEvent, Projection, ProjectionLog } from './projection.js';
import { DEFAULT_REBUILD_BATCH_SIZE, ProjectionDecodeError, rebuildProjection } from './rebuild.js';

export type { Projection, ProjectionLog } from './projection.js';
export { rebuildProjection, ProjectionDecodeError, type RebuildResult } from './rebuild.js';
export { applyBatchWithCheckpoint, loadCheckpoint, type BatchOutcome, type ProjectionStop, type StoredCheckpoint } from './checkpoint.js';

export interface CatchUpProblem {
  readonly projection: string;
  /** owned-elsewhere: another runner applies it; stopped: at an event it cannot read (or a newer stored version). */
  readonly kind: 'owned-elsewhere' | 'stopped' | 'lost-lock' | 'failed';
  readonly message: string;
}

/** What catchUp could not do, projection by projection. */
export class CatchUpIncomplete extends Error {
  override readonly name = 'CatchUpIncomplete';
  constructor(readonly problems: readonly CatchUpProblem[]) {
    super(`projection catch-up incomplete: ${problems.map((p) => `${p.projection}: ${p.message}`).join('; ')}`);
  }
}

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
  /** Where and why it stopped (recorded with its checkpoint, so any runner reports it). */
  readonly stopped: ProjectionStop | null;
  /** Quarantined events this runner passed over since it started. */
  readonly skippedQuarantined: number;
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
  /** The event it stopped at, when that is why it stopped (a quarantine of it lets it go on). */
  haltedAt: EventDecodeFailed | undefined;
  lastError: string | undefined;
  /** Quarantined events passed over (logged once each). */
  readonly skipped = new Set<string>();
  /** The quarantine as last read (at the start, and again whenever an event does not decode). */
  private quarantine: QuarantineState | undefined;
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
    this.quarantine = await loadQuarantine(store);
    if (stored && stored.version === p.version) return stored.position;
    if (stored && stored.version > p.version) {
      this.halt(`its stored version ${stored.version} is newer than this code's version ${p.version}: a newer release owns it`);
      return undefined;
    }
    log.info(
      { projection: p.name, storedVersion: stored?.version ?? null, version: p.version },
      stored ? `projection ${p.name} changed (version ${stored.version} → ${p.version}): rebuilding it` : `projection ${p.name} has no checkpoint: building it`,
    );
    try {
      const rebuilt = await rebuildProjection({ pool, store, projection: p, log, batchSize: this.ctx.rebuildBatchSize, quarantine: this.quarantine });
      for (const s of rebuilt.skipped) this.skipped.add(s.eventId);
      return rebuilt.position;
    } catch (err) {
      // The build met an event it cannot read: stopped like a live batch would (the rebuild changed nothing).
      if (!(err instanceof ProjectionDecodeError)) throw err;
      await this.haltOnDecode(err.failure);
      return undefined;
    }
  }

  private async pass(shouldContinue: () => boolean): Promise<{ applied: number; end: DrainEnd | 'stale' }> {
    const { pool, store, batchSize } = this.ctx;
    let applied = 0;
    for await (const batch of readBatches(store, this.checkpoint ?? START, this.projection.filter, batchSize)) {
      if (!shouldContinue()) return { applied, end: 'interrupted' };
      let decoded = decodeBatch<AnyEvent>(batch, this.quarantine);
      if (decoded.failure && (await this.quarantinedSince(decoded.failure))) decoded = decodeBatch<AnyEvent>(batch, this.quarantine);
      const { events, skipped, failure } = decoded;
      for (const r of skipped) this.noteSkipped(r.eventId, `${r.streamName}@${r.revision}`, r.type);
      // The checkpoint moves to the last event before the one that does not decode (quarantined ones included).
      const failedAt = failure ? batch.findIndex((r) => r.eventId === failure.eventId && r.streamName === failure.streamName) : batch.length;
      const last = failedAt > 0 ? batch[failedAt - 1] : undefined;
      if (last) {
        const to = last.position;
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
        await this.haltOnDecode(failure);
        return { applied, end: 'halted' };
      }
    }
    return { applied, end: 'caught-up' };
  }

  /** Reads the quarantine again; true when the event that failed is quarantined now. */
  async quarantinedSince(f: EventDecodeFailed): Promise<boolean> {
    this.quarantine = await loadQuarantine(this.ctx.store);
    return this.quarantine.has(f.eventId);
  }

  private noteSkipped(eventId: string, where: string, type: string): void {
    if (this.skipped.has(eventId)) return;
    this.skipped.add(eventId);
    const entry = this.quarantine?.get(eventId);
    this.ctx.log.warn(
      { projection: this.name, eventId, event: where, eventType: type, reason: entry?.reason },
      `projection ${this.name} passes over quarantined event ${where} (${type}): ${entry?.reason ?? ''}`,
    );
  }

  private async haltOnDecode(f: EventDecodeFailed): Promise<void> {
    this.ctx.log.error(
      { projection: this.name, stream: f.streamName, revision: f.revision, eventId: f.eventId, eventType: f.eventType, errors: f.errors },
      `projection ${this.name} STOPPED at ${f.streamName}@${f.revision} (${f.eventType}): ${f.message}. Its checkpoint stays before this event ` +
        `and the rows before it are applied. Fix the codec and restart, or quarantine the event: ` +
        `npm run quarantine -- add ${f.streamName}@${f.revision} --reason "<why>" (see doc/quarantine.md).`,
    );
    this.halted = f.message;
    this.haltedAt = f;
    this.lastError = f.message;
    const [at] = await this.ctx.store.readStream(f.streamName, { fromRevision: BigInt(f.revision), maxCount: 1 });
    await this.recordStop({
      error: f.message,
      streamName: f.streamName,
      revision: f.revision,
      eventId: f.eventId,
      eventType: f.eventType,
      ...(at ? { position: { commit: at.position.commit.toString(), prepare: at.position.prepare.toString() } } : {}),
      errors: f.errors.slice(0, 20),
      at: new Date().toISOString(),
    });
  }

  private halt(why: string): void {
    this.ctx.log.error({ projection: this.name }, `projection ${this.name} STOPPED: ${why}`);
    this.halted = why;
    this.lastError = why;
    void this.recordStop({ error: why, at: new Date().toISOString() });
  }

  /** Best effort: /health of other processes reads it; this runner's own status has it in memory anyway. */
  private async recordStop(stop: ProjectionStop): Promise<void> {
    await recordStop(this.ctx.pool, this.name, stop).catch((err) =>
      this.ctx.log.warn({ projection: this.name, err: errorMessage(err) }, 'could not record where the projection stopped'),
    );
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
    const problems: CatchUpProblem[] = [];
    for (const w of this.workers) {
      if (!w.owned) {
        problems.push({ projection: w.name, kind: 'owned-elsewhere', message: 'owned by another runner' });
        continue;
      }
      w.halted = undefined; // an explicit catch-up tries again
      w.haltedAt = undefined;
      try {
        let end: DrainEnd;
        while ((end = await w.exclusive(() => w.drain(() => w.owned && !this.stopping))) === 'busy') await this.sleep(this.idleMs);
        if (end === 'halted') problems.push({ projection: w.name, kind: 'stopped', message: w.halted ?? 'stopped' });
        if (end === 'interrupted' && !this.stopping) problems.push({ projection: w.name, kind: 'lost-lock', message: 'lost its owner lock' });
      } catch (err) {
        w.lastError = errorMessage(err);
        w.forgetCheckpoint();
        problems.push({ projection: w.name, kind: 'failed', message: w.lastError });
      }
    }
    if (problems.length > 0) throw new CatchUpIncomplete(problems);
  }

  /** Stops applying (after the batch in hand) and releases the owner locks. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    for (const wake of [...this.sleepers]) wake();
    await this.ownershipLoop?.catch(() => undefined);
    this.ownershipLoop = undefined;
    await Promise.all(this.workers.map((w) => w.loop?.catch(() => undefined) ?? Promise.resolve()));
    await Promise.all(this.workers.map((w) => w.exclusive(() => Promise.resolve()).catch(() => undefined)));
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
          stopped: s?.stopped ?? null,
          skippedQuarantined: w.skipped.size,
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
      // A projection stopped at an event that does not decode goes on once an operator has quarantined that event.
      for (const w of this.workers)
        if (w.owned && w.haltedAt !== undefined && !this.stopping) {
          const at = w.haltedAt;
          if (await w.quarantinedSince(at).catch(() => false)) {
            this.log.info(
              { projection: w.name, eventId: at.eventId },
              `event ${at.streamName}@${at.revision} is quarantined now: projection ${w.name} goes on`,
            );
            w.halted = undefined;
            w.haltedAt = undefined;
          }
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
