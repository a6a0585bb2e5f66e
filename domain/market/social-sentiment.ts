// Social sentiment readings (a score in [-1, 1] and how many mentions it rests on, per symbol, from one source)
// and their daily aggregate, the form the daily series store keeps.
import { publicationTime } from './publication-time.js';
import { socialSeriesId, utcDayOf, type DailyObservation, type Day, type SocialSourceName, type SocialSymbol } from './daily-series.js';

export interface SocialSentiment {
  readonly source: SocialSourceName;
  readonly symbol: SocialSymbol;
  /** A whole UTC day, or an instant (epoch ms) for sources that report finer than daily. */
  readonly at: { readonly day: Day } | { readonly time: number };
  /** -1 (all negative) … 1 (all positive). */
  readonly score: number;
  /** Number of mentions (posts, comments…) the score was computed from. */
  readonly mentions: number;
}

export const dayOfReading = (r: SocialSentiment): Day => ('day' in r.at ? r.at.day : utcDayOf(r.at.time));

/**
 * One observation per (source, symbol, UTC day): the mention-weighted mean score (the plain mean when a day has no
 * mentions at all), the summed mentions, published when the day is over (see publication-time.ts).
 */
export const dailySocialObservations = (readings: readonly SocialSentiment[]): DailyObservation[] => {
  const groups = new Map<string, { source: SocialSourceName; symbol: SocialSymbol; day: Day; weighted: number; plain: number; mentions: number; n: number }>();
  for (const r of readings) {
    const day = dayOfReading(r);
    const key = `${r.source}\u0000${r.symbol}\u0000${day}`;
    const g = groups.get(key) ?? { source: r.source, symbol: r.symbol, day, weighted: 0, plain: 0, mentions: 0, n: 0 };
    g.weighted += r.score * r.mentions;
    g.plain += r.score;
    g.mentions += r.mentions;
    g.n += 1;
    groups.set(key, g);
  }
  return [...groups.values()]
    .map((g) => {
      const series = socialSeriesId(g.source, g.symbol);
      return {
        series,
        day: g.day,
        value: g.mentions > 0 ? g.weighted / g.mentions : g.plain / g.n,
        volume: g.mentions,
        publishedAt: publicationTime(series, g.day),
        source: g.source,
      };
    })
    .sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
};
