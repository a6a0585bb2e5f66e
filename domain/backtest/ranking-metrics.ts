// The metrics a grid (or a walk-forward's in-sample grid) can be ranked by: every scalar metric a backtest stores
// (metrics/index.ts), the monthly table aside. Read off the metrics of a three-bar curve, so a metric added to
// computeMetrics is rankable at once and a request naming a metric that no backtest has is refused up front.
import { computeMetrics } from './metrics/index.js';

const probe = computeMetrics({
  equity: Float64Array.of(100, 101, 100.5),
  openTime: Float64Array.of(0, 3_600_000, 7_200_000),
  barIntervalMs: 3_600_000,
  trades: [],
  benchmark: Float64Array.of(10, 10.2, 10.1),
  trials: { count: 2, annualisedSharpeVariance: 0.5 },
});

export const RANKING_METRICS: readonly string[] = Object.entries(probe)
  .filter(([, v]) => typeof v === 'number' || v === null)
  .map(([k]) => k)
  .sort();

const known: ReadonlySet<string> = new Set(RANKING_METRICS);
export const isRankingMetric = (name: string): boolean => known.has(name);
