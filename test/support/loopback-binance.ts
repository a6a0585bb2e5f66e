// A Binance spot exchange on loopback (node:http on 127.0.0.1, random port) that trades: ccxt, unpatched, is pointed
// at it by overriding `urls.api.public/private/v1` after setSandboxMode(true) (infrastructure/exchange/ccxt). It
// answers in Binance spot's real REST formats and with its real error bodies and HTTP codes, so the adapter's
// parsing and error mapping are tested against what the exchange sends, not against what we wish it sent.
//
// Formats, as documented in binance/binance-spot-api-docs (rest-api.md, errors.md, filters.md):
// - GET /api/v3/ping → {}; GET /api/v3/time → {"serverTime"}; GET /api/v3/exchangeInfo → {timezone, serverTime,
//   rateLimits, exchangeFilters, symbols: [{symbol, status, baseAsset, quoteAsset, orderTypes, filters: [PRICE_FILTER,
//   LOT_SIZE, NOTIONAL or the older MIN_NOTIONAL, …]}]}; GET /api/v3/ticker/price → {symbol, price}
// - POST /api/v3/order (signed, form body) → FULL reply {symbol, orderId, orderListId, clientOrderId, transactTime,
//   price, origQty, executedQty, cummulativeQuoteQty, status, timeInForce, type, side, workingTime, fills: [{price,
//   qty, commission, commissionAsset, tradeId}]}; GET /api/v3/order (orderId or origClientOrderId) → the order with
//   time/updateTime/isWorking; DELETE /api/v3/order → the order as CANCELED, `clientOrderId` being the cancel's own id
//   and `origClientOrderId` ours; GET /api/v3/openOrders (symbol optional); GET /api/v3/account → {…, balances:
//   [{asset, free, locked}]}; GET /api/v3/myTrades (symbol, orderId) → [{symbol, id, orderId, price, qty, quoteQty,
//   commission, commissionAsset, time, isBuyer, isMaker, isBestMatch}]
// - Signed requests: header X-MBX-APIKEY, `timestamp` within `recvWindow`, `signature` = hex HMAC-SHA256 of the
//   query string + body (without the signature) under the secret. Checked here.
// - Errors: HTTP 400 {"code": -2010, "msg": "Account has insufficient balance for requested action."} / "Duplicate
//   order sent."; 400 -2013 "Order does not exist." (GET order); 400 -2011 "Unknown order sent." (DELETE order);
//   400 -1013 "Filter failure: NOTIONAL" (or MIN_NOTIONAL, LOT_SIZE, PRICE_FILTER); 400 -1121 "Invalid symbol.";
//   401 -2015 "Invalid API-key, IP, or permissions for action."; 400 -1022 "Signature for this request is not valid.";
//   429 -1003 with Retry-After (seconds); 418 -1003 "… banned until <ms> …".
//
// - User data stream over the WebSocket API (what ccxt.pro 4.5 uses for Binance spot), ws://…/ws-api/v3 (websocket-
//   api.md, user-data-stream.md): request {id, method: "userDataStream.subscribe.signature", params: {apiKey,
//   timestamp, signature}} — the signature is hex HMAC-SHA256 of the other params sorted by name as `k=v&…` — answered
//   {id, status: 200, result: {subscriptionId}, rateLimits}; errors {id, status: 400|401, error: {code, msg}}. Then every
//   change of an order is pushed as {subscriptionId, event: {e: "executionReport", …}}: x = NEW at placement, TRADE per
//   fill (t, l, L, n, N, m), CANCELED (c the cancel's own id, C ours), EXPIRED.
//
// Fills: market orders fill at once at the price the test set (taker); limit orders that cross fill at once at that
// price (taker), the others rest until `setPrice` moves the price through them and fill at their own price (maker).
// STOP_LOSS / STOP_LOSS_LIMIT trigger when the price reaches the stop (sell: at or below, buy: at or above).
// Commission is taken from what is received (base on a buy, quote on a sell), as Binance does without BNB.
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface LoopbackMarket {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly tickSize: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly minNotional: string;
  /** `NOTIONAL` (today's filter) or `MIN_NOTIONAL` (the older one some symbols still carry). */
  readonly notionalFilter: 'NOTIONAL' | 'MIN_NOTIONAL';
  readonly status?: string;
}

