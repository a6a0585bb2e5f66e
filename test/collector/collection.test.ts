// The collector's jobs on real PostgreSQL with real candles: gap repair (filling what the source has, keeping
// exchange outages as reported gaps), history for a newly selected pair, retention, and the status the API serves.
import { expect } from 'chai';
import pg from 'pg';
import { repairGaps } from '../../application/market-data/gap-repair.js';
import { applyRetention, downloadHistory } from '../../application/market-data/history.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { CcxtMarketDataSource } from '../../infrastructure/market-data/ccxt-source.js';
import { collectionStatusRecorder, listCollectionStatus } from '../../infrastructure/market-data/collection-status-store.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import type { DatabasePool } from 'slonik';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { realCandles, startFakeBinance, type FakeBinance } from '../market-sources/support.js';

const HOUR = 3_600_000;
const key = { exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' as const };
// Ten days around Binance's real 2021-04-20 (2 missing) and 2021-04-25 (3 missing) outages.
const from = Date.UTC(2021, 3, 18);
const to = Date.UTC(2021, 3, 28);

describe('market data collection jobs', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let candles: PostgresCandleStore;
  let pool: DatabasePool;
  let server: FakeBinance;
  let source: CcxtMarketDataSource;
  const clock = fixedClock(new Date(to));
  const btc = realCandles('binance_BTCUSDT_1h.csv.gz').filter((c) => c.openTime >= from && c.openTime < to);

  before(async () => {
    db = await freshDatabase('collection');
    candles = new PostgresCandleStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    server = await startFakeBinance({ BTCUSDT: btc }, to + HOUR / 2);
    source = new CcxtMarketDataSource({ clock, urls: { api: { public: server.apiUrl } }, timeoutMs: 3000 });
  });
  after(async () => {
    await source.close();
    await server.close();
    await candles.close();
    await pool.end();
    await db.drop();
  });

  it('downloads the history of a newly selected pair and records its status', async () => {
    const status = collectionStatusRecorder(pool);
    const h = await downloadHistory({ source, store: candles, clock, status }, 'binance', 'BTCUSDT', { '1h': 10 });
    expect(h.errors).to.deep.equal([]);
    expect((await candles.bounds(key))!.count).to.equal(btc.length);
    const rows = await listCollectionStatus(pool, clock.now(), { symbol: 'BTCUSDT' });
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ source: 'binance:candles', interval: '1h', observations: btc.length, lastError: null });
    expect(rows[0]!.lagSeconds).to.equal(HOUR / 1000); // the last candle opened an hour before `to`
  });

  it('fills a hole the exchange still has, keeps the outages as reported gaps', async () => {
    // Lose ten stored candles (say, a crashed collector), leaving the exchange's own outages in place too.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const holeFrom = Date.UTC(2021, 3, 22, 5);
    await c.query(`DELETE FROM candles WHERE symbol = 'BTCUSDT' AND open_time >= $1 AND open_time < $2`, [holeFrom, holeFrom + 10 * HOUR]);
    await c.end();
    const status = collectionStatusRecorder(pool);
    const report = await repairGaps({ candles, clock, source, status }, key);
    expect(report.found.map((g) => g.missing)).to.deep.equal([2, 10, 3]);
    expect(report.filled).to.equal(10);
    expect(report.remaining.map((g) => [new Date(g.after).toISOString(), g.missing])).to.deep.equal([
      ['2021-04-20T01:00:00.000Z', 2],
      ['2021-04-25T04:00:00.000Z', 3],
    ]);
    const row = (await listCollectionStatus(pool, clock.now(), { symbol: 'BTCUSDT' }))[0]!;
    expect(row.gaps).to.deep.equal([
      { after: '2021-04-20T01:00:00.000Z', before: '2021-04-20T04:00:00.000Z', missing: 2 },
      { after: '2021-04-25T04:00:00.000Z', before: '2021-04-25T08:00:00.000Z', missing: 3 },
    ]);
  });

  it('records a failing source with its error and counts the failures', async () => {
    const status = collectionStatusRecorder(pool);
    const h = await downloadHistory({ source, store: candles, clock, status }, 'binance', 'NOSUCHUSDT', { '1h': 1 });
    expect(h.errors[0]).to.match(/NOSUCHUSDT/);
    const row = (await listCollectionStatus(pool, clock.now(), { symbol: 'NOSUCHUSDT' }))[0]!;
    expect(row.lastError).to.match(/NOSUCHUSDT/);
    expect(row.consecutiveErrors).to.equal(1);
  });

  it("retention keeps each series' recent window counted from its newest candle", async () => {
    const before = (await candles.bounds(key))!;
    const deleted = await applyRetention(candles, { '1h': 2 });
    const after = (await candles.bounds(key))!;
    expect(after.last).to.equal(before.last);
    expect(after.first).to.be.at.least(before.last - 2 * 24 * HOUR);
    expect(deleted['1h']).to.equal(before.count - after.count);
    expect(await applyRetention(candles, { '1h': 2 })).to.deep.equal({ '1h': 0 });
  });
});
