// The risk gate of one account: implements the RiskGate port with the pure rules of domain/risk/rules.ts over the
// state it keeps — positions and average prices from fills, last prices, cash and equity, the UTC day's first equity,
// the equity peak, open orders, the limits and the kill switches of the `risk-<account>` stream.
//
// The hot path is synchronous and allocates nothing: `onPrice` on every bar of a paper replay updates one symbol's
// mark and the equity incrementally, and runs the two continuous checks (drawdown from the peak, the day's loss).
// When one trips, the gate halts opening orders at once and returns an action (close every position); recording
// the kill switch and every refusal goes to `record`, an async function chained so appends keep their order, never
// awaited on the hot path (`flush()` waits for them). Like nautilus_trader's REDUCING state, a halt lets through
// every order that only reduces a position: a risk engine must never block getting flat.
//
// Callers: the executor calls `check` before placing an order and `onOrderEnded` when one ends unfilled (rejected,
// cancelled, expired, or never placed); fills go to `onFill`, prices to `onPrice`. A checked order counts in the
// exposure until it fills or ends, so a burst of orders each within a limit cannot fill past it together.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { RiskCommand } from '../../domain/risk/commands.js';
import type { KillSwitchTrigger, RiskEvent } from '../../domain/risk/events.js';
import type { RiskLimits } from '../../domain/risk/limits.js';
import {
  checkOrder,
  dailyLoss,
  dailyLossTrips,
  drawdown,
  drawdownTrips,
  utcDay,
  utcDayNumber,
  type AccountUnderCheck,
  type Halt,
  type OrderUnderCheck,
  type RuleRefusal,
} from '../../domain/risk/rules.js';
import type { RiskState } from '../../domain/risk/state.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import type { PreTradeOrder, RiskGate, RiskRefusal } from '../ports/risk-gate.js';

/** One symbol's book: mutable, made once per symbol, so a price update writes numbers and makes nothing. */
class SymbolBook {
  position = 0;
  averagePrice = 0;
  /** The last price seen (a fill or a price update); NaN before any. */
  mark = Number.NaN;
  openBuys = 0;
  openSells = 0;
  constructor(readonly symbol: string) {}
  get open(): boolean {
    return this.position !== 0 || this.openBuys > 0 || this.openSells > 0;
  }
  /** The largest absolute quantity reachable if every open order filled. */
  worstCase(): number {
    return Math.max(Math.abs(this.position + this.openBuys), Math.abs(this.position - this.openSells));
  }
}

interface OpenOrder {
  readonly book: SymbolBook;
  readonly sign: 1 | -1;
  remaining: number;
}

/** A fill as the gate needs it (the FillNotice of application/trading/order-router.ts fits). */
export interface GateFill {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly time: number;
  readonly complete?: boolean;
}

/** What the caller must do now: close every listed position with reduce-only orders (opening orders are halted). */
export interface CloseAllPositions {
  readonly kind: 'close_all_positions';
  readonly trigger: KillSwitchTrigger;
  /** Signed quantities: a positive one is closed by a sell. */
  readonly positions: readonly { readonly symbol: string; readonly quantity: number }[];
}
export type RiskAction = CloseAllPositions;

export interface RiskGateOptions {
  readonly account: string;
  /** Where the account trades, for the record of a refusal. */
  readonly exchange: string;
  /** Cash in quote currency when the gate starts (the account's balance). */
  readonly cash: number;
  /** Configuration defaults; the stream's limits, when it has some, win. */
  readonly defaultLimits: RiskLimits;
  /** The account's risk stream folded (its limits and kill switches); none: a new account. */
  readonly state?: RiskState;
  /** Appends a command to the account's risk stream (through the one command handler). */
  readonly record: (command: RiskCommand) => Promise<Either<unknown, unknown>>;
  /** A recording that failed (the gate has already acted; the failure must be seen). */
  readonly onRecordFailed?: (error: unknown, command: RiskCommand) => void;
  /** Who the gate is when it trips a kill switch. */
  readonly actor?: Actor;
  /**
   * Positions the account holds when the gate opens (after a restart: what the exchange holds), each marked at `price`
   * until the first price or fill. Without them a restarted gate would take a position's exit for a new short.
   */
  readonly positions?: readonly HeldPosition[];
}

