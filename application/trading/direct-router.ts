// An OrderRouter that goes straight to a venue, with no order streams: the risk gate, then the venue's placement, and
// the venue's fills and order ends passed back to the runner that sent the order. For paper sessions replayed in tests
// and benchmarks, and for a venue's own tests; paper and live trading route through the executor instead (risk gate →
// order-<id> stream → Exchange), which records every step.
//
// The venue here is synchronous (the paper exchange): a fill at an open reaches the runner before the next order is
// matched, which is what lets a reversal's entry and a fresh entry's protective exits act in the same bar.
import { isLeft, type Either } from 'fp-ts/lib/Either.js';
import type { ExchangeFailure, ExchangeFill, ExchangeOrder } from '../ports/exchange.js';
import type { RiskGate } from '../ports/risk-gate.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import type { OrderListener, OrderRouter, RoutedOrder } from './order-router.js';

/** A venue that answers at once (the paper exchange), per account. */
export interface SyncVenue {
  place(account: string, spec: OrderSpec): Either<ExchangeFailure, ExchangeOrder>;
  cancel(account: string, symbol: string, clientOrderId: ClientOrderId): Either<ExchangeFailure, ExchangeOrder>;
}

export class DirectRouter implements OrderRouter {
  private readonly listeners = new Map<string, OrderListener>();
  private readonly strategies = new Map<string, string>();

  constructor(
    private readonly gate: RiskGate,
    private readonly venue: SyncVenue,
  ) {}

  /** The listener of one account's orders (one runner per account). */
  listen(account: string, listener: OrderListener): void {
    this.listeners.set(account, listener);
  }

  submit(order: RoutedOrder): void {
    const listener = this.listeners.get(order.account);
    const refusal = this.gate.check(order);
    if (isLeft(refusal)) {
      void listener?.onOrderEnded({ kind: 'refused', clientOrderId: order.spec.clientOrderId, refusal: refusal.left });
      return;
    }
    if (order.strategyId !== undefined) this.strategies.set(order.account, order.strategyId);
    const placed = this.venue.place(order.account, order.spec);
    if (isLeft(placed))
      void listener?.onOrderEnded({ kind: 'rejected', clientOrderId: order.spec.clientOrderId, code: placed.left.code, message: placed.left.message });
  }

  cancel(account: string, symbol: string, clientOrderId: ClientOrderId): void {
    this.venue.cancel(account, symbol, clientOrderId);
  }

  /** The venue reports a fill (subscribe the router to the venue's fills). */
  onVenueFill(account: string, order: ExchangeOrder, fill: ExchangeFill): void {
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
