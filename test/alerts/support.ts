// The PostgreSQL store shows an event to readers of the log once no older transaction is open anywhere on the server
// (other suites run on it too): wait until it shows every event the table holds before following the log.
import { sql, type DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';

export const allVisible = async (pool: DatabasePool, store: EventStore): Promise<void> => {
  const total = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM events`));
  for (let tries = 0; (await store.readAll({})).length < total; tries++) {
    if (tries > 300) throw new Error(`the ${total} events never became visible`);
    await new Promise((r) => setTimeout(r, 100));
  }
};
