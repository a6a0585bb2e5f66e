// The strategy runner: one strategy (a compiled genome) on one symbol, for one account. On each closed candle it reads
// the strategy's signals, marks its equity and, when the signals change the position it wants, sends orders through an
// OrderRouter (the executor in paper and live: risk gate → order stream → Exchange; a venue directly in tests). It
// hears back about fills and keeps the account's books as the backtest does, so a paper session over a stretch of
// candles gives the backtest's trades and equity over it (test/execution/one-fill-model.unit.test.ts).
//
// How signals become orders (doc/execution.md):
// - The position wanted at the next open is decideTarget(position, entry, exit) (domain/backtest/engine.ts).
// - Flat → a side: a market entry for a notional, `quoteQuantity` = entryNotional(cash) (fill-model.ts): the quantity
//   is notional / fill price at the next open, exactly as the engine sizes it there.
// - Holding → flat or the other side: a market exit for the position's quantity (reduce-only, in the position's OCO
//   group so that its fill cancels the protective exits). A reversal's entry is sent when the exit fill arrives, sized
//   from the cash after it, and fills at the same open.
// - At an entry fill: the genome's exit rules as resting orders of one OCO group, live in the entry bar: stop_market at
//   entry × (1 ∓ stopLoss), take_profit at entry × (1 ± takeProfit), trailing_stop (percent) starting at
//   entry × (1 ∓ trailingStop).
// - stop(): the orders sent at the last close are cancelled and an open position is closed at market, in its OCO
//   group, for the venue to fill at the last close (the engine's end_of_data). The last equity mark is then redone.
// - halt() / flatten() / resume(): a kill switch (application/trading/paper-session.ts). halt() stops opening positions
//   (no entry, no reversal); flatten() closes an open position at market, reduce-only, in its OCO group (purpose
//   `kill_switch`; the runner books it as an end_of_data exit: the strategy's run ends there until resume()).
//
// The runner assumes one order in flight per decision: while a market order it sent has not filled or ended, it sends
// no other (live, an asynchronous executor may take longer than a bar).
import { decideTarget } from '../../domain/backtest/engine.js';
import type { CompiledGenome } from '../../domain/backtest/compile.js';
import type { ClosedTrade } from '../../domain/backtest/metrics/index.js';
import { closedTrade, entryNotional, ExitReason, trailLevel, type FillConfig, type Side } from '../../domain/execution/fill-model.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import { ceilToStep, floorToStep } from '../../domain/execution/steps.js';
import type { Candle } from '../../domain/market/candles.js';
import type { FillNotice, OrderEndNotice, OrderListener, OrderRouter, RoutedOrder } from './order-router.js';
import { ENTRY, EXIT, type SignalSource } from './runner-signals.js';

export interface RunnerOptions {
  readonly account: string;
  readonly strategyId?: string;
  /** The venue's id, as the risk gate and the order streams name it. */
  readonly exchange: string;
  /** The symbol as the venue spells it. */
  readonly symbol: string;
  readonly compiled: CompiledGenome;
  readonly fill: FillConfig;
  readonly initialCapital: number;
  readonly router: OrderRouter;
  readonly signals: SignalSource;
  /** Prefix of the client order ids this runner makes (letters, digits, `_`, `-`; at most 24 characters). */
  readonly orderIdPrefix: string;
  /**
   * The venue's price tick (MarketRules.priceTick): protective levels are rounded onto it, a stop toward the entry and
   * a target away from it, so the risk the genome accepted is never widened nor its target cut. Absent: levels are
   * sent as computed (the backtest's own prices, which a paper replay of a backtest must keep to the last bit).
   */
  readonly priceTick?: number;
  /**
   * How client order ids are made. 'counter' (default): `<prefix>-<n>`, n counting from 1 in each run. 'position':
   * derived from what the order is for, so that a restarted run replaying the same bars makes the same ids (the
   * executor finds the id's stream and places nothing twice): a position's OCO group is `<prefix>-<entry bar's open
   * time in seconds, base 36>`, its entry `<group>-e`, its protective exits `<group>-s|t|r`, its exits
   * `<group>-x|d|k<n>` (n counts the exits of the position that ended unfilled). At most 35 characters (Binance: 36).
   */
  readonly orderIds?: 'counter' | 'position';
}

/** The letter of each purpose in a 'position' id. */
const LETTER = { entry: 'e', exit: 'x', stop_loss: 's', take_profit: 't', trailing_stop: 'r', end_of_data: 'd', kill_switch: 'k' } as const;

