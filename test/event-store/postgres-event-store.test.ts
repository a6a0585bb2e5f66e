import { expect } from 'chai';
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

  it('close() leaves no connection open, even when it comes while the LISTEN connection is being opened', async function () {
    this.timeout(60_000);
    const own = await freshDatabase('event_store_close');
    try {
      // Caught-up subscriptions start opening their LISTEN connection; each store is closed a few ms later, so some
      // closes land while that connection is still being opened.
      for (let delay = 0; delay < 40; delay += 2) {
        const other = new PostgresEventStore({ connectionString: own.url, pollIntervalMs: 100 });
        const sub = other.subscribeToAll({}, async () => undefined);
        await new Promise((r) => setTimeout(r, delay));
        await sub.stop();
        await other.close();
      }
      await new Promise((r) => setTimeout(r, 300));
      const client = new pg.Client({ connectionString: own.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        expect(Number(rows[0]?.n), 'connections left open').to.equal(0);
      } finally {
        await client.end();
      }
    } finally {
      await own.drop();
    }
  });
});
