// Picks the event store adapter the configuration names, and puts the append-time check in front of it: every
// service appends through checkedEventStore, so nothing is stored that does not read back.
import { checkedEventStore } from '../../application/events/checked-event-store.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Config } from '../config/config.js';
import { PostgresEventStore } from './postgres-event-store.js';

export const createEventStore = async (config: Config, databaseUrl: string): Promise<EventStore> => {
  if (config.eventStore === 'eventstoredb') {
    const { EventStoreDbEventStore } = await import('./eventstoredb-event-store.js');
    return checkedEventStore(new EventStoreDbEventStore({ connectionString: config.eventStoreConnectionString! }));
  }
  return checkedEventStore(new PostgresEventStore({ connectionString: databaseUrl }));
};
