// An account's order history, folded at start: every order stream (`order-<id>`) of the account on one exchange,
// read from the global log in pages and folded with the order decider's evolve, together with the exchange's
// reconciliations (`exchange-<id>`), into what a restarted run needs:
// - for reconciliation (reconcile.ts KnownAccount): the orders the history thinks are on the exchange, with their
//   filled quantity and trade ids, and the balances the history implies;
// - for the executor (Executor.resume): the live orders to poll and the emulated orders still waiting to trigger.
//
// Balances: the history has no deposits, so its balances are those of the last reconciliation plus the fills recorded
// since. Folding in log order, an `ExchangeReconciled` sets each asset to what that reconciliation expected (the
// history plus the fills it found missing, balance-effect.ts) and then to the exchange's figure where they differed;
// the missed fills it lists are recorded on their order streams after it, and are not counted a second time.
//
// What the events do not hold: a trailing stop's best price since placement (and the reference price it started
// from). A resumed trailing stop gets it from the caller (the candles since its placement), or else starts trailing
// from the first bar after the restart.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { applyFill, type MarketAssets } from '../../domain/execution/balance-effect.js';
import { ORDER_CATEGORY, ORDER_EVENT_TYPES, type OrderEvent } from '../../domain/execution/events.js';
import { orderDecider } from '../../domain/execution/order-decider.js';
import { isLive, type OrderState } from '../../domain/execution/order-state.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import type { ReconciliationEvent } from '../../domain/execution/reconciliation-events.js';
import { decodeEvent, type EventDecodeFailed } from '../events/decode-event.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { KnownAccount, KnownOpenOrder } from './reconcile.js';

const EXCHANGE_CATEGORY = 'exchange';
const ORDER_TYPES: ReadonlySet<string> = new Set(ORDER_EVENT_TYPES);

/** An emulated order placed and neither triggered nor ended: the executor watches its trigger again. */
export interface WaitingOrder {
  readonly clientOrderId: ClientOrderId;
  readonly spec: OrderSpec;
  /** When it was placed (epoch ms): a trailing stop trails the best price of the bars closed since. */
  readonly placedAt: number;
}

/** An order on the exchange, not ended: the executor polls it. */
export interface LiveOrder {
  readonly clientOrderId: ClientOrderId;
  readonly symbol: string;
}

export interface OrderHistory {
  readonly known: KnownAccount;
  readonly live: readonly LiveOrder[];
  readonly waiting: readonly WaitingOrder[];
  /** Fills of a symbol whose assets `assetsOf` did not know: left out of the balances (the reconciliation adopts the exchange's). */
  readonly unpricedFills: number;
  /** Where in the log the fold stopped. */
  readonly position: Position | undefined;
}

export interface OrderHistoryQuery {
  readonly account: string;
  readonly exchange: string;
  /** A symbol's base and quote (the exchange's markets). */
  readonly assetsOf: (symbol: string) => MarketAssets | undefined;
  /** Events per page (default 1000). */
  readonly pageSize?: number;
}

// Statuses in which the exchange holds the order (or may: a placement a crash interrupted) — what reconciliation asks about.
const ON_EXCHANGE = new Set(['Placed', 'Triggered', 'Accepted', 'PartiallyFilled']);

const ofAccount = (s: OrderState, q: OrderHistoryQuery): boolean =>
  s.status !== 'Initial' && s.order.request.account === q.account && s.order.request.exchange === q.exchange;

export const foldOrderHistory = async (store: EventStore, q: OrderHistoryQuery): Promise<Either<EventDecodeFailed, OrderHistory>> => {
  const pageSize = q.pageSize ?? 1000;
  const orders = new Map<string, { state: OrderState; placedAt: number }>();
  const balances: Record<string, number> = {};
  const counted = new Set<string>(); // trade ids a reconciliation already put into the balances
  let unpricedFills = 0;
  let position: Position | undefined;
  for (;;) {
    const page = await store.readAll({
      ...(position === undefined ? {} : { from: position }),
      maxCount: pageSize,
      filter: { categories: [ORDER_CATEGORY, EXCHANGE_CATEGORY] },
    });
    for (const recorded of page) {
      const decoded = decodeEvent<OrderEvent | ReconciliationEvent>(recorded);
      if (either.isLeft(decoded)) return decoded;
      const event = decoded.right.event;
      if (event.type === 'ExchangeReconciled') {
        const d = event.data;
        if (d.exchange !== q.exchange || d.account !== q.account) continue;
        for (const diff of d.differences) {
          if (diff.kind !== 'fills_missed' && diff.kind !== 'order_ended') continue;
          const market = q.assetsOf(diff.symbol);
          for (const f of diff.newFills) {
            if (counted.has(f.tradeId)) continue;
            counted.add(f.tradeId);
            if (market !== undefined) applyFill(balances, market, diff.order.side, f);
          }
        }
        for (const diff of d.differences) if (diff.kind === 'balance_mismatch') balances[diff.asset] = diff.actual;
        continue;
      }
      if (!ORDER_TYPES.has(event.type)) continue;
      const before = orders.get(recorded.streamName);
      const state = orderDecider.evolve(before?.state ?? orderDecider.initialState(), event);
      const placedAt = before?.placedAt ?? (event.type === 'OrderPlaced' ? event.data.time : 0);
      orders.set(recorded.streamName, { state, placedAt });
      if ((event.type === 'OrderFilled' || event.type === 'OrderPartiallyFilled') && ofAccount(state, q) && !counted.has(event.data.tradeId)) {
        if (state.status === 'Initial') continue;
        const { spec } = state.order.request;
        const market = q.assetsOf(spec.symbol);
        if (market === undefined) unpricedFills++;
        else applyFill(balances, market, spec.side, event.data);
      }
    }
    if (page.length > 0) position = page[page.length - 1]!.position;
    if (page.length < pageSize) break;
  }
  const openOrders: KnownOpenOrder[] = [];
  const live: LiveOrder[] = [];
  const waiting: WaitingOrder[] = [];
  for (const { state, placedAt } of orders.values()) {
    if (!ofAccount(state, q) || !isLive(state)) continue;
    const { spec } = state.order.request;
    if (state.status === 'Held') waiting.push({ clientOrderId: spec.clientOrderId, spec, placedAt });
    else if (ON_EXCHANGE.has(state.status)) {
      openOrders.push({
        clientOrderId: spec.clientOrderId,
        symbol: spec.symbol,
        filledQuantity: state.order.filledQuantity,
        tradeIds: [...state.order.tradeIds],
      });
      live.push({ clientOrderId: spec.clientOrderId, symbol: spec.symbol });
    }
  }
  return either.right({
    known: { account: q.account, openOrders, balances },
    live,
    waiting,
    unpricedFills,
    position,
  });
};
