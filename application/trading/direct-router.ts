// An OrderRouter that goes straight to a venue, with no order streams: the risk gate, then the venue's placement, and
// the venue's fills and order ends passed back to the runner that sent the order. For paper sessions replayed in tests
// and benchmarks, and for a venue's own tests; paper and live trading route through the executor instead (risk gate →
// order-<id> stream → Exchange), which records every step.
//
// A tap (optional) hears each step as it happens — a refusal, the placement before and after the venue takes it, a
// cancel asked for, each fill and end before the runner hears of it — so that paper-order-log.ts can put the orders
// on their order streams without a second path through the trading core.
//
// The venue here is synchronous (the paper exchange): a fill at an open reaches the runner before the next order is
// matched, which is what lets a reversal's entry and a fresh entry's protective exits act in the same bar.
import { isLeft, type Either } from 'fp-ts/lib/Either.js';
import type { ExchangeFailure, ExchangeFill, ExchangeOrder } from '../ports/exchange.js';
import type { RiskGate, RiskRefusal } from '../ports/risk-gate.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import type { OrderListener, OrderRouter, RoutedOrder } from './order-router.js';

/** A venue that answers at once (the paper exchange), per account. */
export interface SyncVenue {
  place(account: string, spec: OrderSpec): Either<ExchangeFailure, ExchangeOrder>;
  cancel(account: string, symbol: string, clientOrderId: ClientOrderId): Either<ExchangeFailure, ExchangeOrder>;
}

/** What a tap hears, in the order it happens (a fill at the open may come between `placing` and `placed`). */
export interface DirectTap {
  refused(order: RoutedOrder, refusal: RiskRefusal): void;
  placing(order: RoutedOrder): void;
  placed(order: RoutedOrder, result: Either<ExchangeFailure, ExchangeOrder>): void;
  cancelling(account: string, clientOrderId: ClientOrderId): void;
  filled(account: string, order: ExchangeOrder, fill: ExchangeFill): void;
  ended(account: string, order: ExchangeOrder, reason: string): void;
}

export class DirectRouter implements OrderRouter {
  private readonly listeners = new Map<string, OrderListener>();
  private readonly strategies = new Map<string, string>();

  constructor(
    private readonly gate: RiskGate,
    private readonly venue: SyncVenue,
    private readonly tap?: DirectTap,
  ) {}

  /** The listener of one account's orders (one runner per account). */
  listen(account: string, listener: OrderListener): void {
    this.listeners.set(account, listener);
  }

  submit(order: RoutedOrder): void {
    const listener = this.listeners.get(order.account);
    const refusal = this.gate.check(order);
    if (isLeft(refusal)) {
      this.tap?.refused(order, refusal.left);
      void listener?.onOrderEnded({ kind: 'refused', clientOrderId: order.spec.clientOrderId, refusal: refusal.left });
      return;
    }
    if (order.strategyId !== undefined) this.strategies.set(order.account, order.strategyId);
    this.tap?.placing(order);
    const placed = this.venue.place(order.account, order.spec);
    this.tap?.placed(order, placed);
    if (isLeft(placed))
      void listener?.onOrderEnded({ kind: 'rejected', clientOrderId: order.spec.clientOrderId, code: placed.left.code, message: placed.left.message });
  }

  cancel(account: string, symbol: string, clientOrderId: ClientOrderId): void {
    this.tap?.cancelling(account, clientOrderId);
    this.venue.cancel(account, symbol, clientOrderId);
  }

  /** The venue reports a fill (subscribe the router to the venue's fills). */
  onVenueFill(account: string, order: ExchangeOrder, fill: ExchangeFill): void {
    this.tap?.filled(account, order, fill);
    const listener = this.listeners.get(account);
    if (listener === undefined) return;
    const strategyId = this.strategies.get(account);
    void listener.onFill({
      account,
      ...(strategyId === undefined ? {} : { strategyId }),
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      price: fill.price,
      quantity: fill.quantity,
      fee: fill.fee,
      liquidity: fill.liquidity,
      time: fill.time,
      complete: order.status === 'filled',
    });
  }

  /** The venue ended an order (an OCO sibling cancelled, a fill refused for funds, a cancel requested). */
  onVenueOrderEnded(account: string, order: ExchangeOrder, reason: string): void {
    this.tap?.ended(account, order, reason);
    const listener = this.listeners.get(account);
    if (listener === undefined) return;
    const id = order.clientOrderId;
    void listener.onOrderEnded(
      order.status === 'rejected'
        ? { kind: 'rejected', clientOrderId: id, code: 'REJECTED', message: reason }
        : { kind: order.status === 'expired' ? 'expired' : 'cancelled', clientOrderId: id, reason },
    );
  }
}
