// Order book snapshots end to end: the ccxt adapter reads a local Binance's depth, the snapshotter derives the
// liquidity metrics, PostgreSQL keeps them (a database of the suite's own), and the daily views add them up
// beside the day's traded volume from the candles table.
// No real captured depth snapshot exists in ../shared/data: the books here are small, hand-written ones in
// Binance's reply format, priced around the real BTCUSDT close of 2023-12-29.
import { expect } from 'chai';
import pg from 'pg';
import { snapshotOf, startOrderBookSnapshots, takeSnapshots, type SnapshotDeps } from '../../application/market-data/order-book-snapshots.js';
import { CcxtMarketDataSource } from '../../infrastructure/market-data/ccxt-source.js';
import { PostgresOrderBookStore } from '../../infrastructure/market-data/order-book-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { realCandles, startFakeBinance, steppingClock, type FakeBinance } from './support.js';

const DAY = Date.UTC(2023, 11, 29);
const MINUTE = 60_000;

const btcBook: { bids: [string, string][]; asks: [string, string][] } = {
  bids: [
    ['42065.99000000', '0.50000000'],
    ['42000.00000000', '1.00000000'],
    ['41800.00000000', '2.00000000'],
    ['41500.00000000', '5.00000000'],
    ['41000.00000000', '9.00000000'],
    ['40000.00000000', '20.00000000'],
  ],
  asks: [
    ['42066.01000000', '0.40000000'],
    ['42150.00000000', '1.50000000'],
    ['42400.00000000', '2.50000000'],
    ['42600.00000000', '4.00000000'],
    ['43000.00000000', '8.00000000'],
    ['44000.00000000', '15.00000000'],
  ],
};

