// What a cycle's results say, as plain JSON: how each feature ranks with out-of-sample Sharpe (Spearman), how
// performance splits by quartile of each numeric feature, which categorical values and quartiles go with the
// best and the worst results, and which parameter ranges the top quarter of strategies used. Recorded as a
// LearningInsightsRecorded event; `priorsFromInsights` turns it into priors the generator draws from.
//
// Rows are one per tested strategy: `features` (a genome flattened by the training-set projection: strings are
// categories, numbers are numeric features; null/absent = not applicable) and its OOS Sharpe (null = unknown,
// left out of every statistic and counted in a note).
import { INDICATORS } from '../../indicators/catalog.js';
import { averageRanks, averageRanksOfSorted, mean, pearson, quantileOfSorted, sortedCopy } from './statistics.js';

export interface InsightRow {
  readonly features: Readonly<Record<string, number | string | null | undefined>>;
  readonly oosSharpe: number | null;
}

export interface InsightOptions {
  /** Success = OOS Sharpe strictly above this. Default 0. */
  readonly successThreshold?: number;
  /** Fewest rows a factor, a correlation or a recommended range needs. Default 5. */
  readonly minSupport?: number;
  /** How many success and failure factors to keep. Default 5. */
  readonly maxFactors?: number;
}

export interface Performance {
  readonly count: number;
  readonly meanSharpe: number;
  readonly medianSharpe: number;
  readonly successRate: number;
}
export interface FeatureCorrelation {
  readonly feature: string;
  readonly rho: number;
  readonly n: number;
}
export interface QuartileBin extends Performance {
  readonly quartile: number;
  /** Smallest and largest feature value in the bin. */
  readonly lower: number;
  readonly upper: number;
}
export interface FeatureQuartiles {
  readonly feature: string;
  /** The 25th, 50th and 75th percentiles: bin 1 is ≤ q25, bin 2 ≤ q50, bin 3 ≤ q75, bin 4 above. */
  readonly cuts: readonly number[];
  readonly bins: readonly QuartileBin[];
}
export interface CategoryStat extends Performance {
  readonly feature: string;
  readonly value: string;
}
export interface Factor extends Performance {
  readonly feature: string;
  readonly kind: 'category' | 'quartile';
  /** The category, or `Q1`…`Q4`. */
  readonly value: string;
  readonly lower?: number;
  readonly upper?: number;
}
export interface RecommendedRange {
  readonly feature: string;
  /** Interquartile range and median of the feature among the top-quartile strategies. */
  readonly low: number;
  readonly high: number;
  readonly median: number;
  readonly count: number;
}
export interface Insights {
  readonly rows: number;
  readonly scoredRows: number;
  readonly successThreshold: number;
  readonly minSupport: number;
  readonly overall: Performance | null;
  readonly correlations: readonly FeatureCorrelation[];
  readonly quartiles: readonly FeatureQuartiles[];
  readonly categories: readonly CategoryStat[];
  readonly successFactors: readonly Factor[];
  readonly failureFactors: readonly Factor[];
  readonly recommendedRanges: readonly RecommendedRange[];
  readonly notes: readonly string[];
}

const performance = (sharpes: readonly number[], threshold: number): Performance => {
  let successes = 0;
  for (const x of sharpes) if (x > threshold) successes++;
  return {
    count: sharpes.length,
    meanSharpe: mean(sharpes),
    medianSharpe: quantileOfSorted(sortedCopy(sharpes), 0.5),
    successRate: successes / sharpes.length,
  };
};

/** One feature's present values, in row order, with the OOS Sharpe of their rows. */
interface Column {
  readonly values: (number | string)[];
  readonly sharpes: number[];
  kind: 'numeric' | 'category';
}

const byName = (a: { feature: string }, b: { feature: string }) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0);

