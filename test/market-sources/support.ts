// Test support for the market data sources: a local Binance spot REST server (node:http on 127.0.0.1, random port)
// answering the endpoints ccxt calls, in Binance's real formats, with klines made from the real BTCUSDT 1h file;
// and an in-memory candle store implementing the port.
//
// Formats, as documented in binance/binance-spot-api-docs rest-api.md:
// - GET /api/v3/ping → {}; GET /api/v3/time → {"serverTime": ms}
// - GET /api/v3/exchangeInfo → {timezone, serverTime, rateLimits, exchangeFilters, symbols: [...]}
// - GET /api/v3/klines → [[openTime, "open", "high", "low", "close", "volume", closeTime, "quoteAssetVolume",
//   trades, "takerBuyBaseVolume", "takerBuyQuoteVolume", "0"], ...]; startTime/endTime inclusive on open time,
//   limit default 500, max 1000
// - GET /api/v3/depth → {lastUpdateId, bids: [["price", "qty"], ...], asks: [...]}
// - errors: {"code": -1121, "msg": "Invalid symbol."} (HTTP 400); 429/418 with Retry-After (seconds) and code -1003
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { CandleStore, CandleWriteResult } from '../../application/ports/candle-store.js';
import { emptySeries, INTERVAL_MS, seriesKeyString, type Candle, type CandleSeries, type Interval, type SeriesKey } from '../../domain/market/candles.js';
import { sharedDataFile } from '../support/shared-data.js';

/** Rows of a real candle file from ../shared/data, as numbers. */
export const realCandles = (file: string): Candle[] => {
  const lines = gunzipSync(readFileSync(sharedDataFile(file)))
    .toString('utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((line) => {
    const [openTime, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
    return { openTime, open, high, low, close, volume };
  });
};

/** Binance prints decimals with 8 places: "57953.86000000". */
const dec = (n: number): string => n.toFixed(8);

