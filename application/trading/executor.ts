// The executor: how a routed order becomes a recorded order on a venue. For each order: the risk gate (a refusal is the
// order's OrderRejected, naming the rule and its numbers) → the venue's market rules (a broken one is OrderRejected
// naming the field) → OrderPlaced → Exchange.placeOrder, retried on retryable failures under the same client order
// id (after a timeout the order is first looked up, so it is never placed twice) → OrderAccepted, fills, the end —
// each told to the OrderListener. Types the venue lacks are held here and submitted when prices reach their trigger;
// brackets place their exits when the entry fills, and the first exit to fill cancels the others. Open orders are
// polled (syncOnce, on the scheduler's interval) and, where the venue pushes (watch), each update is recorded as it
// comes through the same path as a poll's report: each new fill is recorded once, whichever saw it first.
//
// Every write goes through the one command handler with the order decider, one order at a time (a lock per client
// order id), so a poll and a placement never race on a stream.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import pRetry, { AbortError } from 'p-retry';
import { bracketExits, ocoSiblings } from '../../domain/execution/bracket.js';
import { executionFor, ratchet, reaches, submittedSpec, triggerLevel, type PriceRange } from '../../domain/execution/emulation.js';
import {
  ExecutorEventData,
  ReportedFill,
  executorStream,
  orderStream,
  type CancelledBy,
  type OrderRequest,
  type UnmatchedFillProblem,
} from '../../domain/execution/events.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { OrderCommand } from '../../domain/execution/order-commands.js';
import { orderDecider, sameRequest, type OrderError } from '../../domain/execution/order-decider.js';
import { isLive, type OrderState } from '../../domain/execution/order-state.js';
import { ClientOrderId, type Positive, type OrderSpec } from '../../domain/execution/order.js';
import { EpochMs, type Finite, clipText, type Actor } from '../../domain/primitives/codecs.js';
import { handleCommand, loadStream, eventMetadata, type CommandError, type CommandDeps } from '../commands/handle-command.js';
import type { Exchange, ExchangeFailure, ExchangeFill, ExchangeOrder } from '../ports/exchange.js';
import type { RiskGate } from '../ports/risk-gate.js';
import type { FillNotice, OrderListener, OrderRouter, RoutedOrder } from './order-router.js';

/** How often the executor polls, and how it is told to: the scheduler owns the timer (a replay clock in tests). */
export interface Scheduler {
  every(intervalMs: number, task: () => Promise<void>): () => void;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly minTimeoutMs: number;
  readonly maxTimeoutMs: number;
}
export const DEFAULT_RETRY: RetryPolicy = { retries: 4, minTimeoutMs: 250, maxTimeoutMs: 4000 };

export interface ExecutorDeps extends CommandDeps {
  readonly exchange: Exchange;
  readonly risk: RiskGate;
  readonly listener: OrderListener;
  /** The venue account this executor trades: unmatched fills are recorded on `executor-<account>`. */
  readonly account: string;
  readonly retry?: RetryPolicy;
  readonly actor?: Actor;
}

export type ExecutorError =
  | CommandError<OrderError>
  | { readonly kind: 'MarketsUnavailable'; readonly failure: ExchangeFailure }
  | { readonly kind: 'ExchangeFailed'; readonly clientOrderId: string; readonly failure: ExchangeFailure }
  /** The venue reported a fill that cannot be a fact (a NaN price, a negative quantity): nothing is recorded. */
  | { readonly kind: 'MalformedFill'; readonly clientOrderId: string; readonly tradeId: string; readonly message: string };

/** What became of an order the executor was given or told about. */
export type Outcome = Either<ExecutorError, OrderState>;

class Failed extends Error {
  constructor(readonly failure: ExchangeFailure) {
    super(`${failure.code}: ${failure.message}`);
  }
}

interface Watched {
  readonly spec: OrderSpec;
  /**
   * A trailing stop's best price since placement (the reference price at first). NaN when not known (resumed after a
   * restart without it): the next closed bar sets it and cannot trigger the order.
   */
  best: number;
}

