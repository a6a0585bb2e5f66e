// When a market trades, for gap detection: crypto exchanges around the clock, equity venues on weekdays.
// Exchange holidays are not known here, so on an equity series each holiday shows up as a one-day gap.
import type { TradingSlots } from './gaps.js';

const DAY_MS = 86_400_000;
/** Equity venues and the length of their regular session in hours (for bars per year of intraday bars). */
const EQUITY_SESSION_HOURS: Readonly<Record<string, number>> = {
  nasdaq: 6.5, // 09:30–16:00 New York
  nyse: 6.5,
  amex: 6.5,
  arca: 6.5,
  lse: 8.5, // 08:00–16:30 London
  xetra: 8.5, // 09:00–17:30 Frankfurt
  tse: 5, // 09:00–11:30 and 12:30–15:00 Tokyo (the 15:30 close of November 2024 is not modelled)
};

/** A stock exchange (its symbols are tickers, its candles only on weekdays), as opposed to a crypto exchange. */
export const isEquityVenue = (exchange: string): boolean => Object.hasOwn(EQUITY_SESSION_HOURS, exchange.toLowerCase());

/** The regular session of an equity venue in hours; undefined for a market that trades around the clock. */
export const equitySessionHours = (exchange: string): number | undefined =>
  isEquityVenue(exchange) ? EQUITY_SESSION_HOURS[exchange.toLowerCase()] : undefined;

/** Monday to Friday, UTC (1970-01-01 was a Thursday). */
export const weekdays: TradingSlots = (openTime) => {
  const dow = (Math.floor(openTime / DAY_MS) + 4) % 7; // 0 = Sunday
  return dow !== 0 && dow !== 6;
};

export interface TradingCalendar {
  /** How a person would say it, e.g. in an import report. */
  readonly description: string;
  /** Undefined: every slot trades. */
  readonly slots: TradingSlots | undefined;
}

export const AROUND_THE_CLOCK: TradingCalendar = { description: 'trades around the clock', slots: undefined };
export const WEEKDAYS: TradingCalendar = { description: 'trades on weekdays; holidays are not known, each shows as a gap', slots: weekdays };

/** Intraday equity session hours are not modelled: only whole weekend days are skipped. */
export const tradingCalendarOf = (exchange: string): TradingCalendar => (isEquityVenue(exchange) ? WEEKDAYS : AROUND_THE_CLOCK);
