// `npm run start:autonomy` for real (apps/autonomy/main.ts): the split deployment's service that runs the pipeline
// loop and the alerts, as child processes on a database of their own, the real PostgreSQL and RabbitMQ.
// - It starts the pipeline loop and the alerts: a kill switch engaged in the database is raised as an alert by it.
// - A second copy started beside it does not run them: it says it waits, and PostgreSQL shows one lock holder.
// - SIGTERM stops it in order (exit 0, its final line), and the waiting copy then takes over; SIGTERM stops that too.
// - A copy whose lock connection is killed stops its pipeline and takes the lock again before running it again.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import amqp from 'amqplib';
import pg from 'pg';
import { recordRiskCommand } from '../../application/trading/risk-recorder.js';
import { systemClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { isAlive, npmStart, processTree, type LogLine, type NpmStart } from '../support/npm-start.js';

const AMQP_URL = process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
const START_MS = 60_000;
const STOP_BOUND_MS = 20_000;
/** The waiting copy polls the lock every 5 s (infrastructure/db/advisory-ownership.ts). */
const TAKEOVER_MS = 15_000;

const owns = (l: LogLine) => l.msg.startsWith('this process owns the pipeline and the alerts');
const waits = (l: LogLine) => l.msg.startsWith('another process runs the pipeline and the alerts');
const scheduled = (l: LogLine) => l.msg === 'pipeline loop scheduled (UTC)';
const alertsStarted = (l: LogLine) => l.msg === 'alerts started';

const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

/** SIGTERM to npm: exit 0 within the bound, no process of its tree left, and the service's final line last. */
const stopAndCheck = async (run: NpmStart) => {
  const tree = processTree(run.child.pid!);
  process.kill(run.child.pid!, 'SIGTERM');
  const exit = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running ${STOP_BOUND_MS} ms after SIGTERM:\n${run.output()}`)), STOP_BOUND_MS)),
  ]);
  expect(exit, run.output()).to.deep.include({ code: 0, signal: null });
  await eventually('no process of the tree left', async () => (tree.every((pid) => !isAlive(pid)) ? true : undefined), 5_000);
  const lines = run.logLines();
  expect(lines[lines.length - 1], run.output()).to.include({ msg: 'autonomy stopped', signal: 'SIGTERM' });
  // Nothing left open after the stop, nothing failed on the way.
  const warnings = lines.filter((l) => l.level >= 40 && !l.msg.startsWith('lost the database connection holding the lock'));
  expect(warnings, JSON.stringify(warnings)).to.deep.equal([]);
};

describe('the autonomy service (npm run start:autonomy): the pipeline and the alerts in the split deployment', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let admin: pg.Client;
  let dataDir: string;
  const exchange = `mt.test.${randomUUID()}`;
  const runs: NpmStart[] = [];
  const start = () => {
    const run = npmStart(
      { DATABASE_URL: db.url, AMQP_URL, AMQP_EXCHANGE: exchange, DATA_DIR: dataDir, MARKET_DATA_SOURCE: 'none', LOG_LEVEL: 'info' },
      'start:autonomy',
    );
    runs.push(run);
    return run;
  };
  /** Sessions holding the autonomy lock in the test database, seen from PostgreSQL itself. */
  const lockHolders = async (): Promise<number[]> =>
    (
      await admin.query<{ pid: number }>(
        `WITH k AS (SELECT hashtextextended('mastertrade-owner:autonomy', 0) AS h)
         SELECT l.pid FROM pg_locks l, k
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
            AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.classid::bigint = ((k.h >> 32) & 4294967295) AND l.objid::bigint = (k.h & 4294967295)`,
      )
    ).rows.map((r) => r.pid);

  before(async () => {
    db = await freshDatabase('autonomy_service');
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    dataDir = mkdtempSync(path.join(tmpdir(), 'mt-autonomy-'));
  });
  afterEach(() => {
    for (const run of runs.splice(0)) if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
  });
  after(async () => {
    await admin?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    const conn = await amqp.connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      await ch.deleteQueue(`${exchange}.journal`);
      await ch.deleteExchange(exchange);
    } finally {
      await conn.close();
    }
  });

  it('runs the pipeline loop and the alerts; a second copy waits instead of running them, and takes over after a SIGTERM stops the first', async () => {
    const first = start();
    await first.waitForLine(owns, START_MS);
    const loop = await first.waitForLine(scheduled, START_MS);
    expect(loop['steps']).to.deep.equal(['selection', 'cycle', 'predictor', 'desk', 'activation', 'retrain']);
    await first.waitForLine(alertsStarted, START_MS);

    // The alerts run in it: a kill switch engaged (as an operator would) is raised as an alert by that process.
    const store = checkedPostgresStore({ connectionString: db.url });
    try {
      const engaged = await recordRiskCommand({ store, clock: systemClock, ids: uuidIds })({
        type: 'EngageKillSwitch',
        account: 'paper',
        data: { account: 'paper', trigger: 'manual', time: Date.now(), decidedBy: 'operator:ana', reason: 'halt', positionsToClose: [] } as never,
      });
      expect(either.isRight(engaged)).to.equal(true);
    } finally {
      await store.close();
    }
    const raised = await eventually('the kill switch alert', async () => {
      const { rows } = await admin.query<{ data: Record<string, unknown> }>(`SELECT data FROM events WHERE event_type = 'AlertRaised'`);
      return rows.length > 0 ? rows : undefined;
    });
    expect(raised.map((r) => [r.data['rule'], r.data['subject']])).to.deep.equal([['kill-switch', 'paper']]);

    // A second copy: it waits and says so, and runs neither the loop nor the alerts.
    const second = start();
    await second.waitForLine(waits, START_MS);
    const holders = await lockHolders();
    expect(holders, 'one session holds the lock').to.have.length(1);
    // Past two of its polls (every 5 s), it still waits.
    await new Promise((r) => setTimeout(r, 11_000));
    expect(
      second.logLines().filter((l) => owns(l) || scheduled(l) || alertsStarted(l)),
      second.output(),
    ).to.deep.equal([]);
    expect(await lockHolders()).to.deep.equal(holders);

    await stopAndCheck(first);
    // The waiting copy takes over once the first one's lock is gone: never before the first stopped its loop.
    const took = await second.waitForLine(owns, TAKEOVER_MS);
    const firstStopped = first.logLines().find((l) => l.msg === 'pipeline loop and alerts stopped');
    expect(firstStopped, first.output()).to.not.equal(undefined);
    expect(took['time']).to.be.at.least(firstStopped!['time'] as number);
    await second.waitForLine(scheduled, TAKEOVER_MS);
    await second.waitForLine(alertsStarted, TAKEOVER_MS);
    const successor = await lockHolders();
    expect(successor).to.have.length(1);
    expect(successor).not.to.deep.equal(holders);
    await stopAndCheck(second);
    expect(await lockHolders(), 'the stop releases the lock').to.deep.equal([]);
  });

  it('stops its pipeline when its lock connection is killed, and runs it again only once it holds the lock again', async () => {
    const run = start();
    await run.waitForLine(scheduled, START_MS);
    const [holder] = await lockHolders();
    expect(holder).to.be.a('number');
    await admin.query('SELECT pg_terminate_backend($1)', [holder]);
    await run.waitForLine((l) => l.msg.startsWith('lost the database connection holding the lock'), TAKEOVER_MS);
    await eventually('the loop scheduled again', async () => (run.logLines().filter(scheduled).length === 2 ? true : undefined), TAKEOVER_MS);
    const lines = run.logLines();
    const lost = lines.findIndex((l) => l.msg.startsWith('lost the database connection holding the lock'));
    const stopped = lines.findIndex((l, i) => i > lost && l.msg === 'pipeline loop and alerts stopped');
    expect(stopped, `stopped after the loss: ${run.output()}`).to.be.greaterThan(lost);
    const ownedAgain = lines.findIndex((l, i) => i > stopped && owns(l));
    const scheduledAgain = lines.findIndex((l, i) => i > lost && scheduled(l));
    expect(ownedAgain, run.output()).to.be.greaterThan(stopped);
    expect(scheduledAgain, 'scheduled again only after the lock is held again').to.be.greaterThan(ownedAgain);
    const now = await lockHolders();
    expect(now).to.have.length(1);
    expect(now).not.to.deep.equal([holder]);
    await stopAndCheck(run);
  });
});
