// Daily pair selection: every candidate gets a score from its volume, volatility, liquidity and trend strength
// with configurable weights, and the top N are chosen. Each part is the candidate's percentile rank among
// the candidates (0 = lowest, 1 = highest), so parts with different units combine fairly and one outlier
// cannot dominate. Volatility is rewarded up to a cap: a pair must move to be tradeable, not be chaos.
import type { CandidateMetrics } from './candidate-metrics.js';

export interface SelectionWeights {
  readonly volume: number;
  readonly volatility: number;
  readonly liquidity: number;
  readonly trend: number;
}

export const DEFAULT_WEIGHTS: SelectionWeights = { volume: 0.35, volatility: 0.2, liquidity: 0.3, trend: 0.15 };

export interface SelectionRules {
  readonly weights: SelectionWeights;
  readonly topN: number;
  /** Candidates below this average daily traded value (quote currency) are not eligible. */
  readonly minQuoteVolumePerDay: number;
  /** Annualised volatility above which the volatility part counts as zero (too wild to trade). */
  readonly maxVolatility: number;
  /** Fewer candles than this in the window (a new listing, a broken feed) makes a candidate ineligible. */
  readonly minBars: number;
}

export const DEFAULT_RULES: SelectionRules = { weights: DEFAULT_WEIGHTS, topN: 10, minQuoteVolumePerDay: 1_000_000, maxVolatility: 3, minBars: 0 };

export interface ScoredCandidate {
  readonly symbol: string;
  readonly score: number;
  readonly rank: number;
  readonly eligible: boolean;
  readonly ineligibleReason?: string;
  readonly parts: { readonly volume: number; readonly volatility: number; readonly liquidity: number; readonly trend: number };
  readonly metrics: CandidateMetrics;
}

/** Percentile rank of each value among all values, ties sharing their average rank, in [0, 1]. */
export const percentileRanks = (values: readonly number[]): number[] => {
  const n = values.length;
  if (n === 1) return [1];
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 / (n - 1);
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    i = j + 1;
  }
  return ranks;
};

export const scorePairs = (candidates: readonly CandidateMetrics[], rules: SelectionRules): ScoredCandidate[] => {
  const w = rules.weights;
  const total = w.volume + w.volatility + w.liquidity + w.trend;
  const vol = percentileRanks(candidates.map((c) => c.quoteVolumePerDay));
  const volat = percentileRanks(candidates.map((c) => (c.volatility > rules.maxVolatility ? -1 : c.volatility)));
  const liq = percentileRanks(candidates.map((c) => c.liquidity));
  const trend = percentileRanks(candidates.map((c) => c.trendStrength));
  const scored = candidates.map((metrics, i) => {
    const parts = { volume: vol[i]!, volatility: volat[i]!, liquidity: liq[i]!, trend: trend[i]! };
    const score = total > 0 ? (w.volume * parts.volume + w.volatility * parts.volatility + w.liquidity * parts.liquidity + w.trend * parts.trend) / total : 0;
    const ineligibleReason =
      metrics.bars < rules.minBars
        ? `only ${metrics.bars} candles in the window (< ${rules.minBars})`
        : metrics.quoteVolumePerDay < rules.minQuoteVolumePerDay
          ? `traded value ${Math.round(metrics.quoteVolumePerDay)}/day < ${rules.minQuoteVolumePerDay}`
          : undefined;
    return { symbol: metrics.symbol, score, parts, metrics, eligible: ineligibleReason === undefined, ...(ineligibleReason ? { ineligibleReason } : {}) };
  });
  // Highest score first; ties broken by symbol so the choice is reproducible.
  const sorted = [...scored].sort((a, b) => Number(b.eligible) - Number(a.eligible) || b.score - a.score || a.symbol.localeCompare(b.symbol));
  return sorted.map((c, i) => ({ ...c, rank: i + 1 }));
};
