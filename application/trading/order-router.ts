// The seam between a strategy runner and whatever carries its orders out: the executor (risk gate → order stream →
// Exchange) in paper and live, or directly a venue in a test of the venue itself. The runner only emits orders and
// hears back about fills; it never knows which wiring it runs in (nautilus_trader's rule: one strategy runtime).
//
// A method returns a Promise only when it did asynchronous work (an append, a network call): the replay driver awaits
// it before feeding the next candle, and a bar that places nothing costs no Promise.
import type { Bracket } from '../../domain/execution/events.js';
import type { ClientOrderId, OrderSide, OrderSpec } from '../../domain/execution/order.js';
import type { PreTradeOrder, RiskRefusal } from '../ports/risk-gate.js';

/**
 * An order as a runner sends it: the spec plus who sends it and the price and time it is judged at; an entry may
 * carry its bracket (protective exits placed when it fills, one cancelling the other).
 */
export type RoutedOrder = PreTradeOrder & { readonly bracket?: Bracket };

/** One fill of a routed order, as the runner hears of it. */
export interface FillNotice {
  readonly account: string;
  readonly strategyId?: string;
  readonly clientOrderId: ClientOrderId;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  /** Epoch ms of the fill (on the paper exchange: the bar time the fill model dates it at). */
  readonly time: number;
  /** The order is now completely filled. */
  readonly complete: boolean;
}

/** Why an order did not go through: refused by a risk rule, rejected by the venue, or cancelled / expired. */
export type OrderEndNotice =
  | { readonly kind: 'refused'; readonly clientOrderId: ClientOrderId; readonly refusal: RiskRefusal }
  | { readonly kind: 'rejected'; readonly clientOrderId: ClientOrderId; readonly code: string; readonly message: string }
  | { readonly kind: 'cancelled' | 'expired'; readonly clientOrderId: ClientOrderId; readonly reason: string };

export interface OrderListener {
  onFill(fill: FillNotice): void | Promise<void>;
  onOrderEnded(notice: OrderEndNotice): void | Promise<void>;
}

export interface OrderRouter {
  submit(order: RoutedOrder): void | Promise<void>;
  cancel(account: string, symbol: string, clientOrderId: ClientOrderId): void | Promise<void>;
}

export type { OrderSpec };
