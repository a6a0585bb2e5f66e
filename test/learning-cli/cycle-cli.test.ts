// `npm run cycle` end to end on its own database (real BTCUSDT and ETHUSDT 1h candles): a day runs and prints what
// it generated, a re-run appends nothing and says so, a re-run with another --n exits 2 naming the day's values,
// wrong arguments exit 2 naming the problem.
import { expect } from 'chai';
import pg from 'pg';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { importCandleFiles } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { realObservations } from '../operands/support.js';
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
    // The day's parameters, 3 per strategy, the insights and the policy (39); the six stages' CycleStageCompleted and
    // CycleCompleted (7); the one passed strategy promoted to paper (1).
    expect(first.stdout).to.match(/passed the filter: 1 of 12\n/);
    expect(first.stdout).to.match(/events appended: 47\n/);
    const again = await cli('--as-of', '2023-06-01T03:00:00Z', '--n', '12', '--timeframes', '1h,4h');
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.match(/ALREADY RAN: nothing appended/);
    expect(again.stdout).to.match(/events appended: 0\n/);
  });

  it("a re-run of the day with another --n exits 2 naming it and the day's values, appending nothing; without it, the day is its own", async () => {
    const events = new PostgresEventStore({ connectionString: db.url });
    try {
      const head = await events.headPosition();
      const other = await cli('--as-of', '2023-06-01T03:00:00Z', '--n', '13');
      expect(other.code, other.stderr).to.equal(2);
      expect(other.stderr).to.contain("learning cycle 2023-06-01 was started with other parameters: asked n 13 (the day's is 12)");
      expect(other.stderr).to.contain('n 12, seed 20230601, exchange binance, symbols BTCUSDT,ETHUSDT, timeframes 1h,4h');
      expect(other.stdout).to.equal('');
      expect(await events.headPosition()).to.deep.equal(head);
      const day = await cli('--as-of', '2023-06-01');
      expect(day.code, day.stderr).to.equal(0);
      expect(day.stdout).to.match(/^cycle 2023-06-01 as of 2023-06-01T03:00:00.000Z — ALREADY RAN: nothing appended\n/);
      expect(await events.headPosition()).to.deep.equal(head);
    } finally {
      await events.close();
    }
  });

  it('with cycle.operands = 1 and Fear & Greed imported, the day draws Fear & Greed conditions (the CLI gives the cycle the daily store)', async () => {
    const daily = new PostgresDailySeriesStore({ connectionString: db.url });
    try {
      await daily.write(await realObservations('fear_greed'));
    } finally {
      await daily.close();
    }
    const set = await runCli('apps/cli/settings.ts', ['set', 'cycle.operands', '1', '--reason', 'sentiment on', '--operator', 'test'], {
      DATABASE_URL: db.url,
      AMQP_URL: '',
      LOG_LEVEL: 'silent',
    });
    expect(set.code, set.stderr).to.equal(0);
    const run = await cli('--as-of', '2023-06-08T03:00:00Z', '--n', '40');
    expect(run.code, run.stderr).to.equal(0);
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      // The first day (2023-06-01) ran with the setting at 0 and no parent to inherit from: every hit is this day's.
      const { rows } = await sql.query<{ n: string }>(
        `SELECT count(*) AS n FROM events WHERE event_type = 'StrategyGenerated' AND data::text LIKE '%"daily": "fear_greed"%'`,
      );
      // Half the random genomes get one external condition (doc/operands.md): none of 40 would be a 1e-12 chance.
      expect(Number(rows[0]!.n)).to.be.above(0);
    } finally {
      await sql.end();
    }
  });

  for (const [args, message] of [
    [['--timeframes', '2h'], /--timeframes: a comma list of 1h, 4h, 1d .* got "2h"/],
    [['--as-of', 'yesterday'], /--as-of: not a time: "yesterday"/],
    [['--n', '0'], /--n: must be a positive integer, got "0"/],
    [['--seed', '1e30'], /--seed: must be a non-negative integer, got "1e30"/],
  ] as const)
    it(`exits 2 naming the problem: ${args.join(' ')}`, async () => {
      const r = await cli(...args);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(message);
    });
});
