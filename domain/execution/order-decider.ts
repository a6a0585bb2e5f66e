// The order rules: one placement per client order id (the same request again is a no-op, a different one an error),
// an invalid request or a risk refusal recorded as the order's rejection, emulated orders held until they trigger,
// fills only while the order is live, never beyond its quantity, each trade recorded once.
import { either } from 'fp-ts';
import { clipText, SCHEMA_BOUNDS } from '../primitives/codecs.js';
import type { Either } from 'fp-ts/lib/Either.js';
import type { OrderCommand, OrderCommandType, RecordFill } from './order-commands.js';
import type { OrderEvent, OrderRequest, SubmittedType } from './events.js';
import { evolveOrder, initialOrderState, isLive, type OrderRecord, type OrderState, type OrderStatus } from './order-state.js';
import { validateOrder } from './validate-order.js';
import type { Positive } from './order.js';

export type OrderError =
  /** Anything but a placement or a refusal, for an order that was never placed. */
  | { readonly kind: 'UnknownOrder'; readonly clientOrderId: string; readonly command: OrderCommandType; readonly message: string }
  /** The client order id is taken by a different request. */
  | { readonly kind: 'DuplicateClientOrderId'; readonly clientOrderId: string; readonly message: string }
  | {
      readonly kind: 'IllegalTransition';
      readonly clientOrderId: string;
      readonly state: OrderStatus;
      readonly command: OrderCommandType;
      readonly message: string;
    }
  /** A fill for an order that has ended (filled, cancelled, rejected, expired). */
  | { readonly kind: 'FillAfterEnd'; readonly clientOrderId: string; readonly state: OrderStatus; readonly message: string }
  /** A fill for an emulated order that was never submitted to the exchange. */
  | { readonly kind: 'FillBeforeSubmission'; readonly clientOrderId: string; readonly message: string }
  | { readonly kind: 'Overfill'; readonly clientOrderId: string; readonly ordered: number; readonly cumulative: number; readonly message: string }
  /** The exchange reports a second, different id for the order. */
  | {
      readonly kind: 'ExchangeOrderIdMismatch';
      readonly clientOrderId: string;
      readonly recorded: string;
      readonly reported: string;
      readonly message: string;
    };

type Decision = Either<OrderError, readonly OrderEvent[]>;

// Fills add floating-point sums: cumulative quantities within a relative 1e-9 of the order's are equal to it.
const RELATIVE_EPSILON = 1e-9;

// What the exchange or a risk rule says is stored within the events' bounds, never refused for its length.
const text = (s: string): string => clipText(s);
const name = (s: string): string => (s.length === 0 ? 'unnamed' : s.slice(0, SCHEMA_BOUNDS.name));

const emit = (...events: OrderEvent[]): Decision => either.right(events);
const nothing: Decision = either.right([]);

const illegal = (command: OrderCommand, state: OrderState, why: string): Decision =>
  either.left({
    kind: 'IllegalTransition',
    clientOrderId: command.clientOrderId,
    state: state.status,
    command: command.type,
    message: `${command.type} is not allowed when the order ${command.clientOrderId} is ${state.status}: ${why}`,
  });

/** Key-order-independent equality of two requests (io-ts decodes keep whatever order the caller wrote). */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
export const sameRequest = (a: OrderRequest, b: OrderRequest): boolean => canonical(a) === canonical(b);

/** A second placement under a taken id: nothing if it is the same request, an error if it is another. */
const placedAgain = (command: OrderCommand & { type: 'PlaceOrder' | 'RefuseOrder' }, order: OrderRecord): Decision =>
  sameRequest(order.request, command.data.request)
    ? nothing
    : either.left({
        kind: 'DuplicateClientOrderId',
        clientOrderId: command.clientOrderId,
        message: `the client order id ${command.clientOrderId} is already used by another order`,
      });

/** What an emulated order submits when it triggers, and at which limit. */
export const submission = (order: OrderRecord): { readonly submitsAs: SubmittedType; readonly limitPrice?: Positive } => {
  const { spec } = order.request;
  const submitsAs = order.execution?.mode === 'emulated' ? order.execution.submitsAs : 'market';
  return submitsAs === 'limit' && spec.price !== undefined ? { submitsAs, limitPrice: spec.price } : { submitsAs };
};

