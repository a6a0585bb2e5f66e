// How many bars of a series make a year, from its market: what annualised metrics (Sharpe, CAGR, volatility) scale
// by. A crypto exchange trades around the clock: 365 days of bars (1h → 8,760; 1m → 525,600; 1d → 365). An equity
// venue trades about 252 days a year, each a session of a few hours: 252 daily bars, or 252 × the bars that cover
// one session for intraday bars (1h on nasdaq: a 6.5-hour session is 7 bars, the last one short → 1,764).
import { INTERVAL_MS, type Interval } from './candles.js';
import { equitySessionHours } from './trading-slots.js';

export const CALENDAR_DAYS_PER_YEAR = 365;
export const TRADING_DAYS_PER_YEAR = 252;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const barsPerYearOf = (exchange: string, interval: Interval): number => {
  const barMs = INTERVAL_MS[interval];
  const session = equitySessionHours(exchange);
  if (session === undefined) return (CALENDAR_DAYS_PER_YEAR * DAY_MS) / barMs;
  // A daily (or longer) bar is one trading day; shorter bars: as many as it takes to cover the session.
  return barMs >= DAY_MS ? (TRADING_DAYS_PER_YEAR * DAY_MS) / barMs : TRADING_DAYS_PER_YEAR * Math.ceil((session * HOUR_MS) / barMs);
};
