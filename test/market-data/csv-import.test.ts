import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { either } from 'fp-ts';
import pg from 'pg';
import { candleCsvRow, parseCandleCsv, parseCandleHeader } from '../../domain/market/candle-csv.js';
import { resolveSeriesKey, seriesKeyFromFileName } from '../../domain/market/candle-file-name.js';
import { checkSymbol } from '../../domain/market/market-symbol.js';
import { PairSymbol } from '../../domain/market/market-symbol.js';
import { validCandle } from '../../domain/market/candle-validation.js';
import { importCandleFile, importCandleFiles, type CandleFileReport } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { SHARED_DATA_DIR } from '../support/shared-data.js';
import { binanceKey, HOURLY, hourlyFile } from './support.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const H = 3_600_000;
const HEADER = 'open_time_ms,open,high,low,close,volume';
const row = (t: number, o = 100, h = 110, l = 90, c = 105, v = 5) => `${t},${o},${h},${l},${c},${v}`;

const headerError = (line: string): string => {
  const r = parseCandleHeader(line);
  if (either.isRight(r)) throw new Error(`header "${line}" was accepted`);
  return r.left;
};

describe('candle CSV', () => {
  describe('header', () => {
    it('accepts the six columns, and quote_volume and trades after them', () => {
      expect(either.isRight(parseCandleHeader(HEADER))).to.equal(true);
      expect(either.isRight(parseCandleHeader(`${HEADER},quote_volume,trades\r`.trim()))).to.equal(true);
      expect(either.isRight(parseCandleHeader(`\uFEFF${HEADER}`))).to.equal(true);
    });
    it('names the column out of place when the order is wrong', () => {
      expect(headerError('open_time_ms,open,low,high,close,volume')).to.contain(
        'column 3 is "low" where "high" belongs; "high" is column 4: the columns are in the wrong order',
      );
    });
    it('names a missing column', () => {
      expect(headerError('open_time_ms,open,high,low,close')).to.contain('missing column volume');
      expect(headerError('open_time_ms,open,high,close,volume')).to.contain('column 4 is "close" where "low" belongs');
      expect(headerError('timestamp,open,high,low,close,volume')).to.contain(
        'column 1 is "timestamp" where "open_time_ms" belongs; column "open_time_ms" is missing',
      );
    });
    it('names an unexpected extra column, and tells a dated series from candles', () => {
      expect(headerError(`${HEADER},quote_volume,trades,taker_base`)).to.contain('unexpected column 9 "taker_base"');
      expect(headerError('date,value,classification')).to.contain('not a candle file');
      expect(headerError('')).to.contain('empty header');
    });
  });

  describe('rows (io-ts codec)', () => {
    const layout = { columns: ['open_time_ms', 'open', 'high', 'low', 'close', 'volume', 'quote_volume', 'trades'] as const };
    const codec = candleCsvRow({ columns: [...layout.columns] }, '1h');
    const fails = (line: string): string => {
      const r = codec.decode(line);
      if (either.isRight(r)) throw new Error(`"${line}" was accepted`);
      return r.left.map((e) => e.message).join('; ');
    };
    it('decodes a full row, and leaves empty optional fields unknown', () => {
      expect(codec.decode('3600000,1.5,2,1,1.25,10,15.5,7')).to.deep.equal(
        either.right({ openTime: H, open: 1.5, high: 2, low: 1, close: 1.25, volume: 10, quoteVolume: 15.5, trades: 7 }),
      );
      expect(codec.decode('3600000,1.5,2,1,1.25,10,,')).to.deep.equal(either.right({ openTime: H, open: 1.5, high: 2, low: 1, close: 1.25, volume: 10 }));
      expect(codec.decode('3600000,0.00001412,0.00005,1e-5,2.971e-5,1.5E13,,')._tag).to.equal('Right');
    });
    it('names the field that is not a number, or the wrong field count', () => {
      expect(fails('3600000,abc,2,1,1.25,10,,')).to.equal('open: not a number: "abc"');
      expect(fails('3600000,,2,1,1.25,10,,')).to.equal('open: not a number: ""');
      expect(fails('3600000,0x10,2,1,1.25,10,,')).to.equal('open: not a number: "0x10"');
      expect(fails('3600000,1,Infinity,1,1,10,,')).to.contain('high: not a number');
      expect(fails('1e3,1,2,1,1,10,,')).to.contain('open_time_ms: not a non-negative whole number');
      expect(fails('3600000,1,2,1,1,10,5,2.5')).to.contain('trades: not a non-negative whole number');
      expect(fails('3600000,1,2,1')).to.contain('4 fields where the header has 8');
    });
    it('checks the candle rules and the interval grid', () => {
      expect(fails('3600000,1,0.5,0.9,1,10,,')).to.contain('high 0.5 is below low 0.9');
      expect(fails('3600000,1,1.5,1.2,1.4,10,,')).to.contain('low 1.2 is above open 1');
      expect(fails('3600000,1,1.5,0.5,1.6,10,,')).to.contain('high 1.5 is below close 1.6');
      expect(fails('3600000,1,1,1,1,-1,,')).to.contain('volume -1 is negative');
      expect(fails('3601000,1,1,1,1,1,,')).to.contain('not on the 1h grid');
    });
    it('is the same rule set as the candle codec used everywhere else', () => {
      expect(validCandle('1h').is({ openTime: H, open: 1, high: 2, low: 0.5, close: 1.5, volume: 0 })).to.equal(true);
      expect(validCandle('1h').is({ openTime: H, open: 1, high: 0.9, low: 0.5, close: 0.6, volume: 0 })).to.equal(false);
    });
  });

  describe('a file read line by line', () => {
    it('rejects duplicate and out-of-order rows with their line numbers and reads the rest', () => {
      const p = parseCandleCsv([HEADER, row(0), row(H), row(H), row(H, 1, 2, 0.5, 1.5), row(3 * H), row(2 * H), '', row(4 * H), ''], '1h');
      expect(p.fileError).to.equal(undefined);
      expect(p.candles.map((c) => c.openTime)).to.deep.equal([0, H, 3 * H, 4 * H]);
      expect(p.lines).to.deep.equal([2, 3, 6, 9]);
      expect(p.rowsRead).to.equal(7);
      expect(p.rejected.map((r) => r.line)).to.deep.equal([4, 5, 7]);
      expect(p.rejected[0]!.reason).to.equal("duplicate open time 1970-01-01T01:00:00.000Z of line 3 (same values); line 3's candle is kept");
      expect(p.rejected[1]!.reason).to.contain('with different values');
      expect(p.rejected[2]!.reason).to.contain("out of order: opens at 1970-01-01T02:00:00.000Z, before line 6's candle at 1970-01-01T03:00:00.000Z");
    });
    it('reads nothing past a wrong header', () => {
      const p = parseCandleCsv(['open_time_ms,open,low,high,close,volume', row(0)], '1h');
      expect(p.fileError).to.match(/^line 1: column 3 is "low"/);
      expect(p.candles).to.deep.equal([]);
      expect(parseCandleCsv([], '1h').fileError).to.contain('empty file');
    });
  });

  describe('file names', () => {
    it('reads exchange, symbol and interval from <exchange>_<SYMBOL>_<interval>.csv[.gz]', () => {
      expect(seriesKeyFromFileName('binance_BTCUSDT_1h.csv.gz')).to.deep.equal(either.right(binanceKey('BTCUSDT', '1h')));
      expect(seriesKeyFromFileName('nasdaq_GOOG_1d.csv.gz')).to.deep.equal(either.right({ exchange: 'nasdaq', symbol: 'GOOG', interval: '1d' }));
      expect(seriesKeyFromFileName('binance_ETHUSDT_15m.csv')).to.deep.equal(either.right(binanceKey('ETHUSDT', '15m')));
    });
    it('does not take a daily series for candles, and lets explicit parts override the name', () => {
      for (const name of ['fear_greed_index_daily.csv.gz', 'sp500_daily.csv.gz', 'nasdaq_composite_daily.csv.gz', 'vix_daily.csv.gz', 'binance_BTCUSDT_2h.csv'])
        expect(either.isLeft(seriesKeyFromFileName(name)), name).to.equal(true);
      expect(resolveSeriesKey('prices.csv', { exchange: 'kraken', symbol: 'XBTUSD', interval: '1d' })).to.deep.equal(
        either.right({ exchange: 'kraken', symbol: 'XBTUSD', interval: '1d' }),
      );
      expect(resolveSeriesKey('binance_BTCUSDT_1h.csv.gz', { symbol: 'BTCUSDC' })).to.deep.equal(either.right(binanceKey('BTCUSDC', '1h')));
      const missing = resolveSeriesKey('prices.csv', { exchange: 'kraken' });
      expect(either.isLeft(missing) && missing.left).to.deep.include({ kind: 'unnamed' });
      expect(either.isLeft(missing) && missing.left.message).to.contain('--exchange, --symbol and --interval');
    });
    it('checks the exchange and the symbol, from the name or the overrides, as the rest of the system spells them', () => {
      const invalid = (r: ReturnType<typeof resolveSeriesKey>): string => (either.isLeft(r) && r.left.kind === 'invalid' ? r.left.message : 'accepted');
      expect(invalid(resolveSeriesKey('binance_BTC-USDT_1h.csv'))).to.equal(
        '"binance_BTC-USDT_1h.csv": symbol "BTC-USDT" is not a binance symbol: expected 5 to 20 capital letters and digits, the pair without a separator (e.g. BTCUSDT) (from the file name: give --symbol to name it)',
      );
      expect(resolveSeriesKey('binance_BTC-USDT_1h.csv', { symbol: 'BTCUSDT' })).to.deep.equal(either.right(binanceKey('BTCUSDT', '1h')));
      expect(invalid(resolveSeriesKey('binance_BTCUSDT_1h.csv', { symbol: 'BTC/USDT' }))).to.equal(
        '"binance_BTCUSDT_1h.csv": symbol "BTC/USDT" is not a binance symbol: expected 5 to 20 capital letters and digits, the pair without a separator (e.g. BTCUSDT)',
      );
      expect(invalid(resolveSeriesKey('prices.csv', { exchange: 'bin ance', symbol: 'BTCUSDT', interval: '1h' }))).to.contain(
        'exchange "bin ance" is not an exchange id',
      );
      expect(invalid(resolveSeriesKey('binance_GOOG_1d.csv.gz'))).to.contain('symbol "GOOG" is not a binance symbol');
      expect(resolveSeriesKey('nyse_BRK.B_1d.csv')).to.deep.equal(either.right({ exchange: 'nyse', symbol: 'BRK.B', interval: '1d' }));
      expect(either.isLeft(seriesKeyFromFileName('binance_BTC_1h.csv')), 'too short for a pair').to.equal(true);
      // One rule for a crypto exchange's symbols wherever they are checked: the pair format.
      for (const s of ['BTCUSDT', '1000SHIBUSDT', 'BTC', 'BTC/USDT', 'btcusdt', 'A'.repeat(21)])
        expect(either.isRight(checkSymbol(s, 'binance')), s).to.equal(PairSymbol.is(s));
    });
  });
});

