// The port every venue sits behind: the paper exchange (infrastructure/exchange/paper) and real exchanges through
// ccxt (infrastructure/exchange/ccxt). The executor speaks only this, so paper and live differ in wiring alone.
//
// Contract (test/exchange/contract.ts runs it against every adapter):
// - placeOrder is idempotent on clientOrderId: placing the same id again returns the order already there, never a
//   second order (a retry after a timeout must not double a position).
// - Orders are named by clientOrderId; the exchange's own id comes back in ExchangeOrder.exchangeOrderId.
// - cancelOrder is idempotent: an order no longer open is returned as it ended (filled, cancelled, expired);
//   UNKNOWN_ORDER only for an order the venue never had. While an order rests, what it may spend is in Balance.used.
// - Failures are values (ExchangeFailure), never exceptions; `retryable` says whether the same call may be tried again.
// - `nativeTypes` lists the order types the venue accepts as such; the executor emulates the others and says so.
// - `watchOrders`, where the venue pushes (a websocket), is the push channel for order updates; polling stays the
//   safety net, since a stream misses what happens while it is down.
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { ExchangeId } from '../../domain/market/exchange.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ClientOrderId, OrderSide, OrderSpec, OrderType } from '../../domain/execution/order.js';

export type ExchangeOrderStatus = 'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/** One execution of an order, as the exchange reports it. */
export interface ExchangeFill {
  /** The exchange's trade id: a fill seen twice is recorded once. */
  readonly tradeId: string;
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  /** Epoch ms, the exchange's time. */
  readonly time: number;
}

export interface ExchangeOrder {
  readonly clientOrderId: ClientOrderId;
  readonly exchangeOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly status: ExchangeOrderStatus;
  /** Ordered quantity (for a market order given as a notional: known once filled, else 0). */
  readonly quantity: number;
  readonly filledQuantity: number;
  /** Volume-weighted price of the fills, NaN before the first. */
  readonly averagePrice: number;
  readonly price?: number;
  readonly stopPrice?: number;
  /** Epoch ms: when the exchange accepted it, and when it last changed. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly fills: readonly ExchangeFill[];
}

export type ExchangeFailureCode =
  | 'INSUFFICIENT_FUNDS'
  | 'RATE_LIMITED'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'UNKNOWN_ORDER'
  | 'UNKNOWN_SYMBOL'
  | 'BELOW_MIN_NOTIONAL'
  | 'INVALID_ORDER'
  | 'UNSUPPORTED'
  | 'AUTHENTICATION'
  | 'REJECTED';

export interface ExchangeFailure {
  readonly code: ExchangeFailureCode;
  readonly message: string;
  /** The same call may succeed later (rate limit, timeout, network); placement retries keep the clientOrderId. */
  readonly retryable: boolean;
}

export interface Balance {
  readonly free: number;
  readonly used: number;
  readonly total: number;
}

export interface Exchange {
  readonly id: ExchangeId;
  /** Order types the venue accepts natively; the rest are emulated by the executor. */
  readonly nativeTypes: ReadonlySet<OrderType>;
  markets(): TaskEither<ExchangeFailure, ReadonlyMap<string, MarketRules>>;
  placeOrder(spec: OrderSpec): TaskEither<ExchangeFailure, ExchangeOrder>;
  cancelOrder(symbol: string, clientOrderId: ClientOrderId): TaskEither<ExchangeFailure, ExchangeOrder>;
  fetchOrder(symbol: string, clientOrderId: ClientOrderId): TaskEither<ExchangeFailure, ExchangeOrder>;
  fetchOpenOrders(symbol?: string): TaskEither<ExchangeFailure, readonly ExchangeOrder[]>;
  fetchBalances(): TaskEither<ExchangeFailure, Readonly<Record<string, Balance>>>;
  /**
   * Present only where the venue pushes order updates. Every change of an order on the account, as it happens:
   * `fills` holds the fill(s) this update carries (not necessarily all the order's fills — compare `filledQuantity`
   * with what was recorded to see a gap). `onError` hears a lost or refused stream; the watcher reconnects by itself.
   * Returns the stop, which closes the stream.
   */
  watchOrders?(onUpdate: (order: ExchangeOrder) => void, onError?: (failure: ExchangeFailure) => void): () => Promise<void>;
}
