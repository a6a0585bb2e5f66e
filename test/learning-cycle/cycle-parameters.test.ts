// A day's learning cycle is fixed by its first run's parameters, and learns only from what is in the log (real
// BTCUSDT and ETHUSDT 1h candles, fresh databases). A run that stops after k strategies (a store that fails on
// the next append) leaves LearningCycleStarted on `cycle-<day>`: a re-run with another n, seed, timeframes, symbols
// or minHistory is refused naming the difference and the day's value, appending nothing; a re-run without them
// resumes with the originals and ends exactly as a run that never stopped (compared with one on another database),
// and its policy update counts the strategies in the log. A day started before the event existed and re-run with
// another seed, or a stored strategy whose backtest differs, is not learned from: the counts come from reading the
// strategies' streams back, independently of the cycle's report.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { decodeAll } from '../../application/events/decode-event.js';
import { cycleStream, runDailyCycle, type DailyCycleDeps } from '../../application/learning/daily-cycle.js';
import type { AppendResult, EventStore, NewEvent } from '../../application/ports/event-store.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import type { LearningCycleStarted } from '../../domain/learning/cycle-started.js';
import type { LearningInsightsRecorded } from '../../domain/learning/events.js';
import { POLICY_STREAM, type LearningPolicyUpdated } from '../../domain/learning/policy-events.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { StrategyEvent } from '../../domain/strategy/events.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { openCycleFixture, runDay, type CycleFixture } from './cycle-fixture.js';

const FILES = ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz'];
const N = 8;

/** A store that fails every strategy append after the first `limit` (3 per strategy: generate, backtest, filter). */
/**
 * A process that stops after `limit` strategy events. The code before 2026-12-05 appended a strategy's three commands
 * one by one, so a log may hold a strategy only generated; today's one append per strategy cannot leave that, but a
 * day must still resume from it: the events of an append past the limit are written up to it, then the crash.
 */
const failingAfter = (store: EventStore, limit: number): EventStore => {
  let written = 0;
  return new Proxy(store, {
    get: (target, prop, receiver) =>
      prop === 'appendToStream'
        ? async (stream: string, events: readonly NewEvent[], ...rest: unknown[]) => {
            const append = (some: readonly NewEvent[]) => (target.appendToStream as (...a: unknown[]) => Promise<unknown>).call(target, stream, some, ...rest);
            if (!stream.startsWith('strategy-')) return append(events);
            const room = limit - written;
            if (room >= events.length) {
              written += events.length;
              return append(events);
            }
            if (room > 0) await append(events.slice(0, room));
            written = limit;
            throw new Error('crash: the process stopped');
          }
        : Reflect.get(target, prop, receiver),
  });
};

/** The code before LearningCycleStarted existed: the same run, without that event (nor the stage events, later still). */
const withoutStartedEvents = (store: EventStore): EventStore =>
  new Proxy(store, {
    get: (target, prop, receiver) =>
      prop === 'appendToStream'
        ? (stream: string, events: readonly { type: string }[], ...rest: unknown[]) =>
            events[0]?.type === 'LearningCycleStarted' || (events[0]?.type.startsWith('Cycle') ?? false)
              ? Promise.resolve(either.right<never, AppendResult>({ nextExpectedRevision: 0n, position: { commit: 0n, prepare: 0n }, appended: true }))
              : (target.appendToStream as (...a: unknown[]) => unknown).call(target, stream, events, ...rest)
        : Reflect.get(target, prop, receiver),
  });

interface StoredStrategy {
  readonly index: number;
  readonly types: readonly string[];
  readonly seed: number | undefined;
}