// A symbol entry as Binance's exchangeInfo has it today (filters, permissionSets, STP modes).
const symbolInfo = (symbol: string, base: string, quote: string, status: string, tick: string, step: string) => ({
  symbol,
  status,
  baseAsset: base,
  baseAssetPrecision: 8,
  quoteAsset: quote,
  quotePrecision: 8,
  quoteAssetPrecision: 8,
  baseCommissionPrecision: 8,
  quoteCommissionPrecision: 8,
  orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
  icebergAllowed: true,
  ocoAllowed: true,
  otoAllowed: true,
  quoteOrderQtyMarketAllowed: true,
  allowTrailingStop: true,
  cancelReplaceAllowed: true,
  isSpotTradingAllowed: true,
  isMarginTradingAllowed: status === 'TRADING',
  filters: [
    { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '1000000.00000000', tickSize: tick },
    { filterType: 'LOT_SIZE', minQty: step, maxQty: '9000.00000000', stepSize: step },
    { filterType: 'ICEBERG_PARTS', limit: 10 },
    { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '119.23000000', stepSize: '0.00000000' },
    { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
    { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
    { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
    { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
  ],
  permissions: [],
  permissionSets: [['SPOT', 'MARGIN']],
  defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
  allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
});

/** Three trading pairs and one that Binance halted (MATICUSDT, status BREAK since the POL migration). */
export const LISTED = [
  symbolInfo('BTCUSDT', 'BTC', 'USDT', 'TRADING', '0.01000000', '0.00001000'),
  symbolInfo('ETHUSDT', 'ETH', 'USDT', 'TRADING', '0.01000000', '0.00010000'),
  symbolInfo('ETHBTC', 'ETH', 'BTC', 'TRADING', '0.00001000', '0.00010000'),
  symbolInfo('MATICUSDT', 'MATIC', 'USDT', 'BREAK', '0.00010000', '0.10000000'),
];

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a test may do to a request before the server answers normally: answer otherwise, or never answer. */
export type Intercept = (req: { readonly path: string; readonly query: URLSearchParams }) => Reply | 'hang' | undefined;

export interface FakeBinance {
  /** `http://127.0.0.1:<port>/api/v3`: the value for ccxt's `urls.api.public`. */
  readonly apiUrl: string;
  /** Every request received, in order. */
  readonly requests: { readonly path: string; readonly query: URLSearchParams }[];
  intercept: Intercept | undefined;
  /** The server's clock: the kline containing it is still open. */
  now: number;
  /** Order books by symbol, as Binance sends them (strings). */
  books: Map<string, { bids: [string, string][]; asks: [string, string][] }>;
  close(): Promise<void>;
}

export const startFakeBinance = async (klines: Readonly<Record<string, readonly Candle[]>>, now: number): Promise<FakeBinance> => {
  let lastUpdateId = 1027024;
  const state = {
    requests: [] as { path: string; query: URLSearchParams }[],
    intercept: undefined as Intercept | undefined,
    now,
    books: new Map<string, { bids: [string, string][]; asks: [string, string][] }>(),
  };

  const invalidSymbol: Reply = { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };

  const answer = (path: string, q: URLSearchParams): Reply => {
    switch (path) {
      case '/api/v3/ping':
        return { status: 200, body: {} };
      case '/api/v3/time':
        return { status: 200, body: { serverTime: state.now } };
      case '/api/v3/exchangeInfo':
        return {
          status: 200,
          body: {
            timezone: 'UTC',
            serverTime: state.now,
            rateLimits: [
              { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
              { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
              { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
              { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
            ],
            exchangeFilters: [],
            symbols: LISTED,
          },
        };
      case '/api/v3/klines': {
        const symbol = q.get('symbol') ?? '';
        if (!LISTED.some((s) => s.symbol === symbol)) return invalidSymbol;
        const interval = q.get('interval') as Interval;
        const step = INTERVAL_MS[interval];
        if (interval !== '1h') return { status: 200, body: [] }; // only hourly data is served
        const limit = Math.min(Number(q.get('limit') ?? 500), 1000);
        const start = q.has('startTime') ? Number(q.get('startTime')) : -Infinity;
        const end = q.has('endTime') ? Number(q.get('endTime')) : Infinity;
        // Nothing opens after the server's now; the candle containing now is returned, still open.
        let rows = (klines[symbol] ?? []).filter((c) => c.openTime >= start && c.openTime <= end && c.openTime <= state.now);
        rows = q.has('startTime') ? rows.slice(0, limit) : rows.slice(-limit);
        return {
          status: 200,
          // The file has no quote volume, trade count or taker volumes: those fields are zero (ccxt reads fields 0-5).
          body: rows.map((c) => [
            c.openTime,
            dec(c.open),
            dec(c.high),
            dec(c.low),
            dec(c.close),
            dec(c.volume),
            c.openTime + step - 1,
            dec(0),
            0,
            dec(0),
            dec(0),
            '0',
          ]),
        };
      }
      case '/api/v3/depth': {
        const symbol = q.get('symbol') ?? '';
        const book = state.books.get(symbol);
        if (book === undefined) return LISTED.some((s) => s.symbol === symbol) ? { status: 200, body: { lastUpdateId, bids: [], asks: [] } } : invalidSymbol;
        const limit = Number(q.get('limit') ?? 100);
        lastUpdateId += 1;
        return { status: 200, body: { lastUpdateId, bids: book.bids.slice(0, limit), asks: book.asks.slice(0, limit) } };
      }
      default:
        return { status: 404, body: '<html><body><h1>404 Not found</h1></body></html>' };
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request = { path: url.pathname, query: url.searchParams };
    state.requests.push(request);
    const intercepted = state.intercept?.(request);
    if (intercepted === 'hang') return; // never answers; closed when the server closes
    const reply = intercepted ?? answer(url.pathname, url.searchParams);
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': typeof reply.body === 'string' ? 'text/html' : 'application/json;charset=UTF-8', ...reply.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(state, {
    apiUrl: `http://127.0.0.1:${port}/api/v3`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
};

/** Binance's 429 and 418 replies (errors.md, code -1003). */
export const tooManyRequests = (retryAfterSeconds: number): Reply => ({
  status: 429,
  headers: { 'Retry-After': String(retryAfterSeconds) },
  body: {
    code: -1003,
    msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.',
  },
});
export const ipBanned = (until: number, retryAfterSeconds: number): Reply => ({
  status: 418,
  headers: { 'Retry-After': String(retryAfterSeconds) },
  body: { code: -1003, msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.` },
});

/** The candle store port in memory: enough of the real one's contract for the backfill. */
export class InMemoryCandleStore implements CandleStore {
  readonly series = new Map<string, Map<number, Candle>>();
  /** Every writeCandles call, for asserting what was written when. */
  readonly writes: { key: SeriesKey; openTimes: number[] }[] = [];

  private of(key: SeriesKey): Map<number, Candle> {
    const k = seriesKeyString(key);
    let s = this.series.get(k);
    if (s === undefined) this.series.set(k, (s = new Map()));
    return s;
  }

  candles(key: SeriesKey): Candle[] {
    return [...this.of(key).values()].sort((a, b) => a.openTime - b.openTime);
  }

  async writeCandles(key: SeriesKey, candles: readonly Candle[]): Promise<CandleWriteResult> {
    this.writes.push({ key, openTimes: candles.map((c) => c.openTime) });
    const s = this.of(key);
    let inserted = 0;
    let unchanged = 0;
    const conflicts: { openTime: number; reason: string }[] = [];
    for (const c of candles) {
      const stored = s.get(c.openTime);
      if (stored === undefined) {
        s.set(c.openTime, c);
        inserted += 1;
      } else if (stored.open === c.open && stored.high === c.high && stored.low === c.low && stored.close === c.close && stored.volume === c.volume) {
        unchanged += 1;
      } else {
        conflicts.push({ openTime: c.openTime, reason: 'differs from the stored candle' });
      }
    }
    return { inserted, unchanged, completed: 0, conflicts };
  }

  async readSeries(key: SeriesKey, range: { readonly from?: number; readonly to?: number } = {}): Promise<CandleSeries> {
    const rows = this.candles(key).filter((c) => c.openTime >= (range.from ?? -Infinity) && c.openTime < (range.to ?? Infinity));
    const out = emptySeries(key, rows.length);
    rows.forEach((c, i) => {
      out.openTime[i] = c.openTime;
      out.open[i] = c.open;
      out.high[i] = c.high;
      out.low[i] = c.low;
      out.close[i] = c.close;
      out.volume[i] = c.volume;
    });
    return out;
  }

  async bounds(key: SeriesKey) {
    const rows = this.candles(key);
    const first = rows[0];
    const last = rows[rows.length - 1];
    return first === undefined || last === undefined ? undefined : { first: first.openTime, last: last.openTime, count: rows.length };
  }

  async listSeries() {
    const out: (SeriesKey & { first: number; last: number; count: number })[] = [];
    for (const k of this.series.keys()) {
      const [exchange, symbol, interval] = k.split(':') as [string, string, SeriesKey['interval']];
      const b = await this.bounds({ exchange, symbol, interval });
      if (b) out.push({ exchange, symbol, interval, ...b });
    }
    return out;
  }

  async deleteBefore(interval: SeriesKey['interval'], before: number): Promise<number> {
    return this.deleteWhere((k, c) => k.endsWith(`:${interval}`) && c.openTime < before);
  }

  async trimSeries(interval: SeriesKey['interval'], keepMs: number): Promise<number> {
    let deleted = 0;
    for (const [k, s] of this.series) {
      if (!k.endsWith(`:${interval}`) || s.size === 0) continue;
      const newest = Math.max(...s.keys());
      for (const t of [...s.keys()]) if (t < newest - keepMs && s.delete(t)) deleted++;
    }
    return deleted;
  }

  private deleteWhere(drop: (key: string, c: Candle) => boolean): number {
    let deleted = 0;
    for (const [k, s] of this.series) for (const [t, c] of [...s]) if (drop(k, c) && s.delete(t)) deleted++;
    return deleted;
  }
}

/** A clock that moves forward by `stepMs` every time it is read (distinct snapshot times). */
export const steppingClock = (start: number, stepMs: number) => {
  let t = start - stepMs;
  return { now: () => new Date((t += stepMs)) };
};
