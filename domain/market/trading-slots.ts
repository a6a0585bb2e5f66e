// When a market trades, for gap detection: crypto exchanges around the clock, equity venues on weekdays.
// Exchange holidays are not known here, so on an equity series each holiday shows up as a one-day gap.
import type { TradingSlots } from './gaps.js';

const DAY_MS = 86_400_000;
const EQUITY_VENUES = new Set(['nasdaq', 'nyse', 'amex', 'arca', 'lse', 'xetra', 'tse']);

/** A stock exchange (its symbols are tickers, its candles only on weekdays), as opposed to a crypto exchange. */
export const isEquityVenue = (exchange: string): boolean => EQUITY_VENUES.has(exchange.toLowerCase());

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
