// The append rate: a counter of the events this process appends, counted in front of the event store adapter (an
// idempotent retry that stores nothing counts nothing). Each process counts its own appends; sum over the targets.
import { Counter, type Registry } from 'prom-client';
import type { EventStore } from '../../application/ports/event-store.js';
import { METRIC_PREFIX } from './process-metrics.js';

export const countAppends = (store: EventStore, registry: Registry): EventStore => {
  const appended = new Counter({
    name: `${METRIC_PREFIX}events_appended_total`,
    help: 'Events appended to the event store by this process',
    registers: [registry],
  });
  return {
    name: store.name,
    appendToStream: async (streamName, events, options) => {
      const result = await store.appendToStream(streamName, events, options);
      if (result._tag === 'Right' && result.right.appended) appended.inc(events.length);
      return result;
    },
    readStream: (streamName, options) => store.readStream(streamName, options),
    readAll: (options) => store.readAll(options),
    subscribeToAll: (options, handler) => store.subscribeToAll(options, handler),
    headPosition: () => store.headPosition(),
    countAfter: (from, filter) => store.countAfter(from, filter),
    ...(store.unseenCommitted ? { unseenCommitted: () => store.unseenCommitted!() } : {}),
    close: () => store.close(),
  };
};