/** What a restarted executor takes over from the history (application/trading/order-history.ts). */
export interface ResumedOrders {
  /** Orders on the venue not yet ended: polled. */
  readonly live: readonly { readonly clientOrderId: ClientOrderId; readonly symbol: string }[];
  /** Emulated orders placed and not yet triggered: watched; `best` is a trailing stop's best price, if known. */
  readonly held: readonly { readonly spec: OrderSpec; readonly best?: number }[];
}

const epoch = (ms: number): EpochMs => (EpochMs.is(ms) ? ms : (Math.max(0, Math.round(ms)) as EpochMs));
const finite = (n: number): Finite => (Number.isFinite(n) ? n : n > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE) as Finite;

export class Executor implements OrderRouter {
  private rules: ReadonlyMap<string, MarketRules> | undefined;
  /** Orders on the venue not yet ended: what the poll asks about. */
  private readonly live = new Map<string, { readonly symbol: string }>();
  /** Emulated orders not yet triggered, by client order id. */
  private readonly held = new Map<string, Watched>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly retry: RetryPolicy;
  private readonly actor: Actor;

  constructor(private readonly deps: ExecutorDeps) {
    this.retry = deps.retry ?? DEFAULT_RETRY;
    this.actor = deps.actor ?? ('system:executor' as Actor);
  }

  /** Takes over the orders a previous run left (after a restart): the live ones are polled, the held ones watched. */
  resume(orders: ResumedOrders): void {
    for (const o of orders.live) this.live.set(o.clientOrderId, { symbol: o.symbol });
    for (const h of orders.held) this.held.set(h.spec.clientOrderId, { spec: h.spec, best: h.best ?? NaN });
  }

  /** The client order ids the executor polls and watches now. */
  tracking(): { readonly live: readonly string[]; readonly held: readonly string[] } {
    return { live: [...this.live.keys()], held: [...this.held.keys()] };
  }

  // ---- OrderRouter ------------------------------------------------------------------------------------------

  async submit(order: RoutedOrder): Promise<void> {
    await this.place(order);
  }

  async cancel(_account: string, _symbol: string, clientOrderId: ClientOrderId): Promise<void> {
    await this.cancelOrder(clientOrderId, 'strategy', 'cancelled by the strategy');
  }

  // ---- placing ----------------------------------------------------------------------------------------------

  /** Risk → rules → placed → exchange; the order's state afterwards, or why nothing could be recorded. */
  place(order: RoutedOrder): Promise<Outcome> {
    const id = order.spec.clientOrderId;
    return this.locked(id, async () => {
      const request: OrderRequest = {
        account: order.account,
        exchange: this.deps.exchange.id,
        spec: order.spec,
        ...(order.strategyId ? { strategyId: order.strategyId } : {}),
      };
      return this.placeRequest({ ...request, ...(order.bracket !== undefined ? { bracket: order.bracket } : {}) }, order.referencePrice, order.time);
    });
  }