/** A position found at start: signed quantity (negative: short), its average entry price if known, a price to mark it at. */
export interface HeldPosition {
  readonly symbol: string;
  readonly quantity: number;
  readonly price: number;
  readonly averagePrice?: number;
}

// A quantity left by float arithmetic after a position is closed (0.1 + 0.2 − 0.3) is no position.
const DUST = 1e-12;
const snap = (q: number) => (Math.abs(q) < DUST ? 0 : q);

export class AccountRiskGate implements RiskGate {
  readonly account: string;
  private readonly books = new Map<string, SymbolBook>();
  private readonly orders = new Map<string, OpenOrder>();
  private cashBalance: number;
  /** Σ position × mark, kept incrementally. */
  private holdings = 0;
  private peak: number;
  private day = -1;
  private dayStart: number;
  private currentLimits: RiskLimits;
  private manual: Halt | undefined;
  private drawdownHalt: Halt | undefined;
  private dailyHalt: Halt | undefined;
  private dailyHaltDay = -1;
  private recording: Promise<void> = Promise.resolve();

  constructor(private readonly options: RiskGateOptions) {
    this.account = options.account;
    this.cashBalance = options.cash;
    this.peak = options.cash;
    this.dayStart = options.cash;
    this.currentLimits = options.state?.limits ?? options.defaultLimits;
    for (const p of options.positions ?? []) {
      if (!(Number.isFinite(p.quantity) && p.price > 0 && Number.isFinite(p.price)))
        throw new RangeError(`a held position needs a finite quantity and a price above 0, got ${JSON.stringify(p)}`);
      if (snap(p.quantity) === 0) continue;
      const book = new SymbolBook(p.symbol);
      book.position = p.quantity;
      book.averagePrice = p.averagePrice ?? p.price;
      book.mark = p.price;
      this.books.set(p.symbol, book);
      this.holdings += p.quantity * p.price;
    }
    // The equity the account starts from is its peak and its day's reference until a fill or price moves it.
    this.peak = this.dayStart = this.cashBalance + this.holdings;
    for (const engaged of Object.values(options.state?.engaged ?? {})) this.engageFrom(engaged);
  }

  // ---- what the rules read -----------------------------------------------------------------------------------------

  get limits(): RiskLimits {
    return this.currentLimits;
  }
  get cash(): number {
    return this.cashBalance;
  }
  get equity(): number {
    return this.cashBalance + this.holdings;
  }
  get peakEquity(): number {
    return this.peak;
  }
  /** The UTC day's P&L so far, realised and unrealised, fees included. */
  get dayPnl(): number {
    return this.equity - this.dayStart;
  }
  position(symbol: string): number {
    return this.books.get(symbol)?.position ?? 0;
  }
  averagePrice(symbol: string): number {
    return this.books.get(symbol)?.averagePrice ?? 0;
  }
  /** The halt in force at `time`, if any. */
  haltAt(time: number): Halt | undefined {
    return this.manual ?? this.drawdownHalt ?? (this.dailyHalt && this.dailyHaltDay === utcDayNumber(time) ? this.dailyHalt : undefined);
  }

  // ---- the pre-trade check ---------------------------------------------------------------------------------------

