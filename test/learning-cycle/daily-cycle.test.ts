// The daily learning cycle end to end on a fresh database and the real BTCUSDT and ETHUSDT 1h candles: a small
// cycle as of 2023-06-01 03:00 UTC records every strategy's Generated → Backtested → Filtered, its insights and the
// policy; the next day learns from the first (no first-day fallback) and never regenerates a tested genome; a
// re-run of a day appends nothing.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { decodeAll } from '../../application/events/decode-event.js';
import { cycleStream, type DailyCycleDeps, type DailyCycleReport } from '../../application/learning/daily-cycle.js';
import type { LearningCycleStarted } from '../../domain/learning/cycle-started.js';
import type { LearningInsightsRecorded } from '../../domain/learning/events.js';
import { POLICY_STREAM, type LearningPolicyUpdated } from '../../domain/learning/policy-events.js';
import type { StrategyEvent } from '../../domain/strategy/events.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { ProjectionRunner } from '../../projections/runner.js';
import { trainingRows } from '../../projections/training-set/queries.js';
import { openCycleFixture, runDay, type CycleFixture } from './cycle-fixture.js';

const DAY1 = new Date('2023-06-01T03:00:00.000Z');
const DAY2 = new Date('2023-06-02T03:00:00.000Z');
const N = 20;

