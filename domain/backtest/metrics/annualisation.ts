// How many bars make a year, and how an annual rate becomes a per-bar one.
// Crypto trades around the clock: a year is 365 days of bars (1h → 8,760, 1d → 365). Equities trade
// about 252 days a year: the `trading` convention counts 252 days (1d → 252). Intraday equity bars need
// the session length too (1h NYSE bars ≈ 252 × 6.5 = 1,638): pass `periodsPerYear` explicitly for them.

export type YearConvention = 'calendar' | 'trading';

export const DAYS_PER_YEAR: Readonly<Record<YearConvention, number>> = { calendar: 365, trading: 252 };

const DAY_MS = 86_400_000;

/** Bars per year for bars of `barIntervalMs` under a year convention: days per year × bars per day. */
export const periodsPerYear = (barIntervalMs: number, year: YearConvention = 'calendar'): number => {
  if (!(Number.isFinite(barIntervalMs) && barIntervalMs > 0)) {
    throw new RangeError(`bar interval must be a positive number of ms, got ${barIntervalMs}`);
  }
  return (DAYS_PER_YEAR[year] * DAY_MS) / barIntervalMs;
};

/** The per-bar rate that compounds to `annualRate` over a year of `ppy` bars: (1 + annual)^(1/ppy) − 1. */
export const perPeriodRate = (annualRate: number, ppy: number): number => {
  if (!(Number.isFinite(annualRate) && annualRate > -1)) {
    throw new RangeError(`an annual rate must be a finite number above -1, got ${annualRate}`);
  }
  return annualRate === 0 ? 0 : Math.pow(1 + annualRate, 1 / ppy) - 1;
};
