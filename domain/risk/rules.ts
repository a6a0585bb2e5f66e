// The pre-trade risk rules and the continuous checks, as pure functions of figures (nautilus_trader's RiskEngine,
// in our style). The gate (application/trading/risk-gate.ts) keeps the figures; these decide.
//
// Order of the pre-trade checks, each refusal naming the rule, the limit and the figure the order would reach:
//   invalid_order → (an order that only reduces a position passes here, whatever else holds) → reduce_only →
//   kill_switch / max_drawdown / daily_loss_limit (a halt) → no_equity → max_position_size → max_symbol_exposure →
//   max_portfolio_exposure → max_open_positions.
// A halt is nautilus_trader's REDUCING state, not HALTED: getting flat is never blocked.
//
// Exposure counts what could be held if every open order filled: the worst of (position + open buys + this buy)
// and (position − open sells − this sell), at the price the order is judged at. Counting open orders is what stops
// a burst of orders, each within the limit alone, from filling past it together.
import type { RiskLimits } from './limits.js';

export type RiskRule =
  | 'invalid_order'
  | 'reduce_only'
  | 'kill_switch'
  | 'max_drawdown'
  | 'daily_loss_limit'
  | 'no_equity'
  | 'max_position_size'
  | 'max_symbol_exposure'
  | 'max_portfolio_exposure'
  | 'max_open_positions';

/** What the rules read of one order. */
export interface OrderUnderCheck {
  readonly symbol: string;
  readonly sign: 1 | -1;
  /** Base quantity (a quote-quantity order: its quote amount over the price). */
  readonly quantity: number;
  /** The price it is judged at. */
  readonly price: number;
  /** Flagged reduce-only by its sender (a protective exit, a kill switch's close). */
  readonly reduceOnly: boolean;
}

/** What the rules read of the account, at the order's time. */
export interface AccountUnderCheck {
  readonly equity: number;
  /** Signed position in the order's symbol (negative: short). */
  readonly position: number;
  /** Unfilled quantity of the open buy / sell orders in the order's symbol. */
  readonly openBuys: number;
  readonly openSells: number;
  /** Worst-case exposure of every other symbol, in quote currency at their last prices. */
  readonly otherExposure: number;
  /** Symbols with a position or an open order, and whether the order's symbol is one of them. */
  readonly openSymbols: number;
  readonly symbolOpen: boolean;
}

/** Why opening orders are halted: a kill switch engaged, a drawdown or the day's loss limit tripped. */
export interface Halt {
  readonly rule: 'kill_switch' | 'max_drawdown' | 'daily_loss_limit';
  readonly limit: number;
  readonly actual: number;
  readonly message: string;
}

/** A refusal as the RiskGate port carries it (application/ports/risk-gate.ts RiskRefusal), with the rule typed. */
export interface RuleRefusal {
  readonly rule: RiskRule;
  /** The limit and the figure the order would reach, in the rule's unit (quote currency, × equity, a count, a fraction). */
  readonly limit: number;
  readonly actual: number;
  readonly message: string;
}

const refuse = (rule: RiskRule, limit: number, actual: number, message: string): RuleRefusal => ({ rule, limit, actual, message });

// A position a float rounding away from the order's size still counts as reduced to zero.
const TOLERANCE = 1e-9;

/** The order only reduces the position: opposite side, no larger than the position. */
export const onlyReduces = (order: OrderUnderCheck, position: number): boolean =>
  order.sign * position < 0 && order.quantity <= Math.abs(position) * (1 + TOLERANCE);

/** The largest absolute quantity the symbol could reach if every open order and this one filled. */
export const worstCaseQuantity = (order: OrderUnderCheck, account: AccountUnderCheck): number => {
  const up = account.position + account.openBuys + (order.sign === 1 ? order.quantity : 0);
  const down = account.position - account.openSells - (order.sign === -1 ? order.quantity : 0);
  return Math.max(Math.abs(up), Math.abs(down));
};

export const invalidOrder = (order: OrderUnderCheck): RuleRefusal | undefined => {
  if (!(Number.isFinite(order.quantity) && order.quantity > 0))
    return refuse('invalid_order', 0, order.quantity, `the quantity must be above 0, got ${order.quantity}`);
  if (!(Number.isFinite(order.price) && order.price > 0))
    return refuse('invalid_order', 0, order.price, `no price to judge the order at for ${order.symbol}: got ${order.price}`);
  return undefined;
};