  private async placeRequest(request: OrderRequest, referencePrice: number, time: number): Promise<Outcome> {
    const id = request.spec.clientOrderId;
    const loaded = await loadStream(this.deps.store, orderStream(id), orderDecider);
    if (either.isLeft(loaded)) return loaded;
    const before = loaded.right.state;
    if (before.status !== 'Initial') {
      // The same order again: nothing new, unless a crash left it recorded as placed but never sent.
      if (!sameRequest(before.order.request, request))
        return this.run({
          type: 'PlaceOrder',
          clientOrderId: id,
          data: { request, execution: { mode: 'native' }, rules: undefined, referencePrice, time: epoch(time) },
        });
      if (before.status === 'Placed' || before.status === 'Triggered') return this.send(id, before);
      return either.right(before);
    }
    const refusal = this.deps.risk.check({
      account: request.account,
      exchange: request.exchange,
      spec: request.spec,
      referencePrice,
      time,
      ...(request.strategyId ? { strategyId: request.strategyId } : {}),
    });
    if (either.isLeft(refusal)) {
      const r = refusal.left;
      const refused = await this.run({
        type: 'RefuseOrder',
        clientOrderId: id,
        data: { request, refusal: { ...r, limit: finite(r.limit), actual: finite(r.actual) }, time: epoch(time) },
      });
      if (either.isRight(refused)) await this.deps.listener.onOrderEnded({ kind: 'refused', clientOrderId: id, refusal: r });
      return refused;
    }
    const rules = await this.marketRules();
    if (either.isLeft(rules)) {
      // Without the venue's rules nothing can be validated: nothing is recorded, the runner is told why.
      await this.deps.listener.onOrderEnded({
        kind: 'rejected',
        clientOrderId: id,
        code: rules.left.code,
        message: `the market rules could not be read: ${rules.left.message}`,
      });
      return either.left({ kind: 'MarketsUnavailable', failure: rules.left });
    }
    const execution = executionFor(request.spec.type, this.deps.exchange.nativeTypes, this.deps.exchange.id);
    const placed = await this.run({
      type: 'PlaceOrder',
      clientOrderId: id,
      data: { request, execution, rules: rules.right.get(request.spec.symbol), referencePrice, time: epoch(time) },
    });
    if (either.isLeft(placed)) return placed;
    const state = placed.right;
    if (state.status === 'Rejected') {
      const rejection = state.rejection;
      await this.deps.listener.onOrderEnded({
        kind: 'rejected',
        clientOrderId: id,
        code: rejection.by === 'validation' ? `INVALID:${rejection.field}` : rejection.by === 'exchange' ? rejection.code : rejection.rule,
        message: rejection.message,
      });
      return placed;
    }
    if (state.status === 'Held') {
      this.held.set(id, { spec: request.spec, best: referencePrice });
      return placed;
    }
    return this.send(id, state);
  }

  /** Sends a placed (or triggered) order to the venue and records what came back. Under the order's lock. */
  private async send(id: ClientOrderId, state: OrderState): Promise<Outcome> {
    if (state.status === 'Initial') return either.right(state);
    const { spec } = state.order.request;
    const execution = state.order.execution;
    const sent = execution?.mode === 'emulated' ? submittedSpec(spec, execution.submitsAs) : spec;
    const result = await this.placeOnce(sent);
    if (either.isLeft(result)) {
      const f = result.left;
      const rejected = await this.run({
        type: 'RejectOrder',
        clientOrderId: id,
        data: { code: f.code, message: f.message, time: epoch(this.deps.clock.now().getTime()) },
      });
      if (either.isRight(rejected)) await this.deps.listener.onOrderEnded({ kind: 'rejected', clientOrderId: id, code: f.code, message: f.message });
      return rejected;
    }
    return this.apply(id, result.right);
  }

  /**
   * One placement, whatever it takes: retryable failures are retried with the same client order id, and after a
   * timeout or a network failure (the request may have reached the venue) the order is looked up before it is placed
   * again. Gives the exchange's order, or the last failure.
   */
  private async placeOnce(spec: OrderSpec): Promise<Either<ExchangeFailure, ExchangeOrder>> {
    const { exchange } = this.deps;
    let mayBeThere = false;
    const lookUp = async (): Promise<ExchangeOrder | undefined> => {
      const found = await exchange.fetchOrder(spec.symbol, spec.clientOrderId)();
      if (either.isRight(found)) return found.right;
      if (found.left.code === 'UNKNOWN_ORDER') return undefined;
      throw found.left.retryable ? new Failed(found.left) : new AbortError(new Failed(found.left));
    };
    try {
      const order = await pRetry(
        async () => {
          if (mayBeThere) {
            const found = await lookUp();
            if (found !== undefined) return found;
          }
          const placed = await exchange.placeOrder(spec)();
          if (either.isRight(placed)) return placed.right;
          if (!placed.left.retryable) throw new AbortError(new Failed(placed.left));
          if (placed.left.code === 'TIMEOUT' || placed.left.code === 'NETWORK') mayBeThere = true;
          throw new Failed(placed.left);
        },
        { retries: this.retry.retries, minTimeout: this.retry.minTimeoutMs, maxTimeout: this.retry.maxTimeoutMs, randomize: false },
      );
      return either.right(order);
    } catch (e) {
      if (!(e instanceof Failed)) throw e;
      if (mayBeThere) {
        // Out of attempts after a timeout: the venue may still hold it. One last look before it is called rejected.
        const found = await exchange.fetchOrder(spec.symbol, spec.clientOrderId)();
        if (either.isRight(found)) return either.right(found.right);
        return either.left({ ...e.failure, message: `${e.failure.message} (${this.retry.retries + 1} attempts; the exchange does not know the order)` });
      }
      return either.left(e.failure);
    }
  }

