// The order record of a paper session that trades through the DirectRouter (the pipeline's desk, doc/paper-trading.md
// "Paper orders on the record"): a tap on the router (direct-router.ts DirectTap) turns each step of each order — a
// risk refusal, the placement, the venue's acceptance, each fill, the end — into the order command the executor would
// send, decides it with the one order decider (domain/execution/order-decider.ts) on the order's state kept here, and
// keeps the events until flush() appends them to their `order-<clientOrderId>` streams. The trading itself is
// untouched: the tap only listens, so the fills are those of the one fill model, and the trades those computed without
// the record.
//
// Idempotent and restart-safe: an event's id derives from its stream and its place in it, and its time (data and
// metadata) from the bars, so a re-run of the same bars (a fresh desk recomputing an account from its start) makes the
// same events with the same ids; the store takes a batch it already holds as a retry, and a stream holding the first
// part of a batch (a crash between two appends) gets only the rest. flush() appends in the order the steps happened,
// one append per run of consecutive events of one stream, so the log folds into the same positions (the positions read
// model folds fills in log order).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { eventMetadata } from '../commands/handle-command.js';
import type { EventStore, NewEvent } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import type { ExchangeFailure, ExchangeFill, ExchangeOrder } from '../ports/exchange.js';
import type { RiskRefusal } from '../ports/risk-gate.js';
import type { DirectTap } from './direct-router.js';
import type { RoutedOrder } from './order-router.js';
import { EVENT_CATALOG } from '../../domain/events/catalog.js';
import { orderStream, ReportedFill, type CancelledBy, type OrderRequest } from '../../domain/execution/events.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { OrderCommand } from '../../domain/execution/order-commands.js';
import { orderDecider } from '../../domain/execution/order-decider.js';
import { isLive, type OrderState } from '../../domain/execution/order-state.js';
import type { ClientOrderId } from '../../domain/execution/order.js';
import { EpochMs, type Actor, type Finite } from '../../domain/primitives/codecs.js';

export interface PaperOrderLogOptions {
  readonly ids: Pick<IdGenerator, 'idFor'>;
  /** Who the events are recorded by (the desk: `system:pipeline`). */
  readonly actor: Actor;
  /** The venue's markets, which each placement is validated against as the executor does (the session's). */
  readonly markets: readonly MarketRules[];
}

/** An order whose record is open: its state and how many events its stream has (here). */
interface Tracked {
  state: OrderState;
  revision: number;
}

const epoch = (ms: number): EpochMs => (EpochMs.is(ms) ? ms : (Math.max(0, Math.round(ms)) as EpochMs));
const finite = (n: number): Finite => (Number.isFinite(n) ? n : n > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE) as Finite;

export class PaperOrderLog implements DirectTap {
  private readonly orders = new Map<string, Tracked>();
  /** Strategy-requested cancels under way (the venue ends the order inside the cancel call). */
  private readonly cancels = new Set<string>();
  private readonly pending: { readonly stream: string; readonly event: NewEvent }[] = [];
  /** What could not be recorded (a decider's refusal, an event its codec refuses): never expected. */
  readonly failures: string[] = [];

  constructor(private readonly o: PaperOrderLogOptions) {}

  // ---- the tap ----------------------------------------------------------------------------------------------------

  refused(order: RoutedOrder, refusal: RiskRefusal): void {
    const r = refusal;
    this.run({
      type: 'RefuseOrder',
      clientOrderId: order.spec.clientOrderId,
      data: { request: requestOf(order), refusal: { ...r, limit: finite(r.limit), actual: finite(r.actual) }, time: epoch(order.time) },
    });
  }

  placing(order: RoutedOrder): void {
    this.run({
      type: 'PlaceOrder',
      clientOrderId: order.spec.clientOrderId,
      data: {
        request: requestOf(order),
        execution: { mode: 'native' },
        rules: this.o.markets.find((m) => m.symbol === order.spec.symbol),
        referencePrice: order.referencePrice,
        time: epoch(order.time),
      },
    });
  }

  placed(order: RoutedOrder, result: Either<ExchangeFailure, ExchangeOrder>): void {
    const id = order.spec.clientOrderId;
    if (either.isLeft(result)) {
      this.run({ type: 'RejectOrder', clientOrderId: id, data: { code: result.left.code, message: result.left.message, time: epoch(order.time) } });
      return;
    }
    // (already accepted when it filled at once: the decider records nothing twice)
    this.accept(id, result.right);
  }

  cancelling(_account: string, clientOrderId: ClientOrderId): void {
    this.cancels.add(clientOrderId);
  }

  filled(_account: string, order: ExchangeOrder, fill: ExchangeFill): void {
    const id = order.clientOrderId;
    this.accept(id, order);
    const decoded = ReportedFill.decode(fill);
    if (either.isLeft(decoded)) {
      this.failures.push(`${id}: the fill ${String(fill.tradeId)} cannot be recorded (price ${fill.price}, quantity ${fill.quantity})`);
      return;
    }
    this.run({ type: 'RecordFill', clientOrderId: id, data: { ...decoded.right, orderComplete: order.status === 'filled' } });
  }

