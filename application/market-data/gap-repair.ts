// Finding the holes in a stored series and filling those the source still has. Exchange outages stay holes:
// they are reported (collection status), never papered over, so no series is silently treated as contiguous.
import { INTERVAL_MS, type SeriesKey } from '../../domain/market/candles.js';
import { seriesGaps, type Gap } from '../../domain/market/gaps.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { Clock } from '../ports/clock.js';
import type { CollectionStatusRecorder } from '../ports/collection-status.js';
import { describeMarketDataError, type MarketDataSource } from '../ports/market-data-source.js';

export interface GapRepairDeps {
  readonly candles: Pick<CandleStore, 'readSeries' | 'writeCandles'>;
  readonly clock: Clock;
  readonly source?: MarketDataSource;
  readonly status?: CollectionStatusRecorder;
}

export interface GapRepairReport {
  readonly key: SeriesKey;
  readonly found: readonly Gap[];
  readonly filled: number;
  readonly remaining: readonly Gap[];
  readonly errors: readonly string[];
}

export const repairGaps = async (deps: GapRepairDeps, key: SeriesKey, statusSource = `${key.exchange}:candles`): Promise<GapRepairReport> => {
  const ms = INTERVAL_MS[key.interval];
  const found = seriesGaps(await deps.candles.readSeries(key));
  let filled = 0;
  const errors: string[] = [];
  if (deps.source && deps.source.exchange === key.exchange)
    for (const gap of found) {
      const fetched = await deps.source.fetchCandles(key.symbol, key.interval, gap.after + ms, gap.missing);
      if (fetched._tag === 'Left') {
        errors.push(describeMarketDataError(fetched.left));
        continue;
      }
      const inside = fetched.right.filter((c) => c.openTime > gap.after && c.openTime < gap.before);
      if (inside.length > 0) filled += (await deps.candles.writeCandles(key, inside, { source: `ccxt:${key.exchange}` })).inserted;
    }
  const series = filled > 0 ? await deps.candles.readSeries(key) : undefined;
  const remaining = series ? seriesGaps(series) : found;
  const at = deps.clock.now();
  const gaps = remaining.map((g) => ({ after: new Date(g.after).toISOString(), before: new Date(g.before).toISOString(), missing: g.missing }));
  if (errors.length > 0) await deps.status?.failed({ source: statusSource, symbol: key.symbol, interval: key.interval, at, error: errors.join('; ') });
  else await deps.status?.succeeded({ source: statusSource, symbol: key.symbol, interval: key.interval, at, gaps });
  return { key, found, filled, remaining, errors };
};
