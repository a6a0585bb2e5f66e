// Recovery from an event that no longer decodes, on a real PostgreSQL, as the issue met it: a backtest whose period
// starts before 1970 was stored by an earlier release (written here through the bare adapter, as that release did).
// Then: the projection stops at it and says where (its checkpoint row, /health: unhealthy with position and errors);
// the learning cycle's wait on the read models fails at once instead of after 10 minutes; the operator quarantines
// the event with `npm run quarantine`; the running projection passes over it and goes on; a replay passes over it too
// and says so; the log is never edited; lifting the quarantine brings the stop back.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import type { EventStore, NewEvent } from '../../application/ports/event-store.js';
import { healthCheck } from '../../apps/health.js';
import { readModelsCaughtUp } from '../../apps/learning-schedule.js';
import type { Platform } from '../../apps/platform.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { systemClock } from '../../infrastructure/clock/system-clock.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { InProcessBus } from '../../infrastructure/messaging/in-process-bus.js';
import { listBacktestResults } from '../../projections/backtest-results/queries.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { ProjectionRunner, type ProjectionStatus } from '../../projections/runner.js';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backtestRoutes } from '../../apps/api/backtest-routes.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { EVENT_EXAMPLES, exampleMetadata } from '../events/examples.js';

const requested = (jobId: string, from: number): NewEvent => {
  const data = structuredClone(EVENT_EXAMPLES['BacktestRequested']!.data) as { jobId: string; job: { jobId: string; period: { from: number; to: number } } };
  data.jobId = jobId;
  data.job.jobId = jobId;
  data.job.period.from = from;
  return { eventId: randomUUID(), type: 'BacktestRequested', data, metadata: exampleMetadata() as NewEvent['metadata'] };
};

