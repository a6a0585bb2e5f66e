// The one fill model: how an order decided at a bar's close becomes a fill, how protective exits trigger
// inside a bar, what fees and slippage cost and how big a position is. The backtest engine drives it bar by
// bar and paper trading will drive the same class with live bars, so the two can never disagree.
//
// Assumptions (doc/backtesting.md lists them with the reasons):
// - A signal computed on bar t's close is filled at bar t+1's OPEN, as a market order: taker fee, adverse slippage.
// - Stop-loss, trailing stop and take-profit are resting orders checked against each bar's open, high and low.
//   When the bar OPENS beyond a stop (a gap), the stop fills at the open (the worse price), not at the stop.
//   When a stop and the target both lie inside one bar's range, the STOP fills (we cannot know which came first).
//   Stops are stop-market orders: taker fee and slippage. The target is a limit order: maker fee, no slippage,
//   and it fills at its own price, never better (no price improvement, even on a gap through it).
// - The trailing stop trails the best high (long) or low (short) of the bars CLOSED since entry: a bar's own high
//   never moves the stop that the same bar's low is checked against (the order inside a bar is unknown).
// - Stops and target are placed at the entry fill and are live in the entry bar itself.
// - Sizing: positionSize × equity is committed (entry fee included); when the position has a protective stop
//   (stopLoss, or trailingStop at its initial level, the nearer of the two), the quantity is capped so that a
//   fill at that stop, with slippage and both fees, loses at most riskPerTrade × equity (a gap can lose more).
// - No leverage: a short commits the same notional as a long would. No funding, borrow cost or interest.
// - One position at a time per account (one account per symbol in a backtest).
import type { ExitRules, RiskParameters } from '../strategy/genome.js';
import type { ClosedTrade } from '../backtest/metrics/index.js';

export interface FillConfig {
  /** Fee rate of market orders (signal entries and exits, stops), per side. Default 0.001 (0.1%). */
  readonly takerFee: number;
  /** Fee rate of limit orders (the take-profit), per side. Default 0.001. */
  readonly makerFee: number;
  /** Adverse price move on market and stop fills, as a fraction of the price. Default 0. */
  readonly slippage: number;
  /**
   * Sizing step: a position's quantity is floored to a multiple of it (1: whole units, the exchange's lot size);
   * 0 (default): fractional units. domain/execution/run-settings.ts sets it from the run's sizing.
   */
  readonly quantityStep: number;
}

export const DEFAULT_FILL_CONFIG: FillConfig = { takerFee: 0.001, makerFee: 0.001, slippage: 0, quantityStep: 0 };

export const fillConfig = (partial: Partial<FillConfig> = {}): FillConfig => {
  const c = { ...DEFAULT_FILL_CONFIG, ...partial };
  for (const k of ['takerFee', 'makerFee', 'slippage'] as const)
    if (!(Number.isFinite(c[k]) && c[k] >= 0 && c[k] < 1)) throw new RangeError(`${k} must be in [0, 1), got ${c[k]}`);
  if (!(Number.isFinite(c.quantityStep) && c.quantityStep >= 0)) throw new RangeError(`quantityStep must be finite and >= 0, got ${c.quantityStep}`);
  return c;
};

/** +1 long, −1 short, 0 flat. */
export type Side = -1 | 0 | 1;

/** Why a position closed. */
export const ExitReason = { signal: 1, stopLoss: 2, trailingStop: 3, takeProfit: 4, endOfData: 5 } as const;
export type ExitReason = (typeof ExitReason)[keyof typeof ExitReason];
export const EXIT_REASON_NAMES: Readonly<Record<ExitReason, string>> = {
  1: 'signal',
  2: 'stop_loss',
  3: 'trailing_stop',
  4: 'take_profit',
  5: 'end_of_data',
};

/** A market fill's price: the reference price moved against the trader by the slippage. */
export const marketFillPrice = (isBuy: boolean, price: number, slippage: number): number => (isBuy ? price * (1 + slippage) : price * (1 - slippage));

/**
 * Quantity to open at `fillPrice` with `equity` in the account: positionSize × equity committed, entry fee
 * included, capped by riskPerTrade when there is a protective stop `stopDistance` (a fraction) away, then floored
 * to the sizing step (config.quantityStep; 0 = fractional). A quantity that floors to 0 opens nothing.
 */
