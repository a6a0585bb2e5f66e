// What the runner of a live account is told of its orders: each fill once by (client order id, trade id), each end
// once by client order id, whichever way it arrives. Two ways reach the runner: the executor's notice of a fill it has
// just recorded (a poll, the push channel, a placement's reply), and a restart's replay, which tells the runner what
// the order's stream recorded before the crash. Both can carry the same fill — a poll resumed at start records a
// partial fill of an order while the replay reads that order's stream — and a partial fill told twice doubles the
// runner's position. So both go through here, and a fill is told from its stream event (its trade id), never from the
// notice alone.
import { either } from 'fp-ts';
import { decodeAll, type DecodedEvent } from '../events/decode-event.js';
import type { EventStore } from '../ports/event-store.js';
import type { FillNotice, OrderEndNotice, OrderListener, RoutedOrder } from '../trading/order-router.js';
import { orderStream, type OrderEvent } from '../../domain/execution/events.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import { floorToStep } from '../../domain/execution/steps.js';

/**
 * A fill as the runner books it. The runner counts fees in the quote asset and sells what it bought; Binance charges a
 * buy's fee in the base asset (the account receives quantity − fee): the runner books the quantity received (on the
 * lot size, so that its exit is a valid order for what is held) and the fee's value in quote. A fee in a third asset
 * (BNB) is not in the runner's books; the day's equity is the exchange's anyway.
 */
export const booked = (rules: MarketRules | undefined, feeCurrency: string | undefined, f: FillNotice): FillNotice => {
  if (rules === undefined || feeCurrency === rules.quote) return f;
  if (feeCurrency === rules.base && f.side === 'buy') return { ...f, quantity: floorToStep(f.quantity - f.fee, rules.amountStep), fee: f.fee * f.price };
  if (feeCurrency === rules.base) return { ...f, fee: f.fee * f.price };
  return { ...f, fee: 0 };
};

/** An order's stream, decoded (a stream that does not decode is a bug upstream: it throws). */
export const readOrder = async (store: EventStore, clientOrderId: string): Promise<readonly DecodedEvent<OrderEvent>[]> => {
  const decoded = decodeAll<OrderEvent>(await store.readStream(orderStream(clientOrderId)));
  if (either.isLeft(decoded)) throw new Error(`live desk: order ${clientOrderId} does not decode: ${decoded.left.message}`);
  return decoded.right;
};

/** The currency of the last fee recorded on an order's stream. */
export const lastFeeCurrency = (events: readonly DecodedEvent<OrderEvent>[]): string | undefined => {
  let currency: string | undefined;
  for (const { event: e } of events) if (e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled') currency = e.data.feeCurrency;
  return currency;
};

export class RunnerFeed {
  /** The orders the runner sent this run (through its router): notices of any other are not its concern. */
  private readonly sent = new Map<string, RoutedOrder>();
  private readonly toldTrades = new Map<string, Set<string>>();
  private readonly toldEnds = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly rules: MarketRules | undefined,
    private readonly runner: () => OrderListener | undefined,
  ) {}

  /** The runner sent the order: from now on what becomes of it is told. Before any await, so no notice is missed. */
  sentOrder(order: RoutedOrder): void {
    this.sent.set(order.spec.clientOrderId, order);
  }

  /**
   * Tells the runner the fills and the end recorded on the order's stream that it has not been told yet. `events`: the
   * stream if the caller has just read it. The marks are set before each await: two catch-ups at once tell a fill once.
   */
  async catchUp(clientOrderId: string, events?: readonly DecodedEvent<OrderEvent>[]): Promise<void> {
    const order = this.sent.get(clientOrderId);
    if (order === undefined) return;
    const stream = events ?? (await readOrder(this.store, clientOrderId));
    let trades = this.toldTrades.get(clientOrderId);
    if (trades === undefined) this.toldTrades.set(clientOrderId, (trades = new Set()));
    for (const { event: e } of stream) {
      if (e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled') {
        if (trades.has(e.data.tradeId)) continue;
        trades.add(e.data.tradeId);
        const notice: FillNotice = {
          account: order.account,
          ...(order.strategyId === undefined ? {} : { strategyId: order.strategyId }),
          clientOrderId: order.spec.clientOrderId,
          symbol: order.spec.symbol,
          side: order.spec.side,
          price: e.data.price,
          quantity: e.data.quantity,
          fee: e.data.fee,
          liquidity: e.data.liquidity,
          time: e.data.time,
          complete: e.type === 'OrderFilled',
        };
        await this.runner()?.onFill(booked(this.rules, e.data.feeCurrency, notice));
      } else if (e.type === 'OrderCancelled' || e.type === 'OrderExpired') {
        await this.ended({ kind: e.type === 'OrderCancelled' ? 'cancelled' : 'expired', clientOrderId: order.spec.clientOrderId, reason: e.data.reason });
      } else if (e.type === 'OrderRejected') {
        const r = e.data.rejection as { code?: string; message?: string };
        await this.ended({ kind: 'rejected', clientOrderId: order.spec.clientOrderId, code: String(r.code ?? 'rejected'), message: String(r.message ?? '') });
      }
    }
  }

  /** An end of one of the runner's orders, told once (a refusal by the risk gate has no order stream: it comes here directly). */
  async ended(notice: OrderEndNotice): Promise<void> {
    if (!this.sent.has(notice.clientOrderId) || this.toldEnds.has(notice.clientOrderId)) return;
    this.toldEnds.add(notice.clientOrderId);
    await this.runner()?.onOrderEnded(notice);
  }
}
