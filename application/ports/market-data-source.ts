// Where market data comes from: an exchange's listed spot markets, its closed candles, its order book.
// Failures a caller must plan for (an unknown pair, a rate limit, a slow or unreachable exchange) come
// back as typed values naming the exchange and the symbol; only programming errors throw.
import type { Either } from 'fp-ts/lib/Either.js';
import type { Candle, Interval } from '../../domain/market/candles.js';
import type { OrderBook } from '../../domain/market/liquidity.js';

export interface ListedSymbol {
  /** The pair without separator, as SeriesKey.symbol spells it: `BTCUSDT`. */
  readonly symbol: string;
  /** The unified ccxt symbol: `BTC/USDT`. */
  readonly ccxtSymbol: string;
  readonly base: string;
  readonly quote: string;
  /** The exchange's own market id (Binance `BTCUSDT`, OKX `BTC-USDT`). */
  readonly marketId: string;
}

interface ErrorBase {
  readonly exchange: string;
  /** The symbol the call was about; absent only for listSymbols. */
  readonly symbol?: string;
  /** The underlying message, for logs. */
  readonly message: string;
}

/** The exchange does not list the pair (or refused it as an invalid symbol). */
export interface UnknownSymbol extends ErrorBase {
  readonly kind: 'UnknownSymbol';
  readonly symbol: string;
}
/** HTTP 429/418 or the exchange's own "too many requests". */
export interface RateLimited extends ErrorBase {
  readonly kind: 'RateLimited';
  /** How long the exchange asked us to wait (Retry-After, or a ban's end), when it said. */
  readonly retryAfterMs?: number;
}
/** No answer within the configured timeout. */
export interface Timeout extends ErrorBase {
  readonly kind: 'Timeout';
  readonly timeoutMs: number;
}
/** The exchange could not be reached or answered with a server error (5xx, maintenance). */
export interface NetworkError extends ErrorBase {
  readonly kind: 'NetworkError';
}
/** The exchange answered and refused, or answered something unreadable. Retrying will not help. */
export interface ExchangeError extends ErrorBase {
  readonly kind: 'ExchangeError';
}

export type MarketDataError = UnknownSymbol | RateLimited | Timeout | NetworkError | ExchangeError;

/** Worth trying again later: the same request may well succeed. */
export const isTransient = (e: MarketDataError): boolean => e.kind === 'RateLimited' || e.kind === 'Timeout' || e.kind === 'NetworkError';

export const describeMarketDataError = (e: MarketDataError): string =>
  `${e.kind} on ${e.exchange}${e.symbol === undefined ? '' : ` for ${e.symbol}`}: ${e.message}`;

export interface MarketDataSource {
  /** The exchange id (ccxt's: `binance`), as SeriesKey.exchange spells it. */
  readonly exchange: string;
  /** Active spot markets. */
  listSymbols(): Promise<Either<MarketDataError, readonly ListedSymbol[]>>;
  /**
   * Up to `limit` candles opening at or after `since` (UTC ms), oldest first. Closed candles only: the
   * candle still forming is dropped, so a stored candle never changes afterwards. `symbol` is `BTCUSDT`
   * (or the ccxt form `BTC/USDT`).
   */
  fetchCandles(symbol: string, interval: Interval, since: number, limit: number): Promise<Either<MarketDataError, readonly Candle[]>>;
  /** The top `depth` levels of each side, best first. */
  fetchOrderBook(symbol: string, depth: number): Promise<Either<MarketDataError, OrderBook>>;
  close(): Promise<void>;
}
