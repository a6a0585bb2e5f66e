// The lock that lets one process at a time run the pipeline and the alerts (infrastructure/db/advisory-ownership.ts),
// on a real PostgreSQL: three copies in one process, each counting its part as running between its start and its
// stop. Never two at once; a stopped owner hands over to a waiting copy; every copy stopped releases the lock.
import { expect } from 'chai';
import pg from 'pg';
import { holdOwnership, ownerLockName, type Ownership } from '../../infrastructure/db/advisory-ownership.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

const eventually = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('one owner at a time (infrastructure/db/advisory-ownership.ts)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let admin: pg.Client;
  before(async () => {
    db = await freshDatabase('autonomy_ownership');
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await db?.drop();
  });

  /** Copies of one lock; `running` is how many parts run now, `most` the most that ever ran at once. */
  const copies = (n: number, lock: string) => {
    const seen = { running: 0, most: 0, starts: [] as number[] };
    const all: Ownership[] = [];
    for (let i = 0; i < n; i++)
      all.push(
        holdOwnership({
          connectionString: db.url,
          lock,
          part: `part ${i}`,
          log: quiet,
          pollMs: 30,
          start: async () => {
            seen.running += 1;
            seen.most = Math.max(seen.most, seen.running);
            seen.starts.push(i);
            // A part that takes a moment to stop: a successor starting before it ended would be counted.
            return { stop: () => new Promise<void>((r) => setTimeout(() => ((seen.running -= 1), r()), 50)) };
          },
        }),
      );
    return { seen, all };
  };

  it('runs one copy while the others wait, hands over at each stop, and never runs two at once', async () => {
    const { seen, all } = copies(3, 'handover');
    await eventually('one copy runs', () => seen.running === 1);
    // Many polls of the waiting copies later, still one.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.starts).to.have.length(1);
    expect(all.filter((o) => o.owner())).to.have.length(1);
    const order: number[] = [];
    for (let round = 0; round < 3; round++) {
      const owner = all.findIndex((o) => o.owner());
      expect(owner, `round ${round}`).to.be.at.least(0);
      order.push(owner);
      await all[owner]!.stop();
      if (round < 2) await eventually(`a waiting copy takes over (round ${round})`, () => seen.running === 1);
    }
    expect(new Set(order).size, 'each copy owned it once').to.equal(3);
    expect(seen.starts).to.have.length(3);
    expect(seen.most, 'never two at once').to.equal(1);
    expect(seen.running).to.equal(0);
    const held = await admin.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(held.rows[0].n, 'every lock released').to.equal(0);
  });

  it('stops its part when its lock connection is killed, and starts it again only with the lock held again', async () => {
    const { seen, all } = copies(1, 'loss');
    const [only] = all;
    try {
      await eventually('it runs', () => seen.running === 1);
      const holder = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, ['mastertrade owner lock (loss)']);
      expect(holder.rows).to.have.length(1);
      await admin.query('SELECT pg_terminate_backend($1)', [holder.rows[0]!.pid]);
      await eventually('it runs again', () => seen.starts.length === 2 && seen.running === 1);
      expect(seen.most).to.equal(1);
      const again = await admin.query<{ pid: number }>(
        `SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = $1`,
        ['mastertrade owner lock (loss)'],
      );
      expect(
        again.rows.map((r) => r.pid),
        'held by a new session',
      )
        .to.have.length(1)
        .and.not.include(holder.rows[0]!.pid);
    } finally {
      await only!.stop();
    }
    expect(seen.running).to.equal(0);
    expect(ownerLockName('loss')).to.equal('mastertrade-owner:loss');
  });
});