const fill = (command: RecordFill, state: OrderState): Decision => {
  const id = command.clientOrderId;
  if (state.status === 'Initial')
    return either.left({
      kind: 'UnknownOrder',
      clientOrderId: id,
      command: command.type,
      message: `a fill (trade ${command.data.tradeId}) for ${id}, an order never placed`,
    });
  const { order } = state;
  // The same trade reported again (a poll and a push, a retried fetch) is the fill already recorded.
  if (order.tradeIds.has(command.data.tradeId)) return nothing;
  if (!isLive(state))
    return either.left({
      kind: 'FillAfterEnd',
      clientOrderId: id,
      state: state.status,
      message: `a fill (trade ${command.data.tradeId}) for ${id}, which is ${state.status}`,
    });
  if (state.status === 'Held')
    return either.left({
      kind: 'FillBeforeSubmission',
      clientOrderId: id,
      message: `a fill for ${id}, an emulated order that has not triggered: it is not on the exchange`,
    });
  const { price, quantity } = command.data;
  const cumulative = order.filledQuantity + quantity;
  const notional = order.filledNotional + price * quantity;
  const { spec } = order.request;
  const ordered = spec.quantity;
  let complete: boolean;
  if (ordered !== undefined) {
    if (cumulative > ordered * (1 + RELATIVE_EPSILON))
      return either.left({
        kind: 'Overfill',
        clientOrderId: id,
        ordered,
        cumulative,
        message: `a fill would take ${id} to ${cumulative}, beyond its quantity ${ordered}`,
      });
    complete = cumulative >= ordered * (1 - RELATIVE_EPSILON);
  } else {
    const budget = spec.quoteQuantity ?? 0;
    if (notional > budget * (1 + RELATIVE_EPSILON))
      return either.left({
        kind: 'Overfill',
        clientOrderId: id,
        ordered: budget,
        cumulative: notional,
        message: `a fill would take ${id} to a notional of ${notional}, beyond its quote quantity ${budget}`,
      });
    complete = command.data.orderComplete;
  }
  const { orderComplete: _complete, ...reported } = command.data;
  // A sum of positive finite numbers is positive (and finite, short of an overflow no exchange reports).
  const data = { clientOrderId: id, ...reported, cumulativeQuantity: cumulative as Positive, averagePrice: (notional / cumulative) as Positive };
  return emit(complete ? { type: 'OrderFilled', data } : { type: 'OrderPartiallyFilled', data });
};

export const decideOrder = (command: OrderCommand, state: OrderState): Decision => {
  const clientOrderId = command.clientOrderId;
  if (state.status === 'Initial' && command.type !== 'PlaceOrder' && command.type !== 'RefuseOrder' && command.type !== 'RecordFill')
    return either.left({ kind: 'UnknownOrder', clientOrderId, command: command.type, message: `${command.type} for ${clientOrderId}, an order never placed` });
  switch (command.type) {
    case 'PlaceOrder': {
      const { request, execution, rules, referencePrice, time } = command.data;
      if (request.spec.clientOrderId !== clientOrderId)
        throw new Error(`PlaceOrder: the command is for ${clientOrderId}, its spec for ${request.spec.clientOrderId}`);
      if (state.status !== 'Initial') return placedAgain(command, state.order);
      const valid = validateOrder(request, rules, referencePrice);
      if (either.isLeft(valid))
        return emit({ type: 'OrderRejected', data: { clientOrderId, rejection: { by: 'validation', ...valid.left }, time, order: request } });
      return emit({ type: 'OrderPlaced', data: { ...request, clientOrderId, execution, time } });
    }
    case 'RefuseOrder': {
      const { request, refusal, time } = command.data;
      if (state.status !== 'Initial') return placedAgain(command, state.order);
      return emit({
        type: 'OrderRejected',
        data: {
          clientOrderId,
          rejection: { by: 'risk', rule: name(refusal.rule), limit: refusal.limit, actual: refusal.actual, message: text(refusal.message) },
          time,
          order: request,
        },
      });
    }
    case 'TriggerOrder': {
      if (state.status === 'Initial') return nothing; // (refused above)
      if (state.order.execution?.mode !== 'emulated') return illegal(command, state, 'only an emulated order triggers in the executor');
      if (state.status === 'Triggered') return nothing;
      if (state.status !== 'Held') return illegal(command, state, 'it has already triggered or ended');
      return emit({
        type: 'OrderTriggered',
        data: { clientOrderId, triggerPrice: command.data.triggerPrice, time: command.data.time, ...submission(state.order) },
      });
    }
    case 'AcceptOrder': {
      if (state.status === 'Initial') return nothing;
      const recorded = state.order.exchangeOrderId;
      const reported = command.data.exchangeOrderId;
      if (state.status === 'Placed' || state.status === 'Triggered') return emit({ type: 'OrderAccepted', data: { clientOrderId, ...command.data } });
      if (state.status === 'Held') return illegal(command, state, 'an emulated order is not on the exchange before it triggers');
      if (state.status === 'Rejected') return illegal(command, state, 'the order was rejected');
      if (recorded === undefined || recorded === reported) return nothing;
      return either.left({
        kind: 'ExchangeOrderIdMismatch',
        clientOrderId,
        recorded,
        reported,
        message: `the exchange reports ${clientOrderId} as ${reported}, recorded as ${recorded}`,
      });
    }
    case 'RecordFill':
      return fill(command, state);
    case 'CancelOrder':
      if (state.status === 'Cancelled') return nothing;
      if (!isLive(state)) return illegal(command, state, 'it has ended');
      return emit({ type: 'OrderCancelled', data: { clientOrderId, ...command.data, reason: text(command.data.reason) } });
    case 'RejectOrder':
      if (state.status === 'Rejected') return nothing;
      if (state.status !== 'Placed' && state.status !== 'Triggered')
        return illegal(command, state, 'only an order being submitted can be rejected by the exchange');
      return emit({
        type: 'OrderRejected',
        data: { clientOrderId, rejection: { by: 'exchange', code: name(command.data.code), message: text(command.data.message) }, time: command.data.time },
      });
    case 'ExpireOrder':
      if (state.status === 'Expired') return nothing;
      if (!isLive(state)) return illegal(command, state, 'it has ended');
      return emit({ type: 'OrderExpired', data: { clientOrderId, ...command.data, reason: text(command.data.reason) } });
    default: {
      const unknown: never = command;
      throw new Error(`decideOrder: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The order decider, as handleCommand (application/commands/handle-command.ts) takes it. */
export const orderDecider = { decide: decideOrder, evolve: evolveOrder, initialState: initialOrderState };
