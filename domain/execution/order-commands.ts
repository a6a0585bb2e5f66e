// What can be asked of an order. The executor sends these (from a routed order, the risk gate's answer, the exchange's
// reports, the emulation's triggers); decide() turns them into the order's events or refuses. Time arrives in the
// command (the clock's, or the exchange's for what the exchange reports), so decide stays pure.
import type { MarketRules } from './market-rules.js';
import type { EpochMs, Finite } from '../primitives/codecs.js';
import type { ClientOrderId, Positive } from './order.js';
import type { CancelledBy, Execution, NonNegative, OrderRequest } from './events.js';

interface Command<K extends string, D> {
  readonly type: K;
  readonly clientOrderId: ClientOrderId;
  readonly data: D;
}

/**
 * Place an order: validated against the venue's rules (`rules` undefined: the venue does not list the symbol) at the
 * reference price (what a market or trailing order's notional is judged at). A refusal is recorded as OrderRejected.
 */
export type PlaceOrder = Command<
  'PlaceOrder',
  {
    readonly request: OrderRequest;
    readonly execution: Execution;
    readonly rules: MarketRules | undefined;
    readonly referencePrice: number;
    readonly time: EpochMs;
  }
>;
/** A risk rule's refusal (the RiskGate port's RiskRefusal has this shape): the rule, its limit, the figure reached. */
export interface RuleRefusal {
  readonly rule: string;
  readonly limit: Finite;
  readonly actual: Finite;
  readonly message: string;
}
/** Record that a risk rule refused the order before it was placed. */
export type RefuseOrder = Command<'RefuseOrder', { readonly request: OrderRequest; readonly refusal: RuleRefusal; readonly time: EpochMs }>;
/** An emulated order's trigger was reached at `triggerPrice`. */
export type TriggerOrder = Command<'TriggerOrder', { readonly triggerPrice: Positive; readonly time: EpochMs }>;
export type AcceptOrder = Command<'AcceptOrder', { readonly exchangeOrderId: string; readonly time: EpochMs }>;
export type RecordFill = Command<
  'RecordFill',
  {
    readonly tradeId: string;
    readonly price: Positive;
    readonly quantity: Positive;
    readonly fee: NonNegative;
    readonly feeCurrency: string;
    readonly liquidity: 'maker' | 'taker';
    readonly time: EpochMs;
    /**
     * The exchange reports the order completely filled. Used only for an order given as a quote quantity, whose
     * base quantity nobody knows before it fills; an order with a quantity is filled when its fills add up to it.
     */
    readonly orderComplete: boolean;
  }
>;
export type CancelOrder = Command<'CancelOrder', { readonly by: CancelledBy; readonly reason: string; readonly time: EpochMs }>;
/** The exchange refused the placement. */
export type RejectOrder = Command<'RejectOrder', { readonly code: string; readonly message: string; readonly time: EpochMs }>;
export type ExpireOrder = Command<'ExpireOrder', { readonly reason: string; readonly time: EpochMs }>;

export type OrderCommand = PlaceOrder | RefuseOrder | TriggerOrder | AcceptOrder | RecordFill | CancelOrder | RejectOrder | ExpireOrder;
export type OrderCommandType = OrderCommand['type'];
export const ORDER_COMMAND_TYPES: readonly OrderCommandType[] = [
  'PlaceOrder',
  'RefuseOrder',
  'TriggerOrder',
  'AcceptOrder',
  'RecordFill',
  'CancelOrder',
  'RejectOrder',
  'ExpireOrder',
];
