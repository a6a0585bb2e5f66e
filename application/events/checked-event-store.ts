// The event store every service uses: any adapter, with every event checked before it is appended
// (check-event.ts). A batch with one event that would not read back appends nothing and answers EventRejected.
import { either } from 'fp-ts';
import type { EventStore } from '../ports/event-store.js';
import { checkNewEvent, type EventCheckOptions } from './check-event.js';

export const checkedEventStore = (inner: EventStore, options: EventCheckOptions = {}): EventStore => ({
  name: inner.name,
  appendToStream: async (streamName, events, appendOptions) => {
    for (const e of events) {
      const checked = checkNewEvent(streamName, e, options);
      if (either.isLeft(checked)) return checked;
    }
    return inner.appendToStream(streamName, events, appendOptions);
  },
  readStream: (streamName, options) => inner.readStream(streamName, options),
  readAll: (options) => inner.readAll(options),
  subscribeToAll: (options, handler) => inner.subscribeToAll(options, handler),
  headPosition: () => inner.headPosition(),
  countAfter: (from, filter) => inner.countAfter(from, filter),
  ...(inner.unseenCommitted ? { unseenCommitted: () => inner.unseenCommitted!() } : {}),
  close: () => inner.close(),
});