const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('recovery from an event that no longer decodes (quarantine)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let raw: PostgresEventStore;
  let store: EventStore;
  let pool: DatabasePool;
  let runner: ProjectionRunner;
  let platform: Platform;
  let checkpoints: PostgresCheckpointStore;
  let candles: PostgresCandleStore;
  let server: Server;
  const log = createLogger('silent');
  /** GET /api/backtests/:id as the API answers it. */
  const getBacktest = async (jobId: string) => {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/backtests/${jobId}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const [jobA, jobBad, jobC] = [randomUUID(), randomUUID(), randomUUID()];
  const badStream = `backtest-${jobBad}`;
  const env = () => ({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const backtests = async () => (await listBacktestResults(pool, { limit: 100 })).map((r) => r.jobId).sort();
  const statusOf = async (name: string): Promise<ProjectionStatus> => (await runner.status()).find((s) => s.name === name)!;

  before(async () => {
    db = await freshDatabase('quarantine');
    raw = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    store = checkedPostgresStore({ connectionString: db.url, pollIntervalMs: 50 });
    pool = await createReadModelPool(db.url);
    const config = loadConfig({ DATABASE_URL: db.url });
    if (either.isLeft(config)) throw new Error(config.left);
    platform = { config: config.right, log, databaseUrl: db.url, store, pool, clock: systemClock, ids: uuidIds, close: async () => undefined };
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });

    const a = await store.appendToStream(`backtest-${jobA}`, [requested(jobA, 1698796800000)]);
    expect(either.isRight(a)).to.equal(true);
    // The read models are built and running when the bad event arrives.
    const first = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log });
    await first.catchUp();
    await first.stop();
    // What the old release stored: today's check refuses it, the bare adapter takes it.
    const refused = await store.appendToStream(badStream, [requested(jobBad, Date.parse('1960-01-01T00:00:00Z'))]);
    expect(either.isLeft(refused) && refused.left.kind).to.equal('EventRejected');
    await raw.appendToStream(badStream, [requested(jobBad, Date.parse('1960-01-01T00:00:00Z'))]);
    await store.appendToStream(`backtest-${jobC}`, [requested(jobC, 1698796800000)]);
    runner = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log, idleMs: 50, lockRetryMs: 100 });
    runner.start();
    candles = new PostgresCandleStore({ connectionString: db.url });
    // The backtest routes only read here: nothing is dispatched.
    const app = express().use(backtestRoutes({ store, clock: systemClock, ids: uuidIds, db: pool, candles, dispatch: async () => undefined }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });
  after(async () => {
    await new Promise((r) => server?.close(r));
    await candles?.close();
    await runner?.stop();
    await checkpoints?.close();
    await store?.close();
    await raw?.close();
    await pool?.end();
    await db?.drop();
  });

  it('the projection stops at the event and records where, with the decode errors', async () => {
    const s = await eventually('backtest_results to stop', async () => {
      const st = await statusOf('backtest_results');
      return st.stopped !== null ? st : undefined;
    });
    const [stored] = await raw.readStream(badStream);
    expect(s.role).to.equal('halted');
    expect(s.stopped).to.deep.include({ streamName: badStream, revision: '0', eventId: stored!.eventId, eventType: 'BacktestRequested' });
    expect(s.stopped!.position).to.deep.equal({ commit: stored!.position.commit.toString(), prepare: stored!.position.prepare.toString() });
    expect(s.stopped!.errors!.map((e) => e.path)).to.include('data.job.period.from');
    // The rows before it are applied; nothing after it.
    expect(await backtests()).to.deep.equal([jobA]);
    // The job itself: a server fault that names the event (not a bare 500).
    const got = await getBacktest(jobBad);
    expect(got.status).to.equal(500);
    expect(got.body).to.include({ error: 'EventDecodeFailed', stream: badStream, revision: '0', eventType: 'BacktestRequested' });
  });

  it('/health says unhealthy, naming the projection, its position and error', async () => {
    const report = await healthCheck(platform, new InProcessBus(), checkpoints)();
    expect(report.healthy).to.equal(false);
    expect(report['status']).to.equal('unhealthy');
    expect(report['unhealthy']).to.deep.equal(['projection:backtest_results']);
    const p = (report['projections'] as { name: string; stopped: { streamName: string; position: unknown; error: string } | null }[]).find(
      (x) => x.name === 'backtest_results',
    )!;
    expect(p.stopped!.streamName).to.equal(badStream);
    expect(p.stopped!.position).to.not.equal(undefined);
    expect(p.stopped!.error).to.match(/does not decode/);
  });

  it('the learning cycle waiting on the read models fails at once with the stop (it would wait 10 minutes before)', async () => {
    // The live runner owns the projections: the cycle waits on it, and sees the stop.
    const wait = readModelsCaughtUp(platform, 10 * 60_000);
    let failure: Error | undefined;
    await wait().catch((e: Error) => (failure = e));
    expect(failure?.message).to.match(new RegExp(`backtest_results at ${badStream}@0`));
    expect(failure?.message).to.match(/quarantine/);
  });

  it('quarantining an event that decodes is refused; a wrong target is a usage error', async () => {
    const decodes = await runCli('apps/cli/quarantine.ts', ['add', `backtest-${jobA}@0`, '--reason', 'just because', '--operator', 'alice'], env());
    expect(decodes.code).to.equal(1);
    expect(decodes.stderr).to.match(/decodes: quarantine is only for events that do not/);
    const noReason = await runCli('apps/cli/quarantine.ts', ['add', `${badStream}@0`], env());
    expect(noReason.code).to.equal(2);
    expect(noReason.stderr).to.match(/--reason/);
    const missing = await runCli('apps/cli/quarantine.ts', ['add', `${badStream}@7`, '--reason', 'x', '--operator', 'alice'], env());
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/no event at/);
  });

  it('after `npm run quarantine -- add`, the running projection passes over it and goes on, and /health is healthy and lists it', async () => {
    const done = await runCli(
      'apps/cli/quarantine.ts',
      ['add', `${badStream}@0`, '--reason', 'stored by a release that accepted pre-1970 periods', '--operator', 'alice'],
      env(),
    );
    expect(done.code, done.stderr).to.equal(0);
    expect(done.stdout).to.match(/quarantined/);
    await eventually('backtest_results to go on', async () => ((await backtests()).length === 2 ? true : undefined));
    expect(await backtests()).to.deep.equal([jobA, jobC].sort());
    const s = await statusOf('backtest_results');
    expect(s.stopped).to.equal(null);
    expect(s.skippedQuarantined).to.equal(1);
    const report = await healthCheck(platform, new InProcessBus(), checkpoints)();
    expect(report['status'], JSON.stringify(report)).to.equal('ok');
    expect((report['quarantined'] as { streamName: string; reason: string; actor?: string }[]).map((q) => q.streamName)).to.deep.equal([badStream]);
    const listed = await runCli('apps/cli/quarantine.ts', ['list'], env());
    expect(listed.stdout).to.include(`${badStream}@0 (BacktestRequested`);
    // The quarantined job is gone, and says why; the others answer.
    const gone = await getBacktest(jobBad);
    expect(gone.status).to.equal(410);
    expect(gone.body).to.include({ error: 'BacktestQuarantined' });
    expect((await getBacktest(jobC)).status).to.equal(200);
    // History is not edited: the event is where it was, as it was.
    const [still] = await raw.readStream(badStream);
    expect((still!.data as { job: { period: { from: number } } }).job.period.from).to.equal(Date.parse('1960-01-01T00:00:00Z'));
  });

  it('a replay passes over the quarantined event and says so', async () => {
    await runner.stop();
    const replay = await runCli('apps/cli/replay.ts', ['backtest_results'], env());
    expect(replay.code, replay.stderr).to.equal(0);
    expect(replay.stdout).to.match(/passed over 1 quarantined event/);
    expect(replay.stdout).to.include(`${badStream}@0`);
    expect(await backtests()).to.deep.equal([jobA, jobC].sort());
  });

  it('lifting the quarantine makes the event count again: a replay stops at it and says how to quarantine it', async () => {
    const [stored] = await raw.readStream(badStream);
    const lifted = await runCli('apps/cli/quarantine.ts', ['lift', stored!.eventId, '--reason', 'testing the lift', '--operator', 'alice'], env());
    expect(lifted.code, lifted.stderr).to.equal(0);
    const replay = await runCli('apps/cli/replay.ts', ['backtest_results'], env());
    expect(replay.code).to.equal(1);
    expect(replay.stderr).to.match(/does not decode/);
    // The failed replay changed nothing.
    expect(await backtests()).to.deep.equal([jobA, jobC].sort());
  });
});

