// Automatic history: a newly selected pair gets its past downloaded (by default 90 days of 1m, one year of
// 1h and 1d), and a retention job keeps the store from growing without end.
import type { Interval } from '../../domain/market/candles.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { CollectionStatusRecorder } from '../ports/collection-status.js';
import { describeMarketDataError } from '../ports/market-data-source.js';
import { backfillSeries, type BackfillDeps, type BackfillOptions, type BackfillReport } from './backfill.js';

const DAY = 86_400_000;

/** How many days of each interval to download for a new pair. */
export type HistoryPlan = Partial<Record<Interval, number>>;
export const DEFAULT_HISTORY: HistoryPlan = { '1m': 90, '1h': 365, '1d': 365 };

/** How many days of each interval to keep, counted back from each series' newest candle; absent = keep all. */
export type RetentionPolicy = Partial<Record<Interval, number>>;
// 1h and 4h are kept whole: the backtester's heavy workload and walk-forward runs need the full hourly history.
export const DEFAULT_RETENTION: RetentionPolicy = { '1m': 90, '5m': 90, '15m': 90, '1d': 365 };

export interface HistoryDeps extends BackfillDeps {
  readonly status?: CollectionStatusRecorder;
}

export const downloadHistory = async (
  deps: HistoryDeps,
  exchange: string,
  symbol: string,
  plan: HistoryPlan = DEFAULT_HISTORY,
  options: BackfillOptions = {},
): Promise<{ readonly reports: BackfillReport[]; readonly errors: string[] }> => {
  const now = deps.clock.now().getTime();
  const reports: BackfillReport[] = [];
  const errors: string[] = [];
  for (const [interval, days] of Object.entries(plan) as [Interval, number][]) {
    const key = { exchange, symbol, interval };
    const result = await backfillSeries(deps, key, { from: now - days * DAY, to: now }, options);
    const at = deps.clock.now();
    if (result._tag === 'Right') {
      reports.push(result.right);
      const bounds = await deps.store.bounds(key);
      await deps.status?.succeeded({ source: `${exchange}:candles`, symbol, interval, at, lastObservationAt: bounds?.last, observations: bounds?.count });
    } else {
      const message = describeMarketDataError(result.left.error);
      errors.push(`${symbol} ${interval}: ${message}`);
      await deps.status?.failed({ source: `${exchange}:candles`, symbol, interval, at, error: message });
    }
  }
  return { reports, errors };
};

/** Deletes candles older than the policy keeps; returns the count per interval. */
export const applyRetention = async (
  candles: Pick<CandleStore, 'trimSeries'>,
  policy: RetentionPolicy = DEFAULT_RETENTION,
): Promise<Partial<Record<Interval, number>>> => {
  const deleted: Partial<Record<Interval, number>> = {};
  for (const [interval, days] of Object.entries(policy) as [Interval, number][]) deleted[interval] = await candles.trimSeries(interval, days * DAY);
  return deleted;
};
