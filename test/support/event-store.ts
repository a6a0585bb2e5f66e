// The event store the tests of domain behaviour use: the PostgreSQL adapter behind the same append-time check every
// service has (infrastructure/event-store/create-event-store.ts), so a test that stores what could not be read back
// fails the way production would refuse it.
import { checkedEventStore } from '../../application/events/checked-event-store.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { PostgresEventStore, type PostgresEventStoreOptions } from '../../infrastructure/event-store/postgres-event-store.js';

export const checkedPostgresStore = (options: PostgresEventStoreOptions): EventStore => checkedEventStore(new PostgresEventStore(options));