export const reduceOnly = (order: OrderUnderCheck, account: AccountUnderCheck): RuleRefusal | undefined =>
  order.reduceOnly
    ? refuse(
        'reduce_only',
        Math.abs(account.position),
        order.quantity,
        `a reduce-only ${order.sign === 1 ? 'buy' : 'sell'} of ${order.quantity} ${order.symbol} would not only reduce the position of ${account.position}`,
      )
    : undefined;

export const halted = (halt: Halt | undefined): RuleRefusal | undefined => (halt ? refuse(halt.rule, halt.limit, halt.actual, halt.message) : undefined);

export const noEquity = (account: AccountUnderCheck): RuleRefusal | undefined =>
  account.equity > 0 ? undefined : refuse('no_equity', 0, account.equity, `equity is ${account.equity}: no position can be opened`);

export const maxPositionSize = (order: OrderUnderCheck, account: AccountUnderCheck, limits: RiskLimits): RuleRefusal | undefined => {
  const notional = worstCaseQuantity(order, account) * order.price;
  return notional > limits.maxPositionNotional
    ? refuse(
        'max_position_size',
        limits.maxPositionNotional,
        notional,
        `${order.symbol} would reach ${notional} in quote currency, above the maximum ${limits.maxPositionNotional}`,
      )
    : undefined;
};

export const maxSymbolExposure = (order: OrderUnderCheck, account: AccountUnderCheck, limits: RiskLimits): RuleRefusal | undefined => {
  const ratio = (worstCaseQuantity(order, account) * order.price) / account.equity;
  return ratio > limits.maxSymbolExposure
    ? refuse(
        'max_symbol_exposure',
        limits.maxSymbolExposure,
        ratio,
        `${order.symbol} would reach ${ratio} × equity, above the maximum ${limits.maxSymbolExposure}`,
      )
    : undefined;
};

export const maxPortfolioExposure = (order: OrderUnderCheck, account: AccountUnderCheck, limits: RiskLimits): RuleRefusal | undefined => {
  const ratio = (account.otherExposure + worstCaseQuantity(order, account) * order.price) / account.equity;
  return ratio > limits.maxPortfolioExposure
    ? refuse(
        'max_portfolio_exposure',
        limits.maxPortfolioExposure,
        ratio,
        `the portfolio would reach ${ratio} × equity, above the maximum ${limits.maxPortfolioExposure}`,
      )
    : undefined;
};

export const maxOpenPositions = (order: OrderUnderCheck, account: AccountUnderCheck, limits: RiskLimits): RuleRefusal | undefined => {
  if (account.symbolOpen) return undefined;
  const open = account.openSymbols + 1;
  return open > limits.maxOpenPositions
    ? refuse(
        'max_open_positions',
        limits.maxOpenPositions,
        open,
        `${order.symbol} would be open position ${open}, above the maximum ${limits.maxOpenPositions}`,
      )
    : undefined;
};

/** Every pre-trade rule, in order; undefined when the order may go. */
export const checkOrder = (order: OrderUnderCheck, account: AccountUnderCheck, limits: RiskLimits, halt: Halt | undefined): RuleRefusal | undefined => {
  const invalid = invalidOrder(order);
  if (invalid) return invalid;
  if (onlyReduces(order, account.position)) return undefined;
  return (
    reduceOnly(order, account) ??
    halted(halt) ??
    noEquity(account) ??
    maxPositionSize(order, account, limits) ??
    maxSymbolExposure(order, account, limits) ??
    maxPortfolioExposure(order, account, limits) ??
    maxOpenPositions(order, account, limits)
  );
};

// ---- continuous checks -------------------------------------------------------------------------------------------

/** The fall from the peak as a fraction of it (0 at or above the peak). */
export const drawdown = (equity: number, peak: number): number => (peak > 0 && equity < peak ? (peak - equity) / peak : 0);

/** The day's loss as a fraction of the day's first equity (0 when the day is up). */
export const dailyLoss = (equity: number, dayStartEquity: number): number =>
  dayStartEquity > 0 && equity < dayStartEquity ? (dayStartEquity - equity) / dayStartEquity : 0;

export const drawdownTrips = (equity: number, peak: number, limits: RiskLimits): boolean => drawdown(equity, peak) >= limits.maxDrawdown;
export const dailyLossTrips = (equity: number, dayStartEquity: number, limits: RiskLimits): boolean =>
  dailyLoss(equity, dayStartEquity) >= limits.dailyLossLimit;

export const DAY_MS = 86_400_000;
/** The UTC day an instant falls on, as a day number (days since 1970-01-01). */
export const utcDayNumber = (time: number): number => Math.floor(time / DAY_MS);
/** 2024-03-01 */
export const utcDay = (time: number): string => new Date(utcDayNumber(time) * DAY_MS).toISOString().slice(0, 10);
