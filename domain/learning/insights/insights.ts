// What a cycle's results say, as plain JSON: how each feature ranks with out-of-sample Sharpe (Spearman), how
// performance splits by quartile of each numeric feature, which categorical values and quartiles go with the
// best and the worst results, and which parameter ranges the top quarter of strategies used. Recorded as a
// LearningInsightsRecorded event; `priorsFromInsights` turns it into priors the generator draws from.
//
// Rows are one per tested strategy: `features` (a genome flattened by the training-set projection: strings are
// categories, numbers are numeric features; null/absent = not applicable) and its OOS Sharpe (null = unknown,
// left out of every statistic and counted in a note).
import { INDICATORS } from '../../indicators/catalog.js';
import { averageRanksOfSorted, mean, pearson, quantileOfSorted, sortedCopy } from './statistics.js';

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

/** A group's performance: its Sharpes in row order (the mean sums in that order) and in ascending order (the median). */
const performance = (inRowOrder: readonly number[], ascending: ArrayLike<number>, threshold: number): Performance => {
  let successes = 0;
  for (const x of inRowOrder) if (x > threshold) successes++;
  return {
    count: inRowOrder.length,
    meanSharpe: mean(inRowOrder),
    medianSharpe: quantileOfSorted(ascending, 0.5),
    successRate: successes / inRowOrder.length,
  };
};

/** One feature's present values, in row order, with their rows (indices among the scored rows) and Sharpes. */
interface Column {
  readonly values: (number | string)[];
  readonly rows: number[];
  readonly sharpes: number[];
  kind: 'numeric' | 'category';
}

const byName = (a: { feature: string }, b: { feature: string }) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0);

/**
 * The scored rows in ascending order of Sharpe, walked once per feature instead of sorting each feature's Sharpes:
 * `walk(rows, visit)` calls visit(k, rank) for each member of `rows` (position k in it), in ascending Sharpe order,
 * with its average rank among the members (ties share it, as averageRanks gives).
 */
const sharpeOrder = (sharpes: readonly number[]) => {
  const n = sharpes.length;
  const sh = Float64Array.from(sharpes);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => sh[a]! - sh[b]!);
  const at = new Int32Array(n).fill(-1);
  return (rows: readonly number[], visit: (k: number, rank: number) => void): void => {
    for (let k = 0; k < rows.length; k++) at[rows[k]!] = k;
    let ranked = 0;
    for (let a = 0; a < n;) {
      let b = a;
      while (b + 1 < n && sh[order[b + 1]!] === sh[order[a]!]) b++;
      let m = 0;
      for (let i = a; i <= b; i++) if (at[order[i]!]! >= 0) m++;
      if (m > 0) {
        // Ranks ranked+1 … ranked+m, averaged.
        const rank = ranked + (m + 1) / 2;
        for (let i = a; i <= b; i++) {
          const k = at[order[i]!]!;
          if (k >= 0) visit(k, rank);
        }
        ranked += m;
      }
      a = b + 1;
    }
    for (const r of rows) at[r] = -1;
  };
};

export const computeInsights = (rows: readonly InsightRow[], options: InsightOptions = {}): Insights => {
  const successThreshold = options.successThreshold ?? 0;
  const minSupport = Math.max(1, options.minSupport ?? 5);
  const maxFactors = options.maxFactors ?? 5;
  const notes: string[] = [];
  const scored = rows.filter((r): r is InsightRow & { oosSharpe: number } => r.oosSharpe !== null && Number.isFinite(r.oosSharpe));
  if (scored.length < rows.length) notes.push(`${rows.length - scored.length} of ${rows.length} rows without an out-of-sample Sharpe left out`);
  if (scored.length === 0) notes.push('no scored rows: nothing to learn from this cycle');

  // One pass over the rows: each feature's present values (with their rows and Sharpes), and whether it is numeric
  // (every present value a finite number) or categorical.
  const columns = new Map<string, Column>();
  for (let i = 0; i < scored.length; i++) {
    const r = scored[i]!;
    for (const f in r.features) {
      const v = r.features[f];
      if (v === null || v === undefined) continue;
      let c = columns.get(f);
      if (c === undefined) columns.set(f, (c = { values: [], rows: [], sharpes: [], kind: 'numeric' }));
      c.values.push(v);
      c.rows.push(i);
      c.sharpes.push(r.oosSharpe);
      if (!(typeof v === 'number' && Number.isFinite(v))) c.kind = 'category';
    }
  }
  const features = [...columns.keys()].sort();
  const walk = sharpeOrder(scored.map((r) => r.oosSharpe));

  const correlations: FeatureCorrelation[] = [];
  const quartiles: FeatureQuartiles[] = [];
  const categories: CategoryStat[] = [];
  const candidates: Factor[] = [];
  for (const feature of features) {
    const { values, rows: members, sharpes: ys, kind } = columns.get(feature)!;
    if (kind === 'category') {
      const keys = values.map(String);
      const groups = new Map<string, { inRowOrder: number[]; ascending: number[] }>();
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        let g = groups.get(key);
        if (g === undefined) groups.set(key, (g = { inRowOrder: [], ascending: [] }));
        g.inRowOrder.push(ys[k]!);
      }
      walk(members, (k) => groups.get(keys[k]!)!.ascending.push(ys[k]!));
      for (const [value, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const stat = { feature, value, ...performance(g.inRowOrder, g.ascending, successThreshold) };
        categories.push(stat);
        if (g.inRowOrder.length >= minSupport) candidates.push({ ...stat, kind: 'category' });
      }
      continue;
    }
    const xs = values as number[];
    const sorted = sortedCopy(xs);
    const cuts = [quantileOfSorted(sorted, 0.25), quantileOfSorted(sorted, 0.5), quantileOfSorted(sorted, 0.75)];
    // Bin 1 is ≤ q25, 2 ≤ q50, 3 ≤ q75, 4 above; each bin's Sharpes in row order and in ascending order.
    const binOf = new Uint8Array(xs.length);
    const inRowOrder: number[][] = [[], [], [], []];
    const ascending: number[][] = [[], [], [], []];
    const lower = [Infinity, Infinity, Infinity, Infinity];
    const upper = [-Infinity, -Infinity, -Infinity, -Infinity];
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k]!;
      const b = x <= cuts[0]! ? 0 : x <= cuts[1]! ? 1 : x <= cuts[2]! ? 2 : 3;
      binOf[k] = b;
      inRowOrder[b]!.push(ys[k]!);
      lower[b] = Math.min(lower[b]!, x);
      upper[b] = Math.max(upper[b]!, x);
    }
    // Spearman's ρ (statistics.ts spearman): the values' ranks from their sorted copy, the Sharpes' from the walk.
    const sharpeRanks = new Array<number>(xs.length);
    walk(members, (k, rank) => {
      sharpeRanks[k] = rank;
      ascending[binOf[k]!]!.push(ys[k]!);
    });
    const rho = pearson(averageRanksOfSorted(xs, sorted), sharpeRanks);
    if (xs.length >= minSupport && Number.isFinite(rho)) correlations.push({ feature, rho, n: xs.length });
    const bins: QuartileBin[] = [];
    for (let b = 0; b < 4; b++) {
      if (inRowOrder[b]!.length === 0) continue;
      const bin = { quartile: b + 1, lower: lower[b]!, upper: upper[b]!, ...performance(inRowOrder[b]!, ascending[b]!, successThreshold) };
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
          sortedCopy(scored.map((r) => r.oosSharpe)),
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
