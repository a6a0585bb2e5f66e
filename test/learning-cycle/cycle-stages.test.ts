// The daily cycle as a process on cycle-<day> (issue 11), on a fresh database and the real BTCUSDT and ETHUSDT 1h
// candles: a small real cycle records its stages in order (the default pair BNBUSDT without candles as a visible
// degradation) and the progress read model follows it; a tiny time budget on a test clock cuts the backtests and
// records what was left out; two triggers of one day: one runs, the other is refused naming the running one.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { Actor, Reason } from '../../domain/primitives/codecs.js';
import { changeSetting } from '../../application/settings/settings-recorder.js';
import { cycleStream, runDailyCycle, type DailyCycleDeps } from '../../application/learning/daily-cycle.js';
import { decodeAll } from '../../application/events/decode-event.js';
import type { WindowBacktests } from '../../application/ports/window-backtests.js';
import type { CycleStageEvent } from '../../domain/learning/cycle-stages.js';
import { advisoryCycleLock } from '../../infrastructure/db/advisory-cycle-lock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { getCycleProgress } from '../../projections/cycle-progress/queries.js';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { learningRoutes } from '../../apps/api/learning-routes.js';
import { openCycleFixture, runDay, type CycleFixture } from './cycle-fixture.js';

const FILES = ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz'];
const N = 12;

const stageEvents = async (fx: CycleFixture, day: string) => {
  const recorded = (await fx.store.readStream(cycleStream(day))).filter((r) => r.type.startsWith('Cycle'));
  const decoded = decodeAll<CycleStageEvent>(recorded);
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  return decoded.right.map((d) => d.event);
};

/**
 * The day's progress row once the read model holds its CycleCompleted: the store delivers an event once every older
 * transaction on the server has ended (other suites share it), so one catch-up may not see the last events yet.
 */
