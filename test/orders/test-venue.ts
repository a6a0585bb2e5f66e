// A small, honest venue for the executor's tests, implementing the Exchange port: one market (BTCUSDT), balances that
// a placement must cover (INSUFFICIENT_FUNDS otherwise, so they never go negative), market orders filled at once at
// the current price, limit orders filled when marketable or when the price crosses them, idempotent placement by
// client order id. The paper exchange (infrastructure/exchange/paper) runs the same suite in executor-paper.test.ts.
// `faulty` wraps ANY Exchange with the failures a real venue has: timeouts (before or after the order reached it),
// rate limits, rejections, fills reported twice.
import { either, taskEither } from 'fp-ts';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { Balance, Exchange, ExchangeFailure, ExchangeFailureCode, ExchangeFill, ExchangeOrder } from '../../application/ports/exchange.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ClientOrderId, OrderSpec, OrderType } from '../../domain/execution/order.js';
import type { ExchangeId } from '../../domain/market/exchange.js';

export const BTCUSDT = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  amountStep: 0.001,
  priceTick: 0.01,
  minAmount: 0.001,
  minNotional: 5,
} as MarketRules;

const FEE = 0.001;

/** What an executor test needs of a venue: the port, and a way to move its market. */
export interface VenueUnderTest {
  readonly exchange: Exchange;
  /** The market trades at `price` from `time` on (a bar's range high..low, or a single price). */
  movePrice(symbol: string, range: { readonly high: number; readonly low: number; readonly close: number }, time: number): Promise<void>;
  balances(): Promise<Readonly<Record<string, Balance>>>;
}

export interface TestVenueOptions {
  readonly nativeTypes?: readonly OrderType[];
  readonly price?: number;
  readonly balances?: Readonly<Record<string, number>>;
  readonly now?: () => number;
}

interface Held {
  order: ExchangeOrder;
  readonly spec: OrderSpec;
}

export const testVenue = (options: TestVenueOptions = {}): VenueUnderTest => {
  let price = options.price ?? 30000;
  const now = options.now ?? (() => 1_700_000_000_000);
  const free: Record<string, number> = { USDT: 100_000, BTC: 0, ...options.balances };
  const used: Record<string, number> = { USDT: 0, BTC: 0 };
  const orders = new Map<string, Held>();
  let nextId = 1000;
  let nextTrade = 5000;
  const fail = (code: ExchangeFailureCode, message: string, retryable = false): ExchangeFailure => ({ code, message, retryable });

  const fill = (h: Held, at: number, liquidity: 'maker' | 'taker'): void => {
    const q = h.order.quantity - h.order.filledQuantity;
    const cost = q * at;
    if (h.spec.side === 'buy') {
      used['USDT'] = (used['USDT'] ?? 0) - (h.spec.type === 'market' ? 0 : q * (h.spec.price ?? at));
      if (h.spec.type === 'market') free['USDT'] = (free['USDT'] ?? 0) - cost;
      else free['USDT'] = (free['USDT'] ?? 0) + q * (h.spec.price ?? at) - cost;
      free['BTC'] = (free['BTC'] ?? 0) + q * (1 - FEE);
    } else {
      if (h.spec.type === 'market') free['BTC'] = (free['BTC'] ?? 0) - q;
      else used['BTC'] = (used['BTC'] ?? 0) - q;
      free['USDT'] = (free['USDT'] ?? 0) + cost * (1 - FEE);
    }
    const f: ExchangeFill = {
      tradeId: String(nextTrade++),
      price: at,
      quantity: q,
      fee: h.spec.side === 'buy' ? q * FEE : cost * FEE,
      feeCurrency: h.spec.side === 'buy' ? 'BTC' : 'USDT',
      liquidity,
      time: now(),
    };
    h.order = { ...h.order, status: 'filled', filledQuantity: h.order.quantity, averagePrice: at, updatedAt: now(), fills: [...h.order.fills, f] };
  };

  const marketable = (spec: OrderSpec, p: number) => (spec.side === 'buy' ? p <= (spec.price ?? Infinity) : p >= (spec.price ?? 0));

  const exchange: Exchange = {
    id: 'testvenue' as ExchangeId,
    nativeTypes: new Set<OrderType>(options.nativeTypes ?? ['market', 'limit']),
    markets: () => taskEither.right(new Map([[BTCUSDT.symbol, BTCUSDT]])),
    placeOrder: (spec) => async () => {
      const existing = orders.get(spec.clientOrderId);
      if (existing) return either.right(existing.order);
      if (spec.symbol !== BTCUSDT.symbol) return either.left(fail('UNKNOWN_SYMBOL', `Invalid symbol ${spec.symbol}`));
      if (!exchange.nativeTypes.has(spec.type)) return either.left(fail('UNSUPPORTED', `order type ${spec.type} not supported`));
      const quantity = spec.quantity ?? Math.floor(((spec.quoteQuantity ?? 0) / price) * 1000) / 1000;
      if (quantity * (spec.price ?? price) < (BTCUSDT.minNotional ?? 0)) return either.left(fail('BELOW_MIN_NOTIONAL', 'Filter failure: NOTIONAL'));
      // Funds: a buy locks its quote, a sell its base; what is not there is refused, so a balance never goes negative.
      if (spec.side === 'buy') {
        const need = quantity * (spec.price ?? price) * (1 + FEE);
        if (need > (free['USDT'] ?? 0)) return either.left(fail('INSUFFICIENT_FUNDS', 'Account has insufficient balance for requested action.'));
        if (spec.type !== 'market') {
          free['USDT'] = (free['USDT'] ?? 0) - quantity * (spec.price ?? price);
          used['USDT'] = (used['USDT'] ?? 0) + quantity * (spec.price ?? price);
        }
      } else {
        if (quantity > (free['BTC'] ?? 0) + 1e-12) return either.left(fail('INSUFFICIENT_FUNDS', 'Account has insufficient balance for requested action.'));
        if (spec.type !== 'market') {
          free['BTC'] = (free['BTC'] ?? 0) - quantity;
          used['BTC'] = (used['BTC'] ?? 0) + quantity;
        }
      }
      const order: ExchangeOrder = {
        clientOrderId: spec.clientOrderId,
        exchangeOrderId: String(nextId++),
        symbol: spec.symbol,
        side: spec.side,
        type: spec.type,
        status: 'open',
        quantity,
        filledQuantity: 0,
        averagePrice: NaN,
        ...(spec.price !== undefined ? { price: spec.price } : {}),
        createdAt: now(),
        updatedAt: now(),
        fills: [],
      };
      const h: Held = { order, spec };
      orders.set(spec.clientOrderId, h);
      if (spec.type === 'market') fill(h, price, 'taker');
      else if (marketable(spec, price)) fill(h, price, 'taker');
      return either.right(h.order);
    },
    cancelOrder: (_symbol, id) => async () => {
      const h = orders.get(id);
      if (!h) return either.left(fail('UNKNOWN_ORDER', 'Unknown order sent.'));
      if (h.order.status !== 'open') return either.right(h.order);
      if (h.spec.side === 'buy') {
        free['USDT'] = (free['USDT'] ?? 0) + h.order.quantity * (h.spec.price ?? 0);
        used['USDT'] = (used['USDT'] ?? 0) - h.order.quantity * (h.spec.price ?? 0);
      } else {
        free['BTC'] = (free['BTC'] ?? 0) + h.order.quantity;
        used['BTC'] = (used['BTC'] ?? 0) - h.order.quantity;
      }
      h.order = { ...h.order, status: 'cancelled', updatedAt: now() };
      return either.right(h.order);
    },
    fetchOrder: (_symbol, id) => async () => {
      const h = orders.get(id);
      return h ? either.right(h.order) : either.left(fail('UNKNOWN_ORDER', 'Order does not exist.'));
    },
    fetchOpenOrders: () => async () => either.right([...orders.values()].filter((h) => h.order.status === 'open').map((h) => h.order)),
    fetchBalances: () => async () =>
      either.right(Object.fromEntries(Object.keys(free).map((k) => [k, { free: free[k] ?? 0, used: used[k] ?? 0, total: (free[k] ?? 0) + (used[k] ?? 0) }]))),
  };

  return {
    exchange,
    movePrice: async (_symbol, range, _time) => {
      for (const h of orders.values()) {
        if (h.order.status !== 'open' || h.spec.price === undefined) continue;
        const reached = h.spec.side === 'buy' ? range.low <= h.spec.price : range.high >= h.spec.price;
        if (reached) fill(h, h.spec.price, 'maker');
      }
      price = range.close;
    },
    balances: async () => {
      const b = await exchange.fetchBalances()();
      if (either.isLeft(b)) throw new Error(b.left.message);
      return b.right;
    },
  };
};

