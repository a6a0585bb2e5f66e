// The pipeline loop (application/pipeline/pipeline.ts, apps/pipeline.ts) on a real PostgreSQL with real candles and a
// real step (the day-closer: TradingDayClosed through handleCommand and a decider): replay ticks every hour of the
// range with the simulated time on every event, records a checkpoint per simulated hour, stops at a failing step
// naming it and the simulated hour, and started again goes on after its last checkpoint (the hour it stopped in) to
// the log an uninterrupted run leaves. Live: a failing step is logged, the others still tick, /health shows it; ticks never overlap.
import { expect } from 'chai';
import { sql } from 'slonik';
import { either } from 'fp-ts';
import { NOTHING_DUE, type PipelineStep } from '../../application/pipeline/step.js';
import { createPipeline, formatProgress, runReplay, StepFailed, type ReplayDeps, type ReplayProgress } from '../../application/pipeline/pipeline.js';
import { healthCheck } from '../../apps/health.js';
import { replayCatchUp, startPipelineLoop } from '../../apps/pipeline.js';
import { openPlatform, type Platform } from '../../apps/platform.js';
import { replayRange, replayStream } from '../../domain/pipeline/replay.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { loadConfig } from '../../infrastructure/config/config.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { importCandleFiles } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { InProcessBus } from '../../infrastructure/messaging/in-process-bus.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { sharedDataFile } from '../support/shared-data.js';
import { dayCloserStep } from './support/day-closer-step.js';

const range = (from: string, to: string) => {
  const r = replayRange(from, to);
  if (either.isLeft(r)) throw new Error(r.left);
  return r.right;
};

const open = async (db: TestDatabase): Promise<Platform> => {
  const config = loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', MARKET_DATA_SOURCE: 'none' });
  if (either.isLeft(config)) throw new Error(config.left);
  return openPlatform(config.right, 'pipeline-test');
};

/** A platform on the simulated clock, with the day-closer (3 accounts on BTCUSDT) and an optional step after it. */
const replayDeps = (platform: Platform, candles: PostgresCandleStore, since: number, extra: PipelineStep[] = []) => {
  const clock = simulatedClock(new Date(since));
  const step = dayCloserStep({ store: platform.store, clock, ids: platform.ids, candles }, { accounts: 3, symbol: 'BTCUSDT', since });
  const catchUp = replayCatchUp(platform);
  const seen: ReplayProgress[] = [];
  const deps: ReplayDeps = {
    steps: [step, ...extra],
    log: platform.log,
    caughtUp: catchUp.caughtUp,
    clock,
    command: { store: platform.store, clock, ids: platform.ids },
    tickMinute: 5,
    progress: (p) => seen.push(p),
    progressEveryMs: 50,
  };
  return { deps, seen, stop: catchUp.stop };
};

const theLog = async (platform: Platform) =>
  (
    await platform.pool.any(
      sql.unsafe`SELECT stream_name, stream_revision::text, event_id, event_type, data, metadata FROM events ORDER BY stream_name, events.stream_revision`,
    )
  ).map((e) => ({
    stream: e['stream_name'],
    revision: e['stream_revision'],
    id: e['event_id'],
    type: e['event_type'],
    data: e['data'],
    metadata: e['metadata'],
  }));

