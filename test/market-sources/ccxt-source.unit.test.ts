// The ccxt adapter, unpatched, pointed at a local Binance (urls.api.public = the loopback server): listing,
// candles from the real BTCUSDT file, the open candle dropped, order books, and every failure as a typed value.
import { expect } from 'chai';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import type { MarketDataError } from '../../application/ports/market-data-source.js';
import { CcxtMarketDataSource, type CcxtSourceOptions } from '../../infrastructure/market-data/ccxt-source.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { ipBanned, realCandles, startFakeBinance, tooManyRequests, type FakeBinance } from './support.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 0, 1);

const leftOf = <T>(r: Either<MarketDataError, T>): MarketDataError => {
  if (isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right).slice(0, 200)}`);
  return r.left;
};
const rightOf = <T>(r: Either<MarketDataError, T>): T => {
  if (isLeft(r)) throw new Error(`expected success, got ${JSON.stringify(r.left)}`);
  return r.right;
};

describe('ccxt market data source (Binance spot on loopback)', function () {
  this.timeout(20_000);
  const btc = realCandles('binance_BTCUSDT_1h.csv.gz');
  let server: FakeBinance;
  const sources: CcxtMarketDataSource[] = [];

  const source = (options: Partial<CcxtSourceOptions> = {}) => {
    const s = new CcxtMarketDataSource({ clock: fixedClock(new Date(server.now)), urls: { api: { public: server.apiUrl } }, timeoutMs: 3000, ...options });
    sources.push(s);
    return s;
  };
  const klineRequests = () => server.requests.filter((r) => r.path === '/api/v3/klines');

  before(async () => {
    server = await startFakeBinance({ BTCUSDT: btc }, NOW);
  });
  afterEach(async () => {
    server.intercept = undefined;
    server.now = NOW;
    server.requests.length = 0;
    await Promise.all(sources.splice(0).map((s) => s.close()));
  });
  after(async () => {
    await server.close();
  });

  it('lists the active spot markets as BTCUSDT-style symbols with the ccxt symbol, base and quote', async () => {
    const listed = rightOf(await source().listSymbols());
    expect(listed).to.deep.equal([
      { symbol: 'BTCUSDT', ccxtSymbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', marketId: 'BTCUSDT' },
      { symbol: 'ETHBTC', ccxtSymbol: 'ETH/BTC', base: 'ETH', quote: 'BTC', marketId: 'ETHBTC' },
      { symbol: 'ETHUSDT', ccxtSymbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', marketId: 'ETHUSDT' },
    ]);
    // MATICUSDT (status BREAK) is not active; only the spot exchangeInfo was asked for (no fapi/dapi).
    expect(server.requests.map((r) => r.path)).to.deep.equal(['/api/v3/exchangeInfo']);
  });

  it('fetches the real candles from `since`, as numbers, oldest first', async () => {
    const since = btc[100]!.openTime;
    const candles = rightOf(await source().fetchCandles('BTCUSDT', '1h', since, 50));
    expect(candles).to.deep.equal(btc.slice(100, 150));
    const q = klineRequests()[0]!.query;
    expect([q.get('symbol'), q.get('interval'), q.get('startTime'), q.get('limit')]).to.deep.equal(['BTCUSDT', '1h', String(since), '50']);
  });

  it('accepts the ccxt form of a symbol too', async () => {
    const candles = rightOf(await source().fetchCandles('BTC/USDT', '1h', btc[0]!.openTime, 3));
    expect(candles).to.deep.equal(btc.slice(0, 3));
  });

  it('drops the candle still open at the clock’s now', async () => {
    server.now = btc[200]!.openTime + 30 * 60_000;
    const candles = rightOf(await source().fetchCandles('BTCUSDT', '1h', btc[190]!.openTime, 50));
    expect(candles).to.deep.equal(btc.slice(190, 200));
    expect(candles.at(-1)!.openTime + HOUR).to.be.at.most(server.now);
  });

  it('a symbol the exchange does not list is UnknownSymbol, naming it, and costs no candle request', async () => {
    const s = source();
    const candles = leftOf(await s.fetchCandles('DOGEXYZ', '1h', btc[0]!.openTime, 10));
    expect(candles).to.include({ kind: 'UnknownSymbol', exchange: 'binance', symbol: 'DOGEXYZ' });
    expect(candles.message).to.contain('DOGEXYZ');
    const book = leftOf(await s.fetchOrderBook('NOPEUSDT', 5));
    expect(book).to.include({ kind: 'UnknownSymbol', symbol: 'NOPEUSDT' });
    expect(klineRequests()).to.have.length(0);
  });

  it('an exchange reply of -1121 "Invalid symbol." is UnknownSymbol too', async () => {
    server.intercept = ({ path }) => (path === '/api/v3/klines' ? { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } } : undefined);
    const e = leftOf(await source().fetchCandles('ETHUSDT', '1h', btc[0]!.openTime, 10));
    expect(e).to.include({ kind: 'UnknownSymbol', symbol: 'ETHUSDT' });
  });

  it('HTTP 429 is RateLimited, with the wait Retry-After asked for, and the next call succeeds', async () => {
    const s = source();
    let served = 0;
    server.intercept = ({ path }) => (path === '/api/v3/klines' && served++ === 0 ? tooManyRequests(7) : undefined);
    const e = leftOf(await s.fetchCandles('BTCUSDT', '1h', btc[0]!.openTime, 10));
    expect(e).to.deep.include({ kind: 'RateLimited', exchange: 'binance', symbol: 'BTCUSDT', retryAfterMs: 7000 });
    expect(rightOf(await s.fetchCandles('BTCUSDT', '1h', btc[0]!.openTime, 10))).to.deep.equal(btc.slice(0, 10));
  });

  it('HTTP 418 (IP banned) is RateLimited until the ban ends', async () => {
    server.intercept = ({ path }) => (path === '/api/v3/klines' ? ipBanned(NOW + 120_000, 120) : undefined);
    const e = leftOf(await source().fetchCandles('BTCUSDT', '1h', btc[0]!.openTime, 10));
    expect(e).to.deep.include({ kind: 'RateLimited', symbol: 'BTCUSDT', retryAfterMs: 120_000 });
  });

  it('an exchange that never answers is a Timeout naming the symbol, within the configured timeout', async () => {
    server.intercept = () => 'hang';
    const started = performance.now();
    const e = leftOf(await source({ timeoutMs: 300 }).fetchCandles('BTCUSDT', '1h', btc[0]!.openTime, 10));
    const elapsed = performance.now() - started;
    expect(e).to.deep.include({ kind: 'Timeout', exchange: 'binance', symbol: 'BTCUSDT', timeoutMs: 300 });
    expect(elapsed).to.be.within(250, 2000);
  });

  it('candles that never come (markets loaded) are a Timeout too', async () => {
    const s = source({ timeoutMs: 300 });
    rightOf(await s.listSymbols());
    server.intercept = ({ path }) => (path === '/api/v3/klines' ? 'hang' : undefined);
    const e = leftOf(await s.fetchCandles('BTCUSDT', '1h', btc[0]!.openTime, 10));
    expect(e).to.include({ kind: 'Timeout', symbol: 'BTCUSDT' });
  });

  it('a server error is a NetworkError (worth retrying); an unreachable exchange too', async () => {
    server.intercept = ({ path }) => (path === '/api/v3/klines' ? { status: 503, body: '<html>Service Unavailable</html>' } : undefined);
    expect(leftOf(await source().fetchCandles('BTCUSDT', '1h', btc[0]!.openTime, 10))).to.include({ kind: 'NetworkError', symbol: 'BTCUSDT' });
    const unreachable = source({ urls: { api: { public: 'http://127.0.0.1:9/api/v3' } } });
    expect(leftOf(await unreachable.fetchOrderBook('BTCUSDT', 5))).to.include({ kind: 'NetworkError', symbol: 'BTCUSDT' });
  });

  it('a refusal the exchange will repeat is an ExchangeError', async () => {
    server.intercept = ({ path }) => (path === '/api/v3/klines' ? { status: 400, body: { code: -1120, msg: 'Invalid interval.' } } : undefined);
    expect(leftOf(await source().fetchCandles('BTCUSDT', '1h', btc[0]!.openTime, 10))).to.include({ kind: 'ExchangeError', symbol: 'BTCUSDT' });
  });

  it('fetches an order book as numbers, best first, cut to the depth asked', async () => {
    server.books.set('BTCUSDT', {
      bids: [
        ['42410.00000000', '1.20000000'],
        ['42409.50000000', '0.35000000'],
        ['42400.00000000', '2.00000000'],
      ],
      asks: [
        ['42410.01000000', '0.80000000'],
        ['42411.00000000', '1.10000000'],
        ['42420.00000000', '3.00000000'],
      ],
    });
    const book = rightOf(await source().fetchOrderBook('BTCUSDT', 2));
    expect(book).to.deep.equal({
      timestamp: NOW, // Binance's depth reply has no time: the clock's
      bids: [
        [42410, 1.2],
        [42409.5, 0.35],
      ],
      asks: [
        [42410.01, 0.8],
        [42411, 1.1],
      ],
    });
    expect(server.requests.find((r) => r.path === '/api/v3/depth')!.query.get('limit')).to.equal('2');
  });

  it('refuses an exchange id ccxt does not know', () => {
    expect(() => new CcxtMarketDataSource({ clock: fixedClock(new Date(NOW)), exchangeId: 'nosuchexchange' })).to.throw(/nosuchexchange/);
  });
});