export type Fault = 'timeout_before' | 'timeout_after' | 'rate_limited' | 'rejected' | 'network_down';

/** Any Exchange with scripted faults on placeOrder (taken in order, one per call) and fills reported twice on demand. */
export const faulty = (inner: Exchange) => {
  const faults: Fault[] = [];
  /** How many placements reached the inner venue, per client order id. */
  const reached = new Map<string, number>();
  let doubleFills = false;
  const twice = (o: ExchangeOrder): ExchangeOrder => (doubleFills ? { ...o, fills: [...o.fills, ...o.fills] } : o);
  const failure = (code: ExchangeFailureCode, retryable: boolean): ExchangeFailure => ({ code, message: `${code} (injected)`, retryable });
  const exchange: Exchange = {
    ...inner,
    id: inner.id,
    nativeTypes: inner.nativeTypes,
    placeOrder:
      (spec): TaskEither<ExchangeFailure, ExchangeOrder> =>
      async () => {
        const fault = faults.shift();
        if (fault === 'timeout_before') return either.left(failure('TIMEOUT', true));
        if (fault === 'rate_limited') return either.left(failure('RATE_LIMITED', true));
        if (fault === 'rejected') return either.left(failure('REJECTED', false));
        if (fault === 'network_down') return either.left(failure('NETWORK', true));
        reached.set(spec.clientOrderId, (reached.get(spec.clientOrderId) ?? 0) + 1);
        const placed = await inner.placeOrder(spec)();
        if (fault === 'timeout_after') return either.left(failure('TIMEOUT', true));
        return either.isRight(placed) ? either.right(twice(placed.right)) : placed;
      },
    fetchOrder: (symbol: string, id: ClientOrderId) => async () => {
      const o = await inner.fetchOrder(symbol, id)();
      return either.isRight(o) ? either.right(twice(o.right)) : o;
    },
    fetchOpenOrders: (symbol?: string) => async () => {
      const o = await inner.fetchOpenOrders(symbol)();
      return either.isRight(o) ? either.right(o.right.map(twice)) : o;
    },
  };
  return {
    exchange,
    inject: (...f: Fault[]) => faults.push(...f),
    reached: (id: string) => reached.get(id) ?? 0,
    reportFillsTwice: (on: boolean) => (doubleFills = on),
  };
};