export const positionQuantity = (equity: number, fillPrice: number, side: Side, risk: RiskParameters, stopDistance: number, config: FillConfig): number => {
  if (!(equity > 0) || !(fillPrice > 0) || side === 0) return 0;
  let qty = (risk.positionSize * equity) / (fillPrice * (1 + config.takerFee));
  if (stopDistance > 0 && Number.isFinite(stopDistance)) {
    const stop = side === 1 ? fillPrice * (1 - stopDistance) : fillPrice * (1 + stopDistance);
    const stopFill = marketFillPrice(side === -1, stop, config.slippage);
    const lossPerUnit = side * (fillPrice - stopFill) + fillPrice * config.takerFee + stopFill * config.takerFee;
    if (lossPerUnit > 0) qty = Math.min(qty, (risk.riskPerTrade * equity) / lossPerUnit);
  }
  return config.quantityStep > 0 ? stepFloor(qty, config.quantityStep) : qty;
};

/**
 * `qty` floored to a multiple of `step`. The quotient is nudged up by a billionth of a step before flooring so that
 * a quantity that is a whole number of steps up to rounding (0.3 / 0.1 = 2.9999999999999996) keeps its last step;
 * the product is rounded to 6 decimals below the step's so that 3 × 0.1 reads 0.3, not 0.30000000000000004.
 */
const stepFloor = (qty: number, step: number): number => {
  const steps = Math.floor(qty / step + 1e-9);
  if (steps <= 0) return 0;
  const decimals = Math.min(15, Math.max(0, -Math.floor(Math.log10(step)) + 6));
  return Number((steps * step).toFixed(decimals));
};

/**
 * One account trading one instrument: cash, at most one position, its resting exits, the closed trades.
 * Cash is the equity when flat; while a position is open, equity = cash + side × qty × (price − entryPrice)
 * (the entry fee is already out of cash). All state is scalar fields: the per-bar methods allocate nothing
 * (a ClosedTrade object is made when a position closes).
 */
export class Account {
  cash: number;
  side: Side = 0;
  qty = 0;
  entryPrice = 0;
  entryTime = 0;
  entryIndex = 0;
  entryFee = 0;
  stopPrice = NaN;
  targetPrice = NaN;
  /** Trailing stop level, NaN without one. */
  trailPrice = NaN;
  /** Best price (high for a long, low for a short) of the bars closed since entry. */
  extreme = NaN;
  readonly trades: ClosedTrade[] = [];
  /** Exit reason of each closed trade, index-aligned with `trades`. */
  readonly exitReasons: ExitReason[] = [];

  private readonly takeProfit: number;
  private readonly stopLoss: number;
  private readonly trailing: number;
  private readonly stopDistance: number;
  /** Any resting exit at all: without one, checkExitsInBar has nothing to do. */
  readonly hasRestingExits: boolean;

  constructor(
    initialCash: number,
    readonly config: FillConfig,
    exitRules: ExitRules,
    readonly risk: RiskParameters,
    /** The bar length in ms: an exit inside a bar is dated at the bar's close (open time + interval). */
    readonly barMs: number,
  ) {
    this.cash = initialCash;
    this.takeProfit = exitRules.takeProfit ?? NaN;
    this.stopLoss = exitRules.stopLoss ?? NaN;
    this.trailing = exitRules.trailingStop ?? NaN;
    this.stopDistance = Math.min(exitRules.stopLoss ?? Infinity, exitRules.trailingStop ?? Infinity);
    this.hasRestingExits = exitRules.stopLoss !== undefined || exitRules.takeProfit !== undefined || exitRules.trailingStop !== undefined;
  }

  /** Equity marked at `price`. */
  equityAt(price: number): number {
    return this.side === 0 ? this.cash : this.cash + this.side * this.qty * (price - this.entryPrice);
  }

  /**
   * At a bar's open, move to the position `target` decided at the previous close: close the current one at
   * the open (market), then open the new side at the open (market) sized from the equity after the close.
   */
  moveToAtOpen(target: Side, open: number, time: number, index: number): void {
    if (target === this.side) return;
    if (this.side !== 0) this.close(marketFillPrice(this.side === -1, open, this.config.slippage), this.config.takerFee, time, index, ExitReason.signal);
    if (target !== 0) this.open(target, open, time, index);
  }