  check(order: PreTradeOrder): Either<RiskRefusal, void> {
    const spec = order.spec;
    if (this.orders.has(spec.clientOrderId)) return either.right(undefined); // a retried placement of an approved order
    const book = this.books.get(spec.symbol) ?? new SymbolBook(spec.symbol);
    const price = order.referencePrice;
    const quantity = spec.quantity ?? (spec.quoteQuantity !== undefined ? spec.quoteQuantity / price : Number.NaN);
    const candidate: OrderUnderCheck = { symbol: spec.symbol, sign: spec.side === 'buy' ? 1 : -1, quantity, price, reduceOnly: spec.reduceOnly === true };
    const refusal = checkOrder(candidate, this.picture(book), this.currentLimits, this.haltAt(order.time));
    if (refusal) {
      this.recordRefusal(order, refusal);
      return either.left(refusal);
    }
    if (!this.books.has(spec.symbol)) this.books.set(spec.symbol, book);
    // An open order counts at the symbol's last price; before any, at the price it was judged at.
    if (Number.isNaN(book.mark)) book.mark = price;
    this.orders.set(spec.clientOrderId, { book, sign: candidate.sign, remaining: quantity });
    if (candidate.sign === 1) book.openBuys += quantity;
    else book.openSells += quantity;
    return either.right(undefined);
  }

  private picture(book: SymbolBook): AccountUnderCheck {
    let otherExposure = 0;
    let openSymbols = 0;
    for (const b of this.books.values()) {
      if (!b.open) continue;
      openSymbols++;
      if (b !== book) otherExposure += b.worstCase() * b.mark;
    }
    return {
      equity: this.equity,
      position: book.position,
      openBuys: book.openBuys,
      openSells: book.openSells,
      otherExposure,
      openSymbols,
      symbolOpen: book.open,
    };
  }

  /** An approved order ended without filling the rest (rejected, cancelled, expired, or never placed). */
  onOrderEnded(clientOrderId: string): void {
    const open = this.orders.get(clientOrderId);
    if (!open) return;
    this.release(open, open.remaining);
    this.orders.delete(clientOrderId);
  }

  private release(open: OpenOrder, quantity: number): void {
    const q = Math.min(quantity, open.remaining);
    open.remaining -= q;
    if (open.sign === 1) open.book.openBuys = Math.max(0, snap(open.book.openBuys - q));
    else open.book.openSells = Math.max(0, snap(open.book.openSells - q));
  }

  // ---- state from fills and prices -------------------------------------------------------------------------------

  /**
   * A fill: the position, its average price, cash and the open order's remainder. A fill of an order the gate did
   * not approve (placed before a restart, or by hand on the exchange) still moves the position: it happened.
   */
  onFill(fill: GateFill): RiskAction | undefined {
    // The executor decodes fills at its boundary: a non-finite figure here is a bug, and would poison the equity for good.
    if (!(fill.price > 0 && fill.quantity > 0 && fill.fee >= 0 && Number.isFinite(fill.price + fill.quantity + fill.fee)))
      throw new RangeError(`onFill: a fill needs a price and quantity above 0 and a fee ≥ 0, got ${JSON.stringify(fill)}`);
    let book = this.books.get(fill.symbol);
    if (!book) this.books.set(fill.symbol, (book = new SymbolBook(fill.symbol)));
    const open = this.orders.get(fill.clientOrderId);
    if (open) {
      this.release(open, fill.quantity);
      if (fill.complete === true || open.remaining <= DUST) {
        this.release(open, open.remaining);
        this.orders.delete(fill.clientOrderId);
      }
    }
    this.rollDay(fill.time);
    const dq = fill.side === 'buy' ? fill.quantity : -fill.quantity;
    const before = book.position;
    const after = snap(before + dq);
    if (before === 0 || Math.sign(before) === Math.sign(dq))
      book.averagePrice = (Math.abs(before) * book.averagePrice + fill.quantity * fill.price) / Math.abs(after);
    else if (Math.sign(after) === -Math.sign(before))
      book.averagePrice = fill.price; // flipped: the rest opened at the fill
    else if (after === 0) book.averagePrice = 0;
    this.cashBalance -= dq * fill.price + fill.fee;
    const mark = Number.isNaN(book.mark) ? fill.price : book.mark;
    this.holdings += after * fill.price - before * mark;
    book.position = after;
    book.mark = fill.price;
    return this.watch(fill.time);
  }

