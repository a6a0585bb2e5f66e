// `npm run risk`: an operator reads an account's limits, changes some, engages the manual kill switch and releases it,
// each a decision on `risk-<account>` that a gate opened afterwards obeys; wrong arguments exit 2 naming the problem
// and store nothing.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { loadRiskState } from '../../application/trading/risk-recorder.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { systemClock } from '../../infrastructure/clock/system-clock.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';

describe('npm run risk (apps/cli/risk.ts)', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  const env = () => ({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', RISK_MAX_DRAWDOWN: '0.3' });
  const risk = (...args: string[]) => runCli('apps/cli/risk.ts', args, env());
  const state = async () => {
    const s = await loadRiskState({ store: checkedPostgresStore({ connectionString: db.url }), clock: systemClock, ids: uuidIds }, 'paper-main');
    if (either.isLeft(s)) throw new Error('risk stream does not decode');
    return s.right;
  };

  before(async () => {
    db = await freshDatabase('risk_cli');
    store = new PostgresEventStore({ connectionString: db.url });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it('status of a new account: the configured limits (RISK_MAX_DRAWDOWN=0.3), no kill switch', async () => {
    const r = await risk('status', 'paper-main');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/from configuration/);
    expect(r.stdout).to.match(/maxDrawdown\s+0\.3\b/);
    expect(r.stdout).to.match(/no kill switch engaged/);
  });

  it('limits: changes the named ones, keeps the others, records who and why', async () => {
    const r = await risk('limits', 'paper-main', '--max-drawdown', '0.15', '--max-open-positions', '3', '--reason', 'first live week', '--operator', 'alice');
    expect(r.code, r.stderr).to.equal(0);
    const s = await state();
    expect(s.limits).to.include({ maxDrawdown: 0.15, maxOpenPositions: 3, maxSymbolExposure: 0.25 });
    const set = (await store.readStream('risk-paper-main')).find((e) => e.type === 'RiskLimitsSet');
    expect(set?.data).to.deep.include({ decidedBy: 'operator:alice', reason: 'first live week' });
  });

  it('kill then release: the manual switch is engaged, then released, by the operator with a reason', async () => {
    const k = await risk('kill', 'paper-main', '--reason', 'exchange incident', '--operator', 'bob');
    expect(k.code, k.stderr).to.equal(0);
    expect((await state()).engaged.manual).to.deep.include({ trigger: 'manual', decidedBy: 'operator:bob', reason: 'exchange incident' });
    const status = await risk('status', 'paper-main');
    expect(status.stdout).to.match(/kill switch manual engaged .* by operator:bob: exchange incident/);
    const again = await risk('kill', 'paper-main', '--reason', 'twice', '--operator', 'bob');
    expect(again.code, 'engaging an engaged switch is refused or a no-op, never a second switch').to.be.oneOf([0, 1]);
    const rel = await risk('release', 'paper-main', 'manual', '--reason', 'incident over', '--operator', 'alice');
    expect(rel.code, rel.stderr).to.equal(0);
    expect((await state()).engaged.manual).to.equal(undefined);
  });

  it('wrong arguments exit 2 naming the problem and store nothing', async () => {
    const n = (await store.readStream('risk-paper-main')).length;
    const cases: [string[], RegExp][] = [
      [[], /say what to do/],
      [['halt', 'paper-main'], /unknown command "halt"/],
      [['kill'], /name the account/],
      [['kill', 'paper-main'], /--reason/],
      [['limits', 'paper-main', '--reason', 'x'], /at least one limit/],
      [['limits', 'paper-main', '--max-drawdown', 'lots', '--reason', 'x'], /--max-drawdown: expected a number, got "lots"/],
      [['limits', 'paper-main', '--max-drawdown', '1.5', '--reason', 'x'], /maxDrawdown/],
      [['release', 'paper-main', 'everything', '--reason', 'x'], /which kill switch/],
      [['status', 'paper-main', '--max-drawdown', '0.1'], /belongs to the limits command/],
    ];
    for (const [args, message] of cases) {
      const r = await risk(...args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(message);
    }
    expect((await store.readStream('risk-paper-main')).length).to.equal(n);
  });
});
