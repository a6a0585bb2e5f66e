// An order's state, folded from its stream: where it is in its life and what decide() needs to keep the rules (the
// request it was placed with, for idempotency; its fills so far, against overfills and duplicates).
//
//   Initial ─place─▶ Placed (native) ─accept─▶ Accepted ─fill─▶ PartiallyFilled ─fill─▶ Filled
//           └─place─▶ Held (emulated) ─trigger─▶ Triggered ─accept─▶ …
//   any live state ─▶ Cancelled | Expired;  Placed / Triggered ─▶ Rejected;  Initial ─refuse / invalid─▶ Rejected
import type { Execution, OrderEvent, OrderRequest, Rejection } from './events.js';

export interface OrderRecord {
  readonly request: OrderRequest;
  /** Undefined when the order was refused before it was placed. */
  readonly execution: Execution | undefined;
  readonly exchangeOrderId: string | undefined;
  readonly filledQuantity: number;
  /** Σ price × quantity of the fills: the average price is this over filledQuantity. */
  readonly filledNotional: number;
  readonly tradeIds: ReadonlySet<string>;
  /** Fees paid so far, by currency (a fee in the base currency shrinks what a buy leaves to sell). */
  readonly fees: Readonly<Record<string, number>>;
}

export type LiveStatus = 'Held' | 'Placed' | 'Triggered' | 'Accepted' | 'PartiallyFilled';
export type EndStatus = 'Filled' | 'Cancelled' | 'Expired';
export type OrderStatus = 'Initial' | LiveStatus | EndStatus | 'Rejected';

export type OrderState =
  | { readonly status: 'Initial' }
  | { readonly status: LiveStatus | EndStatus; readonly order: OrderRecord }
  | { readonly status: 'Rejected'; readonly order: OrderRecord; readonly rejection: Rejection };

export const initialOrderState = (): OrderState => ({ status: 'Initial' });

const LIVE: ReadonlySet<OrderStatus> = new Set<OrderStatus>(['Held', 'Placed', 'Triggered', 'Accepted', 'PartiallyFilled']);
export const isLive = (s: OrderState): s is { readonly status: LiveStatus; readonly order: OrderRecord } => LIVE.has(s.status);
export const isEnded = (s: OrderState): boolean => s.status === 'Filled' || s.status === 'Cancelled' || s.status === 'Expired' || s.status === 'Rejected';

const record = (request: OrderRequest, execution: Execution | undefined): OrderRecord => ({
  request,
  execution,
  exchangeOrderId: undefined,
  filledQuantity: 0,
  filledNotional: 0,
  tradeIds: new Set(),
  fees: {},
});

/** The record of a state that has one (every state but Initial); a bug to ask otherwise. */
const orderOf = (state: OrderState, event: OrderEvent): OrderRecord => {
  if (state.status === 'Initial') throw new Error(`evolve: ${event.type} on an order that was never placed`);
  return state.order;
};

export const evolveOrder = (state: OrderState, event: OrderEvent): OrderState => {
  switch (event.type) {
    case 'OrderPlaced': {
      const { clientOrderId: _id, execution, time: _time, ...request } = event.data;
      return { status: execution.mode === 'emulated' ? 'Held' : 'Placed', order: record(request, execution) };
    }
    case 'OrderTriggered':
      return { status: 'Triggered', order: orderOf(state, event) };
    case 'OrderAccepted':
      return { status: 'Accepted', order: { ...orderOf(state, event), exchangeOrderId: event.data.exchangeOrderId } };
    case 'OrderPartiallyFilled':
    case 'OrderFilled': {
      const order = orderOf(state, event);
      const tradeIds = new Set(order.tradeIds).add(event.data.tradeId);
      return {
        status: event.type === 'OrderFilled' ? 'Filled' : 'PartiallyFilled',
        order: {
          ...order,
          filledQuantity: event.data.cumulativeQuantity,
          filledNotional: order.filledNotional + event.data.price * event.data.quantity,
          tradeIds,
          fees: { ...order.fees, [event.data.feeCurrency]: (order.fees[event.data.feeCurrency] ?? 0) + event.data.fee },
        },
      };
    }
    case 'OrderCancelled':
      return { status: 'Cancelled', order: orderOf(state, event) };
    case 'OrderExpired':
      return { status: 'Expired', order: orderOf(state, event) };
    case 'OrderRejected': {
      const before = event.data.order;
      const order = state.status === 'Initial' ? (before === undefined ? undefined : record(before, undefined)) : state.order;
      if (order === undefined) throw new Error('evolve: OrderRejected without the order on a stream that has none');
      return { status: 'Rejected', order, rejection: event.data.rejection };
    }
    default: {
      const unknown: never = event;
      throw new Error(`evolve: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};