describe('order book snapshots (ccxt → snapshotter → PostgreSQL)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let pool: pg.Pool;
  let repo: PostgresOrderBookStore;
  let server: FakeBinance;
  let source: CcxtMarketDataSource;

  const deps = (start: number): SnapshotDeps => {
    const clock = steppingClock(start, MINUTE);
    source = new CcxtMarketDataSource({ clock, urls: { api: { public: server.apiUrl } }, timeoutMs: 3000 });
    return { source, repository: repo, clock };
  };
  const count = async () => Number((await pool.query('SELECT count(*) FROM order_book_snapshots')).rows[0].count);

  before(async () => {
    db = await freshDatabase('order_book_snapshots');
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    repo = new PostgresOrderBookStore({ pool });
    server = await startFakeBinance({}, DAY + 86_400_000);
    server.books.set('BTCUSDT', btcBook);
  });
  beforeEach(async () => {
    await pool.query('TRUNCATE order_book_snapshots');
    await pool.query('DELETE FROM candles');
  });
  afterEach(async () => {
    await source?.close();
  });
  after(async () => {
    await server.close();
    await repo.close();
    await pool.end();
    await db.drop();
  });

  it('stores a round and reads every snapshot back unchanged, metrics included', async () => {
    const d = deps(DAY + 10 * MINUTE);
    const round = await takeSnapshots(d, { symbols: ['BTCUSDT', 'ETHUSDT', 'NOPEUSDT'], depth: 5 });
    expect(round.saved).to.equal(2);
    expect(round.failures).to.have.length(1);
    expect(round.failures[0]!.error).to.include({ kind: 'UnknownSymbol', symbol: 'NOPEUSDT' });

    const [btc] = await repo.list('binance', 'BTCUSDT', { from: DAY, to: DAY + 86_400_000 });
    const asNumbers = (levels: [string, string][]) => levels.slice(0, 5).map(([p, a]) => [Number(p), Number(a)] as const);
    const expected = snapshotOf('binance', 'BTCUSDT', 5, { timestamp: btc!.takenAt, bids: asNumbers(btcBook.bids), asks: asNumbers(btcBook.asks) });
    expect(btc).to.deep.equal(expected);
    expect(btc!.bids).to.have.length(5);
    // mid 42066, spread 0.02; within 1 % ([41645.34, 42486.66]): bids 0.5 + 1 + 2, asks 0.4 + 1.5 + 2.5.
    expect(btc!.metrics!.mid).to.equal(42066);
    expect(btc!.metrics!.spread).to.be.closeTo(0.02, 1e-9);
    expect(btc!.metrics!.depth1.bid.base).to.equal(3.5);
    expect(btc!.metrics!.depth1.ask.base).to.be.closeTo(4.4, 1e-12);
    expect(btc!.metrics!.imbalance1).to.be.closeTo((3.5 - 4.4) / 7.9, 1e-12);

    // ETHUSDT's book is empty on the test exchange: the snapshot is kept, without metrics.
    const [eth] = await repo.list('binance', 'ETHUSDT', { from: DAY, to: DAY + 86_400_000 });
    expect(eth).to.deep.include({ bids: [], asks: [], metrics: undefined, depth: 5 });
  });

  it('saving the same snapshot again stores nothing twice', async () => {
    const snapshot = snapshotOf('binance', 'BTCUSDT', 2, { timestamp: DAY + 123, bids: [[42000, 1]], asks: [[42001, 2]] });
    expect(await repo.save([snapshot])).to.equal(1);
    expect(await repo.save([snapshot])).to.equal(0);
    expect(await repo.list('binance', 'BTCUSDT', { from: DAY, to: DAY + 1000 })).to.deep.equal([snapshot]);
  });

  it('adds up each day: average spread and depth from the snapshots, volume from the candles', async () => {
    const at = (minutes: number, bid: number, ask: number) =>
      snapshotOf('binance', 'BTCUSDT', 10, {
        timestamp: DAY + minutes * MINUTE,
        bids: [
          [bid, 1],
          [bid - 500, 2],
        ],
        asks: [
          [ask, 3],
          [ask + 500, 4],
        ],
      });
    await repo.save([at(0, 42000, 42002), at(60, 42100, 42106), at(24 * 60 + 5, 42200, 42201)]);
    // The day's 24 real hourly candles, written the way the candle store keeps them (no quote volume in the file).
    const hours = realCandles('binance_BTCUSDT_1h.csv.gz').filter((c) => c.openTime >= DAY && c.openTime < DAY + 86_400_000);
    expect(hours).to.have.length(24);
    await pool.query(
      `INSERT INTO candles (exchange, symbol, "interval", open_time, open, high, low, close, volume, source)
       SELECT 'binance', 'BTCUSDT', '1h', t, o, h, l, c, v, 'test' FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[]) AS x(t, o, h, l, c, v)`,
      [
        hours.map((c) => c.openTime),
        hours.map((c) => c.open),
        hours.map((c) => c.high),
        hours.map((c) => c.low),
        hours.map((c) => c.close),
        hours.map((c) => c.volume),
      ],
    );

    const days = await repo.daily('binance', 'BTCUSDT', '2023-12-29', '2023-12-30');
    expect(days.map((d) => [d.day, d.snapshots])).to.deep.equal([
      ['2023-12-29', 2],
      ['2023-12-30', 1],
    ]);
    const [d29, d30] = days;
    expect(d29!.avgSpread).to.be.closeTo((2 + 6) / 2, 1e-9);
    // Within 0.5 % of mid (±210) each book holds only its best level on each side: 1 at the bid, 3 at the ask.
    expect(d29!.avgDepth05Quote).to.be.closeTo((42000 + 3 * 42002 + 42100 + 3 * 42106) / 2, 1e-6);
    expect(d29!.volume).to.be.closeTo(
      hours.reduce((s, c) => s + c.volume, 0),
      1e-9,
    );
    expect(d29!.quoteVolume).to.equal(null);
    expect(d29!.quoteVolumeEstimate).to.be.closeTo(
      hours.reduce((s, c) => s + c.volume * c.close, 0),
      1e-3,
    );
    expect(d29!.volumeCoverage).to.equal(1);
    expect(d30).to.include({ volume: null, volumeCoverage: null });
    expect(d30!.avgSpread).to.be.closeTo(1, 1e-9);
  });

  it('takes rounds at the configured cadence and stops cleanly', async () => {
    const snapshotter = startOrderBookSnapshots(deps(DAY), { symbols: ['BTCUSDT'], depth: 3, cadence: { everyMs: 50 } });
    const deadline = Date.now() + 5000;
    while (snapshotter.rounds() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await snapshotter.stop();
    const rounds = snapshotter.rounds();
    expect(rounds).to.be.at.least(3);
    expect(await count()).to.equal(rounds);
    await new Promise((r) => setTimeout(r, 150));
    expect(snapshotter.rounds()).to.equal(rounds); // nothing after stop
  });

  it('takes rounds on a cron pattern', async () => {
    const snapshotter = startOrderBookSnapshots(deps(DAY), { symbols: ['BTCUSDT'], cadence: { cron: '* * * * * *' } });
    const deadline = Date.now() + 4000;
    while (snapshotter.rounds() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await snapshotter.stop();
    expect(snapshotter.rounds()).to.be.at.least(1);
    expect(await count()).to.equal(snapshotter.rounds());
  });
});