export const LOOPBACK_MARKETS: readonly LoopbackMarket[] = [
  {
    symbol: 'BTCUSDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: '0.01000000',
    stepSize: '0.00001000',
    minQty: '0.00001000',
    minNotional: '5.00000000',
    notionalFilter: 'NOTIONAL',
  },
  {
    symbol: 'ETHBTC',
    base: 'ETH',
    quote: 'BTC',
    tickSize: '0.00001000',
    stepSize: '0.00010000',
    minQty: '0.00010000',
    minNotional: '0.00010000',
    notionalFilter: 'MIN_NOTIONAL',
  },
];

type Status = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
type BinanceType = 'MARKET' | 'LIMIT' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'LIMIT_MAKER';

export interface LoopbackTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly price: number;
  readonly qty: number;
  readonly commission: number;
  readonly commissionAsset: string;
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

export interface LoopbackOrder {
  readonly orderId: number;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly side: 'BUY' | 'SELL';
  type: BinanceType;
  readonly timeInForce: string;
  /** 0 for market orders, as Binance prints "0.00000000". */
  price: number;
  readonly stopPrice: number;
  origQty: number;
  readonly origQuoteOrderQty: number;
  executedQty: number;
  cummulativeQuoteQty: number;
  status: Status;
  readonly time: number;
  updateTime: number;
  /** What the order holds of the account while it rests (quote for a buy, base for a sell). */
  locked: number;
  readonly trades: LoopbackTrade[];
}

/** A fault the next matching request meets instead of (or besides) its normal answer. */
export type LoopbackFault =
  | { readonly kind: 'rate_limit'; readonly retryAfterSeconds?: number }
  | { readonly kind: 'banned'; readonly until: number }
  /** The request is held `holdMs` (longer than the client's timeout); with `process` it is carried out at once anyway. */
  | { readonly kind: 'timeout'; readonly holdMs: number; readonly process: boolean }
  | { readonly kind: 'reply'; readonly status: number; readonly body: unknown };

export interface LoopbackRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface LoopbackBinance {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The ccxt `urls.api` entries Binance spot uses, pointed here. */
  readonly apiUrls: { readonly public: string; readonly private: string; readonly v1: string };
  /** The ccxt.pro `urls.api.ws` entries Binance spot's user data stream uses (the WebSocket API), pointed here. */
  readonly wsUrls: { readonly 'ws-api': { readonly spot: string } };
  /** User data stream subscriptions now open. */
  streamSubscriptions(): number;
  /** Every executionReport pushed so far, in order. */
  readonly pushed: Record<string, unknown>[];
  /** Drops every websocket connection (a network cut): a client must reconnect and subscribe again. */
  dropStreams(): void;
  readonly apiKey: string;
  readonly secret: string;
  readonly takerFee: number;
  readonly makerFee: number;
  readonly requests: LoopbackRequest[];
  readonly orders: LoopbackOrder[];
  /** Moves the last price; resting orders the price reaches fill (limits at their own price, stops as market). */
  setPrice(symbol: string, price: number): void;
  price(symbol: string): number;
  setBalance(asset: string, free: number): void;
  balance(asset: string): { free: number; locked: number };
  /** The next `times` requests to `method path` meet `fault`. */
  inject(method: string, path: string, fault: LoopbackFault, times?: number): void;
  /** Fills `qty` of a resting order at its own price (maker), as another trader taking part of it would. */
  fillPartly(clientOrderId: string, qty: number): void;
  /** Cancels an order as another client would (the web UI while MasterTrade was down). */
  cancelDirect(clientOrderId: string): void;
  /** Places an order as another client would (the web UI, a crashed run): for reconciliation tests. */
  placeDirect(params: Record<string, string>): LoopbackOrder;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  readonly markets?: readonly LoopbackMarket[];
  readonly prices?: Readonly<Record<string, number>>;
  readonly balances?: Readonly<Record<string, number>>;
  readonly takerFee?: number;
  readonly makerFee?: number;
  /** Check X-MBX-APIKEY and the HMAC signature (default true). */
  readonly verifySignature?: boolean;
}

const dec = (n: number): string => n.toFixed(8);
const round8 = (n: number): number => Math.round(n * 1e8) / 1e8;
const isMultiple = (x: number, step: number): boolean => Math.abs(x / step - Math.round(x / step)) < 1e-7;

