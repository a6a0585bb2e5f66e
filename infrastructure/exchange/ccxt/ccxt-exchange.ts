// The Exchange port over ccxt: Binance spot by default, any ccxt exchange id by configuration (doc/exchanges.md).
//
// - Sandbox unless TRADING_MODE=live: `setSandboxMode(true)` swaps ccxt's `urls.api` for the exchange's testnet;
//   live needs the mode *and* keys from the environment, anything else is refused with the reason (openCcxtExchange).
// - Idempotent placement: the order's clientOrderId goes to the exchange (Binance `newClientOrderId`). Before placing,
//   the adapter asks the exchange for that id; after a timeout, a network error, an unreadable reply or a "Duplicate
//   order sent.", it asks again. An order already there is returned, never placed a second time.
// - Cancel is idempotent too: an order no longer open (filled, cancelled, expired) is returned as it ended.
// - Order status is synced by polling (fetchOrder / fetchOpenOrders); fills come from the placement reply (Binance
//   FULL) or from the account's trades of that order (fetchOrderTrades → GET /api/v3/myTrades?orderId=).
// - And pushed, where ccxt.pro has `watchOrders` for the exchange: the client is ccxt.pro's class (the REST class plus
//   its websockets), so REST and stream share keys, sandbox and URL overrides. Binance spot in ccxt 4.5: the WebSocket
//   API's `userDataStream.subscribe.signature` on `urls.api.ws['ws-api'].spot`, then `executionReport` events. A
//   pushed order is mapped by the same definition as a polled one (orderOf), its fill from the report itself.
// - Failures are values (failures.ts); a ccxt exception that is not a ccxt error is a bug and propagates.
import ccxt, { type Exchange as CcxtClient, type MarketInterface, type Order as CcxtOrder, type Trade as CcxtTrade } from 'ccxt';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { Balance, Exchange, ExchangeFailure, ExchangeFill, ExchangeOrder, ExchangeOrderStatus } from '../../../application/ports/exchange.js';
import type { MarketRules } from '../../../domain/execution/market-rules.js';
import { ClientOrderId, type OrderSpec, type OrderType } from '../../../domain/execution/order.js';
import { ExchangeId } from '../../../domain/market/exchange.js';
import type { ExchangeCredentials, TradingMode } from '../../config/config.js';
import { asFailure, classify, DUPLICATE } from './failures.js';
import { marketRulesOf, pairSymbol } from './market-rules.js';

export interface CcxtExchangeSettings {
  /** config.trading.mode: `paper` is refused here (the paper exchange serves it), `live` leaves the sandbox. */
  readonly mode: TradingMode;
  /** A ccxt exchange id (config.trading.exchange). */
  readonly exchangeId: string;
  readonly credentials: ExchangeCredentials | undefined;
  /**
   * Replaces entries of ccxt's `urls.api` after the sandbox switch (a test server on loopback: for Binance spot
   * `public`, `private` and `v1`). Refused in live mode: real money goes to the exchange's own address only.
   */
  readonly apiUrls?: Readonly<Record<string, string>>;
  /**
   * Replaces entries of ccxt.pro's `urls.api.ws` after the sandbox switch; an object entry is merged into the one there
   * (Binance spot's user data stream: `{ 'ws-api': { spot: 'ws://…/ws-api/v3' } }`). Refused in live mode, as apiUrls.
   */
  readonly wsUrls?: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
  /** Use the exchange's push channel where ccxt.pro has one (default true); false: polling only. */
  readonly push?: boolean;
  /** ccxt `timeout` per HTTP request, ms (default 10 000). */
  readonly timeoutMs?: number;
  /** ccxt's own throttle by the exchange's request weights (default true). */
  readonly enableRateLimit?: boolean;
  /** How long to wait after an ambiguous placement before asking whether the order exists (default 500 ms). */
  readonly recheckDelayMs?: number;
}

/** Order types each exchange takes natively through this adapter; the executor emulates the rest. */
const NATIVE_TYPES: Readonly<Record<string, readonly OrderType[]>> = {
  // Binance spot: MARKET, LIMIT, STOP_LOSS (stop_market), STOP_LOSS_LIMIT (stop_limit). TAKE_PROFIT_LIMIT triggers
  // on the opposite side and trailingDelta counts basis points of one reference only: both are emulated.
  binance: ['market', 'limit', 'stop_market', 'stop_limit'],
};
const DEFAULT_NATIVE: readonly OrderType[] = ['market', 'limit'];