  // ---- what the venue reports -------------------------------------------------------------------------------

  /** Records an exchange's view of an order: accepted, new fills (once each), and how it ended. Under the lock. */
  private async apply(id: ClientOrderId, reported: ExchangeOrder): Promise<Outcome> {
    let outcome: Outcome = await this.run({
      type: 'AcceptOrder',
      clientOrderId: id,
      data: { exchangeOrderId: reported.exchangeOrderId, time: epoch(reported.createdAt) },
    });
    if (either.isLeft(outcome)) return outcome;
    const fills = [...reported.fills].sort((a, b) => a.time - b.time);
    for (const [i, fill] of fills.entries()) {
      const complete = reported.status === 'filled' && i === fills.length - 1;
      const recorded = await this.recordFillOf(id, fill, complete);
      if (either.isLeft(recorded)) return recorded;
      if (recorded.right !== undefined) outcome = either.right(recorded.right);
    }
    const state = either.isRight(outcome) ? outcome.right : undefined;
    if (state !== undefined && isLive(state)) {
      const now = epoch(reported.updatedAt);
      const ended =
        reported.status === 'cancelled'
          ? ({ type: 'CancelOrder', clientOrderId: id, data: { by: 'exchange', reason: 'cancelled by the exchange', time: now } } as const)
          : reported.status === 'expired'
            ? ({ type: 'ExpireOrder', clientOrderId: id, data: { reason: 'expired on the exchange (time in force)', time: now } } as const)
            : reported.status === 'rejected'
              ? ({
                  type: 'CancelOrder',
                  clientOrderId: id,
                  data: { by: 'exchange', reason: 'rejected by the exchange after it was accepted', time: now },
                } as const)
              : undefined;
      if (ended !== undefined) {
        outcome = await this.run(ended);
        if (either.isRight(outcome)) {
          await this.deps.listener.onOrderEnded({ kind: ended.type === 'ExpireOrder' ? 'expired' : 'cancelled', clientOrderId: id, reason: ended.data.reason });
          this.followUp(id, outcome.right);
        }
      }
    }
    if (either.isRight(outcome)) {
      if (isLive(outcome.right)) this.live.set(id, { symbol: reported.symbol });
      else this.live.delete(id);
    }
    return outcome;
  }