class BinanceError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const symbolInfo = (m: LoopbackMarket) => ({
  symbol: m.symbol,
  status: m.status ?? 'TRADING',
  baseAsset: m.base,
  baseAssetPrecision: 8,
  quoteAsset: m.quote,
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
  isMarginTradingAllowed: false,
  filters: [
    { filterType: 'PRICE_FILTER', minPrice: m.tickSize, maxPrice: '1000000.00000000', tickSize: m.tickSize },
    { filterType: 'LOT_SIZE', minQty: m.minQty, maxQty: '9000.00000000', stepSize: m.stepSize },
    { filterType: 'ICEBERG_PARTS', limit: 10 },
    { filterType: 'MARKET_LOT_SIZE', minQty: '0.00000000', maxQty: '119.23000000', stepSize: '0.00000000' },
    { filterType: 'TRAILING_DELTA', minTrailingAboveDelta: 10, maxTrailingAboveDelta: 2000, minTrailingBelowDelta: 10, maxTrailingBelowDelta: 2000 },
    { filterType: 'PERCENT_PRICE_BY_SIDE', bidMultiplierUp: '5', bidMultiplierDown: '0.2', askMultiplierUp: '5', askMultiplierDown: '0.2', avgPriceMins: 5 },
    m.notionalFilter === 'NOTIONAL'
      ? {
          filterType: 'NOTIONAL',
          minNotional: m.minNotional,
          applyMinToMarket: true,
          maxNotional: '9000000.00000000',
          applyMaxToMarket: false,
          avgPriceMins: 5,
        }
      : { filterType: 'MIN_NOTIONAL', minNotional: m.minNotional, applyToMarket: true, avgPriceMins: 5 },
    { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    { filterType: 'MAX_NUM_ALGO_ORDERS', maxNumAlgoOrders: 5 },
  ],
  permissions: [],
  permissionSets: [['SPOT']],
  defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
  allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
});

const PRIVATE = new Set(['/api/v3/order', '/api/v3/openOrders', '/api/v3/account', '/api/v3/myTrades']);

export const startLoopbackBinance = async (options: LoopbackOptions = {}): Promise<LoopbackBinance> => {
  const markets = new Map((options.markets ?? LOOPBACK_MARKETS).map((m) => [m.symbol, m]));
  const prices = new Map<string, number>(Object.entries(options.prices ?? { BTCUSDT: 40_000, ETHBTC: 0.05 }));
  const balances = new Map<string, { free: number; locked: number }>();
  for (const [asset, free] of Object.entries(options.balances ?? { USDT: 10_000, BTC: 1, ETH: 10 })) balances.set(asset, { free, locked: 0 });
  const apiKey = randomBytes(16).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const takerFee = options.takerFee ?? 0.001;
  const makerFee = options.makerFee ?? 0.001;
  const verify = options.verifySignature ?? true;
  const requests: LoopbackRequest[] = [];
  const orders: LoopbackOrder[] = [];
  const faults: { method: string; path: string; fault: LoopbackFault; times: number }[] = [];
  const held = new Set<http.ServerResponse>();
  let nextOrderId = 1000;
  let nextTradeId = 5000;
  /** Open user data stream subscriptions, by socket. */
  const streams = new Map<WebSocket, number>();
  const pushed: Record<string, unknown>[] = [];
  let nextSubscriptionId = 0;

  /** Binance's executionReport for a change of `o` (user-data-stream.md), pushed to every subscription. */
  const report = (o: LoopbackOrder, x: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED', trade?: LoopbackTrade, cancelClientId?: string) => {
    const now = Date.now();
    const event = {
      e: 'executionReport',
      E: now,
      s: o.symbol,
      c: x === 'CANCELED' ? (cancelClientId ?? o.clientOrderId) : o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: dec(o.origQty),
      p: dec(o.price),
      P: dec(o.stopPrice),
      F: dec(0),
      g: -1,
      C: x === 'CANCELED' ? o.clientOrderId : '',
      x,
      X: o.status,
      r: 'NONE',
      i: o.orderId,
      l: dec(trade?.qty ?? 0),
      z: dec(o.executedQty),
      L: dec(trade?.price ?? 0),
      n: trade === undefined ? '0' : dec(trade.commission),
      N: trade === undefined ? null : trade.commissionAsset,
      T: trade?.time ?? o.updateTime,
      t: trade?.id ?? -1,
      I: o.orderId,
      w: (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED') && o.type !== 'STOP_LOSS' && o.type !== 'STOP_LOSS_LIMIT',
      m: trade?.isMaker ?? false,
      M: trade !== undefined,
      O: o.time,
      Z: dec(o.cummulativeQuoteQty),
      Y: dec(trade === undefined ? 0 : round8(trade.price * trade.qty)),
      Q: dec(o.origQuoteOrderQty),
      W: o.time,
      V: 'EXPIRE_MAKER',
    };
    pushed.push(event);
    for (const [socket, subscriptionId] of streams) socket.send(JSON.stringify({ subscriptionId, event }));
  };

  const bal = (asset: string) => {
    let b = balances.get(asset);
    if (b === undefined) balances.set(asset, (b = { free: 0, locked: 0 }));
    return b;
  };
  const marketOf = (symbol: string | undefined): LoopbackMarket => {
    const m = symbol === undefined ? undefined : markets.get(symbol);
    if (m === undefined) throw new BinanceError(400, -1121, 'Invalid symbol.');
    return m;
  };

  const fill = (o: LoopbackOrder, price: number, qty: number, isMaker: boolean, time: number) => {
    const m = marketOf(o.symbol);
    const fee = isMaker ? makerFee : takerFee;
    const quoteQty = round8(price * qty);
    const remainingBefore = round8(o.origQty - o.executedQty);
    const fromLock = remainingBefore > 0 ? round8(o.locked * Math.min(1, qty / remainingBefore)) : 0;
    const trade: LoopbackTrade =
      o.side === 'BUY'
        ? {
            id: nextTradeId++,
            orderId: o.orderId,
            symbol: o.symbol,
            price,
            qty,
            commission: round8(qty * fee),
            commissionAsset: m.base,
            time,
            isBuyer: true,
            isMaker,
          }
        : {
            id: nextTradeId++,
            orderId: o.orderId,
            symbol: o.symbol,
            price,
            qty,
            commission: round8(quoteQty * fee),
            commissionAsset: m.quote,
            time,
            isBuyer: false,
            isMaker,
          };
    if (o.side === 'BUY') {
      // A resting buy pays from what it locked (its share of the lock comes back, the cost goes).
      bal(m.quote).locked = round8(bal(m.quote).locked - fromLock);
      o.locked = round8(o.locked - fromLock);
      bal(m.quote).free = round8(bal(m.quote).free + fromLock - quoteQty);
      bal(m.base).free = round8(bal(m.base).free + qty - trade.commission);
    } else {
      bal(m.base).locked = round8(bal(m.base).locked - fromLock);
      o.locked = round8(o.locked - fromLock);
      bal(m.base).free = round8(bal(m.base).free - (qty - fromLock));
      bal(m.quote).free = round8(bal(m.quote).free + quoteQty - trade.commission);
    }
    o.trades.push(trade);
    o.executedQty = round8(o.executedQty + qty);
    o.cummulativeQuoteQty = round8(o.cummulativeQuoteQty + quoteQty);
    o.status = o.executedQty >= o.origQty - 1e-12 ? 'FILLED' : 'PARTIALLY_FILLED';
    o.updateTime = time;
    report(o, 'TRADE', trade);
  };

  const isOpen = (o: LoopbackOrder) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
  const crosses = (side: 'BUY' | 'SELL', limit: number, price: number) => (side === 'BUY' ? price <= limit : price >= limit);
  const triggered = (side: 'BUY' | 'SELL', stop: number, price: number) => (side === 'BUY' ? price >= stop : price <= stop);

  /** Runs the resting orders of `symbol` against the current price. */
  const match = (symbol: string, time: number) => {
    const price = prices.get(symbol)!;
    for (const o of orders) {
      if (o.symbol !== symbol || !isOpen(o)) continue;
      const remaining = round8(o.origQty - o.executedQty);
      if (o.type === 'STOP_LOSS' && triggered(o.side, o.stopPrice, price)) fill(o, price, remaining, false, time);
      else if (o.type === 'STOP_LOSS_LIMIT' && triggered(o.side, o.stopPrice, price)) {
        o.type = 'LIMIT';
        if (crosses(o.side, o.price, price)) fill(o, o.price, remaining, true, time);
      } else if ((o.type === 'LIMIT' || o.type === 'LIMIT_MAKER') && crosses(o.side, o.price, price)) fill(o, o.price, remaining, true, time);
    }
  };

  const orderJson = (o: LoopbackOrder) => ({
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: dec(o.price),
    origQty: dec(o.origQty),
    executedQty: dec(o.executedQty),
    cummulativeQuoteQty: dec(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: dec(o.stopPrice),
    icebergQty: dec(0),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.type !== 'STOP_LOSS' && o.type !== 'STOP_LOSS_LIMIT',
    workingTime: o.time,
    origQuoteOrderQty: dec(o.origQuoteOrderQty),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  });

  const placeOrder = (p: Record<string, string>): LoopbackOrder => {
    const m = marketOf(p.symbol);
    const side = p.side === 'BUY' || p.side === 'SELL' ? p.side : undefined;
    if (side === undefined) throw new BinanceError(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    const type = p.type as BinanceType;
    if (!['MARKET', 'LIMIT', 'STOP_LOSS', 'STOP_LOSS_LIMIT', 'LIMIT_MAKER'].includes(type)) throw new BinanceError(400, -1116, 'Invalid orderType.');
    const clientOrderId = p.newClientOrderId ?? `web_${randomBytes(10).toString('hex')}`;
    if (orders.some((o) => o.clientOrderId === clientOrderId && isOpen(o))) throw new BinanceError(400, -2010, 'Duplicate order sent.');
    const last = prices.get(m.symbol)!;
    const limit = p.price === undefined ? 0 : Number(p.price);
    const stop = p.stopPrice === undefined ? 0 : Number(p.stopPrice);
    if (type !== 'MARKET' && type !== 'STOP_LOSS' && !(limit > 0))
      throw new BinanceError(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
    if ((type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT') && !(stop > 0))
      throw new BinanceError(400, -1102, "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.");
    if ((limit > 0 && !isMultiple(limit, Number(m.tickSize))) || (stop > 0 && !isMultiple(stop, Number(m.tickSize))))
      throw new BinanceError(400, -1013, 'Filter failure: PRICE_FILTER');
    const quoteOrderQty = p.quoteOrderQty === undefined ? 0 : Number(p.quoteOrderQty);
    let qty: number;
    if (type === 'MARKET' && quoteOrderQty > 0) {
      const step = Number(m.stepSize);
      qty = round8(Math.floor(quoteOrderQty / last / step + 1e-9) * step);
    } else {
      qty = Number(p.quantity);
      if (!(qty > 0)) throw new BinanceError(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    }
    if (qty < Number(m.minQty) || !isMultiple(qty, Number(m.stepSize))) throw new BinanceError(400, -1013, 'Filter failure: LOT_SIZE');
    const refPrice = type === 'MARKET' || type === 'STOP_LOSS' ? last : limit;
    if (qty * refPrice < Number(m.minNotional)) throw new BinanceError(400, -1013, `Filter failure: ${m.notionalFilter}`);
    // The account must hold what the order may spend: the quote at the order's price for a buy, the base for a sell.
    const need = side === 'BUY' ? round8(qty * (type === 'MARKET' || type === 'STOP_LOSS' ? last : refPrice)) : qty;
    const asset = side === 'BUY' ? m.quote : m.base;
    if (bal(asset).free + 1e-12 < need) throw new BinanceError(400, -2010, 'Account has insufficient balance for requested action.');
    const now = Date.now();
    const o: LoopbackOrder = {
      orderId: nextOrderId++,
      symbol: m.symbol,
      clientOrderId,
      side,
      type,
      timeInForce: type === 'MARKET' || type === 'STOP_LOSS' ? 'GTC' : (p.timeInForce ?? 'GTC'),
      price: limit,
      stopPrice: stop,
      origQty: qty,
      origQuoteOrderQty: quoteOrderQty,
      executedQty: 0,
      cummulativeQuoteQty: 0,
      status: 'NEW',
      time: now,
      updateTime: now,
      locked: 0,
      trades: [],
    };
    orders.push(o);
    report(o, 'NEW');
    if (type === 'MARKET') {
      fill(o, last, qty, false, now);
      return o;
    }
    if (type === 'LIMIT_MAKER' && crosses(side, limit, last)) {
      o.status = 'EXPIRED';
      report(o, 'EXPIRED');
      return o;
    }
    if (type === 'LIMIT' && crosses(side, limit, last)) {
      // Marketable at placement: fills at once at the better market price, as a taker.
      fill(o, last, qty, false, now);
      return o;
    }
    if (o.timeInForce === 'IOC' || o.timeInForce === 'FOK') {
      o.status = 'EXPIRED';
      report(o, 'EXPIRED');
      return o;
    }
    bal(asset).free = round8(bal(asset).free - need);
    bal(asset).locked = round8(bal(asset).locked + need);
    o.locked = need;
    return o;
  };

  const findOrder = (p: Record<string, string>): LoopbackOrder | undefined => {
    const m = marketOf(p.symbol);
    const candidates = orders.filter(
      (o) => o.symbol === m.symbol && (p.orderId !== undefined ? String(o.orderId) === p.orderId : o.clientOrderId === p.origClientOrderId),
    );
    return candidates[candidates.length - 1];
  };

  /** Cancels `o`; `cancelClientId` is the cancel request's own client id (Binance's `newClientOrderId`, else random). */
  const cancel = (o: LoopbackOrder, cancelClientId: string) => {
    const m = marketOf(o.symbol);
    const asset = o.side === 'BUY' ? m.quote : m.base;
    bal(asset).locked = round8(bal(asset).locked - o.locked);
    bal(asset).free = round8(bal(asset).free + o.locked);
    o.locked = 0;
    o.status = 'CANCELED';
    o.updateTime = Date.now();
    report(o, 'CANCELED', undefined, cancelClientId);
  };

  const route = (method: string, path: string, p: Record<string, string>): unknown => {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /api/v3/ping':
        return {};
      case 'GET /api/v3/time':
        return { serverTime: Date.now() };
      case 'GET /api/v3/exchangeInfo':
        return {
          timezone: 'UTC',
          serverTime: Date.now(),
          rateLimits: [
            { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
            { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
            { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
            { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
          ],
          exchangeFilters: [],
          symbols: [...markets.values()].map(symbolInfo),
        };
      case 'GET /api/v3/ticker/price': {
        if (p.symbol !== undefined) return { symbol: marketOf(p.symbol).symbol, price: dec(prices.get(p.symbol)!) };
        return [...markets.keys()].map((s) => ({ symbol: s, price: dec(prices.get(s)!) }));
      }
      case 'POST /api/v3/order': {
        const o = placeOrder(p);
        return {
          ...orderJson(o),
          transactTime: o.time,
          fills: o.trades.map((t) => ({
            price: dec(t.price),
            qty: dec(t.qty),
            commission: dec(t.commission),
            commissionAsset: t.commissionAsset,
            tradeId: t.id,
          })),
        };
      }
      case 'GET /api/v3/order': {
        const o = findOrder(p);
        if (o === undefined) throw new BinanceError(400, -2013, 'Order does not exist.');
        return orderJson(o);
      }
      case 'DELETE /api/v3/order': {
        const o = findOrder(p);
        if (o === undefined || !isOpen(o)) throw new BinanceError(400, -2011, 'Unknown order sent.');
        const cancelClientId = p.newClientOrderId ?? randomBytes(11).toString('hex');
        cancel(o, cancelClientId);
        const { time: _t, updateTime: _u, isWorking: _w, workingTime: _wt, stopPrice: _s, icebergQty: _i, origQuoteOrderQty: _q, ...rest } = orderJson(o);
        return {
          ...rest,
          origClientOrderId: o.clientOrderId,
          clientOrderId: cancelClientId,
          transactTime: o.updateTime,
        };
      }
      case 'GET /api/v3/openOrders': {
        if (p.symbol !== undefined) marketOf(p.symbol);
        return orders.filter((o) => isOpen(o) && (p.symbol === undefined || o.symbol === p.symbol)).map(orderJson);
      }
      case 'GET /api/v3/account':
        return {
          makerCommission: Math.round(makerFee * 10_000),
          takerCommission: Math.round(takerFee * 10_000),
          buyerCommission: 0,
          sellerCommission: 0,
          commissionRates: { maker: dec(makerFee), taker: dec(takerFee), buyer: dec(0), seller: dec(0) },
          canTrade: true,
          canWithdraw: true,
          canDeposit: true,
          brokered: false,
          requireSelfTradePrevention: false,
          preventSor: false,
          updateTime: Date.now(),
          accountType: 'SPOT',
          balances: [...balances.entries()].map(([asset, b]) => ({ asset, free: dec(b.free), locked: dec(b.locked) })),
          permissions: ['SPOT'],
          uid: 354937868,
        };
      case 'GET /api/v3/myTrades': {
        const m = marketOf(p.symbol);
        return orders
          .filter((o) => o.symbol === m.symbol && (p.orderId === undefined || String(o.orderId) === p.orderId))
          .flatMap((o) => o.trades)
          .sort((a, b) => a.id - b.id)
          .map((t) => ({
            symbol: t.symbol,
            id: t.id,
            orderId: t.orderId,
            orderListId: -1,
            price: dec(t.price),
            qty: dec(t.qty),
            quoteQty: dec(round8(t.price * t.qty)),
            commission: dec(t.commission),
            commissionAsset: t.commissionAsset,
            time: t.time,
            isBuyer: t.isBuyer,
            isMaker: t.isMaker,
            isBestMatch: true,
          }));
      }
      default:
        throw new BinanceError(404, -1000, 'An unknown error occurred while processing the request.');
    }
  };

  const authenticate = (req: http.IncomingMessage, raw: string, p: Record<string, string>) => {
    if (!verify) return;
    if (req.headers['x-mbx-apikey'] !== apiKey) throw new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    const at = raw.lastIndexOf('&signature=');
    const signed = at < 0 ? raw : raw.slice(0, at);
    const expected = createHmac('sha256', secret).update(signed).digest('hex');
    if (p.signature !== expected) throw new BinanceError(400, -1022, 'Signature for this request is not valid.');
    const recvWindow = Number(p.recvWindow ?? 5000);
    const ts = Number(p.timestamp);
    const now = Date.now();
    if (!(ts < now + 1000 && now - ts <= recvWindow)) throw new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  };

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const method = req.method ?? 'GET';
      const body = Buffer.concat(chunks).toString('utf8');
      const rawQuery = u.search.startsWith('?') ? u.search.slice(1) : '';
      const raw = rawQuery + body;
      const params: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(rawQuery)) params[k] = v;
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
      requests.push({ method, path: u.pathname, params });
      const i = faults.findIndex((f) => f.method === method && f.path === u.pathname);
      const fault = i < 0 ? undefined : faults[i]!.fault;
      if (i >= 0 && --faults[i]!.times <= 0) faults.splice(i, 1);
      const answer = () => {
        try {
          if (PRIVATE.has(u.pathname)) authenticate(req, raw, params);
          return { status: 200, body: route(method, u.pathname, params) };
        } catch (err) {
          if (err instanceof BinanceError) return { status: err.status, body: { code: err.code, msg: err.message } };
          throw err;
        }
      };
      if (fault?.kind === 'rate_limit') {
        send(
          res,
          429,
          {
            code: -1003,
            msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.',
          },
          { 'Retry-After': String(fault.retryAfterSeconds ?? 1) },
        );
      } else if (fault?.kind === 'banned') {
        send(
          res,
          418,
          {
            code: -1003,
            msg: `Way too many requests; IP(127.0.0.1) banned until ${fault.until}. Please use WebSocket Streams for live updates to avoid bans.`,
          },
          { 'Retry-After': String(Math.max(0, Math.ceil((fault.until - Date.now()) / 1000))) },
        );
      } else if (fault?.kind === 'reply') {
        send(res, fault.status, fault.body);
      } else if (fault?.kind === 'timeout') {
        // The exchange may have acted on a request whose answer never arrived: that is what idempotency is for.
        const done = fault.process ? answer() : undefined;
        held.add(res);
        const timer = setTimeout(() => {
          held.delete(res);
          if (done !== undefined) send(res, done.status, done.body);
          else send(res, 503, { code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' });
        }, fault.holdMs);
        res.on('close', () => {
          clearTimeout(timer);
          held.delete(res);
        });
      } else {
        const r = answer();
        send(res, r.status, r.body);
      }
    });
  });

  // The WebSocket API: one JSON request per message, answered by id; a subscription then receives the pushes.
  const wss = new WebSocketServer({ server, path: '/ws-api/v3' });
  const wsAnswer = (socket: WebSocket, id: unknown, status: number, body: { result: unknown } | { error: { code: number; msg: string } }) =>
    socket.send(
      JSON.stringify({ id, status, ...body, rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 2 }] }),
    );
  const subscribe = (params: Record<string, unknown>): number => {
    if (verify) {
      if (params['apiKey'] !== apiKey) throw new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
      const payload = Object.keys(params)
        .filter((k) => k !== 'signature')
        .sort()
        .map((k) => `${k}=${String(params[k])}`)
        .join('&');
      if (params['signature'] !== createHmac('sha256', secret).update(payload).digest('hex'))
        throw new BinanceError(400, -1022, 'Signature for this request is not valid.');
      const ts = Number(params['timestamp']);
      const now = Date.now();
      if (!(ts < now + 1000 && now - ts <= Number(params['recvWindow'] ?? 5000)))
        throw new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
    }
    return nextSubscriptionId++;
  };
  wss.on('connection', (socket) => {
    socket.on('close', () => streams.delete(socket));
    socket.on('message', (data) => {
      let request: { id?: unknown; method?: unknown; params?: unknown };
      try {
        // ws hands a text frame over as one Buffer (binaryType 'nodebuffer', its default).
        request = JSON.parse((data as Buffer).toString('utf8')) as typeof request;
      } catch {
        wsAnswer(socket, null, 400, { error: { code: -1100, msg: 'Illegal characters found in parameter; the request is not valid JSON.' } });
        return;
      }
      const params = (typeof request.params === 'object' && request.params !== null ? request.params : {}) as Record<string, unknown>;
      try {
        switch (request.method) {
          case 'userDataStream.subscribe.signature': {
            const subscriptionId = subscribe(params);
            streams.set(socket, subscriptionId);
            wsAnswer(socket, request.id, 200, { result: { subscriptionId } });
            break;
          }
          case 'userDataStream.unsubscribe':
            streams.delete(socket);
            wsAnswer(socket, request.id, 200, { result: {} });
            break;
          case 'ping':
            wsAnswer(socket, request.id, 200, { result: {} });
            break;
          default:
            wsAnswer(socket, request.id, 400, { error: { code: -1020, msg: 'This operation is not supported.' } });
        }
      } catch (err) {
        if (!(err instanceof BinanceError)) throw err;
        wsAnswer(socket, request.id, err.status, { error: { code: err.code, msg: err.message } });
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    apiUrls: { public: `${url}/api/v3`, private: `${url}/api/v3`, v1: `${url}/api/v1` },
    wsUrls: { 'ws-api': { spot: `ws://127.0.0.1:${port}/ws-api/v3` } },
    streamSubscriptions: () => streams.size,
    pushed,
    dropStreams() {
      for (const socket of wss.clients) socket.terminate();
    },
    apiKey,
    secret,
    takerFee,
    makerFee,
    requests,
    orders,
    setPrice(symbol, price) {
      marketOf(symbol);
      prices.set(symbol, price);
      match(symbol, Date.now());
    },
    price: (symbol) => prices.get(symbol)!,
    setBalance(asset, free) {
      bal(asset).free = free;
    },
    balance: (asset) => ({ ...bal(asset) }),
    inject(method, path, fault, times = 1) {
      faults.push({ method, path, fault, times });
    },
    fillPartly(clientOrderId, qty) {
      const o = orders.find((x) => x.clientOrderId === clientOrderId && isOpen(x));
      if (o === undefined) throw new Error(`no open order ${clientOrderId}`);
      fill(o, o.price, qty, true, Date.now());
    },
    cancelDirect(clientOrderId) {
      const o = orders.find((x) => x.clientOrderId === clientOrderId && isOpen(x));
      if (o === undefined) throw new Error(`no open order ${clientOrderId}`);
      cancel(o, `web_${randomBytes(10).toString('hex')}`);
    },
    placeDirect: (params) => placeOrder(params),
    close: async () => {
      for (const res of held) res.destroy();
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
