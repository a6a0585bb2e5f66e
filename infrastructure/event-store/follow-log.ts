// The catch-up loop shared by the event store adapters that read the log in pages:
// read after the checkpoint, hand the batch to the handler, move the checkpoint, wait for news when caught up.
import type { Position, RecordedEvent, Subscription } from '../../application/ports/event-store.js';

export interface FollowLogOptions {
  readonly from: Position;
  readonly read: (from: Position) => Promise<RecordedEvent[]>;
  readonly handler: (batch: readonly RecordedEvent[]) => Promise<void>;
  readonly waitForNews: (ms: number) => Promise<void>;
  readonly idleMs: number;
}

export const followLog = (o: FollowLogOptions): Subscription => {
  let stopped = false;
  let wakeStop: (() => void) | undefined;
  const stoppedSignal = new Promise<void>((resolve) => (wakeStop = resolve));
  const done = (async () => {
    let from = o.from;
    while (!stopped) {
      const batch = await o.read(from);
      if (stopped) break;
      const last = batch[batch.length - 1];
      if (last) {
        await o.handler(batch);
        from = last.position;
        continue;
      }
      await Promise.race([o.waitForNews(o.idleMs), stoppedSignal]);
    }
  })();
  done.catch(() => undefined); // observed through `done` by the caller
  return {
    done,
    stop: async () => {
      stopped = true;
      wakeStop?.();
      await done.catch(() => undefined);
    },
  };
};