  /** A price for `symbol` at `time` (a bar's close in replay, a trade live). Synchronous, allocates nothing. */
  onPrice(symbol: string, price: number, time: number): RiskAction | undefined {
    if (!(price > 0 && price < Number.POSITIVE_INFINITY)) return undefined; // no price is not a price of 0
    const book = this.books.get(symbol);
    if (book === undefined) {
      this.books.set(symbol, Object.assign(new SymbolBook(symbol), { mark: price }));
      return undefined;
    }
    this.rollDay(time);
    if (book.position !== 0) this.holdings += book.position * (price - book.mark);
    book.mark = price;
    return this.watch(time);
  }

  /** A new UTC day starts from the equity the last one ended with. */
  private rollDay(time: number): void {
    const day = utcDayNumber(time);
    if (day !== this.day) {
      this.day = day;
      this.dayStart = this.equity;
    }
  }

  /** The continuous checks: a drawdown from the peak, the day's loss. */
  private watch(time: number): RiskAction | undefined {
    const equity = this.equity;
    if (equity > this.peak) this.peak = equity;
    const limits = this.currentLimits;
    // Both may trip on one update: each is recorded, each halts, the one closing action serves both.
    let action: RiskAction | undefined;
    if (this.drawdownHalt === undefined && drawdownTrips(equity, this.peak, limits))
      action = this.trip('max_drawdown', time, equity, this.peak, drawdown(equity, this.peak));
    if (this.dailyHaltDay !== this.day && dailyLossTrips(equity, this.dayStart, limits)) {
      const daily = this.trip('daily_loss_limit', time, equity, this.dayStart, dailyLoss(equity, this.dayStart));
      action ??= daily;
    }
    return action;
  }

  private trip(trigger: 'max_drawdown' | 'daily_loss_limit', time: number, equity: number, reference: number, actual: number): RiskAction {
    const limit = trigger === 'max_drawdown' ? this.currentLimits.maxDrawdown : this.currentLimits.dailyLossLimit;
    const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
    const reason =
      trigger === 'max_drawdown'
        ? `equity ${equity} is ${pct(actual)} below the peak ${reference}: the maximum drawdown is ${pct(limit)}`
        : `equity ${equity} is ${pct(actual)} below the UTC day's first ${reference}: the daily loss limit is ${pct(limit)}`;
    const halt: Halt = { rule: trigger, limit, actual, message: `${trigger === 'max_drawdown' ? 'drawdown' : 'daily loss'} kill switch engaged: ${reason}` };
    if (trigger === 'max_drawdown') this.drawdownHalt = halt;
    else [this.dailyHalt, this.dailyHaltDay] = [halt, this.day];
    const positions = this.openPositions();
    // Not awaited: the hot path stays synchronous; a failure reaches onRecordFailed.
    void this.enqueue({
      type: 'EngageKillSwitch',
      account: this.account,
      data: {
        account: this.account,
        trigger,
        time: Math.max(0, Math.trunc(time)),
        decidedBy: this.options.actor ?? ('system:risk-gate' as Actor),
        reason,
        positionsToClose: positions,
        figures: { limit, actual, equity, reference },
        ...(trigger === 'daily_loss_limit' ? { day: utcDay(time) } : {}),
      },
    } as unknown as RiskCommand);
    return { kind: 'close_all_positions', trigger, positions };
  }

  private openPositions(): { symbol: string; quantity: number }[] {
    const out: { symbol: string; quantity: number }[] = [];
    for (const b of this.books.values()) if (b.position !== 0) out.push({ symbol: b.symbol, quantity: b.position });
    return out;
  }

  // ---- the risk stream -------------------------------------------------------------------------------------------

