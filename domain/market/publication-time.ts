// When a daily observation becomes public. Features use an observation only on candles that open at or
// after this instant, so these rules are what keeps backtests free of look-ahead.
import { dayStartMs, type Day, type SeriesId } from './daily-series.js';

const HOUR_MS = 3_600_000;

/**
 * Delay after 00:00 UTC of the observation's day until its value is public.
 * - fear_greed: alternative.me publishes day D's reading at 00:00 UTC of D (it updates daily at 00:00 UTC).
 * - sp500, nasdaq, vix: day D's close exists only after the US close, 16:00 New York time, which is 20:00 UTC in
 *   summer and 21:00 UTC in winter; the VIX close is struck at 16:15 (21:15 UTC in winter) and official index closes
 *   settle minutes after the bell. 22:00 UTC is after all of them in both DST regimes, with no time-zone table;
 *   the price is up to two hours of lag in summer, which a daily feature does not feel.
 * - social:*: a day's aggregate of mentions is complete only when the UTC day is over, at 00:00 UTC of D+1.
 */
export const PUBLICATION_DELAY_MS = {
  fear_greed: 0,
  us_close: 22 * HOUR_MS,
  social_day: 24 * HOUR_MS,
} as const;

export const publicationDelayMs = (series: SeriesId): number => {
  if (series === 'fear_greed') return PUBLICATION_DELAY_MS.fear_greed;
  if (series === 'sp500' || series === 'nasdaq' || series === 'vix') return PUBLICATION_DELAY_MS.us_close;
  // The SeriesId codec admits nothing else than social:<source>:<symbol>.
  return PUBLICATION_DELAY_MS.social_day;
};

/** Epoch ms from which the value of `series` on `day` is public. */
export const publicationTime = (series: SeriesId, day: Day): number => dayStartMs(day) + publicationDelayMs(series);
