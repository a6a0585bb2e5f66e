// `npm run operator` as a child process on a real database: the overrides go through the strategy decider with the
// operator's name and reason; a manual activation records the policy's weighing (and makes room at the maximum);
// an unknown or retired strategy, a bad id and a missing actor are clear errors (exit 2); a setting out of range is
// refused by `npm run settings` (exit 1), as the operator's usage points to.
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { strategyStream } from '../../domain/strategy/events.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { rankingProjection } from '../../projections/ranking/projection.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { memoryLog } from '../projections/support.js';
import { catchUpAll, History } from './history.js';

describe('npm run operator (apps/cli/operator.ts)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let runner: ProjectionRunner;
  const [p1, p2, p3, retired, unknown] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const env = () => ({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const operator = async (...args: string[]) => {
    const out = await runCli('apps/cli/operator.ts', args, env());
    await catchUpAll(pool, store, runner);
    return out;
  };
  const as = ['--actor', 'operator:alice', '--reason', 'checked by hand'];
  const last = async (id: string) => {
    const events = await store.readStream(strategyStream(id));
    return events[events.length - 1]!;
  };

  before(async () => {
    db = await freshDatabase('operator_cli');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    runner = new ProjectionRunner({ pool, store, projections: [rankingProjection], log: memoryLog() });
    const h = new History(store);
    for (const [id, m] of [
      [p1, 0.001],
      [p2, 0.0013],
      [p3, 0.0005],
      [retired, 0.001],
    ] as const) {
      await h.toPaper(id);
      await h.days(id, 'paper', '2026-03-01', [m + 0.01, m - 0.01, m + 0.01, m - 0.01]);
      if (id !== p3) await h.evaluate(id, 'eligible');
    }
    await h.command('RetireStrategy', retired, { decidedBy: 'operator:bob', reason: 'done' });
    await catchUpAll(pool, store, runner);
  });

  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('refuses an unknown strategy and a retired one with exit 2, naming it', async () => {
    const u = await operator('activate', unknown, ...as);
    expect(u.code).to.equal(2);
    expect(u.stderr).to.contain(`no strategy ${unknown}`);
    const r = await operator('pin', retired, ...as);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain(`strategy ${retired} is retired`);
  });

  it('refuses a bad id, an unknown command and a missing actor or reason with exit 2 and the usage', async () => {
    for (const args of [
      ['pin', 'nope', ...as],
      ['promote', p1, ...as],
      ['pin', p1, '--reason', 'x'],
      ['pin', p1, '--actor', 'operator:alice'],
    ]) {
      const out = await runCli('apps/cli/operator.ts', args, env());
      expect(out.code, args.join(' ')).to.equal(2);
      expect(out.stderr).to.contain('usage: npm run operator').and.contain('npm run settings -- set').and.contain('npm run risk -- kill');
    }
  });

  it('pins with the operator as actor and the reason', async () => {
    const out = await operator('pin', p1, ...as);
    expect(out.code, out.stderr).to.equal(0);
    const e = await last(p1);
    expect(e.type).to.equal('StrategyPinned');
    expect(e.data).to.deep.include({ decidedBy: 'operator:alice', reason: 'checked by hand' });
    expect((e.metadata as { actor: string }).actor).to.equal('operator:alice');
  });

  it('activates with the policy weighing every candidate; again is refused (exit 1)', async () => {
    const out = await operator('activate', p1, ...as);
    expect(out.code, out.stderr).to.equal(0);
    const e = await last(p1);
    expect(e.type).to.equal('StrategyActivated');
    const data = e.data as { decidedBy: string; decision: { activations: string[]; candidates: { strategyId: string }[] } };
    expect(data.decidedBy).to.equal('operator:alice');
    expect(data.decision.activations).to.deep.equal([p1]);
    expect(data.decision.candidates.map((c) => c.strategyId).sort()).to.deep.equal([p1, p2].sort());
    const again = await operator('activate', p1, ...as);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('already live');
  });

  it('at the maximum (2), a manual activation deactivates the lowest-ranked unpinned live one, never the pinned', async () => {
    expect((await operator('activate', p2, ...as)).code).to.equal(0);
    // p3 was never judged (not a policy candidate), but an operator may still activate it: p1 is pinned, p2 makes room.
    const out = await operator('activate', p3, ...as);
    expect(out.code, out.stderr).to.equal(0);
    expect(out.stdout).to.contain(`deactivated ${p2}`);
    const off = await last(p2);
    expect(off.type).to.equal('StrategyDeactivated');
    expect((off.data as { reason: string }).reason).to.match(/^outranked: made room at the maximum for /);
    expect((await last(p1)).type).to.equal('StrategyActivated');
  });

  it('deactivates, unpins and retires', async () => {
    expect((await operator('deactivate', p3, ...as)).code).to.equal(0);
    expect((await last(p3)).type).to.equal('StrategyDeactivated');
    expect((await operator('unpin', p1, ...as)).code).to.equal(0);
    expect((await operator('retire', p1, ...as)).code).to.equal(0);
    expect((await last(p1)).data).to.deep.include({ fromState: 'Live', decidedBy: 'operator:alice' });
  });

  it('a setting out of range is refused by npm run settings, naming the range', async () => {
    for (const value of ['0', '50']) {
      const out = await runCli('apps/cli/settings.ts', ['set', 'maxActiveStrategies', value, '--reason', 'try'], env());
      expect(out.code).to.equal(1);
      expect(out.stderr).to.contain('maxActiveStrategies must be an integer from 1 to 10');
    }
  });
});