  /**
   * An event of the account's risk stream recorded elsewhere (an operator set limits, engaged or released a switch).
   * A kill switch engaged returns the closing action; a release restarts the figure it was judged on from now (the
   * peak, or the day's first equity), or it would trip again on the next price.
   */
  apply(event: RiskEvent): RiskAction | undefined {
    switch (event.type) {
      case 'RiskLimitsSet':
        this.currentLimits = event.data.limits;
        return undefined;
      case 'RiskOrderRefused':
        return undefined;
      case 'KillSwitchEngaged':
        this.engageFrom(event.data);
        return { kind: 'close_all_positions', trigger: event.data.trigger, positions: this.openPositions() };
      case 'KillSwitchReleased':
        if (event.data.trigger === 'manual') this.manual = undefined;
        else if (event.data.trigger === 'max_drawdown') [this.drawdownHalt, this.peak] = [undefined, this.equity];
        else [this.dailyHalt, this.dayStart] = [undefined, this.equity];
        return undefined;
      default: {
        const unknown: never = event;
        throw new Error(`apply: unhandled risk event ${JSON.stringify(unknown)}`);
      }
    }
  }

  private engageFrom(data: Extract<RiskEvent, { type: 'KillSwitchEngaged' }>['data']): void {
    const f = data.figures;
    const who = data.trigger === 'manual' ? `by ${data.decidedBy}: ${data.reason}` : data.reason;
    const halt: Halt = {
      rule: data.trigger === 'manual' ? 'kill_switch' : data.trigger,
      limit: f?.limit ?? 0,
      actual: f?.actual ?? 1,
      message: `kill switch engaged ${who}`,
    };
    if (data.trigger === 'manual') this.manual = halt;
    else if (data.trigger === 'max_drawdown') this.drawdownHalt = halt;
    else [this.dailyHalt, this.dailyHaltDay] = [halt, utcDayNumber(data.time)];
  }

  /** An operator's command (limits, the manual switch, a release): recorded first, applied when the stream accepts it. */
  async command(command: RiskCommand): Promise<Either<unknown, RiskAction | undefined>> {
    const result = await this.enqueue(command);
    if (either.isLeft(result)) return result;
    let action: RiskAction | undefined;
    for (const event of eventsOf(command)) action = this.apply(event) ?? action;
    return either.right(action);
  }

  private recordRefusal(order: PreTradeOrder, refusal: RuleRefusal): void {
    void this.enqueue({
      type: 'RecordOrderRefusal',
      account: this.account,
      data: {
        account: this.account,
        exchange: order.exchange || this.options.exchange,
        order: order.spec,
        time: Math.max(0, Math.trunc(order.time)),
        rule: refusal.rule,
        limit: finiteOr0(refusal.limit),
        actual: finiteOr0(refusal.actual),
        message: refusal.message,
        ...(order.strategyId !== undefined ? { strategyId: order.strategyId } : {}),
        ...(Number.isFinite(order.referencePrice) ? { referencePrice: order.referencePrice } : {}),
      },
    } as unknown as RiskCommand);
  }

  /** Appends keep their order (one stream, optimistic concurrency); a failure is reported, never thrown at the caller. */
  private enqueue(command: RiskCommand): Promise<Either<unknown, unknown>> {
    const result = this.recording.then(() => this.options.record(command)).catch((error: unknown) => either.left(error));
    this.recording = result.then((r) => {
      if (either.isLeft(r)) this.options.onRecordFailed?.(r.left, command);
    });
    return result;
  }

  /** Resolves when every recording so far has been appended (or reported failed). */
  flush(): Promise<void> {
    return this.recording;
  }
}

const finiteOr0 = (x: number) => (Number.isFinite(x) ? x : 0);

/** The events an accepted operator command stands for, to apply to the gate without reading the stream back. */
const eventsOf = (command: RiskCommand): RiskEvent[] => {
  switch (command.type) {
    case 'SetRiskLimits':
      return [{ type: 'RiskLimitsSet', data: { account: command.account, ...command.data } }];
    case 'EngageKillSwitch':
      return [{ type: 'KillSwitchEngaged', data: { ...command.data, account: command.account } }];
    case 'ReleaseKillSwitch':
      return [
        {
          type: 'KillSwitchReleased',
          data: {
            account: command.account,
            trigger: command.data.trigger,
            time: command.data.time,
            releasedBy: command.data.decidedBy,
            reason: command.data.reason,
          },
        },
      ];
    case 'RecordOrderRefusal':
      return [];
    default: {
      const unknown: never = command;
      throw new Error(`eventsOf: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};