describe('pipeline loop: replay on a simulated clock', function () {
  this.timeout(180_000);
  let whole: TestDatabase;
  let broken: TestDatabase;
  const platforms: Platform[] = [];
  const stores: PostgresCandleStore[] = [];

  const setUp = async (db: TestDatabase) => {
    const platform = await open(db);
    const candles = new PostgresCandleStore({ connectionString: db.url });
    for await (const r of importCandleFiles(candles, [sharedDataFile('binance_BTCUSDT_1h.csv.gz')])) expect(r.error).to.equal(undefined);
    platforms.push(platform);
    stores.push(candles);
    return { platform, candles };
  };

  before(async () => {
    whole = await freshDatabase('pipeline_whole');
    broken = await freshDatabase('pipeline_broken');
  });
  after(async () => {
    for (const c of stores) await c.close();
    for (const p of platforms) await p.close();
    await whole?.drop();
    await broken?.drop();
  });

  const r = range('2023-09-01', '2023-09-04');
  let expected: Awaited<ReturnType<typeof theLog>>;

  it('ticks every hour of the range once, events carry the simulated time, one checkpoint per simulated hour', async () => {
    const { platform, candles } = await setUp(whole);
    const ticks: string[] = [];
    const recorder: PipelineStep = { name: 'recorder', tick: (now) => (ticks.push(now.toISOString()), Promise.resolve(NOTHING_DUE)) };
    const { deps, seen, stop } = replayDeps(platform, candles, r.start, [recorder]);
    const report = await runReplay(deps, r);
    await stop();
    // 3 days: 72 hours, ticked at minute 5 from 01:05 on the 1st to 00:05 on the 4th.
    expect(r.hours).to.equal(72);
    expect(ticks).to.have.length(72);
    expect(ticks[0]).to.equal('2023-09-01T01:05:00.000Z');
    expect(ticks[71]).to.equal('2023-09-04T00:05:00.000Z');
    expect(report.resumedAfter).to.equal(null);
    expect(report.hoursTicked).to.equal(72);
    // 3 accounts × 3 closed days + 72 checkpoints.
    expect(report.events).to.equal(81);

    expected = await theLog(platform);
    const checkpoints = expected.filter((e) => e.stream === replayStream('2023-09-01', '2023-09-04'));
    // After each tick, the hour it ticked: 2023-09-01 01:00 (hour 1) … 2023-09-04 00:00 (hour 72), recorded at minute 5.
    const hours = Array.from({ length: 72 }, (_, i) => Date.parse('2023-09-01T01:00:00Z') + i * 3_600_000);
    expect(checkpoints.map((e) => (e.data as { hour: number }).hour)).to.deep.equal(hours);
    expect(checkpoints.map((e) => (e.data as { hoursDone: number }).hoursDone)).to.deep.equal(hours.map((_, i) => i + 1));
    expect(checkpoints.map((e) => (e.metadata as { occurredAt: string }).occurredAt)).to.deep.equal(hours.map((h) => new Date(h + 5 * 60_000).toISOString()));
    expect(checkpoints[23]!.data).to.deep.include({ hour: Date.parse('2023-09-02T00:00:00Z'), hoursDone: 24 });
    // The day 2023-09-01 is closed at the first tick of the 2nd (simulated), not at the wall-clock time.
    const closed = expected.filter((e) => e.type === 'TradingDayClosed');
    expect(closed).to.have.length(9);
    const firstDay = closed.filter((e) => (e.data as { day: string }).day === '2023-09-01');
    expect(firstDay.map((e) => (e.metadata as { occurredAt: string }).occurredAt)).to.deep.equal(Array(3).fill('2023-09-02T00:05:00.000Z'));
    // BTCUSDT on 2023-09-01 (../shared/data): open 25940.77 at 00:00, close 25805.05 at 23:00; account 0 holds 1/3.
    const account0 = firstDay.find((e) => (e.data as { position: number }).position === 1 / 3)!.data as { equity: number };
    expect(account0.equity).to.be.closeTo(10_000 * (2 / 3 + 25805.05 / 25940.77 / 3), 1e-6);
    // The progress display: the simulated time, the stage, the events and the hours.
    const done = seen[seen.length - 1]!;
    expect(done.stage).to.equal('done');
    expect(formatProgress(done)).to.match(/^replay 2023-09-04 00:05 UTC \| done \| 81 events, \d+\/s \| hour 72\/72 \(100\.0%\)/);
  });

  it('stops at a failing step naming it and the simulated hour; started again it goes on after the last checkpoint to the same log', async () => {
    const { platform, candles } = await setUp(broken);
    let fail = true;
    const flaky: PipelineStep = {
      name: 'flaky',
      tick: (now) => (fail && now.toISOString() === '2023-09-03T07:05:00.000Z' ? Promise.reject(new Error('planted failure')) : Promise.resolve(NOTHING_DUE)),
    };
    const first = replayDeps(platform, candles, r.start, [flaky]);
    const failed = await runReplay(first.deps, r).then(
      () => undefined,
      (err: unknown) => err,
    );
    await first.stop();
    expect(failed).to.be.instanceOf(StepFailed);
    expect((failed as StepFailed).failure).to.deep.equal({ step: 'flaky', at: '2023-09-03T07:05:00.000Z', message: 'planted failure' });

    fail = false;
    const again = replayDeps(platform, candles, r.start, [flaky]);
    const report = await runReplay(again.deps, r);
    await again.stop();
    // The failed tick was 07:05 on the 3rd: the last checkpoint is 06:00's, and 07:00 is the first hour ticked again.
    expect(report.resumedAfter).to.equal('2023-09-03T06:00:00.000Z');
    expect(report.hoursTicked).to.equal(18);
    // A third start finds the range done and appends nothing.
    const third = replayDeps(platform, candles, r.start, [flaky]);
    const nothing = await runReplay(third.deps, r);
    await third.stop();
    expect([nothing.hoursTicked, nothing.events]).to.deep.equal([0, 0]);
    expect(await theLog(platform)).to.deep.equal(expected);
  });
});

