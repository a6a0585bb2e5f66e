// The monthly returns table: one compounded return per calendar month (UTC).
import { finiteOrNull, type Metric } from './degenerate.js';

export interface MonthlyReturn {
  readonly year: number;
  /** 1 = January … 12 = December. */
  readonly month: number;
  /** E at the month's last bar / E at the previous month's last bar − 1 (the first month starts from E_0). */
  readonly return: Metric;
}

/**
 * Compounded monthly returns. The return of bar i (close i−1 → close i) is earned while bar i is open,
 * so it belongs to the month of openTime[i]; bar 0 only sets the starting equity. A month is listed when
 * at least one bar from the second on opens in it; a month without bars (a data gap) is absent.
 * A month that starts at or below zero equity has a null return. One Date per month, none per bar.
 */
export const monthlyReturns = (equity: Float64Array, openTime: Float64Array): MonthlyReturn[] => {
  const table: MonthlyReturn[] = [];
  const n = equity.length;
  if (n < 2) return table;
  let base = equity[0]!;
  let year = 0;
  let month = 0;
  let nextMonthStart = -Infinity;
  for (let i = 1; i < n; i++) {
    const t = openTime[i]!;
    if (t >= nextMonthStart) {
      if (i > 1) {
        table.push({ year, month, return: base > 0 ? finiteOrNull(equity[i - 1]! / base - 1) : null });
        base = equity[i - 1]!;
      }
      const d = new Date(t);
      year = d.getUTCFullYear();
      month = d.getUTCMonth() + 1;
      nextMonthStart = Date.UTC(year, month, 1); // month is 1-based here, so this is the next month's first day
    }
  }
  table.push({ year, month, return: base > 0 ? finiteOrNull(equity[n - 1]! / base - 1) : null });
  return table;
};