const completedProgress = async (fx: CycleFixture, day: string) => {
  for (let i = 0; ; i++) {
    await fx.runner.catchUp();
    const row = await getCycleProgress(fx.pool, day);
    if (row?.stage === 'done' || i > 300) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('the daily cycle as a process: stages, budget, one run at a time (real candles)', function () {
  this.timeout(300_000);
  let fx: CycleFixture;
  let deps: DailyCycleDeps;

  before(async () => {
    fx = await openCycleFixture('cycle_stages', FILES, new Date('2023-06-01T03:00:00.000Z'));
    deps = { ...fx.deps, chunkSize: 5 };
  });
  after(async () => {
    await fx?.close();
  });

  it('records LearningCycleStarted, the six stages in order with progress between backtest chunks, then CycleCompleted', async () => {
    const DAY = '2023-06-01';
    const r = await runDay(deps, { asOf: new Date(`${DAY}T03:00:00.000Z`), n: N, minHistory: 5 });
    const types = (await fx.store.readStream(cycleStream(DAY))).map((e) =>
      e.type === 'CycleStageCompleted' ? `stage:${(e.data as { stage: string }).stage}` : e.type,
    );
    // 12 genomes in chunks of 5: progress after 5 and 10 (not after the last chunk: the stage event says it).
    expect(types).to.deep.equal([
      'LearningCycleStarted',
      'stage:data',
      'stage:generate',
      'CycleBacktestsProgressed',
      'CycleBacktestsProgressed',
      'stage:backtest',
      'stage:filter',
      'LearningInsightsRecorded',
      'stage:learn',
      'stage:promote',
      'CycleCompleted',
    ]);
    const events = await stageEvents(fx, DAY);
    const stage = (name: string) => events.find((e) => e.type === 'CycleStageCompleted' && e.data.stage === name);
    const data = stage('data');
    expect(data?.type === 'CycleStageCompleted' && data.data.degradations).to.deep.equal([
      { symbol: 'BNBUSDT', reason: 'no binance 1h candles stored: left out of the cycle' },
    ]);
    expect(data?.type === 'CycleStageCompleted' && data.data.counts).to.include({ symbols: 2, leftOut: 1 });
    const progress = events
      .filter((e) => e.type === 'CycleBacktestsProgressed')
      .map((e) => e.type === 'CycleBacktestsProgressed' && [e.data.done, e.data.planned]);
    expect(progress).to.deep.equal([
      [5, N],
      [10, N],
    ]);
    const bt = stage('backtest');
    expect(bt?.type === 'CycleStageCompleted' && bt.data.counts).to.include({ planned: N, backtested: N, leftOut: 0 });
    const completed = events.find((e) => e.type === 'CycleCompleted');
    expect(completed?.type === 'CycleCompleted' && completed.data).to.deep.include({
      planned: N,
      backtested: N,
      passed: r.passed,
      promoted: r.promoted.length,
    });
    // A fixed clock: every stage took no time on it (the replay's case) — nothing recorded reads the wall clock.
    for (const e of events) if (e.type === 'CycleStageCompleted') expect(e.data.elapsedMs).to.equal(0);

    const row = await completedProgress(fx, DAY);
    expect(row).to.deep.include({ cycleId: DAY, stage: 'done', planned: N, backtested: N, etaMs: 0, elapsedMs: 0, finishedAt: `${DAY}T03:00:00.000Z` });

    // A re-run of a completed day appends nothing.
    const head = await fx.store.headPosition();
    const again = await runDay(deps, { asOf: new Date(`${DAY}T03:00:00.000Z`) });
    expect(again.ran).to.equal(false);
    expect(again.promoted).to.have.members(r.promoted);
    expect([again.planned, again.leftOut, again.paperResultsLearned]).to.deep.equal([N, 0, r.paperResultsLearned]);
    expect(await fx.store.headPosition()).to.deep.equal(head);
  });

  it('a cycle killed after its policy update resumes at its promotion and completes', async () => {
    const DAY = '2023-06-08';
    const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
    fx.clock.set(AS_OF);
    const crashing = new Proxy(fx.store, {
      get: (target, prop, receiver) =>
        prop === 'appendToStream'
          ? (stream: string, events: readonly { type: string; data: { stage?: string } }[], ...rest: unknown[]) =>
              events[0]?.type === 'CycleStageCompleted' && events[0].data.stage === 'learn'
                ? Promise.reject(new Error('killed'))
                : (target.appendToStream as (...a: unknown[]) => unknown).call(target, stream, events, ...rest)
          : Reflect.get(target, prop, receiver),
    });
    await runDailyCycle({ ...deps, store: crashing }, { asOf: AS_OF, n: 8, minHistory: 5 }).then(
      () => expect.fail('the run was to be killed'),
      () => undefined,
    );
    await fx.runner.catchUp();
    const resumed = await runDay(deps, { asOf: AS_OF });
    expect(resumed.ran).to.equal(true);
    expect(resumed.notes).to.include(`cycle ${DAY} learnt but did not finish: resuming at its promotion`);
    // The learn and promote stages, the completion, and the promotions: nothing else again.
    expect(resumed.appended).to.equal(3 + resumed.promoted.length);
    const types = (await fx.store.readStream(cycleStream(DAY))).map((e) =>
      e.type === 'CycleStageCompleted' ? `stage:${(e.data as { stage: string }).stage}` : e.type,
    );
    expect(types.slice(-3)).to.deep.equal(['stage:learn', 'stage:promote', 'CycleCompleted']);
  });

  it('a time budget spent half-way: the rest is left out, listed in CycleBudgetExhausted, never generated; a re-run keeps the cut', async () => {
    const DAY = '2023-06-02';
    const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
    fx.clock.set(AS_OF);
    const set = await changeSetting(fx.deps)({
      type: 'ChangeSetting',
      data: { name: 'cycle.budgetMinutes', value: 1 as never, decidedBy: 'operator:test' as Actor, reason: 'a tiny budget' as Reason },
    });
    expect(either.isRight(set)).to.equal(true);
    // Each chunk of 4 genomes takes 40 s on the test clock: the budget of 60 s is spent after two chunks (0 s, 40 s
    // started; 80 s ≥ 60 s stops the third), so 8 of 12 are backtested and genomes 8–11 are left out.
    const slow: WindowBacktests = {
      run: async (request) => {
        const runs = await fx.deps.backtests.run(request);
        fx.clock.set(new Date(fx.clock.now().getTime() + 40_000));
        return runs;
      },
    };
    const r = await runDay({ ...deps, backtests: slow, chunkSize: 4 }, { asOf: AS_OF, n: N, minHistory: 5 });
    expect(r.planned).to.equal(N);
    expect(r.generated).to.equal(8);
    expect(r.leftOut).to.equal(4);
    const events = await stageEvents(fx, DAY);
    const budget = events.find((e) => e.type === 'CycleBudgetExhausted');
    if (budget?.type !== 'CycleBudgetExhausted') throw new Error('no CycleBudgetExhausted');
    expect(budget.data.planned).to.equal(N);
    expect(budget.data.backtested).to.equal(8);
    expect(budget.data.budgetMs).to.equal(60_000);
    expect(budget.data.elapsedMs).to.equal(80_000);
    expect(budget.data.leftOut.map((g) => g.index)).to.deep.equal([8, 9, 10, 11]);
    for (const g of budget.data.leftOut) expect(g.fingerprint).to.match(/^[0-9a-f]+$/);
    // The left-out genomes were never generated as strategies; the backtested ones were recorded.
    for (let i = 0; i < N; i++) {
      const stream = await fx.store.readStream(`strategy-${uuidIds.idFor(`learning-cycle:${DAY}:strategy:${i}`)}`);
      expect(stream.length > 0, `strategy ${i}`).to.equal(i < 8);
    }
    const completed = events.find((e) => e.type === 'CycleCompleted');
    expect(completed?.type === 'CycleCompleted' && [completed.data.planned, completed.data.backtested]).to.deep.equal([N, 8]);
    const row = await completedProgress(fx, DAY);
    expect(row?.budget).to.deep.equal({ planned: N, backtested: 8, leftOut: 4, budgetMs: 60_000 });
    expect(row?.elapsedMs).to.equal(80_000);
    const back = await changeSetting(fx.deps)({
      type: 'ChangeSetting',
      data: { name: 'cycle.budgetMinutes', value: 180 as never, decidedBy: 'operator:test' as Actor, reason: 'back to the default' as Reason },
    });
    expect(either.isRight(back)).to.equal(true);
  });

  it('a cycle killed after its budget cut resumes with the recorded cut, whatever the budget now', async () => {
    const DAY = '2023-06-03';
    const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
    fx.clock.set(AS_OF);
    await changeSetting(fx.deps)({
      type: 'ChangeSetting',
      data: { name: 'cycle.budgetMinutes', value: 1 as never, decidedBy: 'operator:test' as Actor, reason: 'a tiny budget' as Reason },
    });
    const slow: WindowBacktests = {
      run: async (request) => {
        const runs = await fx.deps.backtests.run(request);
        fx.clock.set(new Date(fx.clock.now().getTime() + 40_000));
        return runs;
      },
    };
    // Killed at its first strategy append, after CycleBudgetExhausted (8 of 12).
    const crashing = new Proxy(fx.store, {
      get: (target, prop, receiver) =>
        prop === 'appendToStream'
          ? (stream: string, ...rest: unknown[]) =>
              stream.startsWith('strategy-')
                ? Promise.reject(new Error('killed'))
                : (target.appendToStream as (...a: unknown[]) => unknown).call(target, stream, ...rest)
          : Reflect.get(target, prop, receiver),
    });
    await runDailyCycle({ ...deps, store: crashing, backtests: slow, chunkSize: 4 }, { asOf: AS_OF, n: N, minHistory: 5 }).then(
      () => expect.fail('the run was to be killed'),
      () => undefined,
    );
    await changeSetting(fx.deps)({
      type: 'ChangeSetting',
      data: { name: 'cycle.budgetMinutes', value: 180 as never, decidedBy: 'operator:test' as Actor, reason: 'back to the default' as Reason },
    });
    const resumed = await runDay({ ...deps, chunkSize: 4 }, { asOf: AS_OF });
    expect([resumed.planned, resumed.generated, resumed.leftOut]).to.deep.equal([N, 8, 4]);
    const budgets = (await stageEvents(fx, DAY)).filter((e) => e.type === 'CycleBudgetExhausted');
    expect(budgets).to.have.length(1);
  });

  it('two triggers of one day at once: one runs, the other is refused naming the running one and appends nothing', async () => {
    const DAY = '2023-06-04';
    const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
    fx.clock.set(AS_OF);
    const [a, b] = await Promise.all([
      runDailyCycle(deps, { asOf: AS_OF, n: 6, minHistory: 5, trigger: 'the schedule' }),
      runDailyCycle(deps, { asOf: AS_OF, n: 6, minHistory: 5, trigger: 'npm run cycle' }),
    ]);
    expect(either.isRight(a)).to.equal(true);
    if (either.isRight(b)) throw new Error('the second trigger was not refused');
    expect(b.left.kind).to.equal('CycleAlreadyRunning');
    expect(b.left.message).to.contain(`learning cycle ${DAY} is already running (the schedule): this trigger (npm run cycle) is refused`);
  });

  it('GET /api/cycles lists the days newest first (before a day, up to a limit); /api/cycles/:day serves one, 404 for an unknown day, 400 for a bad one', async () => {
    await completedProgress(fx, '2023-06-04');
    const app = express().use(learningRoutes({ db: fx.pool }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const list = (await (await fetch(`${base}/api/cycles?limit=2&before=2023-06-05`)).json()) as { cycles: { cycleId: string; stage: string }[] };
      expect(list.cycles.map((c) => c.cycleId)).to.deep.equal(['2023-06-04', '2023-06-03']);
      const one = await fetch(`${base}/api/cycles/2023-06-02`);
      expect(one.status).to.equal(200);
      expect(await one.json()).to.deep.include({ cycleId: '2023-06-02', stage: 'done', planned: N, backtested: 8 });
      expect((await fetch(`${base}/api/cycles/2023-01-01`)).status).to.equal(404);
      expect((await fetch(`${base}/api/cycles/yesterday`)).status).to.equal(400);
    } finally {
      server.close();
    }
  });

  it('across processes: the PostgreSQL advisory lock refuses a second holder of the day and frees it after the run', async () => {
    const lock = advisoryCycleLock(fx.pool);
    const inner = await lock.withLock('2023-06-05', 'first', async () => lock.withLock('2023-06-05', 'second', async () => 'ran twice'));
    expect(inner).to.deep.equal({ acquired: true, value: { acquired: false, holder: 'another process (it holds the PostgreSQL advisory lock of the day)' } });
    expect(await lock.withLock('2023-06-05', 'third', async () => 'free again')).to.deep.equal({ acquired: true, value: 'free again' });
    // Another day is not held by the first.
    const other = await lock.withLock('2023-06-05', 'a', async () => lock.withLock('2023-06-06', 'b', async () => 'other day'));
    expect(other).to.deep.equal({ acquired: true, value: { acquired: true, value: 'other day' } });
  });
});
