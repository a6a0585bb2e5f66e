// What reconciliation at start records: every way the exchange disagreed with the event history, and what was done
// about it. One `ExchangeReconciled` per run on the stream `exchange-<exchange id>` (application/trading/reconcile.ts).
// The order streams themselves (order-<id>) are the order decider's to write: a difference carries what it needs
// (the final status, the fills missed) so that it can.
import * as t from 'io-ts';
import { boundedArray, boundedString, EpochMs, Finite, IdString, Name, SCHEMA_BOUNDS, Text } from '../primitives/codecs.js';
import { ExchangeId } from '../market/exchange.js';
import { ClientOrderId, OrderSide, OrderSymbol, OrderType } from './order.js';

export const exchangeStream = (exchange: string): string => `exchange-${exchange}`;

export const RECONCILIATION_BOUNDS = { differences: 2000, fills: 1000 } as const;

export const ReconciledFill = t.type(
  {
    tradeId: IdString,
    price: Finite,
    quantity: Finite,
    fee: Finite,
    feeCurrency: boundedString(SCHEMA_BOUNDS.name),
    liquidity: t.keyof({ maker: null, taker: null }),
    time: EpochMs,
  },
  'ReconciledFill',
);

/** An order as the exchange showed it. */
export const ReconciledOrder = t.intersection(
  [
    t.type({
      clientOrderId: ClientOrderId,
      exchangeOrderId: IdString,
      symbol: OrderSymbol,
      side: OrderSide,
      type: OrderType,
      status: t.keyof({ open: null, partially_filled: null, filled: null, cancelled: null, rejected: null, expired: null }),
      quantity: Finite,
      filledQuantity: Finite,
    }),
    t.partial({ price: Finite, stopPrice: Finite }),
  ],
  'ReconciledOrder',
);
export type ReconciledOrder = t.TypeOf<typeof ReconciledOrder>;

const ClientRef = { clientOrderId: ClientOrderId, symbol: OrderSymbol };

export const ReconciliationDifference = t.union(
  [
    /** Open on the exchange, unknown to the history (placed by hand, or by a run whose events were lost). */
    t.intersection([
      t.type({
        kind: t.literal('unknown_open_order'),
        order: ReconciledOrder,
        /** cancelled: nobody manages it, so it was cancelled; adopted: left open by policy; cancel_failed: see `failure`. */
        resolution: t.keyof({ cancelled: null, adopted: null, cancel_failed: null }),
      }),
      t.partial({ failure: Text }),
    ]),
    /** Open in the history; on the exchange it ended while we were down (filled, cancelled, expired, rejected). */
    t.type({
      kind: t.literal('order_ended'),
      ...ClientRef,
      order: ReconciledOrder,
      /** The fills the history has not recorded yet. */
      newFills: boundedArray(ReconciledFill, RECONCILIATION_BOUNDS.fills),
      resolution: t.literal('record_outcome'),
    }),
    /** Open in both, but the exchange filled more of it than the history knows. */
    t.type({
      kind: t.literal('fills_missed'),
      ...ClientRef,
      order: ReconciledOrder,
      newFills: boundedArray(ReconciledFill, RECONCILIATION_BOUNDS.fills),
      resolution: t.literal('record_fills'),
    }),
    /** Open in the history, unknown to the exchange: the placement never arrived. */
    t.type({ kind: t.literal('order_not_on_exchange'), ...ClientRef, resolution: t.literal('record_rejected') }),
    /** The account holds another total of `asset` than the history says; the exchange's figure is the truth. */
    t.type({ kind: t.literal('balance_mismatch'), asset: Name, expected: Finite, actual: Finite, resolution: t.literal('adopt_exchange_balance') }),
  ],
  'ReconciliationDifference',
);
export type ReconciliationDifference = t.TypeOf<typeof ReconciliationDifference>;

export const ReconciliationEventData = {
  /** The exchange was compared with the history (at start): what was checked, every difference and its resolution. */
  ExchangeReconciled: t.type({
    exchange: ExchangeId,
    account: Name,
    at: EpochMs,
    checked: t.type({ knownOpenOrders: Finite, exchangeOpenOrders: Finite, assets: Finite }),
    differences: boundedArray(ReconciliationDifference, RECONCILIATION_BOUNDS.differences),
  }),
} as const;

export type ReconciliationEventType = keyof typeof ReconciliationEventData;
export type ReconciliationEvent = {
  [K in ReconciliationEventType]: { readonly type: K; readonly data: t.TypeOf<(typeof ReconciliationEventData)[K]> };
}[ReconciliationEventType];