describe('candle CSV import into PostgreSQL', () => {
  let db: TestDatabase;
  let store: PostgresCandleStore;
  let dir: string;
  const write = (name: string, lines: string[], gzip = name.endsWith('.gz')) => {
    const file = path.join(dir, name);
    const text = `${lines.join('\n')}\n`;
    writeFileSync(file, gzip ? gzipSync(text) : text);
    return file;
  };
  const count = async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      return Number((await c.query('SELECT count(*) FROM candles')).rows[0].count);
    } finally {
      await c.end();
    }
  };

  before(async () => {
    db = await freshDatabase('csv_import');
    store = new PostgresCandleStore({ connectionString: db.url });
    dir = mkdtempSync(path.join(tmpdir(), 'mt-candle-csv-'));
  });
  after(async () => {
    await store.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('bad input: each problem named with file and line, the rest still imported, nothing stored lost', () => {
    const key = { exchange: 'test', symbol: 'BADUSDT', interval: '1h' as const };
    const good = [row(0), row(H), row(2 * H), row(3 * H), row(4 * H), row(5 * H)];

    it('a malformed row, a duplicate, an out-of-order row and a high below its low: rejected by line, the rest stored', async () => {
      const file = write('test_BADUSDT_1h.csv.gz', [
        HEADER,
        row(0),
        row(H),
        `${2 * H},100,oops,90,105,5`, // line 4: malformed
        row(2 * H),
        row(2 * H), // line 6: duplicate
        row(4 * H),
        row(3 * H), // line 8: out of order
        row(5 * H, 100, 80, 90, 85), // line 9: high below low
      ]);
      const r = await importCandleFile(store, file);
      expect(r.key).to.deep.equal(key);
      expect(r.error).to.equal(undefined);
      expect(r.rowsRead).to.equal(8);
      expect(r.inserted).to.equal(4);
      expect(r.rejected.map((x) => x.line)).to.deep.equal([4, 6, 8, 9]);
      expect(r.rejected[0]!.reason).to.equal('high: not a number: "oops"');
      expect(r.rejected[1]!.reason).to.contain('duplicate open time');
      expect(r.rejected[2]!.reason).to.contain('out of order');
      expect(r.rejected[3]!.reason).to.contain('high 80 is below low 90');
      // 3h (out of order) and 5h (invalid) are not stored: a gap of 1 between 2h and 4h.
      expect(r.gaps).to.deep.equal([{ after: 2 * H, before: 4 * H, missing: 1 }]);
      expect(Array.from((await store.readSeries(key)).openTime)).to.deep.equal([0, H, 2 * H, 4 * H]);
    });

    it('a later file that disagrees is reported as conflicts with line numbers; the stored candles stay, the missing are added', async () => {
      const file = write('test_BADUSDT_1h.csv', [HEADER, row(0), row(H, 100, 110, 90, 106), row(2 * H), row(3 * H), row(4 * H, 100, 120), row(5 * H)]);
      const r = await importCandleFile(store, file);
      expect(r.inserted).to.equal(2);
      expect(r.unchanged).to.equal(2);
      expect(r.conflicts.map((c) => [c.line, c.openTime])).to.deep.equal([
        [3, H],
        [6, 4 * H],
      ]);
      expect(r.conflicts[0]!.reason).to.equal('close 106 differs from the stored 105: the stored candle is kept');
      expect(r.conflicts[1]!.reason).to.contain('high 120 differs from the stored 110');
      const s = await store.readSeries(key);
      expect(Array.from(s.openTime)).to.deep.equal([0, H, 2 * H, 3 * H, 4 * H, 5 * H]);
      expect(Array.from(s.close)).to.deep.equal([105, 105, 105, 105, 105, 105]);
      expect(Array.from(s.high)).to.deep.equal([110, 110, 110, 110, 110, 110]);
    });

    it('a wrong column order rejects the file with the reason; nothing stored changes', async () => {
      const before = await count();
      const file = write('test_BADUSDT_1h.csv.gz', ['open_time_ms,open,low,high,close,volume', ...good.map((l) => l.replace('110,90', '90,110'))]);
      const r = await importCandleFile(store, file);
      expect(r.error).to.match(/^line 1: column 3 is "low" where "high" belongs/);
      expect(r.rowsRead).to.equal(0);
      expect(await count()).to.equal(before);
    });

    it('a file cut short (damaged gzip) keeps what was read before the damage and says where it stopped', async () => {
      const lines = [HEADER, ...Array.from({ length: 3000 }, (_, i) => row((100 + i) * H))];
      const whole = gzipSync(`${lines.join('\n')}\n`);
      const file = path.join(dir, 'test_CUTUSDT_1h.csv.gz');
      writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
      const r = await importCandleFile(store, file);
      expect(r.error).to.match(/^unreadable after line \d+/);
      expect(r.inserted).to.be.greaterThan(0);
      expect(r.inserted).to.equal(r.rowsRead);
    });

    it('an unnamed file imports with explicit exchange, symbol and interval, and is skipped with a note without them', async () => {
      const file = write('prices.csv', [HEADER, row(0), row(H)]);
      const skipped = await importCandleFile(store, file);
      expect(skipped.skipped).to.contain('candle columns, but "prices.csv" is not named like a candle file');
      const r = await importCandleFile(store, file, { override: { exchange: 'kraken', symbol: 'XBTUSD', interval: '1h' } });
      expect(r.key).to.deep.equal({ exchange: 'kraken', symbol: 'XBTUSD', interval: '1h' });
      expect(r.inserted).to.equal(2);
    });
  });

  it('imports all of ../shared/data, and a second time changes nothing', async function () {
    this.timeout(120_000);
    const first: CandleFileReport[] = [];
    for await (const r of importCandleFiles(store, [SHARED_DATA_DIR], { concurrency: 2 })) first.push(r);
    const byName = new Map(first.map((r) => [path.basename(r.file), r]));
    // The dated series are not candles: skipped, each with a note naming it.
    for (const name of ['fear_greed_index_daily.csv.gz', 'sp500_daily.csv.gz', 'nasdaq_composite_daily.csv.gz', 'vix_daily.csv.gz']) {
      expect(byName.get(name)?.skipped, name).to.match(/^not a candle file \(header "date,/);
      expect(byName.get(name)?.skipped, name).to.contain(`a daily series, imported by \`npm run import:sentiment -- ${path.join(SHARED_DATA_DIR, name)}\``);
    }
    for (const f of HOURLY) {
      const r = byName.get(hourlyFile(f.symbol))!;
      expect([r.rowsRead, r.inserted, r.rejected.length, r.gaps.length, r.missing], f.symbol).to.deep.equal([f.rows, f.rows, 0, f.gaps, f.missing]);
    }
    const minute = byName.get('binance_BTCUSDT_1m.csv.gz')!;
    expect([minute.inserted, minute.gaps.length]).to.deep.equal([4320, 0]);
    const goog = byName.get('nasdaq_GOOG_1d.csv.gz')!;
    expect(goog.key).to.deep.equal({ exchange: 'nasdaq', symbol: 'GOOG', interval: '1d' });
    expect(goog.inserted).to.equal(2148);
    const candleFiles = first.filter((r) => r.skipped === undefined);
    expect(candleFiles).to.have.length(HOURLY.length + 2);
    expect(candleFiles.every((r) => r.error === undefined && r.conflicts.length === 0 && r.rejected.length === 0)).to.equal(true);
    const rows = candleFiles.reduce((n, r) => n + r.rowsRead, 0);
    const stored = await store.listSeries();
    const storedData = stored.filter((s) => s.exchange !== 'test' && s.exchange !== 'kraken').reduce((n, s) => n + s.count, 0);
    expect(storedData).to.equal(rows);

    const before = await count();
    for await (const r of importCandleFiles(store, [SHARED_DATA_DIR])) {
      if (r.skipped !== undefined) continue;
      expect([r.inserted, r.completed, r.conflicts.length, r.unchanged], path.basename(r.file)).to.deep.equal([0, 0, 0, r.rowsRead]);
    }
    expect(await count()).to.equal(before);
  });

  it('npm run import: prints per file the counts, the rejected lines as file:line, and the gaps', async function () {
    this.timeout(60_000);
    const cli = mkdtempSync(path.join(tmpdir(), 'mt-candle-cli-'));
    try {
      writeFileSync(path.join(cli, 'test_CLIUSDT_1h.csv'), [HEADER, row(0), row(H), row(H), row(4 * H), ''].join('\n'));
      writeFileSync(path.join(cli, 'notes.csv'), 'date,value\n2024-01-01,3\n');
      const env = { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
      const out = await run(`${ROOT}node_modules/.bin/tsx`, ['apps/cli/import.ts', cli], { cwd: ROOT, env }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      const file = path.join(cli, 'test_CLIUSDT_1h.csv');
      expect(out.stdout).to.contain(`${file} (test CLIUSDT 1h)`);
      expect(out.stdout).to.contain('rows read 4, inserted 3, unchanged 0, completed 0, conflicts 0, rejected lines 1, gaps 1 (2 missing candles)');
      expect(out.stdout).to.contain(`${file}:4: rejected: duplicate open time`);
      expect(out.stdout).to.contain('gap 1970-01-01T01:00Z -> 1970-01-01T04:00Z (2 missing)');
      expect(out.stdout).to.contain(`${path.join(cli, 'notes.csv')}: skipped, not a candle file (header "date,value")`);
      expect(out.code).to.equal(1); // a line was rejected
      const again = await run(`${ROOT}node_modules/.bin/tsx`, ['apps/cli/import.ts', file, '--symbol', 'cli2usdt'], { cwd: ROOT, env }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      expect(again.stdout).to.contain(`${file} (test CLI2USDT 1h)`);
    } finally {
      rmSync(cli, { recursive: true, force: true });
    }
  });
});
