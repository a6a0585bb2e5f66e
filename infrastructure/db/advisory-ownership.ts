// One process at a time runs a part (the autonomous pipeline and the alerts: apps/autonomy/start.ts). The process
// that runs it holds a PostgreSQL session advisory lock named after the part, on a connection of its own, for as long
// as the part runs. A second copy finds the lock taken, says in its log that it waits, and tries again every few
// seconds: it starts the part once the first copy's lock is gone — released by its stop, or by the database when its
// process or its connection dies. A copy whose lock connection is lost has lost the lock with it: it stops its part
// at once and goes back to waiting, so two copies never both run it (a tick already in flight finishes; the steps'
// optimistic concurrency and idempotency keys cover that overlap).
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface OwnedPart {
  stop(): Promise<void>;
}

export interface OwnershipLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OwnershipOptions {
  readonly connectionString: string;
  /** The lock's name: its key is hashtextextended('mastertrade-owner:<lock>', 0), per database. */
  readonly lock: string;
  /** What the log calls the part ("the pipeline and the alerts"). */
  readonly part: string;
  readonly log: OwnershipLog;
  /** Starts the part once this process owns it; stopped when the ownership ends (the stop, or the lock lost). */
  readonly start: () => Promise<OwnedPart>;
  /** How often a waiting copy tries the lock and the owner checks its lock connection (ms, default 5000). */
  readonly pollMs?: number;
}

export interface Ownership {
  /** True while this process owns the part (its part runs). */
  owner(): boolean;
  /** Stops the part (when owned), then releases the lock; a copy waiting elsewhere takes over. */
  stop(): Promise<void>;
}

/** How long the owner's heartbeat (and a lock attempt) may take before the connection counts as lost. */
const HEARTBEAT_TIMEOUT_MS = 30_000;

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message || err.name : String(err));

export const ownerLockName = (lock: string) => `mastertrade-owner:${lock}`;

export const holdOwnership = (options: OwnershipOptions): Ownership => {
  const { log, part } = options;
  const pollMs = options.pollMs ?? 5000;
  const key = ownerLockName(options.lock);
  const stopping = new AbortController();
  let owner = false;

  /** Waits `pollMs`; false when the stop or the loss of the connection (`lost`) came first. */
  const pause = async (lost: Promise<unknown>): Promise<boolean> => {
    if (stopping.signal.aborted) return false;
    const waited = new AbortController();
    const stopped = () => waited.abort();
    stopping.signal.addEventListener('abort', stopped, { once: true });
    try {
      return await Promise.race([sleep(pollMs, true, { signal: waited.signal }).catch(() => false), lost.then(() => false)]);
    } finally {
      waited.abort();
      stopping.signal.removeEventListener('abort', stopped);
    }
  };

  /**
   * One lock session: connect, wait for the lock, run the part while it is held. Returns on the stop or when the lock
   * was lost (said in the log); throws when the connection fails before the part ran.
   */
  const session = async (): Promise<void> => {
    // A heartbeat that gets no answer (a silent network failure) counts as the lock lost: the part stops rather than
    // run on while the server may already have ended the session and let another copy in.
    const client = new pg.Client({
      connectionString: options.connectionString,
      application_name: `mastertrade owner lock (${options.lock})`,
      keepAlive: true,
      query_timeout: HEARTBEAT_TIMEOUT_MS,
    });
    let markLost: (err: unknown) => void = () => undefined;
    const lost = new Promise<unknown>((resolve) => (markLost = resolve));
    // An idle client's connection failure comes as an event (unhandled, it would end the process).
    client.on('error', (err) => markLost(err));
    client.on('end', () => markLost(new Error('the lock connection ended')));
    try {
      await client.connect();
      let told = false;
      for (;;) {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key]);
        if (rows[0]?.ok === true) {
          // A stop that came while the lock was asked for: released with the session, nothing started.
          if (stopping.signal.aborted) return;
          break;
        }
        if (!told) {
          told = true;
          log.info(
            { lock: key, pollSeconds: pollMs / 1000 },
            `another process runs ${part} (it holds the PostgreSQL advisory lock "${key}"): this one waits, and takes over when that one stops`,
          );
        }
        if (!(await pause(lost))) {
          if (stopping.signal.aborted) return;
          throw await lost;
        }
      }
      log.info({ lock: key }, `this process owns ${part} (PostgreSQL advisory lock "${key}"): starting`);
      const running = await options.start();
      owner = true;
      let loss: unknown;
      try {
        while (await pause(lost)) await client.query('SELECT 1');
        if (!stopping.signal.aborted) loss = await lost;
      } catch (err) {
        loss = err;
      } finally {
        // Stopped before the lock is released, so a successor never runs beside it.
        owner = false;
        if (loss !== undefined)
          log.error(
            { err: reasonOf(loss), lock: key },
            `lost the database connection holding the lock, so the lock too: stopping ${part} until it is owned again`,
          );
        await running.stop().catch((err: unknown) => log.warn({ err: reasonOf(err) }, `${part} did not stop cleanly`));
      }
    } finally {
      // Ending the session releases its lock; a dead connection is not waited for long (the server ends it too).
      await Promise.race([client.end().catch(() => undefined), sleep(5000, undefined, { ref: false })]);
    }
  };

  const run = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await session();
      } catch (err) {
        if (stopping.signal.aborted) return;
        log.warn({ err: reasonOf(err), lock: key }, `cannot take or hold the lock of ${part} (${reasonOf(err)}): trying again in ${pollMs / 1000} s`);
      }
      // After a failure or a loss: the next session in a moment (at once when stopping: the loop ends).
      await pause(new Promise(() => undefined));
    }
  })();

  return {
    owner: () => owner,
    stop: async () => {
      stopping.abort();
      await run;
    },
  };
};
