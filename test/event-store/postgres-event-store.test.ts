import pg from 'pg';
import { categoryOf } from '../../domain/events/catalog.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { eventStoreContract } from './contract.js';

describe('PostgreSQL event store', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  before(async () => {
    db = await freshDatabase('event_store');
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 100 });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  eventStoreContract('postgres', {
    store: () => store,
    concurrentTransactions: () => ({
      // Two real transactions on two connections, each calling the same append function the adapter uses.
      async appendInOpenTransaction(stream, events) {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        await client.query('BEGIN');
        await client.query('SELECT mt_append_to_stream($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])', [
          stream,
          categoryOf(stream),
          'any',
          events.map((e) => e.eventId),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ]);
        return {
          commit: async () => {
            await client.query('COMMIT');
            await client.end();
          },
        };
      },
    }),
  });
});
