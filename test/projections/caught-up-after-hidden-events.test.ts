// The pipeline decides on read models it has just caught up (apps/learning-schedule.ts readModelsCaughtUp). On
// PostgreSQL the log shows an event only once every older transaction on the server has ended, so a transaction left
// open elsewhere hides events already committed: a catch-up then stopped short, and the cycle's promotion counted
// the paper slots on a stale read model (the crash test's logs differed under load). Now the catch-up first waits
// until the log shows every committed event.
import { expect } from 'chai';
import pg from 'pg';
import type { DatabasePool } from 'slonik';
import { sql } from 'slonik';
import { z } from 'zod';
import { readModelsCaughtUp } from '../../apps/learning-schedule.js';
import type { Platform } from '../../apps/platform.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { freshDatabase, serverUrl, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';

describe('catching the read models up while an older transaction elsewhere hides committed events', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let other: pg.Client;
  const deps = () => ({ store, clock: fixedClock(new Date('2026-03-10T03:00:00.000Z')), ids: uuidIds });
  const generate = (name: string) => {
    const strategyId = uuidIds.idFor(name) as StrategyCommand['strategyId'];
    return handleStrategyCommand(
      deps(),
      { type: 'GenerateStrategy', strategyId, data: { genome: smaCrossoverGenome(10, 30) } },
      { actor: 'system:test' as Actor },
    ).then(() => strategyId);
  };
  const inReadModel = async (id: string) =>
    (await pool.maybeOne(sql.type(z.object({ id: z.string() }))`SELECT id::text AS id FROM strategies WHERE id = ${id}`)) !== null;

  before(async () => {
    db = await freshDatabase('caught_up_hidden');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url, 4);
    // Another database on the same server: its open transaction holds back the whole server's horizon.
    other = new pg.Client({ connectionString: serverUrl() });
    await other.connect();
  });
  after(async () => {
    await other?.end().catch(() => undefined);
    await pool?.end();
    await store?.close();
    await db?.drop();
  });

  it('unseenCommitted counts the committed events the log hides, and readModelsCaughtUp waits for them', async () => {
    const platform = { store, pool, log: createLogger('silent') } as unknown as Platform;
    const caughtUp = readModelsCaughtUp(platform);
    const before = await generate('hidden:before');
    await caughtUp();
    expect(await inReadModel(before)).to.equal(true);

    await other.query('BEGIN');
    await other.query('SELECT pg_current_xact_id()'); // an xid older than the next append's
    const hidden = await generate('hidden:after');
    expect(await store.unseenCommitted!()).to.equal(1);
    expect((await store.readAll({ maxCount: 100 })).map((e) => e.streamName)).to.not.include(`strategy-${hidden}`);

    let done = false;
    const waiting = caughtUp().then(() => (done = true));
    await new Promise((r) => setTimeout(r, 1500));
    expect(done, 'returned while the log still hid an event').to.equal(false);
    await other.query('COMMIT');
    await waiting;
    expect(await store.unseenCommitted!()).to.equal(0);
    expect(await inReadModel(hidden)).to.equal(true);
  });
});
