// The activation step end to end on real PostgreSQL: strategies in Paper with eligible verdicts and paper days
// appended to their performance streams, the ranking and audit read models kept by the projector, and ticks at
// chosen times. Paper returns are m + 1% × (1, −1, 1, −1, 1, −1, 0): Sharpe = m / 1% × √365, so a larger m ranks
// higher (and draws down less).
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { ACTIVATION_ACTOR, createActivationStep, lastChangeFor, weighing } from '../../application/pipeline/activation-step.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import { loadSettings } from '../../application/settings/settings-recorder.js';
import { decideActivation } from '../../domain/activation/policy.js';
import { decisionRecord } from '../../domain/activation/record.js';
import type { PipelineStep } from '../../application/pipeline/step.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { changeSetting } from '../../application/settings/settings-recorder.js';
import { loadStrategy } from '../../application/strategy/handle-strategy-command.js';
import type { RankingRow } from '../../domain/monitoring/ranking.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { activationAuditProjection } from '../../projections/activation-audit/projection.js';
import { listActivationAudit } from '../../projections/activation-audit/queries.js';
import { rankingProjection } from '../../projections/ranking/projection.js';
import { listRanking } from '../../projections/ranking/queries.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { catchUpAll, History } from '../activation/history.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { memoryLog } from '../projections/support.js';

const HOUR = 3_600_000;
const Z = [1, -1, 1, -1, 1, -1, 0];
const paperReturns = (m: number) => Z.map((z) => m + 0.01 * z);
const T1 = new Date('2026-03-08T04:00:00.000Z');
const at = (hoursAfterT1: number) => new Date(T1.getTime() + hoursAfterT1 * HOUR);