  /** One reported fill on its order: recorded and told once, or — if no order can take it — recorded as unmatched. */
  private async recordFillOf(id: ClientOrderId, fill: ExchangeFill, orderComplete: boolean): Promise<Either<ExecutorError, OrderState | undefined>> {
    const decoded = ReportedFill.decode(fill);
    if (either.isLeft(decoded))
      return either.left({
        kind: 'MalformedFill',
        clientOrderId: id,
        tradeId: String(fill.tradeId),
        message: `the fill ${String(fill.tradeId)} cannot be recorded (price ${fill.price}, quantity ${fill.quantity}, fee ${fill.fee}, time ${fill.time})`,
      });
    const f = decoded.right;
    const handled = await this.handle({ type: 'RecordFill', clientOrderId: id, data: { ...f, orderComplete } });
    if (either.isLeft(handled)) {
      const problem = unmatchedProblem(handled.left);
      if (problem === undefined) return handled;
      await this.unmatched(id, fill, problem, (handled.left as { message: string }).message);
      return either.right(undefined);
    }
    const { state, events } = handled.right;
    const recorded = events.find((e) => e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled');
    if (recorded !== undefined && state.status !== 'Initial') {
      const { request } = state.order;
      const notice: FillNotice = {
        account: request.account,
        ...(request.strategyId !== undefined ? { strategyId: request.strategyId } : {}),
        clientOrderId: id,
        symbol: request.spec.symbol,
        side: request.spec.side,
        price: f.price,
        quantity: f.quantity,
        fee: f.fee,
        liquidity: f.liquidity,
        time: f.time,
        complete: recorded.type === 'OrderFilled',
      };
      await this.deps.listener.onFill(notice);
      this.followUp(id, state);
    }
    return either.right(state);
  }

  /** A fill no order can take, on the executor's stream; its event id comes from the trade id, so it is recorded once. */
  private async unmatched(id: string, fill: ExchangeFill, problem: UnmatchedFillProblem, message: string): Promise<void> {
    const data = {
      account: this.deps.account,
      exchange: this.deps.exchange.id,
      clientOrderId: id,
      problem,
      message: clipText(message),
      fill: {
        tradeId: fill.tradeId,
        price: fill.price,
        quantity: fill.quantity,
        fee: fill.fee,
        feeCurrency: fill.feeCurrency,
        liquidity: fill.liquidity,
        time: fill.time,
      },
    };
    const eventId = this.deps.ids.idFor(`FillUnmatched:${this.deps.exchange.id}:${id}:${fill.tradeId}`);
    // (a fill that does not decode never gets here: it is a MalformedFill.)
    if (!ExecutorEventData.FillUnmatched.is(data)) throw new Error(`unmatched fill not storable: ${JSON.stringify(data)}`);
    const appended = await this.deps.store.appendToStream(executorStream(this.deps.account), [
      { eventId, type: 'FillUnmatched', data, metadata: eventMetadata({ actor: this.actor }, this.deps.clock.now(), eventId) },
    ]);
    if (either.isLeft(appended)) throw new Error(`could not record an unmatched fill: ${appended.left.kind}`);
  }

  /** Publicly: an exchange's view of an order learnt elsewhere (reconciliation at start), recorded as a poll would. */
  applyReport(clientOrderId: ClientOrderId, reported: ExchangeOrder): Promise<Outcome> {
    return this.locked(clientOrderId, () => this.apply(clientOrderId, reported));
  }

  /** Publicly: a fill reported from elsewhere (a push stream, reconciliation) for an order named by its client id. */
  recordFill(clientOrderId: ClientOrderId, fill: ExchangeFill, orderComplete: boolean): Promise<Either<ExecutorError, OrderState | undefined>> {
    return this.locked(clientOrderId, () => this.recordFillOf(clientOrderId, fill, orderComplete));
  }

  // ---- brackets and OCO -------------------------------------------------------------------------------------

  /** After a fill: an entry that ended places its exits; an exit's fill cancels its OCO siblings. Outside the lock. */
  private followUp(id: ClientOrderId, state: OrderState): void {
    if (state.status === 'Initial') return;
    const { request } = state.order;
    const work = async () => {
      if (request.bracket !== undefined) await this.placeExits(state);
      if (request.parentOrderId !== undefined && request.spec.ocoGroup !== undefined) {
        const parent = await loadStream(this.deps.store, orderStream(request.parentOrderId), orderDecider);
        if (either.isLeft(parent) || parent.right.state.status === 'Initial') return;
        for (const sibling of ocoSiblings(parent.right.state.order.request, id))
          await this.cancelOrder(sibling, 'oco', `${id} of OCO group ${request.spec.ocoGroup} filled`);
      }
    };
    this.pending.push(work());
  }
  private readonly pending: Promise<void>[] = [];

  /** Waits for the follow-ups started so far (bracket exits, OCO cancels): replay drivers and tests await this. */
  async settled(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift();
  }

  private async placeExits(entry: OrderState): Promise<void> {
    if (entry.status === 'Initial') return;
    const rules = await this.marketRules();
    const exits = bracketExits(entry, either.isRight(rules) ? rules.right.get(entry.order.request.spec.symbol) : undefined);
    const averagePrice = entry.order.filledNotional / entry.order.filledQuantity;
    for (const exit of exits) await this.locked(exit.spec.clientOrderId, () => this.placeRequest(exit, averagePrice, this.deps.clock.now().getTime()));
  }

  // ---- cancelling -------------------------------------------------------------------------------------------

  /** Cancels an order: a held one here, a submitted one on the venue first (its fills so far are recorded too). */
  cancelOrder(clientOrderId: ClientOrderId, by: CancelledBy, reason: string): Promise<Outcome> {
    return this.locked(clientOrderId, async () => {
      const loaded = await loadStream(this.deps.store, orderStream(clientOrderId), orderDecider);
      if (either.isLeft(loaded)) return loaded;
      const state = loaded.right.state;
      if (!isLive(state)) return either.right(state);
      const now = epoch(this.deps.clock.now().getTime());
      if (state.status !== 'Held') {
        const cancelled = await this.deps.exchange.cancelOrder(state.order.request.spec.symbol, clientOrderId)();
        if (either.isLeft(cancelled)) return either.left({ kind: 'ExchangeFailed', clientOrderId, failure: cancelled.left });
        // What the venue says now: fills that came first are recorded before the cancel.
        const applied = await this.apply(clientOrderId, {
          ...cancelled.right,
          status: cancelled.right.status === 'cancelled' ? 'open' : cancelled.right.status,
        });
        if (either.isLeft(applied) || !isLive(applied.right)) return applied;
      }
      this.held.delete(clientOrderId);
      this.live.delete(clientOrderId);
      const outcome = await this.run({ type: 'CancelOrder', clientOrderId, data: { by, reason, time: now } });
      if (either.isRight(outcome)) {
        await this.deps.listener.onOrderEnded({ kind: 'cancelled', clientOrderId, reason });
        this.followUp(clientOrderId, outcome.right);
      }
      return outcome;
    });
  }

  // ---- emulation --------------------------------------------------------------------------------------------

  /** A closed bar (or a trade price as high = low) of `symbol`: held orders it reaches trigger and go to the venue. */
  async onPrice(symbol: string, range: PriceRange, time: number): Promise<void> {
    for (const [id, watched] of [...this.held]) {
      if (watched.spec.symbol !== symbol) continue;
      if (watched.spec.type === 'trailing_stop' && Number.isNaN(watched.best)) {
        watched.best = watched.spec.side === 'sell' ? range.high : range.low;
        continue;
      }
      const level = triggerLevel(watched.spec, watched.best);
      if (!reaches(watched.spec, level, range)) {
        if (watched.spec.type === 'trailing_stop') watched.best = ratchet(watched.spec, watched.best, range);
        continue;
      }
      this.held.delete(id);
      await this.locked(id, async () => {
        const triggerPrice = Number.isFinite(level) && level > 0 ? level : range.low;
        const triggered = await this.run({
          type: 'TriggerOrder',
          clientOrderId: id as ClientOrderId,
          data: { triggerPrice: triggerPrice as Positive, time: epoch(time) },
        });
        if (either.isLeft(triggered) || triggered.right.status !== 'Triggered') return triggered;
        return this.send(id as ClientOrderId, triggered.right);
      });
    }
  }

  // ---- status sync ------------------------------------------------------------------------------------------

  /** Polls the venue: every live order's fills and end are recorded (once each); fills of unknown orders too. */
  async syncOnce(): Promise<void> {
    const open = await this.deps.exchange.fetchOpenOrders()();
    if (either.isLeft(open)) return; // the next poll tries again; nothing is lost, the venue keeps the fills
    const seen = new Set<string>();
    for (const order of open.right) {
      seen.add(order.clientOrderId);
      await this.locked(order.clientOrderId, () => this.applyReported(order));
    }
    for (const [id, { symbol }] of [...this.live]) {
      if (seen.has(id)) continue;
      // No longer open: filled, cancelled or expired since the last poll. Its final state says which.
      await this.locked(id, async () => {
        const found = await this.deps.exchange.fetchOrder(symbol, id as ClientOrderId)();
        if (either.isLeft(found)) return either.left({ kind: 'ExchangeFailed', clientOrderId: id, failure: found.left } as const);
        return this.apply(id as ClientOrderId, found.right);
      });
    }
    await this.settled();
  }

  /** Polls every `intervalMs` on the scheduler's timer; returns the stop function. */
  startSync(scheduler: Scheduler, intervalMs: number): () => void {
    return scheduler.every(intervalMs, () => this.syncOnce());
  }

  /**
   * Records the venue's pushed order updates as they come; undefined when the venue pushes nothing (polled only).
   * Returns the stop, which closes the stream. Updates are taken in the order they arrive, one order at a time.
   */
  watch(onError?: (failure: ExchangeFailure) => void): (() => Promise<void>) | undefined {
    const { exchange } = this.deps;
    if (exchange.watchOrders === undefined) return undefined;
    return exchange.watchOrders((order) => {
      this.pending.push(this.locked(order.clientOrderId, () => this.applyPushed(order)).then(() => undefined));
    }, onError);
  }

  /**
   * A pushed update: recorded as a poll's report would be, unless it shows the stream skipped a fill (its filled
   * quantity is more than what is recorded plus the fills it carries — ccxt keeps one state per order between two
   * reads, a reconnect loses what came meanwhile): then the whole order is fetched and that is recorded. Under the lock.
   */
  private async applyPushed(reported: ExchangeOrder): Promise<Outcome> {
    const loaded = await loadStream(this.deps.store, orderStream(reported.clientOrderId), orderDecider);
    if (either.isLeft(loaded)) return loaded;
    const state = loaded.right.state;
    if (state.status !== 'Initial') {
      const { filledQuantity, tradeIds } = state.order;
      const carried = reported.fills.filter((f) => !tradeIds.has(f.tradeId)).reduce((sum, f) => sum + f.quantity, 0);
      if (reported.filledQuantity > (filledQuantity + carried) * (1 + 1e-9) + 1e-12) {
        const full = await this.deps.exchange.fetchOrder(reported.symbol, reported.clientOrderId)();
        // The next poll catches up if the venue cannot answer now.
        if (either.isLeft(full)) return either.left({ kind: 'ExchangeFailed', clientOrderId: reported.clientOrderId, failure: full.left });
        return this.apply(reported.clientOrderId, full.right);
      }
    }
    return this.applyReported(reported);
  }

  /** A report of an order the venue has (polled or pushed): recorded on its stream, or its fills as unmatched if it has none. */
  private async applyReported(order: ExchangeOrder): Promise<Outcome> {
    const loaded = await loadStream(this.deps.store, orderStream(order.clientOrderId), orderDecider);
    if (either.isLeft(loaded)) return loaded;
    if (loaded.right.state.status === 'Initial') {
      for (const fill of order.fills)
        await this.unmatched(
          order.clientOrderId,
          fill,
          'unknown_order',
          `a fill (trade ${fill.tradeId}) for ${order.clientOrderId}, an order never placed here`,
        );
      return either.right(loaded.right.state);
    }
    return this.apply(order.clientOrderId, order);
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------

  private async marketRules(): Promise<Either<ExchangeFailure, ReadonlyMap<string, MarketRules>>> {
    if (this.rules !== undefined) return either.right(this.rules);
    const markets = await this.deps.exchange.markets()();
    if (either.isRight(markets)) this.rules = markets.right;
    return markets;
  }

  private handle(command: OrderCommand) {
    return handleCommand(this.deps, orderDecider, orderStream(command.clientOrderId), command, { actor: this.actor });
  }

  private async run(command: OrderCommand): Promise<Outcome> {
    const handled = await this.handle(command);
    return either.isLeft(handled) ? handled : either.right(handled.right.state);
  }

  /** Runs `work` after every earlier piece of work on the same order. */
  private locked<A>(id: string, work: () => Promise<A>): Promise<A> {
    const before = this.locks.get(id) ?? Promise.resolve();
    const next = before.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return next;
  }
}

const unmatchedProblem = (error: ExecutorError): UnmatchedFillProblem | undefined => {
  switch (error.kind) {
    case 'UnknownOrder':
      return 'unknown_order';
    case 'FillAfterEnd':
      return 'order_ended';
    case 'FillBeforeSubmission':
      return 'not_submitted';
    case 'Overfill':
      return 'overfill';
    default:
      return undefined;
  }
};

export { ClientOrderId };
