// What one fill does to an account's balances (totals, free + held): a buy receives the base and pays the quote, a
// sell the reverse, and the fee is taken in its own currency. Reconciliation (application/trading/reconcile.ts) and
// the fold of the order history (application/trading/order-history.ts) both work out balances with this one rule, so
// what the history implies and what reconciliation expects cannot drift apart.
import type { OrderSide } from './order.js';

/** The two assets of a market (MarketRules' base and quote). */
export interface MarketAssets {
  readonly base: string;
  readonly quote: string;
}

export interface BalanceFill {
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly feeCurrency: string;
}

/** Adds the fill's effect to `balances` (mutated: folds add many fills). */
export const applyFill = (balances: Record<string, number>, assets: MarketAssets, side: OrderSide, fill: BalanceFill): void => {
  const sign = side === 'buy' ? 1 : -1;
  balances[assets.base] = (balances[assets.base] ?? 0) + sign * fill.quantity;
  balances[assets.quote] = (balances[assets.quote] ?? 0) - sign * fill.price * fill.quantity;
  if (fill.fee !== 0) balances[fill.feeCurrency] = (balances[fill.feeCurrency] ?? 0) - fill.fee;
};
