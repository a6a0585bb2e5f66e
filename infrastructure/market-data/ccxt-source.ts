// The market data source behind ccxt: Binance spot by default, any ccxt exchange by id.
// ccxt stays as shipped; everything is set through its constructor config (deep-merged into the instance):
// `urls` to point it elsewhere (a test server on loopback), `timeout`, `enableRateLimit`, `options`.
// ccxt's exceptions become the port's typed errors here, and nowhere else.
import ccxt, { type Exchange, type MarketInterface } from 'ccxt';
import * as t from 'io-ts';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { Clock } from '../../application/ports/clock.js';
import type { ListedSymbol, MarketDataError, MarketDataSource } from '../../application/ports/market-data-source.js';
import { INTERVAL_MS, type Candle, type Interval } from '../../domain/market/candles.js';
import { BookLevelsCodec, type BookLevel, type OrderBook } from '../../domain/market/liquidity.js';
import { Finite } from '../../domain/primitives/codecs.js';

export interface CcxtSourceOptions {
  /** Decides which candle is still open, and stamps order books the exchange sent without a time. */
  readonly clock: Clock;
  /** A ccxt exchange id. Default `binance`. */
  readonly exchangeId?: string;
  /**
   * Deep-merged into the exchange's `urls`, e.g. `{ api: { public: 'http://127.0.0.1:8080/api/v3' } }`
   * for Binance spot (its public REST base is `urls.api.public`).
   */
  readonly urls?: Readonly<Record<string, unknown>>;
  /** ccxt `timeout` per HTTP request, ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Merged into ccxt's exchange-specific `options`. */
  readonly exchangeOptions?: Readonly<Record<string, unknown>>;
}

// ccxt leaves a field it could not parse undefined: a row with a hole is refused, not stored as NaN.
type Ohlcv = readonly [openTime: number, open: number, high: number, low: number, close: number, volume: number];
const OhlcvRow = t.refinement(t.array(Finite), (row) => row.length === 6, 'OhlcvRow');
const OhlcvRows = t.array(OhlcvRow, 'OhlcvRows');
const RawLevels = t.array(t.array(t.unknown));