  ended(_account: string, order: ExchangeOrder, reason: string): void {
    const id = order.clientOrderId;
    const byStrategy = this.cancels.delete(id);
    const t = this.orders.get(id);
    const time = epoch(order.updatedAt);
    if (order.status === 'expired') this.run({ type: 'ExpireOrder', clientOrderId: id, data: { reason, time } });
    else if (order.status === 'rejected' && t !== undefined && (t.state.status === 'Placed' || t.state.status === 'Triggered'))
      this.run({ type: 'RejectOrder', clientOrderId: id, data: { code: 'REJECTED', message: reason, time } });
    else {
      // Cancelled — or refused at a fill after it was accepted, which the executor records as a cancel by the venue.
      const by: CancelledBy = byStrategy ? 'strategy' : reason.startsWith('OCO') ? 'oco' : 'exchange';
      this.run({ type: 'CancelOrder', clientOrderId: id, data: { by, reason, time } });
    }
  }

  private accept(id: string, order: ExchangeOrder): void {
    const t = this.orders.get(id);
    if (t === undefined || (t.state.status !== 'Placed' && t.state.status !== 'Triggered')) return;
    this.run({ type: 'AcceptOrder', clientOrderId: id as ClientOrderId, data: { exchangeOrderId: order.exchangeOrderId, time: epoch(order.createdAt) } });
  }

  // ---- deciding ---------------------------------------------------------------------------------------------------

  private run(command: OrderCommand): void {
    const id = command.clientOrderId;
    const t = this.orders.get(id) ?? { state: orderDecider.initialState(), revision: 0 };
    const decided = orderDecider.decide(command, t.state);
    if (either.isLeft(decided)) {
      this.failures.push(`${id}: ${command.type} refused by the order decider: ${decided.left.message}`);
      return;
    }
    if (decided.right.length === 0) return;
    const stream = orderStream(id);
    const first = this.eventId(stream, 0);
    for (const event of decided.right) {
      if (!EVENT_CATALOG[event.type]!.is(event.data)) {
        this.failures.push(`${id}: ${event.type} does not match its codec; not recorded`);
        return;
      }
      const eventId = this.eventId(stream, t.revision);
      const time = (event.data as { time?: number }).time ?? command.data.time;
      this.pending.push({
        stream,
        event: { eventId, type: event.type, data: event.data, metadata: eventMetadata({ actor: this.o.actor, correlationId: first }, new Date(time), eventId) },
      });
      t.state = orderDecider.evolve(t.state, event);
      t.revision++;
    }
    // An ended order hears nothing more: it is forgotten (a later report of it is a failure, as it would be a fact the
    // decider refuses).
    if (isLive(t.state)) this.orders.set(id, t);
    else this.orders.delete(id);
  }

  private eventId(stream: string, revision: number): string {
    return this.o.ids.idFor(`paper-order:${stream}:${revision}`);
  }

  // ---- appending --------------------------------------------------------------------------------------------------

  /** Appends what was decided since the last flush, in order; returns how many events the log did not hold yet. */
  async flush(store: EventStore): Promise<number> {
    const batch = this.pending.splice(0);
    // (a cancel asked for an order that had already ended told nothing: it is over by now)
    this.cancels.clear();
    let appended = 0;
    for (let i = 0; i < batch.length;) {
      const stream = batch[i]!.stream;
      let j = i + 1;
      while (j < batch.length && batch[j]!.stream === stream) j++;
      appended += await appendMissing(
        store,
        stream,
        batch.slice(i, j).map((b) => b.event),
      );
      i = j;
    }
    return appended;
  }
}

/** Appends `events` to `stream`, leaving out those it already holds (a re-run, or a crash between two appends). */
const appendMissing = async (store: EventStore, stream: string, events: readonly NewEvent[]): Promise<number> => {
  const first = await store.appendToStream(stream, events, { expectedRevision: 'any' });
  if (either.isRight(first)) return first.right.appended ? events.length : 0;
  if (first.left.kind !== 'PartialDuplicate') throw new Error(`paper orders: ${stream} not recorded: ${JSON.stringify(first.left)}`);
  const held = new Set((await store.readStream(stream)).map((e) => e.eventId));
  const rest = events.filter((e) => !held.has(e.eventId));
  if (rest.length === 0) return 0;
  const second = await store.appendToStream(stream, rest, { expectedRevision: 'any' });
  if (either.isLeft(second)) throw new Error(`paper orders: ${stream} not recorded: ${JSON.stringify(second.left)}`);
  return rest.length;
};

const requestOf = (order: RoutedOrder): OrderRequest => ({
  account: order.account,
  exchange: order.exchange as OrderRequest['exchange'],
  spec: order.spec,
  ...(order.strategyId === undefined ? {} : { strategyId: order.strategyId }),
});
