// `npm run import:sentiment` end to end on its own database: the real ../shared/data folder (candle files skipped),
// a re-import, files with bad rows and a conflicting value (reported with file and line, the rest imported),
// and `--fetch` against a local server.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Day, SeriesId } from '../../domain/market/daily-series.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { runCli, type CliRun } from '../support/cli.js';
import { SHARED_DATA_DIR } from '../support/shared-data.js';
import { FNG_FILE, SP500_FILE, fngApiAnswer, fredCsv, json, sharedRows, startServer, text } from './support.js';

describe('import:sentiment CLI', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: PostgresDailySeriesStore;
  let tmp: string;

  const cli = (...args: string[]): Promise<CliRun> => runCli('apps/cli/import-sentiment.ts', args, { DATABASE_URL: db.url, LOG_LEVEL: 'silent' });

  before(async () => {
    db = await freshDatabase('sentiment_cli');
    store = new PostgresDailySeriesStore({ connectionString: db.url });
    tmp = mkdtempSync(path.join(tmpdir(), 'mt-sentiment-'));
  });
  after(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await store.close();
    await db.drop();
  });

  it('imports the four daily files of the real data folder and skips the candle files', async () => {
    const r = await cli(SHARED_DATA_DIR);
    expect(r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include(`${FNG_FILE}: fear_greed 2644 values read, 2644 inserted, 0 unchanged, 0 conflicts, 0 rows refused`);
    expect(r.stdout).to.include(`${SP500_FILE}: sp500 2515 values read, 2515 inserted`);
    expect(r.stdout).to.include('nasdaq_composite_daily.csv.gz: nasdaq 2602 values read, 2602 inserted');
    expect(r.stdout).to.include('vix_daily.csv.gz: vix 2623 values read, 2623 inserted');
    expect(r.stdout).to.match(/binance_BTCUSDT_1h\.csv\.gz: skipped, header open_time_ms,/);
    expect(r.stdout).to.match(/nasdaq_GOOG_1d\.csv\.gz: skipped/);
    const list = await store.list();
    expect(list.map((s) => [s.series, s.count])).to.deep.equal([
      ['fear_greed', 2644],
      ['nasdaq', 2602],
      ['sp500', 2515],
      ['vix', 2623],
    ]);
  });

  it('imports nothing twice', async () => {
    const r = await cli(path.join(SHARED_DATA_DIR, FNG_FILE));
    expect(r.code).to.equal(0);
    expect(r.stdout).to.include('fear_greed 2644 values read, 0 inserted, 2644 unchanged, 0 conflicts');
  });

  it('reports bad rows with file and line and a conflicting value, imports the rest, and exits 1', async () => {
    const fng = sharedRows(FNG_FILE)
      .slice(0, 5)
      .map((r) => r.join(','));
    const fngFile = path.join(tmp, 'fng-with-bad-rows.csv');
    writeFileSync(
      fngFile,
      ['date,value,classification', fng[0], '2018-02-02,high,Fear', fng[2], '2018-02-31,40,Fear', fng[3], fng[3], '2030-06-01,55,Greed', ''].join('\n'),
    );
    const sp = sharedRows(SP500_FILE).slice(0, 3);
    const spFile = path.join(tmp, 'SP500.csv');
    // Real closes in FRED's format, with a holiday row and one value changed: the stored close must stay.
    writeFileSync(spFile, fredCsv('SP500', [sp[0]!, sp[1]!, [sp[2]![0]!, '9999.5']], ['2015-05-25']));
    writeFileSync(path.join(tmp, 'notes.csv'), 'something,else\n1,2\n');

    const r = await cli(tmp);
    expect(r.code).to.equal(1);
    const err = r.stderr.trim().split('\n');
    expect(err).to.include(`${fngFile}:3: value: must be a number from 0 to 100, got "high"`);
    expect(err).to.include(`${fngFile}:5: date: expected Day, got "2018-02-31"`);
    expect(err).to.include(`${fngFile}:7: duplicate date ${fng[3]!.split(',')[0]} (first at line 6)`);
    expect(err).to.include(`${spFile}: conflict on sp500 ${sp[2]![0]}: value ${sp[2]![1]} ≠ 9999.5 (the stored row is kept)`);
    expect(r.stdout).to.include(`${fngFile}: fear_greed 4 values read, 1 inserted, 3 unchanged, 0 conflicts, 3 rows refused`);
    expect(r.stdout).to.include(`${spFile}: sp500 3 values read, 0 inserted, 2 unchanged, 1 conflicts, 0 rows refused, 1 days without a value`);
    expect(r.stdout).to.include('notes.csv: skipped');
    const stored = await store.read('sp500' as SeriesId, { from: sp[2]![0] as Day, to: sp[2]![0] as Day });
    expect(stored.value[0]).to.equal(Number(sp[2]![1]));
    expect((await store.read('fear_greed' as SeriesId, { from: '2030-06-01' as Day })).value[0]).to.equal(55);
  });

  it('refuses a file given by name that is not a sentiment file', async () => {
    const r = await cli(path.join(SHARED_DATA_DIR, 'binance_BTCUSDT_1h.csv.gz'));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/binance_BTCUSDT_1h\.csv\.gz: not imported: header open_time_ms/);
  });

  it('a file cut short is read whole or not at all: nothing of it imported, the cause named, exit 1', async () => {
    const whole = readFileSync(path.join(SHARED_DATA_DIR, FNG_FILE));
    const cut = path.join(tmp, 'fear_greed_cut.csv.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    const before = await store.list();
    const r = await cli(cut);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(`${cut}: not imported: cannot read: unexpected end of file\n`);
    expect(r.stdout).to.not.include('values read');
    expect(await store.list()).to.deep.equal(before);
  });

  it('--fetch reads a series from its HTTP source; a failing source exits 1 with its name', async () => {
    const server = await startServer({
      '/fng/': json(fngApiAnswer(sharedRows(FNG_FILE))),
      '/down': text('upstream down', 500, 'text/plain'),
    });
    try {
      const ok = await cli('--fetch', 'fear_greed', '--url', `${server.base}/fng/?limit=0&format=json`);
      expect(ok.code).to.equal(0);
      expect(ok.stdout).to.include('alternative.me: fear_greed 2644 values read, 0 inserted, 2644 unchanged, 0 conflicts');
      const down = await cli('--fetch', 'vix', '--url', `${server.base}/down`, '--timeout-ms', '2000');
      expect(down.code).to.equal(1);
      expect(down.stderr).to.match(/^fred:VIXCLS: http:\/\/127\.0\.0\.1:\d+\/down answered HTTP 500: upstream down/);
    } finally {
      await server.close();
    }
  });

  it('exits 2 with the usage on wrong arguments', async () => {
    const r = await cli('--series', 'dow');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--series must be one of sp500, nasdaq, vix[\s\S]*usage: npm run import:sentiment/);
  });
});