export const computeInsights = (rows: readonly InsightRow[], options: InsightOptions = {}): Insights => {
  const successThreshold = options.successThreshold ?? 0;
  const minSupport = Math.max(1, options.minSupport ?? 5);
  const maxFactors = options.maxFactors ?? 5;
  const notes: string[] = [];
  const scored = rows.filter((r): r is InsightRow & { oosSharpe: number } => r.oosSharpe !== null && Number.isFinite(r.oosSharpe));
  if (scored.length < rows.length) notes.push(`${rows.length - scored.length} of ${rows.length} rows without an out-of-sample Sharpe left out`);
  if (scored.length === 0) notes.push('no scored rows: nothing to learn from this cycle');

  // One pass over the rows: each feature's present values (and their rows' Sharpe), and whether it is numeric (every
  // present value a finite number) or categorical.
  const columns = new Map<string, Column>();
  for (const r of scored)
    for (const f in r.features) {
      const v = r.features[f];
      if (v === null || v === undefined) continue;
      let c = columns.get(f);
      if (c === undefined) columns.set(f, (c = { values: [], sharpes: [], kind: 'numeric' }));
      c.values.push(v);
      c.sharpes.push(r.oosSharpe);
      if (!(typeof v === 'number' && Number.isFinite(v))) c.kind = 'category';
    }
  const features = [...columns.keys()].sort();

  const correlations: FeatureCorrelation[] = [];
  const quartiles: FeatureQuartiles[] = [];
  const categories: CategoryStat[] = [];
  const candidates: Factor[] = [];
  for (const feature of features) {
    const { values, sharpes: ys, kind } = columns.get(feature)!;
    if (kind === 'category') {
      const groups = new Map<string, number[]>();
      for (let i = 0; i < values.length; i++) {
        const v = String(values[i]);
        (groups.get(v) ?? groups.set(v, []).get(v)!).push(ys[i]!);
      }
      for (const [value, sharpes] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const stat = { feature, value, ...performance(sharpes, successThreshold) };
        categories.push(stat);
        if (sharpes.length >= minSupport) candidates.push({ ...stat, kind: 'category' });
      }
      continue;
    }
    const xs = values as number[];
    const sorted = sortedCopy(xs);
    // Spearman's ρ (statistics.ts spearman), the sorted values shared with the quartiles.
    const rho = pearson(averageRanksOfSorted(xs, sorted), averageRanks(ys));
    if (xs.length >= minSupport && Number.isFinite(rho)) correlations.push({ feature, rho, n: xs.length });
    const cuts = [quantileOfSorted(sorted, 0.25), quantileOfSorted(sorted, 0.5), quantileOfSorted(sorted, 0.75)];
    // Bin 1 is ≤ q25, 2 ≤ q50, 3 ≤ q75, 4 above; each bin's values and Sharpes in row order.
    const binSharpes: number[][] = [[], [], [], []];
    const lower = [Infinity, Infinity, Infinity, Infinity];
    const upper = [-Infinity, -Infinity, -Infinity, -Infinity];
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const b = x <= cuts[0]! ? 0 : x <= cuts[1]! ? 1 : x <= cuts[2]! ? 2 : 3;
      binSharpes[b]!.push(ys[i]!);
      lower[b] = Math.min(lower[b]!, x);
      upper[b] = Math.max(upper[b]!, x);
    }
    const bins: QuartileBin[] = [];
    for (let b = 0; b < 4; b++) {
      if (binSharpes[b]!.length === 0) continue;
      const bin = { quartile: b + 1, lower: lower[b]!, upper: upper[b]!, ...performance(binSharpes[b]!, successThreshold) };
      bins.push(bin);
      if (bin.count >= minSupport) candidates.push({ ...bin, feature, kind: 'quartile', value: `Q${b + 1}` });
    }
    quartiles.push({ feature, cuts, bins });
  }
  correlations.sort((a, b) => Math.abs(b.rho) - Math.abs(a.rho) || byName(a, b));

  const overall =
    scored.length === 0
      ? null
      : performance(
          scored.map((r) => r.oosSharpe),
          successThreshold,
        );
  const ranked = [...candidates].sort((a, b) => b.meanSharpe - a.meanSharpe || byName(a, b));
  const successFactors = overall === null ? [] : ranked.filter((f) => f.meanSharpe > overall.meanSharpe).slice(0, maxFactors);
  const worstFirst = [...candidates].sort((a, b) => a.meanSharpe - b.meanSharpe || byName(a, b));
  const failureFactors = overall === null ? [] : worstFirst.filter((f) => f.meanSharpe < overall.meanSharpe).slice(0, maxFactors);
  if (candidates.length === 0 && scored.length > 0) notes.push(`no category or quartile has ${minSupport} rows: no factors`);

  // Recommended ranges: the interquartile range of each numeric feature among the top-quartile strategies.
  const recommendedRanges: RecommendedRange[] = [];
  if (scored.length > 0) {
    const cut = quantileOfSorted(sortedCopy(scored.map((r) => r.oosSharpe)), 0.75);
    const top = scored.filter((r) => r.oosSharpe >= cut);
    for (const feature of features) {
      if (columns.get(feature)!.kind !== 'numeric') continue;
      const vals: number[] = [];
      for (const r of top) {
        const v = r.features[feature];
        if (typeof v === 'number') vals.push(v);
      }
      if (vals.length < minSupport) continue;
      const sorted = sortedCopy(vals);
      recommendedRanges.push({
        feature,
        low: quantileOfSorted(sorted, 0.25),
        high: quantileOfSorted(sorted, 0.75),
        median: quantileOfSorted(sorted, 0.5),
        count: vals.length,
      });
    }
  }
  return {
    rows: rows.length,
    scoredRows: scored.length,
    successThreshold,
    minSupport,
    overall,
    correlations,
    quartiles,
    categories,
    successFactors,
    failureFactors,
    recommendedRanges,
    notes,
  };
};