describe('pipeline loop: live', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let platform: Platform;
  let checkpoints: PostgresCheckpointStore;

  before(async () => {
    db = await freshDatabase('pipeline_live');
    platform = await open(db);
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });
  });
  after(async () => {
    await checkpoints?.close();
    await platform?.close();
    await db?.drop();
  });

  it('a step that throws is logged with its name, the others still tick, /health shows it until the step succeeds', async () => {
    const calls: string[] = [];
    let broken = true;
    const steps: PipelineStep[] = [
      { name: 'selection', tick: () => (calls.push('selection'), broken ? Promise.reject(new Error('no pairs')) : Promise.resolve(NOTHING_DUE)) },
      { name: 'desk', tick: () => (calls.push('desk'), Promise.resolve({ appended: 0, notes: ['flat'] })) },
    ];
    const logged: { obj: object; msg: string }[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: (obj: object, msg: string) => void logged.push({ obj, msg }) };
    const pipeline = createPipeline({ steps, log }, 'live');
    const report = await pipeline.tick(new Date('2024-01-02T10:05:00Z'));
    expect(calls).to.deep.equal(['selection', 'desk']);
    expect(report.failures).to.deep.equal([{ step: 'selection', at: '2024-01-02T10:05:00.000Z', message: 'no pairs' }]);
    expect(report.notes).to.deep.equal([{ step: 'desk', note: 'flat' }]);
    expect(logged.map((l) => l.msg)).to.deep.equal(['pipeline step selection failed: tried again at the next tick']);

    const health = healthCheck(platform, new InProcessBus(), checkpoints, { pipeline: pipeline.status });
    const sick = await health();
    expect(sick['degraded']).to.include('pipeline');
    expect((sick['pipeline'] as { lastError: unknown }).lastError).to.deep.equal({ step: 'selection', at: '2024-01-02T10:05:00.000Z', message: 'no pairs' });

    broken = false;
    await pipeline.tick(new Date('2024-01-02T11:05:00Z'));
    const well = await health();
    expect(well['degraded']).to.not.include('pipeline');
    expect((well['pipeline'] as { ticks: number; lastError: unknown }).ticks).to.equal(2);
    expect((well['pipeline'] as { lastError: unknown }).lastError).to.equal(null);
  });

  it('ticks at minute PIPELINE_TICK_MINUTE of every hour, and a tick still running makes the next one skipped', async () => {
    let running = 0;
    let most = 0;
    let ticks = 0;
    let release: () => void = () => undefined;
    const slow: PipelineStep = {
      name: 'slow',
      tick: async () => {
        ticks += 1;
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((r) => (release = r));
        running -= 1;
        return NOTHING_DUE;
      },
    };
    const loop = startPipelineLoop(platform, [slow], () => Promise.resolve(), 7);
    try {
      expect(loop.job.nextRun()?.getUTCMinutes()).to.equal(7);
      const first = loop.job.run();
      const second = loop.job.run();
      await second;
      release();
      await first;
      expect([ticks, most]).to.deep.equal([1, 1]);
    } finally {
      await loop.stop();
    }
  });
});
