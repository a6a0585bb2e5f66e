// Picks the event store adapter the configuration names.
import type { EventStore } from '../../application/ports/event-store.js';
import type { Config } from '../config/config.js';
import { PostgresEventStore } from './postgres-event-store.js';

export const createEventStore = async (config: Config, databaseUrl: string): Promise<EventStore> => {
  if (config.eventStore === 'eventstoredb') {
    const { EventStoreDbEventStore } = await import('./eventstoredb-event-store.js');
    return new EventStoreDbEventStore({ connectionString: config.eventStoreConnectionString! });
  }
  return new PostgresEventStore({ connectionString: databaseUrl });
};
