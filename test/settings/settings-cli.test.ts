// `npm run settings`: an operator reads every setting (defaults until set), changes one with a reason, and the
// change is a SettingChanged on `settings`; a value out of range is refused (exit 1) naming the setting and its
// range, and wrong arguments exit 2 naming the problem; neither stores anything.
import { expect } from 'chai';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

describe('npm run settings (apps/cli/settings.ts)', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  const env = () => ({ DATABASE_URL: db.url, LOG_LEVEL: 'silent' });
  const settings = (...args: string[]) => runCli('apps/cli/settings.ts', args, env());
  const stored = () => store.readStream('settings');

  before(async () => {
    db = await freshDatabase('settings_cli');
    store = new PostgresEventStore({ connectionString: db.url });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it('show on a new platform: every setting at its default', async () => {
    const r = await settings('show');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/maxActiveStrategies\s+2\s+default\s+\(an integer from 1 to 10; default 2\)/);
    expect(r.stdout).to.match(/filter\.minWinRate\s+0\.35\s+default/);
    expect(r.stdout).to.match(/filter\.maxTotalReturn\s+5\s+default/);
  });

  it('set: records the value, the one it replaced, who and why; show reads it back', async () => {
    const r = await settings('set', 'maxActiveStrategies', '3', '--reason', 'a third strategy passed paper', '--operator', 'alice');
    expect(r.code, r.stderr).to.equal(0);
    const events = await stored();
    expect(events).to.have.length(1);
    expect(events[0]!.type).to.equal('SettingChanged');
    expect(events[0]!.data).to.deep.equal({
      name: 'maxActiveStrategies',
      value: 3,
      previous: 2,
      actor: 'operator:alice',
      reason: 'a third strategy passed paper',
    });
    expect(events[0]!.metadata).to.include({ actor: 'operator:alice' });
    const s = await settings('show');
    expect(s.stdout).to.match(/maxActiveStrategies\s+3\s+set/);
    const again = await settings('set', 'maxActiveStrategies', '3', '--reason', 'again', '--operator', 'alice');
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/already 3: nothing recorded/);
    expect(await stored()).to.have.length(1);
  });

  it('out of range (maxActiveStrategies 0 or 50): refused, exit 1, naming the setting and the range; nothing stored', async () => {
    for (const v of ['0', '50']) {
      const r = await settings('set', 'maxActiveStrategies', v, '--reason', 'try');
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stderr).to.include(`maxActiveStrategies must be an integer from 1 to 10, not ${v}`);
    }
    expect(await stored()).to.have.length(1);
  });

  it('wrong arguments exit 2 naming the problem and store nothing', async () => {
    const cases: [string[], RegExp][] = [
      [[], /say what to do/],
      [['change', 'maxActiveStrategies', '3'], /unknown command "change"/],
      [['set'], /name the setting/],
      [['set', 'maxLive', '3', '--reason', 'x'], /no setting "maxLive"/],
      [['set', 'filter.minSharpe', '--reason', 'x'], /give the value \(a number from/],
      [['set', 'filter.minSharpe', 'high', '--reason', 'x'], /set filter\.minSharpe: expected a number, got "high"/],
      [['set', 'filter.minSharpe', '1'], /--reason/],
      [['set', 'filter.minSharpe', '1', 'extra', '--reason', 'x'], /unexpected arguments: extra/],
      [['show', 'maxActiveStrategies'], /show takes no arguments/],
    ];
    for (const [args, message] of cases) {
      const r = await settings(...args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(message);
    }
    expect(await stored()).to.have.length(1);
  });
});
