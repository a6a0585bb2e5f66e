// The mirror: every appended event goes to the bus at least once, in log order (so in stream order).
// It follows the whole log from its checkpoint, publishes each batch, and moves the checkpoint only after the
// broker confirmed, and only up to the highest position before the first unconfirmed message. After any
// failure it reads again from the checkpoint and re-publishes from there, so event N+1 of a stream never
// overtakes event N; consumers drop the duplicates by message id (the event id). It never gives up while running.
import { PublishError, toBusMessage, type Bus } from '../ports/bus.js';
import type { CheckpointStore } from '../ports/checkpoint-store.js';
import type { Clock } from '../ports/clock.js';
import { START, type EventStore, type Position, type RecordedEvent, type Subscription } from '../ports/event-store.js';

/** The slice of a logger the mirror uses (pino's Logger fits). */
export interface MirrorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MirrorOptions {
  readonly store: EventStore;
  readonly bus: Bus;
  readonly checkpoints: CheckpointStore;
  readonly log: MirrorLog;
  /** The checkpoint's name. Default 'mirror'. */
  readonly name?: string;
  /** Events read and published per batch (one confirm round trip each). Default 500. */
  readonly batchSize?: number;
  /** Pause after a failure, doubling from minDelayMs up to maxDelayMs. Defaults: 200 ms, 30 s. */
  readonly retry?: { readonly minDelayMs?: number; readonly maxDelayMs?: number };
  /** Stamps lastErrorAt when given. */
  readonly clock?: Clock;
}

export type MirrorState = 'starting' | 'running' | 'retrying' | 'stopped';

export interface MirrorStatus {
  readonly name: string;
  readonly state: MirrorState;
  /** The last position the broker confirmed and the checkpoint store saved; undefined before the first. */
  readonly checkpoint: Position | undefined;
  /** Events confirmed since start, re-publications after a failure included. */
  readonly published: number;
  /** Failures in a row; back to 0 when a batch goes through. */
  readonly consecutiveFailures: number;
  readonly totalFailures: number;
  readonly lastError: string | undefined;
  /** ISO-8601, when a clock was given. */
  readonly lastErrorAt: string | undefined;
}

export interface Mirror {
  status(): MirrorStatus;
  /** Stops after the batch in hand; resolves when nothing runs any more. */
  stop(): Promise<void>;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const startMirror = (options: MirrorOptions): Mirror => {
  const { store, bus, checkpoints, log } = options;
  const name = options.name ?? 'mirror';
  const batchSize = options.batchSize ?? 500;
  const minDelayMs = options.retry?.minDelayMs ?? 200;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;

  let state: MirrorState = 'starting';
  let checkpoint: Position | undefined;
  let published = 0;
  let consecutiveFailures = 0;
  let totalFailures = 0;
  let lastError: string | undefined;
  let lastErrorAt: string | undefined;
  let stopped = false;
  let subscription: Subscription | undefined;
  let wakeFromPause: (() => void) | undefined;

  const advance = async (to: Position, count: number): Promise<void> => {
    await checkpoints.save(name, to);
    checkpoint = to;
    published += count;
  };

  const publish = async (batch: readonly RecordedEvent[]): Promise<void> => {
    const last = batch[batch.length - 1];
    if (!last) return;
    try {
      await bus.publishBatch(batch.map(toBusMessage));
    } catch (err) {
      // Keep what the broker did confirm, up to the first message it did not.
      const confirmed = err instanceof PublishError ? Math.min(err.confirmed, batch.length) : 0;
      const lastConfirmed = batch[confirmed - 1];
      if (lastConfirmed)
        await advance(lastConfirmed.position, confirmed).catch((e) => log.warn({ err: message(e), mirror: name }, 'could not save the mirror checkpoint'));
      throw err;
    }
    await advance(last.position, batch.length);
    consecutiveFailures = 0;
    state = 'running';
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeFromPause = undefined;
        resolve();
      }
      wakeFromPause = done;
    });

  const run = async (): Promise<void> => {
    let loaded = false;
    while (!stopped) {
      try {
        if (!loaded) {
          checkpoint = await checkpoints.load(name);
          loaded = true;
          log.info(
            { mirror: name, checkpoint: checkpoint && { commit: checkpoint.commit.toString(), prepare: checkpoint.prepare.toString() } },
            'mirror starting',
          );
        }
        // Always from the saved checkpoint: what was not confirmed is read and published again.
        subscription = store.subscribeToAll({ from: checkpoint ?? START, batchSize }, publish);
        if (stopped) await subscription.stop();
        else if (consecutiveFailures === 0) state = 'running';
        await subscription.done;
      } catch (err) {
        if (stopped) break;
        consecutiveFailures++;
        totalFailures++;
        lastError = message(err);
        lastErrorAt = options.clock?.now().toISOString();
        state = 'retrying';
        const delay = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(consecutiveFailures - 1, 30));
        log.warn({ mirror: name, err: lastError, failures: consecutiveFailures, retryInMs: delay }, 'mirror failed; re-publishing from its checkpoint');
        await pause(delay);
      }
    }
    state = 'stopped';
  };

  const running = run();

  return {
    status: () => ({ name, state, checkpoint, published, consecutiveFailures, totalFailures, lastError, lastErrorAt }),
    stop: async () => {
      stopped = true;
      wakeFromPause?.();
      await subscription?.stop();
      await running;
    },
  };
};

/** How many events the mirror has not published yet (confirmed) — the events after its checkpoint. */
export const mirrorLag = (store: EventStore, checkpoint: Position | undefined): Promise<number> => store.countAfter(checkpoint ?? START);

/** The mirror's status for a health endpoint: JSON-ready (positions as strings), with its lag. */
export interface MirrorHealth {
  readonly name: string;
  readonly state: MirrorState;
  readonly healthy: boolean;
  readonly checkpoint: { readonly commit: string; readonly prepare: string } | null;
  /** Null when the store could not be asked. */
  readonly lag: number | null;
  readonly published: number;
  readonly consecutiveFailures: number;
  readonly totalFailures: number;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

export const mirrorHealth = async (mirror: Mirror, store: EventStore): Promise<MirrorHealth> => {
  const s = mirror.status();
  const lag = await mirrorLag(store, s.checkpoint).catch(() => null);
  return {
    name: s.name,
    state: s.state,
    healthy: s.state === 'running' || s.state === 'starting',
    checkpoint: s.checkpoint ? { commit: s.checkpoint.commit.toString(), prepare: s.checkpoint.prepare.toString() } : null,
    lag,
    published: s.published,
    consecutiveFailures: s.consecutiveFailures,
    totalFailures: s.totalFailures,
    lastError: s.lastError ?? null,
    lastErrorAt: s.lastErrorAt ?? null,
  };
};
