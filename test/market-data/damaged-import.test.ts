// A candle file cut short or damaged, on real data (../shared/data/binance_BTCUSDT_1h.csv.gz copied into a temp
// folder and cut or spoilt there): what the candle store holds afterwards, checked with SQL, and what the collection
// status says about it — the rows kept and the error, never a count of 0 beside stored rows. The rows a cut file
// should keep come from node's one-shot gunzip of the cut bytes (sync flush), not from the importer.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import pg from 'pg';
import type { DatabasePool } from 'slonik';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { importCandleFile } from '../../infrastructure/market-data/candle-file-import.js';
import { recordImportStatus } from '../../infrastructure/market-data/candle-import-status.js';
import { collectionStatusRecorder } from '../../infrastructure/market-data/collection-status-store.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { runCli } from '../support/cli.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { sharedDataFile } from '../support/shared-data.js';

const AT = new Date('2024-01-02T00:00:00.000Z');
const REAL = readFileSync(sharedDataFile('binance_BTCUSDT_1h.csv.gz'));
/** The real file's rows as [open time, close], read the plain way. */
const REAL_ROWS = gunzipSync(REAL)
  .toString('utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','))
  .map((f) => [Number(f[0]), Number(f[4])]);

/** The complete rows the undamaged prefix `bytes` decodes to (a last line without its newline is not complete). */
const rowsOfPrefix = (bytes: Buffer): number[][] => {
  const text = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  const lines = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l !== '');
  return lines
    .slice(1)
    .map((l) => l.split(','))
    .map((f) => [Number(f[0]), Number(f[4])]);
};

