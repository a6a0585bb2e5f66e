// A trading record in figures: the statistics of an account's TradingDayClosed days (domain/performance/events.ts).
// Daily figures, because that is what the record holds and what paper and live have in common: the Sharpe is the
// mean over the sample standard deviation of the daily returns, annualised with 365 days a year (crypto trades every
// day); the drawdown is measured on the daily closing equity (the initial capital counting as the first peak), so an
// intraday dip that recovered by the close is not in it.

/** One day of an account, as TradingDayClosed records it. */
export interface TradingDay {
  readonly day: string;
  readonly equity: number;
  readonly dayReturn: number;
  readonly trades: number;
  readonly tradesTotal: number;
  readonly position: number;
}

export interface RecordStats {
  readonly days: number;
  /** Annualised Sharpe of the daily returns; null with fewer than two days or no dispersion. */
  readonly sharpe: number | null;
  /** Last equity / initial capital − 1 (0 without days). */
  readonly totalReturn: number;
  /** Largest fall of the daily equity from its running peak, as a fraction of the peak (≥ 0). */
  readonly maxDrawdown: number;
  /** Trades closed over the days. */
  readonly trades: number;
  /** Days that ended holding a position. */
  readonly daysInMarket: number;
}

export const DAYS_PER_YEAR = 365;

/** Statistics of the days, in day order, of an account that started with `initialCapital`. */
export const recordStats = (initialCapital: number, days: readonly TradingDay[]): RecordStats => {
  const n = days.length;
  let peak = initialCapital;
  let maxDrawdown = 0;
  let sum = 0;
  let trades = 0;
  let daysInMarket = 0;
  for (const d of days) {
    sum += d.dayReturn;
    trades += d.trades;
    if (d.position !== 0) daysInMarket++;
    if (d.equity > peak) peak = d.equity;
    else if (peak > 0) maxDrawdown = Math.max(maxDrawdown, (peak - d.equity) / peak);
  }
  let sharpe: number | null = null;
  if (n >= 2) {
    const mean = sum / n;
    let ss = 0;
    for (const d of days) ss += (d.dayReturn - mean) ** 2;
    const sd = Math.sqrt(ss / (n - 1));
    // A flat record (no trade, or trades that netted exactly nothing each day) has no Sharpe, not an infinite one.
    if (sd > 1e-15) sharpe = (mean / sd) * Math.sqrt(DAYS_PER_YEAR);
  }
  return {
    days: n,
    sharpe,
    totalReturn: n === 0 ? 0 : days[n - 1]!.equity / initialCapital - 1,
    maxDrawdown,
    trades,
    daysInMarket,
  };
};

/** The UTC day (YYYY-MM-DD) of an epoch-ms instant. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const DAY_MS = 86_400_000;

/** Start (epoch ms) of the UTC day holding `ms`. */
export const dayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