describe('a projection that meets an unreadable event in its first build', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let raw: PostgresEventStore;
  let store: EventStore;
  let pool: DatabasePool;
  let runner: ProjectionRunner | undefined;
  const log = createLogger('silent');

  before(async () => {
    db = await freshDatabase('quarantine_first');
    raw = new PostgresEventStore({ connectionString: db.url });
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
  });
  after(async () => {
    await runner?.stop();
    await store?.close();
    await raw?.close();
    await pool?.end();
    await db?.drop();
  });

  it('records the stop (with no rows built), and builds once the event is quarantined', async () => {
    const good = randomUUID();
    const bad = randomUUID();
    await store.appendToStream(`backtest-${good}`, [requested(good, 1698796800000)]);
    await raw.appendToStream(`backtest-${bad}`, [requested(bad, -1)]);
    runner = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log, idleMs: 50, lockRetryMs: 100 });
    runner.start();
    const stopped = await eventually('the first build to stop', async () => {
      const s = (await runner!.status()).find((x) => x.name === 'backtest_results')!;
      return s.stopped !== null ? s : undefined;
    });
    expect(stopped.storedVersion, 'never built').to.equal(0);
    expect(stopped.stopped!.streamName).to.equal(`backtest-${bad}`);
    expect(await listBacktestResults(pool, {})).to.have.length(0);
    const done = await runCli('apps/cli/quarantine.ts', ['add', `backtest-${bad}@0`, '--reason', 'negative period', '--operator', 'alice'], {
      DATABASE_URL: db.url,
      LOG_LEVEL: 'silent',
    });
    expect(done.code, done.stderr).to.equal(0);
    await eventually('the build to complete', async () => ((await listBacktestResults(pool, {})).length === 1 ? true : undefined));
    const s = (await runner.status()).find((x) => x.name === 'backtest_results')!;
    expect(s.storedVersion).to.equal(s.version);
    expect(s.stopped).to.equal(null);
  });
});
