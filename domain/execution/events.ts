// The facts of an order's life, on the stream `order-<clientOrderId>`: placed (with whether the executor emulates its
// type), accepted by the exchange, (partially) filled, and how it ended — cancelled, rejected, expired. An emulated
// order also records when it triggered. Every field the exchange gave (its order id, trade ids, its timestamps) is
// kept, so the stream can be reconciled with the venue later.
//
// Fills that cannot be matched to an order (unknown, already ended, or beyond its quantity) are recorded on the
// executor's stream of the account (`executor-<account>`) instead: they are facts about the venue, not the order.
import * as t from 'io-ts';
import { ExchangeId } from '../market/exchange.js';
import { EpochMs, Finite, IdString, Name, Text, boundedArray } from '../primitives/codecs.js';
import { ClientOrderId, OrderSpec, Positive } from './order.js';

export const ORDER_CATEGORY = 'order';
export const orderStream = (clientOrderId: string) => `${ORDER_CATEGORY}-${clientOrderId}`;
export const EXECUTOR_CATEGORY = 'executor';
export const executorStream = (account: string) => `${EXECUTOR_CATEGORY}-${account}`;

/** Zero or more: a fee (a rebate is not modelled), a cumulative figure. */
export const NonNegative = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly NonNegative: unique symbol }> => Number.isFinite(n) && n >= 0,
  'NonNegative',
);
export type NonNegative = t.TypeOf<typeof NonNegative>;

/** The order types the executor submits when an emulated order triggers. */
export const SubmittedType = t.keyof({ market: null, limit: null }, 'SubmittedType');
export type SubmittedType = t.TypeOf<typeof SubmittedType>;

/**
 * How the order is carried out: `native` — the exchange holds it as its own type; `emulated` — the venue lacks the
 * type (see Exchange.nativeTypes), so the executor holds it, watches prices, and on the trigger submits `submitsAs`.
 */
export const Execution = t.union(
  [t.type({ mode: t.literal('native') }), t.type({ mode: t.literal('emulated'), submitsAs: SubmittedType, why: Text })],
  'Execution',
);
export type Execution = t.TypeOf<typeof Execution>;

/** The most children a bracket has (a stop-loss and a take-profit). */
export const MAX_BRACKET_CHILDREN = 2;

/**
 * An entry's protective orders: placed on their own streams when the entry has filled, for the quantity it filled,
 * one-cancels-the-other within `ocoGroup`.
 */
export const Bracket = t.type({ ocoGroup: IdString, children: boundedArray(OrderSpec, MAX_BRACKET_CHILDREN) }, 'Bracket');
export type Bracket = t.TypeOf<typeof Bracket>;

/** Who asked for the order and where it goes: what a placement and a refusal before placement both record. */
export const OrderRequest = t.intersection(
  [
    t.type({ account: IdString, exchange: ExchangeId, spec: OrderSpec }),
    t.partial({
      strategyId: IdString,
      /** The entry this order protects (a bracket's child). */
      parentOrderId: ClientOrderId,
      bracket: Bracket,
    }),
  ],
  'OrderRequest',
);
export type OrderRequest = t.TypeOf<typeof OrderRequest>;

/** One execution as an exchange reports it: what the executor accepts from a venue, and what a fill event holds. */
export const ReportedFill = t.type(
  {
    tradeId: IdString,
    price: Positive,
    quantity: Positive,
    fee: NonNegative,
    feeCurrency: Name,
    liquidity: t.keyof({ maker: null, taker: null }),
    /** The exchange's time of the trade, epoch ms. */
    time: EpochMs,
  },
  'ReportedFill',
);

/** One execution as the exchange reported it, with the order's totals after it. */
export const FillData = t.intersection(
  [t.type({ clientOrderId: ClientOrderId }), ReportedFill, t.type({ cumulativeQuantity: Positive, averagePrice: Positive })],
  'FillData',
);
export type FillData = t.TypeOf<typeof FillData>;

/** Why an order was rejected, by whom: the exchange (its code), the validation (the field), or a risk rule (its numbers). */
export const Rejection = t.union(
  [
    t.type({ by: t.literal('exchange'), code: Name, message: Text }),
    t.type({ by: t.literal('validation'), field: Name, message: Text }),
    t.type({ by: t.literal('risk'), rule: Name, limit: Finite, actual: Finite, message: Text }),
  ],
  'Rejection',
);
export type Rejection = t.TypeOf<typeof Rejection>;

/** Who cancelled: the exchange, the other side of an OCO pair, an operator, a kill switch, the strategy, the executor. */
export const CancelledBy = t.keyof({ exchange: null, oco: null, operator: null, kill_switch: null, strategy: null, executor: null }, 'CancelledBy');
export type CancelledBy = t.TypeOf<typeof CancelledBy>;

export const OrderEventData = {
  OrderPlaced: t.intersection([OrderRequest, t.type({ clientOrderId: ClientOrderId, execution: Execution, time: EpochMs })]),
  /**
   * An emulated order's trigger was reached by a price of `time`: the executor submits a `submitsAs` order (a limit at
   * `limitPrice`) under the same client order id.
   */
  OrderTriggered: t.intersection([
    t.type({ clientOrderId: ClientOrderId, triggerPrice: Positive, time: EpochMs, submitsAs: SubmittedType }),
    t.partial({ limitPrice: Positive }),
  ]),
  OrderAccepted: t.type({ clientOrderId: ClientOrderId, exchangeOrderId: IdString, time: EpochMs }),
  OrderPartiallyFilled: FillData,
  OrderFilled: FillData,
  OrderCancelled: t.type({ clientOrderId: ClientOrderId, by: CancelledBy, reason: Text, time: EpochMs }),
  /** `order` is there when the order was refused before it was placed (no OrderPlaced precedes it). */
  OrderRejected: t.intersection([t.type({ clientOrderId: ClientOrderId, rejection: Rejection, time: EpochMs }), t.partial({ order: OrderRequest })]),
  OrderExpired: t.type({ clientOrderId: ClientOrderId, reason: Text, time: EpochMs }),
} as const;

/** A fill the venue reported that no order could take: why, and the fill as reported. */
export const UnmatchedFillProblem = t.keyof({ unknown_order: null, order_ended: null, overfill: null, not_submitted: null }, 'UnmatchedFillProblem');
export type UnmatchedFillProblem = t.TypeOf<typeof UnmatchedFillProblem>;

export const ExecutorEventData = {
  FillUnmatched: t.type({
    account: IdString,
    exchange: ExchangeId,
    clientOrderId: ClientOrderId,
    problem: UnmatchedFillProblem,
    message: Text,
    fill: ReportedFill,
  }),
} as const;

export type OrderEventType = keyof typeof OrderEventData;
export type OrderEventOf<K extends OrderEventType> = { readonly type: K; readonly data: t.TypeOf<(typeof OrderEventData)[K]> };
export type OrderEvent = { [K in OrderEventType]: OrderEventOf<K> }[OrderEventType];
export const ORDER_EVENT_TYPES = Object.keys(OrderEventData) as OrderEventType[];

export type ExecutorEvent = { readonly type: 'FillUnmatched'; readonly data: t.TypeOf<(typeof ExecutorEventData)['FillUnmatched']> };