/** Every strategy of the day in the log (indices probed well past N), read back and decoded. */
const dayStrategies = async (store: EventStore, day: string): Promise<StoredStrategy[]> => {
  const out: StoredStrategy[] = [];
  for (let i = 0; i < 3 * N; i++) {
    const recorded = await store.readStream(`strategy-${uuidIds.idFor(`learning-cycle:${day}:strategy:${i}`)}`);
    if (recorded.length === 0) continue;
    const decoded = decodeAll<StrategyEvent>(recorded);
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    const events = decoded.right.map((d) => d.event);
    const generated = events.find((e) => e.type === 'StrategyGenerated');
    out.push({ index: i, types: events.map((e) => e.type), seed: generated?.type === 'StrategyGenerated' ? generated.data.genome.lineage.seed : undefined });
  }
  return out;
};
const COMPLETE = ['StrategyGenerated', 'StrategyBacktested', 'StrategyFiltered'];
// A passed strategy may since have been promoted to paper (the cycle's last stage).
const complete = (s: StoredStrategy) => s.types.slice(0, 3).join() === COMPLETE.join() && s.types.slice(3).every((t) => t === 'PaperTradingStarted');

const policyUpdateOf = async (store: EventStore, day: string) => {
  const decoded = decodeAll<LearningPolicyUpdated>(await store.readStream(POLICY_STREAM));
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  return decoded.right.find((d) => d.event.data.cycleId === day)?.event.data;
};

const cycleEvents = async (store: EventStore, day: string) => {
  // The parameters and the insights (the stage events are tested in cycle-stages.test.ts).
  const decoded = decodeAll<LearningCycleStarted | LearningInsightsRecorded>(
    (await store.readStream(cycleStream(day))).filter((r) => r.type === 'LearningCycleStarted' || r.type === 'LearningInsightsRecorded'),
  );
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  return decoded.right;
};