  private open(side: Side, open: number, time: number, index: number): void {
    const price = marketFillPrice(side === 1, open, this.config.slippage);
    const qty = positionQuantity(this.cash, price, side, this.risk, this.stopDistance, this.config);
    if (!(qty > 0)) return;
    const fee = qty * price * this.config.takerFee;
    this.cash -= fee;
    this.side = side;
    this.qty = qty;
    this.entryPrice = price;
    this.entryTime = time;
    this.entryIndex = index;
    this.entryFee = fee;
    this.stopPrice = price * (1 - side * this.stopLoss);
    this.targetPrice = price * (1 + side * this.takeProfit);
    this.trailPrice = price * (1 - side * this.trailing);
    this.extreme = price;
  }

  /**
   * The resting exits against one bar (call it while a position is open, after moveToAtOpen). Returns the
   * exit reason, or 0 when the position survives the bar. The nearer of stop-loss and trailing stop is the
   * effective stop; a gap through it fills at the open; a stop in the bar beats a target in the same bar.
   */
  checkExitsInBar(open: number, high: number, low: number, time: number, index: number): number {
    const side = this.side;
    if (side === 0) return 0;
    const sl = this.stopPrice;
    const tr = this.trailPrice;
    // The effective stop: the one nearer to the price (higher for a long, lower for a short). NaN = none.
    let stop = NaN;
    let reason: ExitReason = ExitReason.stopLoss;
    if (side === 1) {
      if (sl === sl) stop = sl;
      if (tr === tr && !(tr <= stop)) {
        stop = tr;
        reason = ExitReason.trailingStop;
      }
      if (stop === stop) {
        if (open <= stop) return this.closeAtStop(open, time, index, reason);
        if (low <= stop) return this.closeAtStop(stop, time, index, reason);
      }
      const tp = this.targetPrice;
      if (tp === tp && high >= tp) {
        this.close(tp, this.config.makerFee, time + this.barMs, index + 1, ExitReason.takeProfit);
        return ExitReason.takeProfit;
      }
    } else {
      if (sl === sl) stop = sl;
      if (tr === tr && !(tr >= stop)) {
        stop = tr;
        reason = ExitReason.trailingStop;
      }
      if (stop === stop) {
        if (open >= stop) return this.closeAtStop(open, time, index, reason);
        if (high >= stop) return this.closeAtStop(stop, time, index, reason);
      }
      const tp = this.targetPrice;
      if (tp === tp && low <= tp) {
        this.close(tp, this.config.makerFee, time + this.barMs, index + 1, ExitReason.takeProfit);
        return ExitReason.takeProfit;
      }
    }
    return 0;
  }

  private closeAtStop(price: number, time: number, index: number, reason: ExitReason): ExitReason {
    this.close(marketFillPrice(this.side === -1, price, this.config.slippage), this.config.takerFee, time + this.barMs, index + 1, reason);
    return reason;
  }

  /** After a bar closed with the position still open: ratchet the trailing stop with the bar's high (low). */
  endOfBar(high: number, low: number): void {
    if (this.side === 0 || this.trailing !== this.trailing) return;
    if (this.side === 1) {
      if (high > this.extreme) {
        this.extreme = high;
        this.trailPrice = high * (1 - this.trailing);
      }
    } else if (low < this.extreme) {
      this.extreme = low;
      this.trailPrice = low * (1 + this.trailing);
    }
  }

  /** Close at a bar's close at market (end of data): dated at the bar's close time. */
  closeAtClose(close: number, time: number, index: number): void {
    if (this.side === 0) return;
    this.close(marketFillPrice(this.side === -1, close, this.config.slippage), this.config.takerFee, time + this.barMs, index + 1, ExitReason.endOfData);
  }

  /** `exitIndex` is the first bar no longer held (an exit at bar j's open: j; inside bar i: i + 1). */
  private close(price: number, feeRate: number, exitTime: number, exitIndex: number, reason: ExitReason): void {
    const side = this.side;
    const qty = this.qty;
    const exitFee = qty * price * feeRate;
    const gross = side * qty * (price - this.entryPrice);
    this.cash += gross - exitFee;
    const fees = this.entryFee + exitFee;
    const pnl = gross - fees;
    this.trades.push({
      entryTime: this.entryTime,
      exitTime,
      entryPrice: this.entryPrice,
      exitPrice: price,
      quantity: qty,
      side: side === 1 ? 'long' : 'short',
      pnl,
      returnPct: pnl / (qty * this.entryPrice),
      fees,
      barsHeld: exitIndex - this.entryIndex,
    });
    this.exitReasons.push(reason);
    this.side = 0;
    this.qty = 0;
    this.stopPrice = this.targetPrice = this.trailPrice = this.extreme = NaN;
  }
}