const retryAfterHeaderMs = (headers: Record<string, string> | undefined): number | undefined => {
  const raw = headers?.['Retry-After'] ?? headers?.['retry-after'];
  const seconds = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

export class CcxtMarketDataSource implements MarketDataSource {
  readonly exchange: string;
  private readonly api: Exchange;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private index: { readonly of: unknown; readonly bySymbol: ReadonlyMap<string, MarketInterface> } | undefined;

  constructor(options: CcxtSourceOptions) {
    const id = options.exchangeId ?? 'binance';
    const Ctor = (ccxt as unknown as Record<string, unknown>)[id];
    if (!ccxt.exchanges.includes(id) || typeof Ctor !== 'function') throw new Error(`ccxt has no exchange '${id}'`);
    this.exchange = id;
    this.clock = options.clock;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.api = new (Ctor as new (config: object) => Exchange)({
      enableRateLimit: true,
      timeout: this.timeoutMs,
      options: {
        // Binance loads spot, USDⓈ-M and COIN-M markets by default: three requests where one is needed.
        ...(id === 'binance' ? { fetchMarkets: { types: ['spot'] } } : {}),
        ...options.exchangeOptions,
      },
      ...(options.urls === undefined ? {} : { urls: options.urls }),
    });
  }

  async listSymbols(): Promise<Either<MarketDataError, readonly ListedSymbol[]>> {
    return this.guard({}, async () => {
      // Listings change (new pairs, delistings): always ask again.
      await this.api.loadMarkets(true);
      const listed = [...this.symbolIndex().values()]
        .filter((m) => m.active !== false)
        .map((m) => ({ symbol: `${m.base}${m.quote}`, ccxtSymbol: m.symbol, base: m.base, quote: m.quote, marketId: String(m.id) }))
        .sort((a, b) => a.symbol.localeCompare(b.symbol));
      return right(listed);
    });
  }

  async fetchCandles(symbol: string, interval: Interval, since: number, limit: number): Promise<Either<MarketDataError, readonly Candle[]>> {
    return this.guard({ symbol }, async () => {
      const market = await this.market(symbol);
      if (isLeft(market)) return market;
      if (this.api.timeframes[interval] === undefined) {
        return left({ kind: 'ExchangeError', ...this.about(symbol, `${this.exchange} has no ${interval} candles`) });
      }
      const raw = await this.api.fetchOHLCV(market.right.symbol, interval, since, limit);
      const rows = OhlcvRows.decode(raw);
      if (isLeft(rows)) return left({ kind: 'ExchangeError', ...this.about(symbol, 'unreadable candles in the reply') });
      // A candle is closed once its interval has fully elapsed; the one still forming would change later.
      const now = this.clock.now().getTime();
      const candles = (rows.right as unknown as readonly Ohlcv[])
        .filter(([openTime]) => openTime + INTERVAL_MS[interval] <= now)
        .map(([openTime, open, high, low, close, volume]): Candle => ({ openTime, open, high, low, close, volume }));
      return right(candles);
    });
  }

  async fetchOrderBook(symbol: string, depth: number): Promise<Either<MarketDataError, OrderBook>> {
    return this.guard({ symbol }, async () => {
      const market = await this.market(symbol);
      if (isLeft(market)) return market;
      const book = await this.api.fetchOrderBook(market.right.symbol, depth);
      const bids = this.levels(book.bids, depth);
      const asks = this.levels(book.asks, depth);
      if (bids === undefined || asks === undefined) return left({ kind: 'ExchangeError', ...this.about(symbol, 'unreadable order book in the reply') });
      // Binance spot's depth reply carries no time: the moment we received it is the best we have.
      const timestamp = typeof book.timestamp === 'number' ? book.timestamp : this.clock.now().getTime();
      return right({ timestamp, bids, asks });
    });
  }

  async close(): Promise<void> {
    await this.api.close();
  }

  // Some exchanges add a third field per level (an order count); only price and amount are kept.
  private levels(raw: unknown, depth: number): readonly BookLevel[] | undefined {
    if (!RawLevels.is(raw)) return undefined;
    const decoded = BookLevelsCodec.decode(raw.slice(0, depth).map((level) => level.slice(0, 2)));
    return isLeft(decoded) ? undefined : decoded.right;
  }

  /** Spot markets by `BTCUSDT`-style symbol, rebuilt whenever ccxt reloaded its markets. */
  private symbolIndex(): ReadonlyMap<string, MarketInterface> {
    const markets = this.api.markets ?? {};
    if (this.index?.of !== markets) {
      const bySymbol = new Map<string, MarketInterface>();
      for (const m of Object.values(markets) as MarketInterface[]) {
        const key = `${m.base}${m.quote}`.toUpperCase();
        // Two spot markets could concatenate to the same letters (AB/CDE, ABC/DE); the first one listed wins.
        if (m.spot === true && !bySymbol.has(key)) bySymbol.set(key, m);
      }
      this.index = { of: markets, bySymbol };
    }
    return this.index.bySymbol;
  }

  private async market(symbol: string): Promise<Either<MarketDataError, MarketInterface>> {
    await this.api.loadMarkets();
    const found = symbol.includes('/') ? (this.api.markets?.[symbol] as MarketInterface | undefined) : this.symbolIndex().get(symbol.toUpperCase());
    return found !== undefined && found.spot === true
      ? right(found)
      : left({ kind: 'UnknownSymbol', exchange: this.exchange, symbol, message: `${this.exchange} lists no spot market ${symbol}` });
  }

  private about(symbol: string | undefined, message: string): { exchange: string; symbol?: string; message: string } {
    return { exchange: this.exchange, ...(symbol === undefined ? {} : { symbol }), message };
  }

  /** Runs a call and turns ccxt's exceptions into typed errors; anything else is a bug and is rethrown. */
  private async guard<T>(about: { readonly symbol?: string }, call: () => Promise<Either<MarketDataError, T>>): Promise<Either<MarketDataError, T>> {
    try {
      return await call();
    } catch (err) {
      return left(this.toError(err, about.symbol));
    }
  }

  private toError(err: unknown, symbol: string | undefined): MarketDataError {
    if (!(err instanceof ccxt.BaseError)) throw err;
    const message = err.message;
    if (err instanceof ccxt.BadSymbol && symbol !== undefined) return { kind: 'UnknownSymbol', exchange: this.exchange, symbol, message };
    // Binance answers 429 (slow down) and 418 (banned for a while); ccxt calls both DDoSProtection.
    if (err instanceof ccxt.RateLimitExceeded || err instanceof ccxt.DDoSProtection) {
      return { kind: 'RateLimited', ...this.about(symbol, message), ...this.retryAfter(message) };
    }
    if (err instanceof ccxt.RequestTimeout) return { kind: 'Timeout', ...this.about(symbol, message), timeoutMs: this.timeoutMs };
    if (err instanceof ccxt.NetworkError) return { kind: 'NetworkError', ...this.about(symbol, message) };
    // ExchangeError, BadResponse (an unreadable reply) and the rest: retrying the same request will not help.
    return { kind: 'ExchangeError', ...this.about(symbol, message) };
  }

  private retryAfter(message: string): { retryAfterMs?: number } {
    // The headers are those of the last reply; with concurrent calls they may belong to another one, so
    // they are a hint. A ban names its end in the body: "IP banned until 1659146400000".
    const bannedUntil = /banned until (\d{13})/.exec(message)?.[1];
    const fromBan = bannedUntil === undefined ? undefined : Math.max(0, Number(bannedUntil) - this.clock.now().getTime());
    const ms = fromBan ?? retryAfterHeaderMs(this.api.last_response_headers);
    return ms === undefined ? {} : { retryAfterMs: ms };
  }
}