type Purpose = 'entry' | 'exit' | 'stop_loss' | 'take_profit' | 'trailing_stop' | 'end_of_data' | 'kill_switch';

const EXIT_REASON: Readonly<Record<Exclude<Purpose, 'entry'>, ExitReason>> = {
  exit: ExitReason.signal,
  stop_loss: ExitReason.stopLoss,
  take_profit: ExitReason.takeProfit,
  trailing_stop: ExitReason.trailingStop,
  end_of_data: ExitReason.endOfData,
  kill_switch: ExitReason.endOfData,
};

interface Sent {
  readonly purpose: Purpose;
  readonly market: boolean;
}

type Pending = void | Promise<void>;
const all = (ps: Pending[]): Pending => {
  const promises = ps.filter((p): p is Promise<void> => p instanceof Promise);
  return promises.length === 0 ? undefined : Promise.all(promises).then(() => undefined);
};

export class StrategyRunner implements OrderListener {
  // The account's books, as the engine keeps them.
  private cash: number;
  private side: Side = 0;
  private qty = 0;
  private signedQty = 0;
  private entryPrice = 0;
  private entryTime = 0;
  private entryIndex = 0;
  private entryFee = 0;
  /** The position's OCO group (its protective exits and its exit), while a position is open or being opened. */
  private group: string | undefined;
  /** The position wanted after the market order in flight. */
  private target: Side = 0;
  private inFlight: ClientOrderId | undefined;
  private readonly sent = new Map<string, Sent>();
  private readonly protective: ClientOrderId[] = [];
  private ids = 0;
  private groups = 0;
  /** Exits of the open position sent so far ('position' ids). */
  private exits = 0;
  /** Candles closed so far; fills before the next close belong to bar `barsClosed`. */
  private barsClosed = 0;
  private lastClose = NaN;
  private lastTime = 0;
  private stopped = false;
  private halted = false;
  private curve = new Float64Array(1024);
  readonly trades: ClosedTrade[] = [];
  readonly exitReasons: ExitReason[] = [];
  readonly refusals: OrderEndNotice[] = [];
  private readonly stopLoss: number;
  private readonly takeProfit: number;
  private readonly trailing: number;
  private readonly stopDistance: number;

  constructor(private readonly o: RunnerOptions) {
    if (!/^[A-Za-z0-9_-]{1,24}$/.test(o.orderIdPrefix)) throw new RangeError(`orderIdPrefix must be 1–24 letters, digits, _ or -, got ${o.orderIdPrefix}`);
    this.cash = o.initialCapital;
    const r = o.compiled.genome.exitRules;
    this.stopLoss = r.stopLoss ?? NaN;
    this.takeProfit = r.takeProfit ?? NaN;
    this.trailing = r.trailingStop ?? NaN;
    this.stopDistance = Math.min(r.stopLoss ?? Infinity, r.trailingStop ?? Infinity);
  }

  /** Equity at each close so far (the last one redone by stop()). A view, valid until the next candle. */
  get equity(): Float64Array {
    return this.curve.subarray(0, this.barsClosed);
  }

  /** How many orders this runner has sent (each its own order-<prefix>-<n> stream in a recorded session). */
  get ordersSent(): number {
    return this.ids;
  }

  /** Cash: the equity when flat. */
  get balance(): number {
    return this.cash;
  }

  get position(): Side {
    return this.side;
  }

  /** The signed quantity held (0 when flat). */
  get quantity(): number {
    return this.side === 0 ? 0 : this.signedQty;
  }

  /** Equity marked at `price`, as each close marks it: cash, plus the open position's gain since its entry. */
  markAt(price: number): number {
    return this.side === 0 ? this.cash : this.cash + this.signedQty * (price - this.entryPrice);
  }

  /** A candle has closed: mark equity, read the signals, send the orders they call for. */
  onClose(candle: Candle): Pending {
    const bits = this.o.signals.next(candle);
    const k = this.barsClosed++;
    if (k === this.curve.length) {
      const bigger = new Float64Array(k * 2);
      bigger.set(this.curve);
      this.curve = bigger;
    }
    const c = candle.close;
    this.lastClose = c;
    this.lastTime = candle.openTime;
    this.curve[k] = this.markAt(c);
    if (this.stopped || this.halted || this.inFlight !== undefined) return;
    const target = decideTarget(this.side, (bits & ENTRY) !== 0, (bits & EXIT) !== 0, this.o.compiled.allowShort);
    if (target === this.side) return;
    this.target = target;
    return this.side !== 0 ? this.sendExit('exit') : this.sendEntry(target);
  }