describe('a damaged candle file: what is stored, and what the collection status says', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let store: PostgresCandleStore;
  let pool: DatabasePool;
  let sqlClient: pg.Client;
  let dir: string;

  const storedRows = async (symbol: string): Promise<number[][]> =>
    (
      await sqlClient.query(`SELECT open_time, close FROM candles WHERE exchange = 'binance' AND symbol = $1 AND interval = '1h' ORDER BY open_time`, [symbol])
    ).rows.map((r: { open_time: string; close: number }) => [Number(r.open_time), r.close]);
  const statusRow = async (symbol: string) => {
    const rows = (
      await sqlClient.query(
        `SELECT observations::int AS observations, (extract(epoch FROM last_observation_at) * 1000)::bigint AS last, last_error, consecutive_errors, last_update_at IS NOT NULL AS updated
           FROM collection_status WHERE source = 'csv:binance' AND symbol = $1 AND interval = '1h'`,
        [symbol],
      )
    ).rows as { observations: number; last: string | null; last_error: string | null; consecutive_errors: number; updated: boolean }[];
    expect(rows, `one status row for ${symbol}`).to.have.length(1);
    const r = rows[0]!;
    return {
      observations: r.observations,
      last: r.last === null ? null : Number(r.last),
      error: r.last_error,
      consecutiveErrors: r.consecutive_errors,
      updated: r.updated,
    };
  };
  /** Imports `bytes` as binance <symbol> 1h and records the status as `npm run import` does. */
  const importBytes = async (symbol: string, bytes: Buffer) => {
    const file = path.join(dir, `binance_${symbol}_1h.csv.gz`);
    writeFileSync(file, bytes);
    const report = await importCandleFile(store, file);
    await recordImportStatus(collectionStatusRecorder(pool), store, report, AT);
    return report;
  };
  /** The status names what the store holds (SQL): the count and the newest open time. */
  const expectStatusMatchesStore = async (symbol: string) => {
    const stored = await storedRows(symbol);
    const status = await statusRow(symbol);
    expect(status.observations, `${symbol}: status count against SQL`).to.equal(stored.length);
    expect(status.last, `${symbol}: newest observation against SQL`).to.equal(stored.length === 0 ? null : stored[stored.length - 1]![0]);
    return { stored, status };
  };

  before(async () => {
    db = await freshDatabase('damaged_import');
    store = new PostgresCandleStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    sqlClient = new pg.Client({ connectionString: db.url });
    await sqlClient.connect();
    dir = mkdtempSync(path.join(tmpdir(), 'mt-damaged-'));
  });
  after(async () => {
    await sqlClient?.end();
    await pool?.end();
    await store?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Byte offsets: inside the gzip header, a few blocks in, a third, three quarters, and all but the 8-byte trailer.
  const cuts = [10, 5_000, Math.floor(REAL.length / 3), Math.floor((REAL.length * 3) / 4), REAL.length - 8];
  for (const [i, cut] of cuts.entries())
    it(`cut at byte ${cut} of ${REAL.length}: the rows before the cut are stored, and the status counts them next to the error`, async () => {
      const symbol = `CUT${i}USDT`;
      const expected = rowsOfPrefix(REAL.subarray(0, cut));
      const report = await importBytes(symbol, REAL.subarray(0, cut));
      expect(report.error).to.match(/^unreadable after line \d+: unexpected end of file \(the file is cut short\)$/);
      const { stored, status } = await expectStatusMatchesStore(symbol);
      expect(stored, "the stored candles are the file's first rows").to.deep.equal(expected);
      expect(expected).to.deep.equal(REAL_ROWS.slice(0, expected.length));
      expect(report.inserted).to.equal(expected.length);
      expect(status.error).to.equal(report.error);
      expect(status.consecutiveErrors).to.equal(1);
      expect(status.updated, 'rows arrived: it was an update').to.equal(expected.length > 0);
      if (cut > 1000) expect(expected.length).to.be.greaterThan(0);
    });

  it('garbage after the gzip data: the rows read before the error are stored, and the status says so', async () => {
    const report = await importBytes('TAILUSDT', Buffer.concat([REAL, Buffer.from('\nthis is not gzip\n1617566400000,1,2,0.5,1.5,10\n')]));
    expect(report.error).to.match(/incorrect header check \(bytes after the end of the gzip data\)$/);
    const { stored, status } = await expectStatusMatchesStore('TAILUSDT');
    expect(stored.length).to.be.greaterThan(0);
    expect(stored).to.deep.equal(REAL_ROWS.slice(0, stored.length));
    expect(status.error).to.equal(report.error);
  });

  it('garbage lines after valid rows (plain CSV): the rows are stored, the status counts them and names the rejected lines', async () => {
    const text = gunzipSync(REAL).toString('utf8').split('\n').slice(0, 501).join('\n');
    const file = path.join(dir, 'binance_JUNKUSDT_1h.csv');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(`${text}\n`), Buffer.from([0x00, 0xff, 0x13, 0x0a, 0x37, 0x2c, 0x0a]), Buffer.from('1617566400000,oops\n')]),
    );
    const report = await importCandleFile(store, file);
    await recordImportStatus(collectionStatusRecorder(pool), store, report, AT);
    expect(report.error).to.equal(undefined);
    expect(report.rejected.map((x) => x.line)).to.deep.equal([502, 503, 504]);
    const { stored, status } = await expectStatusMatchesStore('JUNKUSDT');
    expect(stored).to.deep.equal(REAL_ROWS.slice(0, 500));
    expect(status.error).to.match(/^3 rejected lines, the first line 502: /);
  });

  it('damaged in the middle (the check fails at the end): nothing of it is stored, the status says why', async () => {
    const spoilt = Buffer.from(REAL);
    for (let i = 0; i < 64; i++) spoilt[200_000 + i]! ^= 0x5a;
    // Streamed, it decodes to bytes that differ from the real file's long before the check fails: wrong rows.
    const chunks: Buffer[] = [];
    const failure = await pipeline(Readable.from([spoilt]), createGunzip(), new Writable({ write: (c: Buffer, _e, done) => done(void chunks.push(c)) })).catch(
      (e: Error) => e,
    );
    expect(failure).to.be.instanceOf(Error);
    const decoded = Buffer.concat(chunks);
    expect(decoded.length).to.be.greaterThan(REAL.length);
    expect(decoded.equals(gunzipSync(REAL).subarray(0, decoded.length))).to.equal(false);
    const report = await importBytes('SPOILUSDT', spoilt);
    expect(report.error).to.equal('damaged gzip (incorrect data check): nothing imported, none of its rows can be trusted');
    const { stored, status } = await expectStatusMatchesStore('SPOILUSDT');
    expect(stored).to.deep.equal([]);
    expect(status).to.include({ observations: 0, last: null, error: report.error, consecutiveErrors: 1, updated: false });
  });

  it('an unreadable file over a series already stored: the status keeps the stored count next to the new error', async () => {
    const first = await importBytes('KEEPUSDT', REAL.subarray(0, Math.floor(REAL.length / 2)));
    expect(first.inserted).to.be.greaterThan(0);
    const report = await importBytes('KEEPUSDT', Buffer.from('open_time_ms,open,high,low,close,volume\n0,1,1,1,1,1\n')); // not gzip at all
    expect(report.error).to.match(/incorrect header check/);
    const { stored, status } = await expectStatusMatchesStore('KEEPUSDT');
    expect(stored).to.have.length(first.inserted);
    expect(status).to.include({ error: report.error, consecutiveErrors: 2 });
    // The whole file afterwards: everything stored, the failures over.
    const whole = await importBytes('KEEPUSDT', REAL);
    expect(whole.error).to.equal(undefined);
    const after = await expectStatusMatchesStore('KEEPUSDT');
    expect(after.stored).to.have.length(REAL_ROWS.length);
    expect(after.status.consecutiveErrors).to.equal(0);
  });

  describe('npm run import', () => {
    const cli = (...args: string[]) => runCli('apps/cli/import.ts', args, { DATABASE_URL: db.url, AMQP_URL: '', LOG_LEVEL: 'warn' });

    it('a file cut short: prints the error and what is stored, records both, exits 1', async () => {
      const folder = mkdtempSync(path.join(dir, 'cli-'));
      const file = path.join(folder, 'binance_CLICUTUSDT_1h.csv.gz');
      writeFileSync(file, REAL.subarray(0, Math.floor(REAL.length / 3)));
      const r = await cli(folder);
      expect(r.code, r.stderr).to.equal(1);
      const { stored, status } = await expectStatusMatchesStore('CLICUTUSDT');
      expect(stored.length).to.be.greaterThan(0);
      const newest = new Date(stored[stored.length - 1]![0]!).toISOString().replace(':00.000Z', 'Z');
      expect(r.stdout).to.contain(`${file}: ERROR unreadable after line `);
      expect(r.stdout).to.contain(
        `  collection status: the error, and what is stored: ${stored.length} binance CLICUTUSDT 1h candles, the newest opening at ${newest}\n`,
      );
      expect(r.stdout).to.contain(`rows read ${stored.length}, inserted ${stored.length},`);
      expect(status.error).to.match(/^unreadable after line \d+: unexpected end of file/);
    });

    it('a file whose name gives no valid symbol: not imported, named, exits 1', async () => {
      const folder = mkdtempSync(path.join(dir, 'cli-'));
      const file = path.join(folder, 'binance_BTC-USDT_1h.csv.gz');
      writeFileSync(file, REAL);
      const r = await cli(file);
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stdout).to.contain(`${file}: ERROR not imported: "binance_BTC-USDT_1h.csv.gz": symbol "BTC-USDT" is not a binance symbol`);
      expect(r.stdout).to.contain('(from the file name: give --symbol to name it)');
      expect((await sqlClient.query(`SELECT count(*)::int AS n FROM candles WHERE symbol = 'BTC-USDT'`)).rows[0].n).to.equal(0);
    });

    for (const [args, message] of [
      [
        ['--symbol', 'BTC/USDT'],
        /^--symbol: symbol "BTC\/USDT" is not a market symbol: expected 5 to 20 capital letters and digits, the pair without a separator \(e\.g\. BTCUSDT\), or a ticker/,
      ],
      [['--exchange', 'binance', '--symbol', 'GOOG'], /^--symbol: symbol "GOOG" is not a binance symbol/],
      [['--exchange', 'bin_ance'], /^--exchange: exchange "bin_ance" is not an exchange id/],
    ] as const)
      it(`exits 2 naming the problem: ${args.join(' ')}`, async () => {
        const r = await cli(...args, sharedDataFile('binance_BTCUSDT_1h.csv.gz'));
        expect(r.code).to.equal(2);
        expect(r.stderr).to.match(message);
        expect(r.stderr).to.contain('usage: npm run import');
      });
  });
});