describe("a day's learning cycle: fixed by its first run, learning only from the log", function () {
  this.timeout(300_000);
  let fx: CycleFixture;
  let deps: DailyCycleDeps;

  before(async () => {
    fx = await openCycleFixture('cycle_parameters', FILES, new Date('2023-06-05T03:00:00.000Z'));
    deps = fx.deps;
  });
  after(async () => {
    await fx?.close();
  });

  describe('a day that stopped after 3 strategies (the 4th only generated)', () => {
    const DAY = '2023-06-05';
    const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
    let clean: CycleFixture | undefined;

    before(async () => {
      fx.clock.set(AS_OF);
      const crashed = await runDailyCycle({ ...deps, store: failingAfter(fx.store, 3 * 3 + 1) }, { asOf: AS_OF, n: N, minHistory: 5 }).then(
        () => 'finished',
        (err: Error) => err.message,
      );
      expect(crashed).to.contain('crash: the process stopped');
      await fx.runner.catchUp();
    });
    after(async () => {
      await clean?.close();
    });

    it("the first run recorded the day's parameters before its first strategy", async () => {
      const events = await cycleEvents(fx.store, DAY);
      expect(events.map((d) => d.event.type)).to.deep.equal(['LearningCycleStarted']);
      const started = events[0]!;
      expect(started.event.data).to.deep.include({
        cycleId: DAY,
        asOf: AS_OF.toISOString(),
        n: N,
        seed: 20230605,
        symbols: ['BTCUSDT', 'ETHUSDT'],
        minHistory: 5,
      });
      const first = await fx.store.readStream(`strategy-${uuidIds.idFor(`learning-cycle:${DAY}:strategy:0`)}`);
      expect(started.recorded.position.commit < first[0]!.position.commit || started.recorded.position.prepare < first[0]!.position.prepare).to.equal(true);
      const stored = await dayStrategies(fx.store, DAY);
      expect(stored.map((s) => [s.index, s.types.length])).to.deep.equal([
        [0, 3],
        [1, 3],
        [2, 3],
        [3, 1],
      ]);
      expect(await policyUpdateOf(fx.store, DAY)).to.equal(undefined);
    });

    for (const [asked, difference] of [
      [{ n: 12 }, { parameter: 'n', asked: '12', original: String(N) }],
      [{ seed: 7 }, { parameter: 'seed', asked: '7', original: '20230605' }],
      [{ timeframes: ['1h', '4h'] as const }, { parameter: 'timeframes', asked: '1h,4h', original: '1h' }],
      [{ symbols: ['BTCUSDT'] }, { parameter: 'symbols', asked: 'BTCUSDT', original: 'BTCUSDT,ETHUSDT' }],
      [{ minHistory: 6 }, { parameter: 'minHistory', asked: '6', original: '5' }],
      [{ filter: { minOosSharpe: 1, minOosTrades: 3, minIsSharpe: 0 } }, { parameter: 'filter.minOosSharpe', asked: '1', original: '0.5' }],
    ] as const)
      it(`a re-run asking ${JSON.stringify(asked)} is refused, naming it and the day's value; nothing is appended`, async () => {
        const head = await fx.store.headPosition();
        const r = await runDailyCycle(deps, { asOf: AS_OF, ...asked });
        if (either.isRight(r)) throw new Error('not refused');
        if (r.left.kind !== 'CycleParametersDiffer') throw new Error(r.left.message);
        expect(r.left.differences).to.deep.equal([difference]);
        expect(r.left.message).to.contain(
          `learning cycle ${DAY} was started with other parameters: asked ${difference.parameter} ${difference.asked} (the day's is ${difference.original})`,
        );
        expect(r.left.message).to.contain(`n ${N}, seed 20230605, exchange binance, symbols BTCUSDT,ETHUSDT, timeframes 1h`);
        expect(await fx.store.headPosition()).to.deep.equal(head);
      });

    it('a re-run without parameters (as of the day, whatever the configured timeframes) resumes with the original ones', async () => {
      const resumed = await runDay(deps, { asOf: new Date(`${DAY}T00:00:00.000Z`), defaultTimeframes: ['1h', '4h'] });
      await fx.runner.catchUp();
      expect(resumed.ran).to.equal(true);
      expect(resumed.asOf).to.equal(AS_OF.toISOString());
      expect(
        resumed.notes.some((x) =>
          x.startsWith(`cycle ${DAY} was started before: resuming it with its parameters (as of ${AS_OF.toISOString()}, n ${N}, seed 20230605`),
        ),
      ).to.equal(true);
      expect(resumed.notes.filter((x) => /stored with another/.test(x))).to.deep.equal([]);
      expect((await cycleEvents(fx.store, DAY)).map((d) => d.event.type)).to.deep.equal(['LearningCycleStarted', 'LearningInsightsRecorded']);
      // What the log holds, read back: N strategies, each Generated → Backtested → Filtered with the day's seed.
      const stored = await dayStrategies(fx.store, DAY);
      expect(stored).to.have.length(N);
      expect(stored.every((s) => complete(s) && s.seed === 20230605)).to.equal(true);
      const policy = await policyUpdateOf(fx.store, DAY);
      expect(policy?.results).to.equal(stored.length);
      expect(resumed.learnedFrom).to.equal(stored.length);
    });

    it('the resumed day ends exactly as a run that never stopped (the same day on another database)', async () => {
      clean = await openCycleFixture('cycle_parameters_clean', FILES, AS_OF);
      const straight = await runDay(clean.deps, { asOf: AS_OF, n: N, minHistory: 5 });
      expect(straight.ran).to.equal(true);
      expect(await policyUpdateOf(fx.store, DAY)).to.deep.equal(await policyUpdateOf(clean.store, DAY));
      const insightsOf = async (store: EventStore) =>
        (await cycleEvents(store, DAY)).map((d) => d.event).find((e) => e.type === 'LearningInsightsRecorded')?.data;
      expect(await insightsOf(fx.store)).to.deep.equal(await insightsOf(clean.store));
      for (const s of await dayStrategies(clean.store, DAY)) {
        const id = `strategy-${uuidIds.idFor(`learning-cycle:${DAY}:strategy:${s.index}`)}`;
        const data = async (store: EventStore) => (await store.readStream(id)).map((r) => [r.type, r.data]);
        expect(await data(fx.store), `strategy ${s.index}`).to.deep.equal(await data(clean.store));
      }
    });
  });

  // Mocha runs a suite's own tests before its nested suites: each case is a suite, so they run in this order.
  describe('a day started before its parameters were recorded', () => {
    it('re-run with another seed: only the strategies in the log as the re-run made them are learned from', async () => {
      const DAY = '2023-06-06';
      const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
      fx.clock.set(AS_OF);
      // The old code: no LearningCycleStarted, and it stopped after 3 strategies and the 4th one's Generated.
      const old = withoutStartedEvents(failingAfter(fx.store, 3 * 3 + 1));
      await runDailyCycle({ ...deps, store: old }, { asOf: AS_OF, n: N, seed: 111, minHistory: 5 }).then(
        () => expect.fail('the first run was to stop'),
        () => undefined,
      );
      expect(await cycleEvents(fx.store, DAY)).to.deep.equal([]);
      await fx.runner.catchUp();

      const rerun = await runDay(deps, { asOf: AS_OF, n: N, seed: 222, minHistory: 5 });
      await fx.runner.catchUp();
      expect(rerun.notes.some((x) => x.startsWith(`cycle ${DAY} was started before its parameters were recorded`))).to.equal(true);
      expect(rerun.notes.filter((x) => /is stored with another genome: left as it is, not learned from/.test(x))).to.have.length(4);

      const stored = await dayStrategies(fx.store, DAY);
      const byOldRun = stored.filter((s) => s.seed === 111);
      const asRerunMadeThem = stored.filter((s) => s.seed === 222 && complete(s));
      expect(byOldRun.map((s) => s.types.length)).to.deep.equal([3, 3, 3, 1]); // left as they were
      expect(asRerunMadeThem).to.have.length(N - 4);
      const policy = await policyUpdateOf(fx.store, DAY);
      expect(policy?.results, 'the policy update counts the strategies in the log as the re-run made them').to.equal(asRerunMadeThem.length);
      expect(rerun.learnedFrom).to.equal(asRerunMadeThem.length);
      const insights = (await cycleEvents(fx.store, DAY)).map((d) => d.event).find((e) => e.type === 'LearningInsightsRecorded');
      expect(insights?.type === 'LearningInsightsRecorded' && insights.data.insights.rows).to.equal(rerun.historySize + asRerunMadeThem.length);
      const started = (await cycleEvents(fx.store, DAY))[0]!.event;
      expect(started.type === 'LearningCycleStarted' && started.data).to.deep.include({ seed: 222, n: N, recordedOnResume: true });
    });
  });

  describe('a stored strategy with the same genome but another backtest', () => {
    it('is left as it is and not learned from', async () => {
      const DAY = '2023-06-07';
      const AS_OF = new Date(`${DAY}T03:00:00.000Z`);
      fx.clock.set(AS_OF);
      // Stops after strategy 0's Generated; then something else records another backtest for it.
      await runDailyCycle({ ...deps, store: failingAfter(fx.store, 1) }, { asOf: AS_OF, n: N, minHistory: 5 }).then(
        () => expect.fail('the first run was to stop'),
        () => undefined,
      );
      const strategyId = uuidIds.idFor(`learning-cycle:${DAY}:strategy:0`) as StrategyEvent['data']['strategyId'];
      const other = await handleStrategyCommand(
        fx.deps,
        {
          type: 'RecordBacktest',
          strategyId,
          data: {
            result: {
              metrics: { sharpe: 3, tradeCount: 40 },
              outOfSampleMetrics: { sharpe: 2.5, tradeCount: 12 },
              window: { start: '2023-03-25T03:00:00.000Z', end: AS_OF.toISOString() },
              timeframe: '1h',
              symbols: ['BTCUSDT'],
              dataFingerprint: 'f'.repeat(64),
              engineVersion: 'another',
            } as never,
          },
        },
        { actor: 'operator:test' as Actor },
      );
      expect(either.isRight(other)).to.equal(true);
      await fx.runner.catchUp();

      const resumed = await runDay(deps, { asOf: AS_OF });
      await fx.runner.catchUp();
      expect(
        resumed.notes.filter((x) => / is stored with another backtest \(data ffffffffffff…, engine another\): left as it is, not learned from$/.test(x)),
      ).to.have.length(1);
      const stored = await dayStrategies(fx.store, DAY);
      expect(stored.find((s) => s.index === 0)?.types).to.deep.equal(['StrategyGenerated', 'StrategyBacktested']);
      const inLog = stored.filter((s) => s.index !== 0 && complete(s));
      expect(inLog).to.have.length(N - 1);
      expect((await policyUpdateOf(fx.store, DAY))?.results).to.equal(inLog.length);
      expect(resumed.learnedFrom).to.equal(inLog.length);
      expect(resumed.ranking.map((r) => r.strategyId)).to.not.include(strategyId);
    });
  });
});