  /**
   * The end of the session: cancel what was sent at the last close, close an open position at market (the venue fills
   * it at the last close), and redo the last equity mark once it has filled (in onFill).
   */
  stop(): Pending {
    if (this.stopped) return;
    this.stopped = true;
    this.target = 0;
    const out: Pending[] = [];
    if (this.inFlight !== undefined) {
      // An entry or exit sent at the last close: there is no next open for it.
      out.push(this.o.router.cancel(this.o.account, this.o.symbol, this.inFlight));
      this.inFlight = undefined;
    }
    if (this.side !== 0) out.push(this.sendExit('end_of_data'));
    return all(out);
  }

  get isHalted(): boolean {
    return this.halted;
  }

  /** A kill switch: no new position from now on (an entry already sent is closed as soon as it fills). */
  halt(): void {
    this.halted = true;
    this.target = 0;
  }

  /** Closes the open position at market unless an order is in flight (an exit closes it; an entry is closed at its fill). */
  flatten(): Pending {
    if (this.side === 0 || this.inFlight !== undefined || this.stopped) return;
    return this.sendExit('kill_switch');
  }

  /** The kill switch released: signals open positions again from the next close. */
  resume(): void {
    this.halted = false;
  }

  onFill(fill: FillNotice): Pending {
    const s = this.sent.get(fill.clientOrderId);
    if (s === undefined) return; // not this runner's
    if (fill.complete) this.sent.delete(fill.clientOrderId);
    if (this.inFlight === fill.clientOrderId) this.inFlight = undefined;
    if (s.purpose === 'entry') return this.opened(fill);
    this.closed(fill, s);
    if (this.stopped) {
      if (this.barsClosed > 0) this.curve[this.barsClosed - 1] = this.cash;
      return;
    }
    // A reversal: the entry of the other side, sized from the cash after the exit, fills at the same open.
    if (s.purpose === 'exit' && this.target !== 0) return this.sendEntry(this.target);
  }

  onOrderEnded(notice: OrderEndNotice): Pending {
    const s = this.sent.get(notice.clientOrderId);
    if (s === undefined) return;
    this.sent.delete(notice.clientOrderId);
    if (notice.kind === 'refused' || notice.kind === 'rejected') this.refusals.push(notice);
    if (this.inFlight === notice.clientOrderId) {
      this.inFlight = undefined;
      this.target = this.side;
    }
  }

  // --- books

  private opened(fill: FillNotice): Pending {
    const side: Side = fill.side === 'buy' ? 1 : -1;
    this.cash -= fill.fee;
    this.side = side;
    this.qty = fill.quantity;
    this.signedQty = side * fill.quantity;
    this.entryPrice = fill.price;
    this.entryTime = fill.time;
    this.entryIndex = this.barsClosed;
    this.entryFee = fill.fee;
    return this.halted ? this.sendExit('kill_switch') : this.sendProtective(side, fill.price);
  }

  private closed(fill: FillNotice, s: Sent): void {
    const price = fill.price;
    const exitFee = fill.fee;
    const gross = this.signedQty * (price - this.entryPrice);
    this.cash += gross - exitFee;
    // A market fill comes at the current bar's open (or, at the end, the last close); a resting one inside the bar.
    const exitIndex = s.market ? this.barsClosed : this.barsClosed + 1;
    this.trades.push(
      closedTrade(this.side, this.qty, this.entryPrice, this.entryTime, this.entryIndex, this.entryFee, price, gross, exitFee, fill.time, exitIndex),
    );
    this.exitReasons.push(EXIT_REASON[s.purpose as Exclude<Purpose, 'entry'>]);
    this.side = 0;
    this.qty = 0;
    this.signedQty = 0;
    this.group = undefined;
    this.protective.length = 0;
  }

  // --- orders

  private nextId(purpose: Purpose): ClientOrderId {
    ++this.ids;
    if (this.o.orderIds !== 'position' || this.group === undefined) return `${this.o.orderIdPrefix}-${this.ids}` as ClientOrderId;
    const exit = purpose === 'exit' || purpose === 'end_of_data' || purpose === 'kill_switch';
    return `${this.group}-${LETTER[purpose]}${exit ? ++this.exits : ''}` as ClientOrderId;
  }

