// `npm run replay -- --all [--check]`: every read model rebuilt from a mixed history (strategy lifecycles through the
// command handler and through the decider, bracket orders, risk refusals, TradingDayClosed, learning cycles, one
// quarantined event) is identical, digest for digest, to what the live projector built batch by batch; a row
// tampered with after the live run is named by --check; bad arguments exit with 2 and the usage.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { quarantineEvent } from '../../application/quarantine/quarantine.js';
import { mixedHistory } from '../../bench/mixed-history.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { readModelDigest, type ReadModelDigest } from '../../projections/digest.js';
import { rebuildAll } from '../../projections/rebuild.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { HistoryWriter, memoryLog, T0, writeHistory } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

interface Exit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('npm run replay -- --all', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let pool: DatabasePool;
  let live: readonly ReadModelDigest[];
  let total = 0;

  const replay = (...args: string[]): Promise<Exit> =>
    run(`${ROOT}node_modules/.bin/tsx`, ['apps/cli/replay.ts', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const digests = async () => {
    const out: ReadModelDigest[] = [];
    for (const p of ALL_PROJECTIONS) out.push(await readModelDigest(pool, p));
    return out;
  };
  /** `<projection> <md5>` lines the CLI prints under "digests". */
  const printed = (stdout: string) => new Map([...stdout.matchAll(/^ {2}(\S+) ([0-9a-f]{32})$/gm)].map((m) => [m[1]!, m[2]!]));

  before(async function () {
    this.timeout(180_000);
    db = await freshDatabase('replay_all');
    store = new PostgresEventStore({ connectionString: db.url });
    // One connection per projection in the last test, and a few for the digests: the default 10 is not enough once there are 10 read models or more.
    pool = await createReadModelPool(db.url, ALL_PROJECTIONS.length + 2);
    // Strategy histories through the command handler (activation decisions, operator deactivations) ...
    const writer = new HistoryWriter(store);
    await writeHistory(writer);
    total += 23;
    // ... and a pipeline-shaped history through the decider: cycles, filter, paper, orders, days closed, activations.
    for (const day of mixedHistory({ seed: 11, events: 2500, genomesPerDay: 30, paperSlots: 6, paperDays: 2, tradesPerDay: 2 }))
      for (const e of day) {
        const appended = await store.appendToStream(e.streamName, [{ eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata as never }]);
        if (either.isLeft(appended)) throw new Error(JSON.stringify(appended.left));
        total += 1;
      }
    // An order event no codec accepts, quarantined: live and rebuild both pass over it.
    const broken = `order-mt-broken-${randomUUID()}`;
    await pool.query(sql.unsafe`
      SELECT mt_append_to_stream(${broken}, 'order', 'any', ARRAY[${randomUUID()}]::uuid[], ARRAY['OrderPlaced'],
        ARRAY[${JSON.stringify({ clientOrderId: 'mt-broken' })}::jsonb],
        ARRAY[${JSON.stringify({ correlationId: 'c', causationId: 'c', actor: 'system:test', schemaVersion: 1, occurredAt: '2026-03-02T00:00:00.000Z' })}::jsonb])`);
    const quarantined = await quarantineEvent(
      { store, clock: fixedClock(T0), ids: uuidIds },
      { streamName: broken, revision: 0n },
      'written by a broken release',
      {
        actor: 'operator:alice' as never,
      },
    );
    expect(either.isRight(quarantined), JSON.stringify(quarantined)).to.equal(true);
    total += 2;
    // The live projector, in small batches that cut the history elsewhere than a rebuild's windows do.
    const runner = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog(), batchSize: 37 });
    for (let tries = 0; (await store.readAll({ maxCount: total + 1 })).length < total; tries++) {
      if (tries > 600) throw new Error(`the ${total} events never became visible: a transaction elsewhere on the server holds back the log`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await runner.catchUp();
    await runner.stop();
    live = await digests();
  });
  after(async () => {
    await pool?.end();
    await store?.close();
    await db?.drop();
  });

  it('the history reaches every kind of read model (the comparison is not of empty tables)', () => {
    const rows = new Map(live.flatMap((d) => d.tables.map((t) => [t.table, t.rows] as const)));
    for (const table of ['strategies', 'activation_audit', 'training_set', 'learning_cycles', 'trading_orders', 'trading_fills', 'trading_positions'])
      expect(rows.get(table), table).to.be.greaterThan(0);
  });

  it('rebuilds every read model in one pass, prints each, a total and digests equal to the live projector’s; exit 0', async function () {
    this.timeout(120_000);
    const r = await replay('--all');
    expect(r.code, r.stderr).to.equal(0);
    for (const p of ALL_PROJECTIONS) expect(r.stdout).to.match(new RegExp(`^${p.name} +[\\d,]+ +[\\d.]+ s`, 'm'));
    expect(r.stdout).to.match(/^total: \d+ read models rebuilt from [\d,]+ events of the log in [\d.]+ s \([\d,]+ events\/s/m);
    expect(r.stdout).to.contain('passed over 1 quarantined event(s)');
    const shown = printed(r.stdout);
    expect(shown.size).to.equal(ALL_PROJECTIONS.length);
    for (const d of live) expect(shown.get(d.projection), d.projection).to.equal(d.digest);
    expect(await digests()).to.deep.equal(live);
  });

  it('--check passes when the rebuild gives what the live projector built', async function () {
    this.timeout(120_000);
    const r = await replay('--all', '--check');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/check: the rebuilt read models are identical/);
  });

  it('--check fails naming the table when a row was tampered with, and the rebuild repairs it', async function () {
    this.timeout(120_000);
    await pool.query(
      sql.unsafe`UPDATE trading_orders SET status = 'cancelled' WHERE client_order_id = (SELECT min(client_order_id) FROM trading_orders WHERE status <> 'cancelled')`,
    );
    await pool.query(sql.unsafe`DELETE FROM activation_audit WHERE event_id = (SELECT event_id FROM activation_audit ORDER BY event_id LIMIT 1)`);
    const r = await replay('--all', '--check');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('check FAILED: the rebuild changed 2 table(s)');
    expect(r.stderr).to.match(/^ {2}trading_orders: /m);
    expect(r.stderr).to.match(/^ {2}activation_audit: /m);
    expect(r.stderr).not.to.match(/^ {2}strategies: /m);
    expect(await digests()).to.deep.equal(live);
    expect((await replay('--all', '--check')).code).to.equal(0);
  });

  it('a rebuild of all in process reports each projection’s events as a rebuild of it alone would', async () => {
    const r = await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog() });
    for (const p of r.projections)
      expect(p.events, p.name).to.equal(await store.countAfter({ commit: 0n, prepare: 0n }, ALL_PROJECTIONS.find((x) => x.name === p.name)!.filter));
    expect(r.read).to.be.at.most(total);
    expect(await digests()).to.deep.equal(live);
  });

  it('a write failing in one projection rolls every read model back, on every connection', async () => {
    const before = await digests();
    const checkpoints = await pool.any(sql.unsafe`SELECT * FROM projection_checkpoints ORDER BY projection`);
    let calls = 0;
    const projections = ALL_PROJECTIONS.map((p) =>
      p.name !== 'positions'
        ? p
        : {
            ...p,
            async applyBatch(...args: Parameters<typeof p.applyBatch>) {
              if (++calls === 2) throw new Error('disk full, say');
              await p.applyBatch(...args);
            },
          },
    );
    const failed = await rebuildAll({ pool, store, projections, log: memoryLog(), batchSize: 50, windowSize: 100, connections: 3 }).then(
      () => 'rebuilt',
      (e: Error) => e.message,
    );
    expect(failed).to.equal('disk full, say');
    expect(await digests()).to.deep.equal(before);
    expect(await pool.any(sql.unsafe`SELECT * FROM projection_checkpoints ORDER BY projection`)).to.deep.equal(checkpoints);
    // The same with every projection on its own connection, and small windows: the same read models.
    await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog(), batchSize: 50, windowSize: 100, connections: ALL_PROJECTIONS.length });
    expect(await digests()).to.deep.equal(live);
  });

  it('an unknown option, or --all with a name, exits with 2 and the usage', async function () {
    this.timeout(60_000);
    for (const args of [['--all', '--bogus'], ['--verify'], ['--all', 'strategies'], []]) {
      const r = await replay(...args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.contain('usage: npm run replay -- <projection> [--check]').and.contain('--all');
    }
  });
});