describe('daily learning cycle (real candles, fresh database)', function () {
  this.timeout(300_000);
  let fx: CycleFixture;
  let store: EventStore;
  let pool: DatabasePool;
  let runner: ProjectionRunner;
  let deps: DailyCycleDeps;
  let clock: CycleFixture['clock'];
  let day1: DailyCycleReport;
  let day2: DailyCycleReport;

  const streamTypes = async (id: string) => (await store.readStream(`strategy-${id}`)).map((r) => r.type);
  const fingerprintsOf = async (ids: readonly string[]) =>
    pool.anyFirst(sql.type(z.object({ f: z.string() }))`SELECT genome_fingerprint AS f FROM training_set WHERE strategy_id = ANY(${sql.array(ids, 'uuid')})`);

  before(async () => {
    fx = await openCycleFixture('daily_cycle', ['binance_BTCUSDT_1h.csv.gz', 'binance_ETHUSDT_1h.csv.gz'], DAY1);
    ({ store, pool, runner, deps, clock } = fx);
    day1 = await runDay(deps, { asOf: DAY1, n: N, minHistory: 5 });
    await runner.catchUp();
  });
  after(async () => {
    await fx?.close();
  });

  it('day 1: generates N strategies on the symbols with candles, first day all exploration, and says so', () => {
    expect(day1.ran).to.equal(true);
    expect(day1.cycleId).to.equal('2023-06-01');
    expect(day1.symbols).to.deep.equal(['BTCUSDT', 'ETHUSDT']); // BNBUSDT has no candles here
    expect(day1.notes.some((n) => /BNBUSDT: no binance 1h candles/.test(n))).to.equal(true);
    expect(day1.generated).to.equal(N);
    expect(day1.produced.random).to.equal(N);
    expect(day1.notes.some((n) => /genomes are random \(exploration\)/.test(n))).to.equal(true);
    expect(day1.ranking).to.have.length(N);
    // the day's parameters, 3 per strategy, the insights and the policy, 6 stage events and the completion, the promotions
    expect(day1.appended).to.equal(3 * N + 3 + 7 + day1.promoted.length);
    expect(day1.learnedFrom).to.equal(N);
    expect(day1.inSample).to.deep.equal({ start: '2023-03-19T03:00:00.000Z', end: '2023-05-18T03:00:00.000Z' });
    expect(day1.outOfSample).to.deep.equal({ start: '2023-05-18T03:00:00.000Z', end: '2023-06-01T03:00:00.000Z' });
  });

  it('day 1: every strategy is Generated → Backtested → Filtered in the store and in the projections', async () => {
    for (const s of day1.ranking) expect(await streamTypes(s.strategyId)).to.deep.equal(['StrategyGenerated', 'StrategyBacktested', 'StrategyFiltered']);
    const ids = day1.ranking.map((s) => s.strategyId);
    const states = await pool.any(
      sql.type(z.object({ id: z.string(), state: z.string() }))`SELECT id::text AS id, state FROM strategies WHERE id = ANY(${sql.array(ids, 'uuid')})`,
    );
    expect(states).to.have.length(N);
    for (const s of states) expect(s.state).to.equal('Filtered');
    const rows = await trainingRows(pool);
    expect(rows).to.have.length(N);
    for (const r of rows) {
      expect(r.inSampleMetrics, 'IS metrics').to.not.equal(null);
      expect(r.outOfSampleMetrics, 'OOS metrics').to.not.equal(null);
      expect(r.engineVersion).to.be.a('string');
      expect(r.dataFingerprint).to.match(/^[0-9a-f]{64}$/);
      expect(r.regime?.['label']).to.equal(day1.regime);
      expect(['passed', 'rejected']).to.include(r.filterOutcome);
    }
    expect(rows.filter((r) => r.filterOutcome === 'passed')).to.have.length(day1.passed);
  });

  it('day 1: the backtest reads no candle that closed after asOf, and the verdict carries reasons and thresholds', async () => {
    const decoded = decodeAll<StrategyEvent>(await store.readStream(`strategy-${day1.ranking[0]!.strategyId}`));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    const [, backtested, filtered] = decoded.right.map((d) => d.event);
    if (backtested?.type !== 'StrategyBacktested' || filtered?.type !== 'StrategyFiltered') throw new Error('unexpected events');
    expect(backtested.data.result.window.end).to.equal(DAY1.toISOString());
    // 14 days of bars: the last one opens at 02:00 and closes at asOf (03:00); the 03:00 bar is not used.
    expect(backtested.data.result.outOfSampleMetrics?.['bars']).to.equal(14 * 24);
    expect(backtested.data.result.metrics['bars']).to.be.within(60 * 24 - 24, 60 * 24); // the real data has a gap or two
    expect(filtered.data.verdict.reasons.length).to.be.greaterThan(0);
    expect(filtered.data.verdict.thresholds).to.include.keys('minOosSharpe', 'minOosTrades', 'minIsSharpe');
    // The deflated Sharpe as a figure with its trials (the cycle's N), the same number its reason line states.
    const v = filtered.data.verdict;
    expect(v.trials).to.equal(N);
    const line = v.reasons.find((r) => r.startsWith('OOS deflated Sharpe'));
    if (v.deflatedSharpe === undefined) expect(line).to.include('not computable');
    else expect(line).to.equal(`OOS deflated Sharpe ${v.deflatedSharpe.toFixed(3)} (${N} trials)`);
  });

  it('day 1: the parameters, the insights and the policy events exist and decode', async () => {
    const cycle = decodeAll<LearningCycleStarted | LearningInsightsRecorded>(
      (await store.readStream(cycleStream('2023-06-01'))).filter((r) => r.type === 'LearningCycleStarted' || r.type === 'LearningInsightsRecorded'),
    );
    if (either.isLeft(cycle)) throw new Error(cycle.left.message);
    const [started, insights] = cycle.right.map((d) => d.event);
    if (started?.type !== 'LearningCycleStarted' || insights?.type !== 'LearningInsightsRecorded')
      throw new Error(`unexpected events ${cycle.right.map((d) => d.event.type).join(', ')}`);
    expect(cycle.right).to.have.length(2);
    expect(started.data).to.deep.equal({
      cycleId: '2023-06-01',
      asOf: DAY1.toISOString(),
      n: N,
      seed: 20230601,
      exchange: 'binance',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      isDays: 60,
      oosDays: 14,
      inSample: day1.inSample,
      outOfSample: day1.outOfSample,
      // The OOS gate and, since issue 11, the platform's thresholds (the settings' defaults: none is set here).
      filter: { minOosSharpe: 0.5, minOosTrades: 3, minIsSharpe: 0, minSharpe: 0.5, minWinRate: 0.35, minTotalReturn: -0.5, maxTotalReturn: 5, minTrades: 10 },
      minHistory: 5,
      // The default pair BNBUSDT has no candles here: recorded as left out, not skipped silently.
      leftOut: [{ symbol: 'BNBUSDT', reason: 'no binance 1h candles stored: left out of the cycle' }],
    });
    expect(insights.data.insights.rows).to.equal(N);
    const policy = decodeAll<LearningPolicyUpdated>(await store.readStream(POLICY_STREAM));
    if (either.isLeft(policy)) throw new Error(policy.left.message);
    expect(policy.right.map((d) => [d.event.type, d.event.data.cycleId])).to.deep.equal([['LearningPolicyUpdated', '2023-06-01']]);
    expect(policy.right[0]!.event.data.policy.updates).to.equal(1);
  });

  it('day 2 learns from day 1 (no first-day fallback) and never regenerates a tested genome', async () => {
    clock.set(DAY2);
    day2 = await runDay(deps, { asOf: DAY2, n: N, minHistory: 5 });
    await runner.catchUp();
    expect(day2.ran).to.equal(true);
    expect(day2.historySize).to.equal(N);
    expect(
      day2.notes.some((n) => /genomes are random \(exploration\)/.test(n)),
      day2.notes.join('\n'),
    ).to.equal(false);
    expect(day2.produced.ga + day2.produced.policy).to.be.greaterThan(0);
    expect(day2.policyUpdates).to.equal(2);
    const first = new Set(await fingerprintsOf(day1.ranking.map((s) => s.strategyId)));
    const second = await fingerprintsOf(day2.ranking.map((s) => s.strategyId));
    expect(second).to.have.length(N);
    expect(second.filter((f) => first.has(f))).to.deep.equal([]);
    expect(new Set(second).size).to.equal(N);
    expect(await trainingRows(pool)).to.have.length(2 * N);
    const ga = await pool.anyFirst(sql.type(z.object({ g: z.number() }))`SELECT DISTINCT generation AS g FROM training_set ORDER BY g`);
    expect(ga).to.deep.equal([0, 1]);
  });

  it('re-running a day that ran appends nothing and says so', async () => {
    const head = await store.headPosition();
    clock.set(DAY1);
    const again = await runDay(deps, { asOf: DAY1, n: N, minHistory: 5 });
    expect(again.ran).to.equal(false);
    expect(again.appended).to.equal(0);
    expect(again.notes.some((n) => /already ran/.test(n))).to.equal(true);
    expect(again.generated).to.equal(N);
    expect(await store.headPosition()).to.deep.equal(head);
    const twice = await runDay(deps, { asOf: DAY2, n: N, minHistory: 5 });
    expect(twice.ran).to.equal(false);
    expect(await store.headPosition()).to.deep.equal(head);
  });

  it('a cycle that stopped half-way is resumed: the same genomes, only the missing events appended', async () => {
    const DAY3 = new Date('2023-06-03T03:00:00.000Z');
    clock.set(DAY3);
    // A crash after every strategy was recorded, before the insights and the policy.
    const crashing = new Proxy(store, {
      get: (target, prop, receiver) =>
        prop === 'appendToStream'
          ? (stream: string, events: readonly { type: string }[], ...rest: unknown[]) =>
              events[0]?.type === 'LearningInsightsRecorded'
                ? Promise.reject(new Error('crash'))
                : (target.appendToStream as (...a: unknown[]) => unknown).call(target, stream, events, ...rest)
          : Reflect.get(target, prop, receiver),
    });
    let crashed = false;
    await runDay({ ...deps, store: crashing }, { asOf: DAY3, n: N, minHistory: 5 }).catch(() => (crashed = true));
    expect(crashed).to.equal(true);
    const resumed = await runDay(deps, { asOf: DAY3, n: N, minHistory: 5 });
    expect(resumed.ran).to.equal(true);
    expect(resumed.notes.some((n) => /resuming/.test(n))).to.equal(true);
    expect(
      resumed.notes.some((n) => /stored with another genome/.test(n)),
      resumed.notes.join('\n'),
    ).to.equal(false);
    // the insights, the policy, the learn and promote stages, the completion and the promotions only
    expect(resumed.appended).to.equal(5 + resumed.promoted.length);
    for (const s of resumed.ranking) expect(await streamTypes(s.strategyId)).to.deep.equal(['StrategyGenerated', 'StrategyBacktested', 'StrategyFiltered']);
  });
});