  private nextGroup(): string {
    ++this.groups;
    this.exits = 0;
    return this.o.orderIds === 'position'
      ? `${this.o.orderIdPrefix}-${Math.floor(this.lastTime / 1000).toString(36)}`
      : `${this.o.orderIdPrefix}-g${this.groups}`;
  }

  private send(spec: OrderSpec, purpose: Purpose, referencePrice: number): Pending {
    this.sent.set(spec.clientOrderId, { purpose, market: spec.type === 'market' });
    const order: RoutedOrder = {
      account: this.o.account,
      ...(this.o.strategyId === undefined ? {} : { strategyId: this.o.strategyId }),
      exchange: this.o.exchange,
      spec,
      referencePrice,
      time: this.lastTime,
    };
    return this.o.router.submit(order);
  }

  private sendEntry(side: Side): Pending {
    const notional = entryNotional(this.cash, side, this.o.compiled.genome.risk, this.stopDistance, this.o.fill);
    if (!(notional > 0)) {
      this.target = this.side;
      return;
    }
    this.group = this.nextGroup();
    const id = this.nextId('entry');
    this.inFlight = id;
    return this.send(
      {
        clientOrderId: id,
        symbol: this.o.symbol,
        side: side === 1 ? 'buy' : 'sell',
        type: 'market',
        quoteQuantity: notional as OrderSpec['quoteQuantity'] & number,
        purpose: 'entry',
      },
      'entry',
      this.lastClose,
    );
  }

  private sendExit(purpose: 'exit' | 'end_of_data' | 'kill_switch'): Pending {
    const id = this.nextId(purpose);
    this.inFlight = id;
    const spec = {
      clientOrderId: id,
      symbol: this.o.symbol,
      side: this.side === 1 ? 'sell' : 'buy',
      type: 'market',
      quantity: this.qty,
      reduceOnly: true,
      purpose,
      ...(this.group === undefined ? {} : { ocoGroup: this.group }),
    } as OrderSpec;
    return this.send(spec, purpose, this.lastClose);
  }

  /**
   * A protective level on the venue's tick. A long's stop is below the entry and its target above: rounding both up
   * tightens the stop and keeps the target whole; a short's mirror image rounds both down.
   */
  private onTick(side: 1 | -1, level: number): number {
    const tick = this.o.priceTick;
    if (tick === undefined) return level;
    return side === 1 ? ceilToStep(level, tick) : floorToStep(level, tick);
  }

  /** The genome's exit rules as resting orders of the position's OCO group, placed at the entry fill. */
  private sendProtective(side: 1 | -1, entry: number): Pending {
    // A level at or below zero can never be reached (a 100% stop or a short's 100% target): nothing to rest.
    let a: Pending = undefined;
    let b: Pending = undefined;
    let c: Pending = undefined;
    if (this.stopLoss === this.stopLoss) {
      const level = this.onTick(side, entry * (1 - side * this.stopLoss));
      if (level > 0) a = this.sendResting(side, 'stop_loss', 'stop_market', level, level, undefined);
    }
    if (this.takeProfit === this.takeProfit) {
      const level = this.onTick(side, entry * (1 + side * this.takeProfit));
      if (level > 0) b = this.sendResting(side, 'take_profit', 'take_profit', level, undefined, level);
    }
    if (this.trailing === this.trailing) {
      const level = this.onTick(side, trailLevel(side, entry, this.trailing));
      if (level > 0) c = this.sendResting(side, 'trailing_stop', 'trailing_stop', level, level, undefined);
    }
    return a === undefined && b === undefined && c === undefined ? undefined : all([a, b, c]);
  }

  private sendResting(
    side: 1 | -1,
    purpose: Purpose,
    type: OrderSpec['type'],
    level: number,
    stopPrice: number | undefined,
    price: number | undefined,
  ): Pending {
    const id = this.nextId(purpose);
    this.protective.push(id);
    const spec: Record<string, unknown> = {
      clientOrderId: id,
      symbol: this.o.symbol,
      side: side === 1 ? 'sell' : 'buy',
      type,
      quantity: this.qty,
      reduceOnly: true,
      ocoGroup: this.group,
      purpose,
    };
    if (stopPrice !== undefined) spec['stopPrice'] = stopPrice;
    if (price !== undefined) spec['price'] = price;
    if (type === 'trailing_stop') spec['trailing'] = { kind: 'percent', value: this.trailing };
    return this.send(spec as OrderSpec, purpose, level);
  }
}
