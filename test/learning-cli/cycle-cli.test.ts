// `npm run cycle` end to end on its own database (real BTCUSDT and ETHUSDT 1h candles): a day runs and prints what
// it generated, a re-run appends nothing and says so, wrong arguments exit 2 naming the problem.
import { expect } from 'chai';
import { importCandleFiles } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { runCli, type CliRun } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { sharedDataFile } from '../support/shared-data.js';

describe('cycle CLI', function () {
  this.timeout(180_000);
  let db: TestDatabase;

  // AMQP_URL empty: the in-process bus, whatever the calling shell has set.
  const cli = (...args: string[]): Promise<CliRun> => runCli('apps/cli/cycle.ts', args, { DATABASE_URL: db.url, AMQP_URL: '', LOG_LEVEL: 'silent' });

  before(async () => {
    db = await freshDatabase('cycle_cli');
    const candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    try {
      for await (const r of importCandleFiles(candles, [sharedDataFile('binance_BTCUSDT_1h.csv.gz'), sharedDataFile('binance_ETHUSDT_1h.csv.gz')]))
        expect(r.error, r.file).to.equal(undefined);
    } finally {
      await candles.close();
    }
  });
  after(async () => {
    await db?.drop();
  });

  it('runs a day over 1h and 4h and prints what it generated; a re-run appends nothing', async () => {
    const first = await cli('--as-of', '2023-06-01T03:00:00Z', '--n', '12', '--timeframes', '1h,4h');
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^cycle 2023-06-01 as of 2023-06-01T03:00:00.000Z\n/);
    expect(first.stdout).to.match(/symbols BTCUSDT, ETHUSDT; regime \w+/);
    expect(first.stdout).to.match(/generated: 12 \(ga 0, policy 0, random 12\)/);
    expect(first.stdout).to.match(/events appended: 38\n/); // 3 per strategy, the insights and the policy
    const again = await cli('--as-of', '2023-06-01T03:00:00Z', '--n', '12', '--timeframes', '1h,4h');
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/ALREADY RAN: nothing appended/);
    expect(again.stdout).to.match(/events appended: 0\n/);
  });

  for (const [args, message] of [
    [['--timeframes', '2h'], /--timeframes: a comma list of 1h, 4h, 1d .* got "2h"/],
    [['--as-of', 'yesterday'], /--as-of: not a time: "yesterday"/],
    [['--n', '0'], /--n: must be a positive integer, got "0"/],
  ] as const)
    it(`exits 2 naming the problem: ${args.join(' ')}`, async () => {
      const r = await cli(...args);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(message);
    });
});