describe('activation step (application/pipeline/activation-step.ts)', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let runner: ProjectionRunner;
  let h: History;
  let step: PipelineStep;
  const [p1, p2, p3, p4, p5, p6, p7] = Array.from({ length: 7 }, (): string => randomUUID()) as [string, string, string, string, string, string, string];
  const name = new Map<string, string>([p1, p2, p3, p4, p5, p6, p7].map((id, i) => [id, `P${i + 1}`]));
  const names = (ids: readonly string[]) => ids.map((id) => name.get(id) ?? id);

  const live = async () =>
    names(
      (await listRanking(pool))
        .filter((r) => r.state === 'Live')
        .map((r) => r.strategyId)
        .sort(),
    ).sort();
  const stateOf = async (id: string) => {
    const loaded = await loadStrategy(store, id);
    return either.isRight(loaded) ? loaded.right.state.status : 'unreadable';
  };
  const tick = async (now: Date) => {
    const out = await step.tick(now);
    await catchUpAll(pool, store, runner);
    return out;
  };

  before(async () => {
    db = await freshDatabase('activation_step');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    runner = new ProjectionRunner({ pool, store, projections: [rankingProjection, activationAuditProjection], log: memoryLog() });
    h = new History(store);
    for (const [id, m] of [
      [p1, 0.0013],
      [p2, 0.001],
      [p3, 0.0005],
      [p4, 0.0002],
      [p5, 0.004],
      [p6, -0.002],
    ] as const) {
      await h.toPaper(id);
      await h.days(id, 'paper', '2026-03-01', id === p6 ? [...paperReturns(m), ...paperReturns(m)] : paperReturns(m));
    }
    for (const id of [p1, p2, p3, p4]) await h.evaluate(id, 'eligible');
    await h.evaluate(p5, 'rejected'); // the best paper record, but rejected: never a candidate
    await h.evaluate(p6, 'rejected'); // 14 paper days (2 × 7) with a negative Sharpe: retired
    await catchUpAll(pool, store, runner);
    step = createActivationStep({
      store,
      ids: uuidIds,
      ranking: { list: () => listRanking(pool) },
      currentRegime: async () => 'trend_low_vol',
    });
  });

  after(async () => {
    await runner?.stop?.();
    await pool?.end();
    await db?.drop();
  });

  it('activates the top 2 eligible with decisions the decider accepted, and retires the persistent underperformer', async () => {
    const out = await tick(T1);
    expect(await live()).to.deep.equal(['P1', 'P2']);
    expect(await stateOf(p6)).to.equal('Retired');
    expect(out.appended).to.equal(3);
    const audit = await listActivationAudit(pool, {});
    expect(audit.map((a) => [name.get(a.strategyId), a.action, a.decidedBy]).sort()).to.deep.equal([
      ['P1', 'activated', 'system:activation-policy'],
      ['P2', 'activated', 'system:activation-policy'],
    ]);
    // Why P1 is live and what it was weighed against: the whole decision, every candidate, the reason.
    const p1Audit = audit.find((a) => a.strategyId === p1)!;
    expect(p1Audit.reason).to.match(/^ranked 1 of 4 with score/);
    expect(names(p1Audit.candidates!.map((c) => c.strategyId))).to.deep.equal(['P1', 'P2', 'P3', 'P4']);
    expect(p1Audit.decision).to.deep.include({
      activations: [p1, p2],
      deactivations: [],
      decidedAt: T1.getTime(),
      held: false,
      currentRegime: 'trend_low_vol',
    });
    expect(Date.parse(p1Audit.occurredAt)).to.equal(T1.getTime());
  });

  it('a second tick at the same now appends nothing; nor does a restarted one reading the read model as it was before', async () => {
    expect(await tick(T1)).to.deep.equal({ appended: 0, notes: [] });
    const stale: RankingRow[] = (await listRanking(pool)).map((r) =>
      r.strategyId === p1 || r.strategyId === p2 ? { ...r, state: 'Paper', lastChange: null } : r.strategyId === p6 ? { ...r, state: 'Paper' } : r,
    );
    const restarted = createActivationStep({ store, ids: uuidIds, ranking: { list: async () => stale }, currentRegime: async () => 'trend_low_vol' });
    const again = await restarted.tick(T1);
    expect(again.appended).to.equal(0);
    expect(await live()).to.deep.equal(['P1', 'P2']);
  });

  it('a breach deactivates (reason naming the rule and figures) and replaces inside the minimum interval', async () => {
    // P1's first live day: 1000 → 750, a 25% drawdown against 2 × the backtested 10%.
    await h.day(p1, 'live', '2026-03-08', { initialCapital: 1000, equity: 750, dayReturn: -0.25 });
    await catchUpAll(pool, store, runner);
    const out = await tick(at(1));
    expect(await live()).to.deep.equal(['P2', 'P3'].sort());
    const p1Off = (await listActivationAudit(pool, { strategyId: p1 }))[0]!;
    expect(p1Off.action).to.equal('deactivated');
    expect(p1Off.reason).to.match(/^breached: drawdown — live drawdown 25\.00% is beyond 2 × the backtested 10\.00% \(20\.00%\)/);
    expect(p1Off.reason).to.contain('paper_divergence');
    expect(p1Off.decision).to.deep.include({ held: true, deactivations: [p1], activations: [p3] });
    expect(p1Off.candidates!.find((c) => c.strategyId === p1)).to.deep.include({ breached: true, live: true });
    expect(out.notes.join('\n')).to.contain('(breached)');
  });

  it('holds inside the minimum interval even when a better candidate waits', async () => {
    await h.toPaper(p7);
    await h.days(p7, 'paper', '2026-03-01', paperReturns(0.0015));
    await h.evaluate(p7, 'eligible');
    await catchUpAll(pool, store, runner);
    expect(await tick(at(4.99))).to.deep.equal({ appended: 0, notes: [] });
    expect(await live()).to.deep.equal(['P2', 'P3']);
  });

  it('after the interval, the better candidate outranks the lowest unpinned live one; the pinned one is kept', async () => {
    await h.command('PinStrategy', p3, { decidedBy: 'operator:alice', reason: 'keep it' }, 'operator:alice');
    await catchUpAll(pool, store, runner);
    await tick(at(5));
    expect(await live()).to.deep.equal(['P3', 'P7'].sort().map((x) => x));
    const p2Off = (await listActivationAudit(pool, { strategyId: p2 }))[0]!;
    expect(p2Off).to.deep.include({ action: 'deactivated' });
    expect(p2Off.reason).to.match(/^outranked: score \d\.\d{4} is below .*\(\d\.\d{4}\) by at least the margin 0\.05$/);
    // The audit row explains it: the margin the decision was taken with, among its thresholds.
    expect(p2Off.thresholds).to.deep.include({ replacementMargin: 0.05 });
    expect(p2Off.decision!['thresholds']).to.deep.include({ replacementMargin: 0.05 });
  });

  it('obeys maxActiveStrategies changed through the settings stream', async () => {
    const changed = await changeSetting({ store, clock: fixedClock(at(6)), ids: uuidIds })({
      type: 'ChangeSetting',
      data: { name: 'maxActiveStrategies', value: 3 as never, decidedBy: 'operator:alice' as never, reason: 'room for one more' as never },
    });
    expect(either.isRight(changed)).to.equal(true);
    await tick(at(9));
    expect(await live()).to.have.length(3);
    // P1's paper record ranks it above P2, but its live record still breaches: it is not weighed for activation.
    expect(await live()).to.deep.equal(['P2', 'P3', 'P7']);
    const p2On = (await listActivationAudit(pool, { strategyId: p2 }))[0]!;
    expect(p2On.candidates!.find((c) => c.strategyId === p1)).to.deep.include({ breached: true, live: false });
    const rows = await listRanking(pool);
    expect(rows.find((r) => r.strategyId === p1)!.breachDeactivations).to.equal(1);
  });

  it('a decision left half done (deactivated, not activated) is decided again free of its own interval', () => {
    const row = (id: string, state: string, lastChange: RankingRow['lastChange']): RankingRow =>
      ({ strategyId: id, state, lastChange }) as unknown as RankingRow;
    const decision = { activations: [p4], deactivations: [p2], lastChangeAt: 1000 };
    const half = [
      row(p2, 'Paper', { action: 'deactivated', at: 5000, decidedBy: 'system:activation-policy', reason: 'outranked', decision }),
      row(p4, 'Paper', null),
    ];
    expect(lastChangeFor(half)).to.equal(1000);
    const done = [half[0]!, row(p4, 'Live', { action: 'activated', at: 5000, decidedBy: 'system:activation-policy', reason: 'r', decision })];
    expect(lastChangeFor(done)).to.equal(5000);
  });

  it('records nothing in the event store when nothing changes', async () => {
    const count = async () => Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM events`));
    const before = await count();
    await tick(at(10));
    expect(await count()).to.equal(before);
  });

  it('a decision left half done by a crash (deactivated, not activated) is completed by the next tick, inside the interval', async () => {
    const p8 = randomUUID();
    name.set(p8, 'P8');
    await h.toPaper(p8);
    await h.days(p8, 'paper', '2026-03-01', paperReturns(0.002));
    await h.evaluate(p8, 'eligible');
    await catchUpAll(pool, store, runner);
    // What the tick at(13) decides: P8 in, P2 (the lowest unpinned live) out. Only its deactivation is recorded,
    // as a tick killed between the two would leave it.
    const values = await loadSettings(store);
    if (either.isLeft(values)) return expect.fail('settings');
    const decided = decideActivation(weighing(await listRanking(pool), values.right, 'trend_low_vol', at(13)).input);
    if (either.isLeft(decided)) return expect.fail(decided.left.message);
    expect(names(decided.right.activate.map((w) => w.strategyId))).to.deep.equal(['P8']);
    expect(names(decided.right.deactivate.map((w) => w.strategyId))).to.deep.equal(['P2']);
    const record = decisionRecord(decided.right, p2);
    if (either.isLeft(record)) return expect.fail('record');
    const off = await handleStrategyCommand(
      { store, ids: uuidIds, clock: fixedClock(at(13)) },
      { type: 'DeactivateStrategy', strategyId: p2 as never, data: { decidedBy: ACTIVATION_ACTOR, reason: 'outranked' as never, decision: record.right } },
      { actor: ACTIVATION_ACTOR, idempotencyKey: `activation-policy:${at(13).getTime()}:${p2}:deactivate` },
    );
    expect(either.isRight(off)).to.equal(true);
    await catchUpAll(pool, store, runner);
    expect(await live()).to.deep.equal(['P3', 'P7']);
    // Restarted half an hour later, inside the 4 h interval of its own half decision: it completes it.
    const out = await tick(at(13.5));
    expect(await live()).to.deep.equal(['P3', 'P7', 'P8']);
    expect(out.appended).to.equal(1);
    expect(await tick(at(13.5))).to.deep.equal({ appended: 0, notes: [] });
  });

  it('a better candidate within the replacement margin (0.05 by default) waits; with the margin set to 0 it replaces', async () => {
    // P9 (m = 0.155%) ranks just above P7 (0.15%), the lowest unpinned live one: by less than the margin.
    const p9 = randomUUID();
    name.set(p9, 'P9');
    await h.toPaper(p9);
    await h.days(p9, 'paper', '2026-03-01', paperReturns(0.00155));
    await h.evaluate(p9, 'eligible');
    await catchUpAll(pool, store, runner);
    const values = await loadSettings(store);
    if (either.isLeft(values)) return expect.fail('settings');
    const weighed = decideActivation(weighing(await listRanking(pool), values.right, 'trend_low_vol', at(18)).input);
    if (either.isLeft(weighed)) return expect.fail(weighed.left.message);
    const score = (id: string) => weighed.right.weighed.find((w) => w.strategyId === id)!.score;
    expect(score(p9) - score(p7))
      .to.be.greaterThan(0)
      .and.lessThan(0.05);
    expect(await tick(at(18))).to.deep.equal({ appended: 0, notes: [] });
    expect(await live()).to.deep.equal(['P3', 'P7', 'P8']);

    const changed = await changeSetting({ store, clock: fixedClock(at(18.2)), ids: uuidIds })({
      type: 'ChangeSetting',
      data: { name: 'activation.replacementMargin', value: 0 as never, decidedBy: 'operator:alice' as never, reason: 'plain ranking' as never },
    });
    expect(either.isRight(changed)).to.equal(true);
    await tick(at(18.5));
    expect(await live()).to.deep.equal(['P3', 'P8', 'P9']);
    const p7Off = (await listActivationAudit(pool, { strategyId: p7 }))[0]!;
    expect(p7Off.reason).to.match(/by at least the margin 0$/);
    expect(p7Off.thresholds).to.deep.include({ replacementMargin: 0 });
  });
});
