// Paged backfill through the real ccxt adapter and a local Binance serving the real BTCUSDT hourly file, into
// an in-memory candle store: the stored candles equal the file's rows, an interrupted backfill resumes without
// duplicates or holes, rate limits are waited out, and the candle still open is never stored.
import { expect } from 'chai';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { backfillSeries, updateSeries, type BackfillDeps, type BackfillFailure, type BackfillReport } from '../../application/market-data/backfill.js';
import type { MarketDataSource } from '../../application/ports/market-data-source.js';
import type { SeriesKey } from '../../domain/market/candles.js';
import { CcxtMarketDataSource } from '../../infrastructure/market-data/ccxt-source.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { InMemoryCandleStore, ipBanned, realCandles, startFakeBinance, tooManyRequests, type FakeBinance } from './support.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 0, 1);
const key: SeriesKey = { exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' };
// Nine days holding two of Binance's real outages (2021-04-20 01→04 and 2021-04-25 04→08): 216 − 2 − 3 = 211 candles.
const range = { from: Date.UTC(2021, 3, 18), to: Date.UTC(2021, 3, 27) };
const fast = { pageSize: 40, retry: { retries: 2, minDelayMs: 5, maxDelayMs: 20 } };

const ok = (r: Either<BackfillFailure, BackfillReport>): BackfillReport => {
  if (isLeft(r)) throw new Error(`backfill failed: ${JSON.stringify(r.left)}`);
  return r.right;
};
const failed = (r: Either<BackfillFailure, BackfillReport>): BackfillFailure => {
  if (isRight(r)) throw new Error(`expected the backfill to fail, it did: ${JSON.stringify(r.right)}`);
  return r.left;
};

describe('candle backfill (ccxt → local Binance → candle store)', function () {
  this.timeout(30_000);
  const btc = realCandles('binance_BTCUSDT_1h.csv.gz');
  const expected = btc.filter((c) => c.openTime >= range.from && c.openTime < range.to);
  let server: FakeBinance;
  let source: CcxtMarketDataSource;
  let store: InMemoryCandleStore;
  let sleeps: number[];
  let clock: ReturnType<typeof fixedClock>;

  const deps = (over: Partial<BackfillDeps> = {}): BackfillDeps => ({
    source,
    store,
    clock,
    sleep: async (ms) => void sleeps.push(ms),
    ...over,
  });
  const startTimes = () => server.requests.filter((r) => r.path === '/api/v3/klines').map((r) => Number(r.query.get('startTime')));

  before(async () => {
    server = await startFakeBinance({ BTCUSDT: btc }, NOW);
  });
  beforeEach(() => {
    server.intercept = undefined;
    server.now = NOW;
    server.requests.length = 0;
    clock = fixedClock(new Date(NOW));
    source = new CcxtMarketDataSource({ clock, urls: { api: { public: server.apiUrl } }, timeoutMs: 3000 });
    store = new InMemoryCandleStore();
    sleeps = [];
  });
  afterEach(async () => {
    await source.close();
  });
  after(async () => {
    await server.close();
  });

  it('pages through the range and stores exactly the real rows in it, gaps and all', async () => {
    expect(expected).to.have.length(211);
    const report = ok(await backfillSeries(deps(), key, range, fast));
    expect(store.candles(key)).to.deep.equal(expected);
    expect(report).to.include({ inserted: 211, unchanged: 0, conflicts: 0, aborted: false });
    // Each page starts right after the last candle of the one before: ceil(211 / 40) = 6 pages.
    const starts = startTimes();
    expect(starts).to.have.length(6);
    expect(starts[0]).to.equal(range.from);
    store.writes.slice(0, -1).forEach((w, i) => expect(starts[i + 1]).to.equal(w.openTimes.at(-1)! + HOUR));
  });

  it('resumes after the exchange failed midway: no duplicates, no holes', async () => {
    let served = 0;
    server.intercept = ({ path }) => (path === '/api/v3/klines' && ++served > 3 ? { status: 503, body: '<html>Service Unavailable</html>' } : undefined);
    const first = failed(await backfillSeries(deps(), key, range, fast));
    expect(first.error).to.include({ kind: 'NetworkError', symbol: 'BTCUSDT' });
    expect(first.report).to.include({ pages: 3, inserted: 120 });
    expect(served).to.equal(3 + 3); // the fourth page was tried once and retried twice
    const stoppedAt = (await store.bounds(key))!.last;
    expect(store.candles(key)).to.deep.equal(expected.slice(0, 120));

    server.intercept = undefined;
    server.requests.length = 0;
    const second = ok(await backfillSeries(deps(), key, range, fast));
    expect(startTimes()[0]).to.equal(stoppedAt + HOUR);
    expect(second).to.include({ inserted: 91, unchanged: 0 });
    expect(store.candles(key)).to.deep.equal(expected);
    // Nothing was written twice.
    const written = store.writes.flatMap((w) => w.openTimes);
    expect(new Set(written).size).to.equal(written.length);
  });

  it('resumes after an abort between pages', async () => {
    const controller = new AbortController();
    const stopping = deps({
      store: {
        bounds: (k) => store.bounds(k),
        writeCandles: async (k, cs) => {
          const r = await store.writeCandles(k, cs);
          if (store.writes.length === 2) controller.abort();
          return r;
        },
      },
    });
    expect(ok(await backfillSeries(stopping, key, range, { ...fast, signal: controller.signal }))).to.include({ aborted: true, inserted: 80 });
    expect(ok(await backfillSeries(deps(), key, range, fast))).to.include({ aborted: false, inserted: 131, unchanged: 0 });
    expect(store.candles(key)).to.deep.equal(expected);
  });

  it('waits as long as a 429 asks before retrying, then succeeds', async () => {
    let served = 0;
    server.intercept = ({ path }) => (path === '/api/v3/klines' && ++served === 2 ? tooManyRequests(3) : undefined);
    ok(await backfillSeries(deps(), key, range, fast));
    expect(sleeps).to.deep.equal([3000]);
    expect(store.candles(key)).to.deep.equal(expected);
  });

  it('waits out a 418 ban (capped by maxRateLimitWaitMs), then succeeds', async () => {
    let served = 0;
    server.intercept = ({ path }) => (path === '/api/v3/klines' && ++served === 1 ? ipBanned(NOW + 3 * 86_400_000, 259_200) : undefined);
    ok(await backfillSeries(deps(), key, range, { ...fast, maxRateLimitWaitMs: 900_000 }));
    expect(sleeps).to.deep.equal([900_000]);
    expect(store.candles(key)).to.deep.equal(expected);
  });

  it('gives up on rate limits after the retries, keeping what it wrote', async () => {
    server.intercept = ({ path }) => (path === '/api/v3/klines' ? tooManyRequests(1) : undefined);
    const f = failed(await backfillSeries(deps(), key, range, fast));
    expect(f.error).to.include({ kind: 'RateLimited', symbol: 'BTCUSDT' });
    expect(sleeps).to.deep.equal([1000, 1000]);
  });

  it('fails at once, without retrying, on a symbol the exchange does not list', async () => {
    let calls = 0;
    const counting: MarketDataSource = {
      exchange: source.exchange,
      listSymbols: () => source.listSymbols(),
      fetchOrderBook: (s, d) => source.fetchOrderBook(s, d),
      fetchCandles: (...args) => {
        calls += 1;
        return source.fetchCandles(...args);
      },
      close: () => source.close(),
    };
    const f = failed(await backfillSeries(deps({ source: counting }), { ...key, symbol: 'NOPEUSDT' }, range, fast));
    expect(f.error).to.include({ kind: 'UnknownSymbol', symbol: 'NOPEUSDT' });
    expect(calls).to.equal(1);
  });

  it('never stores the candle still open; the next update takes it once it has closed', async () => {
    const open = expected[50]!;
    server.now = open.openTime + 20 * 60_000;
    clock.set(new Date(server.now));
    ok(await updateSeries(deps(), key, range.from, fast));
    expect(store.candles(key)).to.deep.equal(expected.slice(0, 50));

    server.now += HOUR;
    clock.set(new Date(server.now));
    server.requests.length = 0;
    const next = ok(await updateSeries(deps(), key, range.from, fast));
    expect(next).to.include({ inserted: 1, unchanged: 0, conflicts: 0 });
    // Asked from the hour after the last stored candle; the exchange's outage (01:00 → 04:00) skips to the new one.
    expect(startTimes()).to.deep.equal([expected[49]!.openTime + HOUR]);
    expect(open.openTime - expected[49]!.openTime).to.equal(3 * HOUR);
    expect(store.candles(key)).to.deep.equal(expected.slice(0, 51));
  });

  it('an update with nothing new asks one page and writes nothing', async () => {
    const tail = btc.slice(-30);
    await store.writeCandles(key, tail);
    store.writes.length = 0;
    const report = ok(await updateSeries(deps(), key, range.from, fast));
    expect(report).to.include({ pages: 1, fetched: 0, inserted: 0 });
    expect(startTimes()).to.deep.equal([tail.at(-1)!.openTime + HOUR]);
  });

  it('fills a range before the stored candles backwards, and resumes that without a hole', async () => {
    await store.writeCandles(key, expected.slice(150));
    let served = 0;
    server.intercept = ({ path }) => (path === '/api/v3/klines' && ++served > 2 ? { status: 502, body: 'Bad Gateway' } : undefined);
    const first = failed(await backfillSeries(deps(), key, range, fast));
    expect(first.report).to.include({ pages: 2, inserted: 80 });
    // What is stored is still one unbroken run of the file's rows.
    const stored = store.candles(key);
    const at = expected.findIndex((c) => c.openTime === stored[0]!.openTime);
    expect(stored).to.deep.equal(expected.slice(at));

    server.intercept = undefined;
    ok(await backfillSeries(deps(), key, range, fast));
    expect(store.candles(key)).to.deep.equal(expected);
    const written = store.writes.flatMap((w) => w.openTimes);
    expect(new Set(written).size).to.equal(written.length);
  });
});