/** Builds the adapter, or says why it may not trade: the mode, the keys, the exchange's sandbox. */
export const openCcxtExchange = (settings: CcxtExchangeSettings): Either<string, CcxtExchange> => {
  const id = settings.exchangeId;
  if (settings.mode === 'paper')
    return left('TRADING_MODE=paper trades on the paper exchange; the ccxt adapter trades only with TRADING_MODE=testnet (the sandbox) or live (real money)');
  if (!ExchangeId.is(id) || !ccxt.exchanges.includes(id)) return left(`TRADING_EXCHANGE: ccxt ${ccxt.version} has no exchange '${id}'`);
  if (settings.credentials === undefined)
    return left(
      settings.mode === 'live'
        ? 'TRADING_MODE=live refused: real-money trading needs EXCHANGE_API_KEY and EXCHANGE_API_SECRET from the environment'
        : 'TRADING_MODE=testnet needs the testnet account keys in EXCHANGE_API_KEY and EXCHANGE_API_SECRET',
    );
  if (settings.mode === 'live' && (settings.apiUrls !== undefined || settings.wsUrls !== undefined))
    return left('TRADING_MODE=live refused: the exchange address may be overridden only in the sandbox (testnet), never with real money');
  // ccxt.pro's class is the REST class with websockets added: one client, one set of keys and URLs for both.
  const pro = settings.push === false ? undefined : (ccxt.pro as unknown as Record<string, (new (config: object) => CcxtClient) | undefined>)[id];
  const Ctor = pro ?? (ccxt as unknown as Record<string, new (config: object) => CcxtClient>)[id]!;
  const client = new Ctor({
    apiKey: settings.credentials.apiKey,
    secret: settings.credentials.secret,
    ...(settings.credentials.password === undefined ? {} : { password: settings.credentials.password }),
    enableRateLimit: settings.enableRateLimit ?? true,
    timeout: settings.timeoutMs ?? 10_000,
    options: {
      // Spot only (not USDⓈ-M / COIN-M), no currency list (a sapi call testnet lacks), no warning exception for
      // fetchOpenOrders over every symbol (reconciliation needs exactly that).
      ...(id === 'binance' ? { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, warnOnFetchOpenOrdersWithoutSymbol: false } : {}),
    },
  });
  if (settings.mode === 'testnet') {
    if (client.urls['test'] === undefined)
      return left(`TRADING_MODE=testnet: ccxt has no sandbox for '${id}', so it cannot be traded without real money (that needs TRADING_MODE=live)`);
    client.setSandboxMode(true);
  }
  if (settings.apiUrls !== undefined) {
    const api = client.urls['api'] as Record<string, string>;
    client.urls['api'] = { ...api, ...settings.apiUrls };
  }
  if (settings.wsUrls !== undefined) {
    const api = client.urls['api'] as Record<string, unknown>;
    const ws = { ...(api['ws'] as Record<string, unknown> | undefined) };
    for (const [key, value] of Object.entries(settings.wsUrls))
      ws[key] = typeof value === 'string' ? value : { ...(ws[key] as Record<string, string> | undefined), ...value };
    client.urls['api'] = { ...api, ws };
  }
  return right(new CcxtExchange(id, client, NATIVE_TYPES[id] ?? DEFAULT_NATIVE, settings.recheckDelayMs ?? 500));
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const num = (x: unknown, fallback = 0): number => (typeof x === 'number' && Number.isFinite(x) ? x : fallback);
const fail = (code: ExchangeFailure['code'], message: string): ExchangeFailure => ({ code, message, retryable: false });

/** Binance's own type names → ours (ccxt's unified `type` says only market/limit). */
const BINANCE_TYPES: Readonly<Record<string, OrderType>> = {
  MARKET: 'market',
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit',
  STOP_LOSS: 'stop_market',
  STOP_LOSS_LIMIT: 'stop_limit',
  TAKE_PROFIT: 'take_profit',
  TAKE_PROFIT_LIMIT: 'take_profit',
};

export class CcxtExchange implements Exchange {
  readonly id: ExchangeId;
  readonly nativeTypes: ReadonlySet<OrderType>;
  /** Orders placed outside MasterTrade may carry ids our ClientOrderId refuses: they are named by this prefix + their exchange id. */
  static readonly FOREIGN_PREFIX = 'ext-';

  constructor(
    id: ExchangeId,
    private readonly client: CcxtClient,
    nativeTypes: readonly OrderType[],
    private readonly recheckDelayMs: number,
  ) {
    this.id = id;
    this.nativeTypes = new Set(nativeTypes);
    if (client.has['watchOrders'] === true) this.watchOrders = (onUpdate, onError) => this.watch(onUpdate, onError);
  }

  /** Where ccxt.pro pushes this exchange's order updates (Exchange.watchOrders); undefined: polled only. */
  readonly watchOrders?: (onUpdate: (order: ExchangeOrder) => void, onError?: (failure: ExchangeFailure) => void) => () => Promise<void>;

  markets(): TaskEither<ExchangeFailure, ReadonlyMap<string, MarketRules>> {
    return this.guard(async () => {
      await this.client.loadMarkets(true);
      const rules = new Map<string, MarketRules>();
      for (const m of this.spotMarkets()) {
        const r = marketRulesOf(m, this.client.precisionMode ?? 0);
        // A market we cannot state rules for is not traded (marketRulesOf says why; see doc/exchanges.md).
        if (r._tag === 'Right' && !rules.has(r.right.symbol)) rules.set(r.right.symbol, r.right);
      }
      return right(rules);
    });
  }

  placeOrder(spec: OrderSpec): TaskEither<ExchangeFailure, ExchangeOrder> {
    return this.guard(async () => {
      const market = await this.market(spec.symbol);
      if (isLeft(market)) return market;
      if (!this.nativeTypes.has(spec.type))
        return left(fail('UNSUPPORTED', `${this.id} does not take ${spec.type} orders natively: the executor emulates them`));
      const args = this.createArgs(spec);
      if (isLeft(args)) return args;
      // A retry (after a timeout, a crash, a restart) finds the order it placed, whatever the exchange's rules on
      // reusing client order ids (Binance refuses an id only while its order is open).
      const existing = await this.lookup(market.right, spec.clientOrderId);
      if (isLeft(existing) || existing.right !== undefined) return existing as Either<ExchangeFailure, ExchangeOrder>;
      try {
        const { type, amount, price, params } = args.right;
        const placed = await this.client.createOrder(market.right.symbol, type, spec.side, amount as number, price, params);
        return right(await this.toOrder(placed, market.right, spec.clientOrderId, spec.type));
      } catch (err) {
        const c = classify(err);
        const ambiguous = c.code === DUPLICATE || c.code === 'TIMEOUT' || c.code === 'NETWORK';
        if (!ambiguous) return left(asFailure(c));
        // The exchange may have placed it: ask, and answer with the order if it is there.
        if (c.code !== DUPLICATE) await sleep(this.recheckDelayMs);
        const after = await this.lookup(market.right, spec.clientOrderId);
        if (isLeft(after)) return left(asFailure(c));
        return after.right !== undefined ? right(after.right) : left(asFailure(c));
      }
    });
  }

  cancelOrder(symbol: string, clientOrderId: ClientOrderId): TaskEither<ExchangeFailure, ExchangeOrder> {
    return this.guard(async () => {
      const market = await this.market(symbol);
      if (isLeft(market)) return market;
      try {
        const cancelled = await this.client.cancelOrder('', market.right.symbol, this.byClientId(clientOrderId));
        // Binance's cancel reply names the cancel's own client id: the order keeps ours, and its fills are fetched.
        return right(await this.toOrder(cancelled, market.right, clientOrderId));
      } catch (err) {
        const c = classify(err);
        if (c.code !== 'UNKNOWN_ORDER') return left(asFailure(c));
        // Binance says "Unknown order sent." also for an order that already filled or was cancelled: look it up.
        const found = await this.lookup(market.right, clientOrderId);
        if (isLeft(found)) return found;
        return found.right !== undefined ? right(found.right) : left(asFailure(c));
      }
    });
  }

  fetchOrder(symbol: string, clientOrderId: ClientOrderId): TaskEither<ExchangeFailure, ExchangeOrder> {
    return this.guard(async () => {
      const market = await this.market(symbol);
      if (isLeft(market)) return market;
      const found = await this.lookup(market.right, clientOrderId);
      if (isLeft(found)) return found;
      return found.right !== undefined ? right(found.right) : left(fail('UNKNOWN_ORDER', `${this.id} has no order ${clientOrderId} on ${symbol}`));
    });
  }

  fetchOpenOrders(symbol?: string): TaskEither<ExchangeFailure, readonly ExchangeOrder[]> {
    return this.guard(async () => {
      let ccxtSymbol: string | undefined;
      if (symbol !== undefined) {
        const market = await this.market(symbol);
        if (isLeft(market)) return market;
        ccxtSymbol = market.right.symbol;
      } else await this.client.loadMarkets();
      const open = await this.client.fetchOpenOrders(ccxtSymbol);
      const out: ExchangeOrder[] = [];
      for (const o of open) {
        const market = o.symbol === undefined ? undefined : (this.client.markets?.[o.symbol] as MarketInterface | undefined);
        if (market?.spot !== true) continue;
        out.push(await this.toOrder(o, market));
      }
      return right(out);
    });
  }

  fetchBalances(): TaskEither<ExchangeFailure, Readonly<Record<string, Balance>>> {
    return this.guard(async () => {
      const b = await this.client.fetchBalance();
      const out: Record<string, Balance> = {};
      const totals = (b.total ?? {}) as unknown as Record<string, unknown>;
      for (const asset of Object.keys(totals)) {
        const entry = b[asset];
        const free = num(entry?.free);
        const used = num(entry?.used);
        const total = num(entry?.total, free + used);
        if (total !== 0 || free !== 0 || used !== 0) out[asset] = { free, used, total };
      }
      return right(out);
    });
  }

  /**
   * The push loop: ccxt.pro's watchOrders answers with the orders changed since its last answer (one entry per order,
   * its latest state); each becomes an ExchangeOrder with the fill its report carries. A lost connection is told to
   * onError and the next watchOrders reconnects and subscribes again, after a pause growing to 10 s.
   */
  private watch(onUpdate: (order: ExchangeOrder) => void, onError?: (failure: ExchangeFailure) => void): () => Promise<void> {
    let stopped = false;
    let pause: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        pause = { timer: setTimeout(resolve, ms), resolve };
      });
    const loop = (async () => {
      let backoffMs = 0;
      while (!stopped) {
        try {
          // ccxt opens a plain ws:// URL (a sandbox on loopback) only through a node:http agent loaded first.
          if (JSON.stringify(this.client.urls['api']?.['ws'] ?? {}).includes('"ws://')) await this.client.loadHttpProxyAgent();
          await this.client.loadMarkets();
          if (stopped) return;
          const updates = await this.client.watchOrders();
          backoffMs = 0;
          for (const o of updates) {
            const order = this.pushedOrder(o);
            if (order !== undefined) onUpdate(order);
          }
        } catch (err) {
          if (stopped) return;
          // Anything but a ccxt error is a bug: it propagates (the stop awaits this loop).
          if (!(err instanceof ccxt.BaseError)) throw err;
          onError?.(asFailure(classify(err)));
          backoffMs = Math.min(10_000, Math.max(250, backoffMs * 2));
          await wait(backoffMs);
        }
      }
    })();
    return async () => {
      stopped = true;
      if (pause !== undefined) {
        clearTimeout(pause.timer);
        pause.resolve();
      }
      // Closed until the loop has ended: a watchOrders that was still opening its connection when a close came opens
      // it after that close.
      let ended = false;
      const done = loop.finally(() => {
        ended = true;
      });
      while (!ended) {
        await this.client.close();
        await Promise.race([done, sleep(25)]);
      }
    };
  }

  /** A pushed order as ours: the fill is the one its report carries (Binance: `x` = TRADE), with those ccxt kept. */
  private pushedOrder(o: CcxtOrder): ExchangeOrder | undefined {
    const market = o.symbol === undefined ? undefined : (this.client.markets?.[o.symbol] as MarketInterface | undefined);
    if (market?.spot !== true) return undefined;
    const info = (o.info ?? {}) as Record<string, unknown>;
    const trades = new Map<string, CcxtTrade>();
    for (const t of o.trades ?? []) trades.set(String(t.id), t);
    if (info['x'] === 'TRADE') {
      const t = this.client.parseWsTrade(info, market);
      trades.set(String(t.id), t);
    }
    return this.orderOf(o, market, [...trades.values()]);
  }

  /** Ends ccxt's keep-alive connections and websockets. */
  async close(): Promise<void> {
    await this.client.close();
  }

  // --- internals ---

  private byClientId(clientOrderId: string): Record<string, string> {
    return this.id === 'binance' ? { origClientOrderId: clientOrderId } : { clientOrderId };
  }

  /** The order with this client id, undefined when the exchange has none, or the failure of the question itself. */
  private async lookup(market: MarketInterface, clientOrderId: ClientOrderId): Promise<Either<ExchangeFailure, ExchangeOrder | undefined>> {
    try {
      const o = await this.client.fetchOrder('', market.symbol, this.byClientId(clientOrderId));
      return right(await this.toOrder(o, market, clientOrderId));
    } catch (err) {
      const c = classify(err);
      return c.code === 'UNKNOWN_ORDER' ? right(undefined) : left(asFailure(c));
    }
  }

  private createArgs(
    spec: OrderSpec,
  ): Either<ExchangeFailure, { type: string; amount: number | undefined; price: number | undefined; params: Record<string, unknown> }> {
    const params: Record<string, unknown> = { clientOrderId: spec.clientOrderId };
    if (spec.timeInForce !== undefined && spec.type !== 'market' && spec.type !== 'stop_market') params.timeInForce = spec.timeInForce;
    if (spec.quoteQuantity !== undefined) {
      if (spec.type !== 'market' || this.id !== 'binance')
        return left(fail('UNSUPPORTED', `an order given as a quote quantity is a market order on binance only (got ${spec.type} on ${this.id})`));
      return right({ type: 'market', amount: undefined, price: undefined, params: { ...params, quoteOrderQty: spec.quoteQuantity } });
    }
    if (spec.quantity === undefined) return left(fail('INVALID_ORDER', 'the order has neither quantity nor quoteQuantity'));
    switch (spec.type) {
      case 'market':
        return right({ type: 'market', amount: spec.quantity, price: undefined, params });
      case 'limit':
        if (spec.price === undefined) return left(fail('INVALID_ORDER', 'a limit order needs a price'));
        return right({ type: 'limit', amount: spec.quantity, price: spec.price, params: { timeInForce: 'GTC', ...params } });
      case 'stop_market':
        if (spec.stopPrice === undefined) return left(fail('INVALID_ORDER', 'a stop order needs a stopPrice'));
        return right({ type: 'market', amount: spec.quantity, price: undefined, params: { ...params, stopPrice: spec.stopPrice } });
      case 'stop_limit':
        if (spec.stopPrice === undefined || spec.price === undefined) return left(fail('INVALID_ORDER', 'a stop-limit order needs a stopPrice and a price'));
        return right({ type: 'limit', amount: spec.quantity, price: spec.price, params: { timeInForce: 'GTC', ...params, stopPrice: spec.stopPrice } });
      default:
        return left(fail('UNSUPPORTED', `${this.id} does not take ${spec.type} orders natively: the executor emulates them`));
    }
  }

  private spotMarkets(): MarketInterface[] {
    return (Object.values(this.client.markets ?? {}) as MarketInterface[]).filter((m) => m.spot === true && m.active !== false);
  }

  /** A spot market by `BTCUSDT` (or ccxt's `BTC/USDT`). */
  private async market(symbol: string): Promise<Either<ExchangeFailure, MarketInterface>> {
    await this.client.loadMarkets();
    const found = symbol.includes('/')
      ? (this.client.markets?.[symbol] as MarketInterface | undefined)
      : this.spotMarkets().find((m) => pairSymbol(m) === symbol.toUpperCase());
    return found !== undefined && found.spot === true ? right(found) : left(fail('UNKNOWN_SYMBOL', `${this.id} lists no spot market ${symbol}`));
  }

  private status(o: CcxtOrder): ExchangeOrderStatus {
    const filled = num(o.filled);
    switch (o.status) {
      case 'closed':
        return 'filled';
      case 'canceled':
        return 'cancelled';
      case 'expired':
        return 'expired';
      case 'rejected':
        return 'rejected';
      default:
        // 'open' and Binance's PENDING_CANCEL ('canceling'): still working.
        return filled > 0 ? 'partially_filled' : 'open';
    }
  }

  private typeOf(o: CcxtOrder, known?: OrderType): OrderType {
    if (known !== undefined) return known;
    // REST replies name Binance's type `type`, user data stream reports `o`.
    const info = o.info as { type?: unknown; o?: unknown } | undefined;
    const raw = info?.type ?? info?.o;
    const named = typeof raw === 'string' ? BINANCE_TYPES[raw] : undefined;
    if (named !== undefined) return named;
    const trigger = num(o.triggerPrice) > 0;
    return o.type === 'market' ? (trigger ? 'stop_market' : 'market') : trigger ? 'stop_limit' : 'limit';
  }

  private clientIdOf(o: CcxtOrder): ClientOrderId {
    return ClientOrderId.is(o.clientOrderId) ? o.clientOrderId : (`${CcxtExchange.FOREIGN_PREFIX}${String(o.id)}`.slice(0, 36) as ClientOrderId);
  }

  private fill(t: CcxtTrade): ExchangeFill {
    return {
      tradeId: String(t.id),
      price: num(t.price),
      quantity: num(t.amount),
      fee: num(t.fee?.cost),
      feeCurrency: t.fee?.currency ?? '',
      // Fills in a placement reply carry no maker flag: they happened at placement, so they took liquidity.
      liquidity: t.takerOrMaker === 'maker' ? 'maker' : 'taker',
      time: num(t.timestamp),
    };
  }

  /** ccxt's order as ours; the fills come with a placement reply, else from the account's trades of that order. */
  private async toOrder(o: CcxtOrder, market: MarketInterface, clientOrderId?: ClientOrderId, type?: OrderType): Promise<ExchangeOrder> {
    const filled = num(o.filled);
    let trades: readonly CcxtTrade[] = o.trades ?? [];
    if (filled > 0 && trades.length === 0) {
      trades =
        this.client.has['fetchOrderTrades'] === true
          ? await this.client.fetchOrderTrades(String(o.id), market.symbol)
          : (await this.client.fetchMyTrades(market.symbol)).filter((t) => t.order === o.id);
    }
    return this.orderOf(o, market, trades, clientOrderId, type);
  }

  /** The one mapping of a ccxt order (polled, placed, cancelled or pushed) and its trades to ours. */
  private orderOf(o: CcxtOrder, market: MarketInterface, trades: readonly CcxtTrade[], clientOrderId?: ClientOrderId, type?: OrderType): ExchangeOrder {
    const filled = num(o.filled);
    const fills = trades.map((t) => this.fill(t));
    const qty = fills.reduce((s, f) => s + f.quantity, 0);
    const average = num(o.average, NaN);
    const createdAt = num(o.timestamp, num(o.lastUpdateTimestamp));
    const price = num(o.price);
    const stopPrice = num(o.triggerPrice);
    return {
      clientOrderId: clientOrderId ?? this.clientIdOf(o),
      exchangeOrderId: String(o.id),
      symbol: pairSymbol(market),
      side: o.side === 'sell' ? 'sell' : 'buy',
      type: this.typeOf(o, type),
      status: this.status(o),
      quantity: num(o.amount, filled),
      filledQuantity: filled,
      averagePrice:
        filled > 0 ? (Number.isFinite(average) && average > 0 ? average : qty > 0 ? fills.reduce((s, f) => s + f.price * f.quantity, 0) / qty : NaN) : NaN,
      ...(price > 0 ? { price } : {}),
      ...(stopPrice > 0 ? { stopPrice } : {}),
      createdAt,
      updatedAt: num(o.lastUpdateTimestamp, num(o.lastTradeTimestamp, createdAt)),
      fills,
    };
  }

  private guard<T>(call: () => Promise<Either<ExchangeFailure, T>>): TaskEither<ExchangeFailure, T> {
    return async () => {
      try {
        return await call();
      } catch (err) {
        return left(asFailure(classify(err)));
      }
    };
  }
}
