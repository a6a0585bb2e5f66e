// The one fill model: how an order decided at a bar's close becomes a fill, how resting exits trigger inside a bar,
// what fees and slippage cost and how big a position is. Each rule is one small pure function below; the backtest
// engine's fast loops (domain/backtest/engine.ts) and the paper exchange's matching (domain/execution/matching.ts,
// driven bar by bar by the strategy runner) both call them, and test/execution/one-fill-model.unit.test.ts proves on
// real candles that the two paths give the same trades and equity to the last bit. doc/execution.md lists the rules:
// 1. A signal computed on bar t's close is a market order filled at bar t+1's OPEN: adverse slippage, taker fee.
// 2. A stop (stop-loss, trailing stop) is a stop-market order: when the bar OPENS beyond it (a gap) it fills at the
//    open, else when the bar's range reaches it, at the stop; slippage and taker fee either way.
// 3. The take-profit is a limit order: it fills at its own price, never better (even on a gap through it), maker fee,
//    no slippage.
// 4. Of a stop-loss and a trailing stop, the nearer one to the price is the effective stop; a tie goes to the
//    stop-loss. When a stop and the target both lie inside one bar's range, the STOP fills (the order of the prices
//    inside a bar is unknown: assume the worse).
// 5. The trailing stop trails the best high (long) or low (short) of the bars CLOSED since entry: a bar's own high
//    never moves the stop that the same bar's low is checked against.
// 6. Stops and target are placed at the entry fill and are live in the entry bar itself; a reversal's entry is
//    placed at the exit fill and fills at the same open.
// 7. Sizing (entryNotional): positionSize × equity is committed (entry fee included); with a protective stop
//    (stopLoss, or trailingStop at its initial level, the nearer of the two) the notional is capped so that a fill at
//    that stop, with slippage and both fees, loses at most riskPerTrade × equity (a gap can lose more).
// 8. No leverage: a short commits the same notional as a long. No funding, borrow cost or interest.
// 9. One position at a time per account (one account per symbol in a backtest). A position still open at the end
//    of the data is closed at the last close, at market (taker fee, slippage), exit reason end_of_data.
import { floorToStep } from './steps.js';
import type { RiskParameters } from '../strategy/genome.js';
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

/** The fee of a fill: quantity × price × rate (taker for market and stop fills, maker for the take-profit). */
export const fillFee = (quantity: number, price: number, rate: number): number => quantity * price * rate;

/**
 * The quote notional an entry commits at its fill (quantity × fill price, the fee apart): positionSize × equity with
 * the entry fee included, capped by riskPerTrade when there is a protective stop `stopDistance` (a fraction) away.
 * It does not depend on the fill price (every term scales with it), so it is known when the signal is: an entry is a
 * market order for this much quote currency (OrderSpec.quoteQuantity), and the quantity is notional / fill price.
 */
export const entryNotional = (equity: number, side: Side, risk: RiskParameters, stopDistance: number, config: FillConfig): number => {
  if (!(equity > 0) || side === 0) return 0;
  let notional = (risk.positionSize * equity) / (1 + config.takerFee);
  if (stopDistance > 0 && Number.isFinite(stopDistance)) {
    const lossPerNotional = stopLossPerNotional(side, stopDistance, config);
    if (lossPerNotional > 0) notional = Math.min(notional, (risk.riskPerTrade * equity) / lossPerNotional);
  }
  return notional;
};

/**
 * What a position loses per unit of its entry notional when its protective stop, `stopDistance` from the entry fill,
 * fills: the price move with the stop's slippage, the entry fee and the exit fee (both taker).
 */
export const stopLossPerNotional = (side: 1 | -1, stopDistance: number, config: Pick<FillConfig, 'takerFee' | 'slippage'>): number => {
  // Per unit of notional: the stop sits at 1 ∓ stopDistance of the entry price and fills with slippage.
  const stopFill = marketFillPrice(side === -1, 1 - side * stopDistance, config.slippage);
  return side * (1 - stopFill) + config.takerFee + stopFill * config.takerFee;
};

/** The quantity a notional buys at a fill price (a quoteQuantity market order's quantity). */
export const quantityForNotional = (notional: number, fillPrice: number): number => notional / fillPrice;

/**
 * Quantity to open at `fillPrice` with `equity` in the account: entryNotional at that price, floored to the sizing
 * step (config.quantityStep; 0 = fractional), as an exchange floors a quote-amount market order to its lot size. A
 * quantity that floors to 0 opens nothing.
 */
export const positionQuantity = (equity: number, fillPrice: number, side: Side, risk: RiskParameters, stopDistance: number, config: FillConfig): number => {
  if (!(fillPrice > 0)) return 0;
  const qty = quantityForNotional(entryNotional(equity, side, risk, stopDistance, config), fillPrice);
  return config.quantityStep > 0 ? floorToStep(qty, config.quantityStep) : qty;
};

// --- Resting exits against one bar. A long's exits are sells, a short's are buys.

/**
 * Where a sell stop at `stop` fills in a bar (before slippage): at the open when the bar opens at or below it (a gap:
 * the worse price), at the stop when the low reaches it, NaN when the bar never reaches it (or there is no stop, NaN).
 */
export const sellStopReference = (stop: number, open: number, low: number): number => (open <= stop ? open : low <= stop ? stop : NaN);
/** A buy stop (a short's exit): at the open when it opens at or above the stop, at the stop when the high reaches it. */
export const buyStopReference = (stop: number, open: number, high: number): number => (open >= stop ? open : high >= stop ? stop : NaN);

/** A sell take-profit (limit) is reached when the high reaches it; it fills at its own price, never better. */
export const sellTargetReached = (target: number, high: number): boolean => high >= target;
/** A buy take-profit is reached when the low reaches it. */
export const buyTargetReached = (target: number, low: number): boolean => low <= target;

/**
 * Of a long's stop-loss and trailing stop (NaN = none), the trailing stop is the effective one only when it is
 * strictly higher (nearer the price): a tie goes to the stop-loss. For a short, strictly lower.
 */
export const trailingStopIsNearer = (side: 1 | -1, stopLoss: number, trail: number): boolean =>
  trail === trail && (side === 1 ? !(trail <= stopLoss) : !(trail >= stopLoss));

/** A percent trailing stop's level from the best price: below it for a long (a sell stop), above for a short. */
export const trailLevel = (side: 1 | -1, best: number, trailing: number): number => best * (1 - side * trailing);

/** A closed round trip: fees are the entry's and the exit's; pnl is net of both; returnPct is on the entry notional. */
export const closedTrade = (
  side: number,
  qty: number,
  entryPrice: number,
  entryTime: number,
  entryIndex: number,
  entryFee: number,
  exitPrice: number,
  gross: number,
  exitFee: number,
  exitTime: number,
  exitIndex: number,
): ClosedTrade => {
  const fees = entryFee + exitFee;
  const pnl = gross - fees;
  return {
    entryTime,
    exitTime,
    entryPrice,
    exitPrice,
    quantity: qty,
    side: side === 1 ? 'long' : 'short',
    pnl,
    returnPct: pnl / (qty * entryPrice),
    fees,
    barsHeld: exitIndex - entryIndex,
  };
};
