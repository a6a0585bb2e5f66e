import { expect } from 'chai';
import pg from 'pg';
import type { Candle, CandleSeries, SeriesKey } from '../../domain/market/candles.js';
import { InvalidCandlesError, PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { binanceKey, hourlyFile, loadSeries, toCandles } from './support.js';

const H = 3_600_000;
const candle = (openTime: number, close = 100, extra: Partial<Candle> = {}): Candle => ({
  openTime,
  open: 100,
  high: 110,
  low: 90,
  close,
  volume: 5,
  ...extra,
});

const expectSeriesEqual = (got: CandleSeries, want: CandleSeries) => {
  expect(got.key).to.deep.equal(want.key);
  expect(got.length).to.equal(want.length);
  for (const f of ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const) {
    expect(got[f].length, f).to.equal(want.length);
    const a = got[f];
    const b = want[f];
    let bad = -1;
    for (let i = 0; i < want.length && bad < 0; i++) if (!(a[i] === b[i] || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!)))) bad = i;
    expect(bad, `${f}[${bad}]: ${a[bad]} vs ${b[bad]}`).to.equal(-1);
  }
};

describe('PostgreSQL candle store', () => {
  let db: TestDatabase;
  let store: PostgresCandleStore;
  let sqlClient: pg.Client;
  const rowCount = async (key: SeriesKey) =>
    Number(
      (await sqlClient.query('SELECT count(*) FROM candles WHERE exchange = $1 AND symbol = $2 AND "interval" = $3', [key.exchange, key.symbol, key.interval]))
        .rows[0].count,
    );

  before(async () => {
    db = await freshDatabase('candle_store');
    store = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
    sqlClient = new pg.Client({ connectionString: db.url });
    await sqlClient.connect();
  });
  after(async () => {
    await sqlClient.end();
    await store.close();
    await db.drop();
  });

  describe('a real series (BTCUSDT hourly, 23 987 candles)', () => {
    const key = binanceKey('BTCUSDT', '1h');
    const series = loadSeries(hourlyFile('BTCUSDT'), key);
    const candles = toCandles(series);

    it('is stored whole and read back into typed arrays exactly, value for value', async () => {
      const r = await store.writeCandles(key, candles, { source: 'csv:binance_BTCUSDT_1h.csv.gz' });
      expect(r).to.deep.equal({ inserted: 23987, unchanged: 0, completed: 0, conflicts: [] });
      const back = await store.readSeries(key);
      expectSeriesEqual(back, series);
      expect(back.openTime).to.be.instanceOf(Float64Array);
      expect((await sqlClient.query('SELECT DISTINCT source FROM candles WHERE symbol = $1', ['BTCUSDT'])).rows).to.deep.equal([
        { source: 'csv:binance_BTCUSDT_1h.csv.gz' },
      ]);
    });

    it('written again changes nothing: every candle counts as unchanged', async () => {
      const before = await store.readSeries(key);
      const r = await store.writeCandles(key, candles);
      expect(r).to.deep.equal({ inserted: 0, unchanged: 23987, completed: 0, conflicts: [] });
      expectSeriesEqual(await store.readSeries(key), before);
    });

    it('reads a range [from, to) and knows its bounds', async () => {
      const from = Date.parse('2022-01-01T00:00Z');
      const to = Date.parse('2022-01-02T00:00Z');
      const day = await store.readSeries(key, { from, to });
      expect(day.length).to.equal(24);
      expect(day.openTime[0]).to.equal(from);
      expect(day.openTime[23]).to.equal(to - H);
      expect((await store.readSeries(key, { from: series.openTime[series.length - 1]! })).length).to.equal(1);
      expect(await store.bounds(key)).to.deep.equal({ first: series.openTime[0], last: series.openTime[series.length - 1], count: 23987 });
      expect(await store.bounds(binanceKey('NOPE', '1h'))).to.equal(undefined);
      expect((await store.readSeries(binanceKey('NOPE', '1h'))).length).to.equal(0);
    });

    it('reports a candle whose OHLCV disagrees as a conflict, with its open time and why, and keeps the stored one', async () => {
      const t = series.openTime[100]!;
      const changed = { ...candles[100]!, close: candles[100]!.close + 1 };
      const r = await store.writeCandles(key, [candles[99]!, changed, candles[101]!]);
      expect(r.inserted).to.equal(0);
      expect(r.unchanged).to.equal(2);
      expect(r.conflicts).to.have.length(1);
      expect(r.conflicts[0]!.openTime).to.equal(t);
      expect(r.conflicts[0]!.reason).to.contain(`close ${changed.close} differs from the stored ${candles[100]!.close}`);
      const stored = await store.readSeries(key, { from: t, to: t + H });
      expect(stored.close[0]).to.equal(candles[100]!.close);
    });
  });

  describe('the 1-minute file: completing rows that lack quote volume and trades', () => {
    const key = binanceKey('BTCUSDT', '1m');
    const full = loadSeries('binance_BTCUSDT_1m.csv.gz', key);
    const candles = toCandles(full);
    const bare = candles.map(({ quoteVolume: _q, trades: _t, ...ohlcv }) => ohlcv);

    it('a source with the extra fields completes the stored rows, and a poorer one never erases them', async () => {
      expect(await store.writeCandles(key, bare)).to.deep.equal({ inserted: 4320, unchanged: 0, completed: 0, conflicts: [] });
      const before = await store.readSeries(key);
      expect(before.quoteVolume.every(Number.isNaN)).to.equal(true);
      expect(await store.writeCandles(key, candles)).to.deep.equal({ inserted: 0, unchanged: 0, completed: 4320, conflicts: [] });
      expectSeriesEqual(await store.readSeries(key), full);
      // The poorer source again: unchanged, and the quote volume and trades stay.
      expect(await store.writeCandles(key, bare)).to.deep.equal({ inserted: 0, unchanged: 4320, completed: 0, conflicts: [] });
      expect(await store.writeCandles(key, candles)).to.deep.equal({ inserted: 0, unchanged: 4320, completed: 0, conflicts: [] });
      expectSeriesEqual(await store.readSeries(key), full);
    });

    it('a trade count that disagrees with the stored one is a conflict, even with equal OHLCV', async () => {
      const c = { ...candles[7]!, trades: candles[7]!.trades! + 1 };
      const r = await store.writeCandles(key, [c]);
      expect(r.conflicts).to.have.length(1);
      expect(r.conflicts[0]!.reason).to.match(/^trades \d+ differs from the stored \d+/);
      expect((await store.readSeries(key, { from: c.openTime, to: c.openTime + 60_000 })).trades[0]).to.equal(candles[7]!.trades);
    });
  });

  describe('mixed and awkward writes', () => {
    const key: SeriesKey = { exchange: 'test', symbol: 'MIXED', interval: '1h' };

    it('counts new, unchanged, completed and conflicting candles in one write', async () => {
      await store.writeCandles(key, [candle(0), candle(H), candle(2 * H)]);
      const r = await store.writeCandles(key, [
        candle(0), // unchanged
        candle(H, 100, { quoteVolume: 500, trades: 3 }), // completed
        candle(2 * H, 101), // conflict
        candle(3 * H), // new
      ]);
      expect(r.inserted).to.equal(1);
      expect(r.unchanged).to.equal(1);
      expect(r.completed).to.equal(1);
      expect(r.conflicts.map((c) => c.openTime)).to.deep.equal([2 * H]);
      const s = await store.readSeries(key);
      expect(Array.from(s.close)).to.deep.equal([100, 100, 100, 100]);
      expect(s.quoteVolume[1]).to.equal(500);
      expect(s.trades[1]).to.equal(3);
    });

    it('a completion that also disagrees on OHLCV is a conflict, not a completion', async () => {
      const r = await store.writeCandles(key, [candle(0, 99, { quoteVolume: 1 })]);
      expect(r.completed).to.equal(0);
      expect(r.conflicts).to.have.length(1);
      expect(Number.isNaN((await store.readSeries(key, { from: 0, to: H })).quoteVolume[0]!)).to.equal(true);
    });

    it('takes candles in any order; a repeated open time in one write is unchanged if identical, a conflict if not', async () => {
      const k: SeriesKey = { ...key, symbol: 'UNSORTED' };
      const r = await store.writeCandles(k, [candle(2 * H), candle(0), candle(H), candle(0), candle(H, 105)]);
      expect(r.inserted).to.equal(3);
      expect(r.unchanged).to.equal(1);
      expect(r.conflicts.map((c) => c.openTime)).to.deep.equal([H]);
      expect(Array.from((await store.readSeries(k)).close)).to.deep.equal([100, 100, 100]);
    });

    it('refuses a write holding an invalid candle as a whole, before storing anything', async () => {
      const k: SeriesKey = { ...key, symbol: 'INVALID' };
      let error: unknown;
      try {
        await store.writeCandles(k, [candle(0), { ...candle(H), high: 80 }, { ...candle(2 * H), openTime: 2 * H + 1 }]);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(InvalidCandlesError);
      expect((error as Error).message)
        .to.contain('high 80 is below low 90')
        .and.contain('not on the 1h grid');
      expect(await rowCount(k)).to.equal(0);
    });

    it('the table itself refuses what the domain would (high below low, NaN, off the grid)', async () => {
      const insert = (values: string) =>
        sqlClient.query(`INSERT INTO candles VALUES ('x', 'Y', '1h', ${values}, NULL, NULL, 'test')`).then(
          () => 'stored',
          (e: Error) => e.message,
        );
      expect(await insert(`0, 1, 0.5, 0.9, 1, 1`)).to.match(/candles_ohlc_consistent/);
      expect(await insert(`0, 'NaN', 2, 0.5, 1, 1`)).to.match(/candles_finite/);
      expect(await insert(`1000, 1, 2, 0.5, 1, 1`)).to.match(/candles_open_time_aligned/);
      expect(await insert(`0, 1, 2, 0.5, 1, -1`)).to.match(/candles_volumes_not_negative/);
      expect(await insert(`0, 1, 2, 0.5, 1, 1`)).to.equal('stored');
    });

    it('two writers racing with the same candles store each once: one inserts, the other finds them unchanged', async () => {
      const k: SeriesKey = { ...key, symbol: 'RACE' };
      const many = Array.from({ length: 5000 }, (_, i) => candle(i * H));
      const results = await Promise.all([store.writeCandles(k, many), store.writeCandles(k, many), store.writeCandles(k, many)]);
      expect(results.reduce((n, r) => n + r.inserted, 0)).to.equal(5000);
      expect(results.reduce((n, r) => n + r.unchanged, 0)).to.equal(10000);
      expect(results.every((r) => r.conflicts.length === 0)).to.equal(true);
      expect(await rowCount(k)).to.equal(5000);
    });

    it('lists every series with its bounds, and deletes old candles of one interval', async () => {
      const list = await store.listSeries();
      const btc = list.find((s) => s.symbol === 'BTCUSDT' && s.interval === '1h');
      expect(btc).to.include({ exchange: 'binance', count: 23987 });
      expect(list.find((s) => s.symbol === 'BTCUSDT' && s.interval === '1m')).to.include({ count: 4320 });
      const cut = Date.parse('2022-01-01T00:00Z');
      const before1h = (await store.readSeries(binanceKey('BTCUSDT', '1h'), { to: cut })).length;
      const other1h = (await store.listSeries()).filter((s) => s.interval === '1h' && s.first < cut).length;
      expect(other1h).to.be.greaterThan(0);
      const deleted = await store.deleteBefore('1h', cut);
      expect(deleted).to.be.at.least(before1h);
      expect((await store.bounds(binanceKey('BTCUSDT', '1h')))!.first).to.equal(cut);
      expect((await store.bounds(binanceKey('BTCUSDT', '1m')))!.count).to.equal(4320); // other intervals untouched
    });
  });
});