export interface Range {
  readonly low: number;
  readonly high: number;
}
/** What the generator takes from the insights (plain JSON). */
export interface GenerationPriors {
  /** Keyed `<indicator>.<param>` (e.g. `rsi.period`), inside the catalog range. */
  readonly paramRanges: Readonly<Record<string, Range>>;
  readonly exitRuleRanges: Readonly<Partial<Record<'stopLoss' | 'takeProfit' | 'trailingStop', Range>>>;
  /** Categorical values among the success factors, by feature, and among the failure factors. */
  readonly preferred: Readonly<Record<string, readonly string[]>>;
  readonly avoided: Readonly<Record<string, readonly string[]>>;
}

/**
 * Priors for the generator. A recommended range whose feature name ends in `<indicator>.<param>` of the
 * catalog (`rsi.period`, `indicator.rsi.period`, `params:macd.short` …) becomes a parameter range clipped to the
 * catalog; one ending in `stopLoss`, `takeProfit` or `trailingStop` an exit-rule range.
 */
export const priorsFromInsights = (insights: Insights): GenerationPriors => {
  const paramRanges: Record<string, Range> = {};
  const exitRuleRanges: Partial<Record<'stopLoss' | 'takeProfit' | 'trailingStop', Range>> = {};
  for (const r of insights.recommendedRanges) {
    const parts = r.feature.split(/[.:/]/);
    const last = parts[parts.length - 1] ?? '';
    const ind = parts[parts.length - 2] ?? '';
    if (last === 'stopLoss' || last === 'takeProfit' || last === 'trailingStop') {
      exitRuleRanges[last] = { low: r.low, high: r.high };
      continue;
    }
    if (!Object.hasOwn(INDICATORS, ind)) continue;
    const spec = (INDICATORS[ind as keyof typeof INDICATORS].params as Readonly<Record<string, { min: number; max: number }>>)[last];
    if (spec === undefined) continue;
    const low = Math.min(spec.max, Math.max(spec.min, r.low));
    const high = Math.min(spec.max, Math.max(spec.min, r.high));
    paramRanges[`${ind}.${last}`] = { low, high };
  }
  const group = (factors: readonly Factor[]) => {
    const out: Record<string, string[]> = {};
    for (const f of factors) if (f.kind === 'category') (out[f.feature] ??= []).push(f.value);
    return out;
  };
  return { paramRanges, exitRuleRanges, preferred: group(insights.successFactors), avoided: group(insights.failureFactors) };
};
