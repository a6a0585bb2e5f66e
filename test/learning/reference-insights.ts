// The insights as first written (domain/learning/insights before they were made fast): plain array code, a sort per
// quantile and objects sorted by comparator for the ranks. The fast version must give the same result, field for
// field (test/learning/insights-reference.unit.test.ts).
import type {
  FeatureCorrelation,
  FeatureQuartiles,
  CategoryStat,
  Factor,
  Insights,
  InsightOptions,
  InsightRow,
  Performance,
  QuartileBin,
  RecommendedRange,
} from '../../domain/learning/insights/insights.js';

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length);

/** The q-quantile (0 ≤ q ≤ 1) of xs, interpolating between order statistics: h = (n − 1)·q. */
const quantile = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
};

const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** 1-based ranks; tied values get the average of the ranks they span ([10, 20, 20, 30] → [1, 2.5, 2.5, 4]). */
const averageRanks = (xs: readonly number[]): number[] => {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const ranks = new Array<number>(xs.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.x === order[start]!.x) end++;
    const r = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = r;
    start = end + 1;
  }
  return ranks;
};

const pearson = (xs: readonly number[], ys: readonly number[]): number => {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  const mx = mean(xs.slice(0, n));
  const my = mean(ys.slice(0, n));
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
};

/** Spearman's ρ; NaN when either side is constant or there are fewer than 2 pairs. */
const spearman = (xs: readonly number[], ys: readonly number[]): number => pearson(averageRanks(xs), averageRanks(ys));

const performance = (sharpes: readonly number[], threshold: number): Performance => ({
  count: sharpes.length,
  meanSharpe: mean(sharpes),
  medianSharpe: median(sharpes),
  successRate: sharpes.filter((s) => s > threshold).length / sharpes.length,
});

const byName = (a: { feature: string }, b: { feature: string }) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0);

export const referenceInsights = (rows: readonly InsightRow[], options: InsightOptions = {}): Insights => {
  const successThreshold = options.successThreshold ?? 0;
  const minSupport = Math.max(1, options.minSupport ?? 5);
  const maxFactors = options.maxFactors ?? 5;
  const notes: string[] = [];
  const scored = rows.filter((r): r is InsightRow & { oosSharpe: number } => r.oosSharpe !== null && Number.isFinite(r.oosSharpe));
  if (scored.length < rows.length) notes.push(`${rows.length - scored.length} of ${rows.length} rows without an out-of-sample Sharpe left out`);
  if (scored.length === 0) notes.push('no scored rows: nothing to learn from this cycle');

  // Which features are numeric (every present value a finite number) and which are categorical.
  const kinds = new Map<string, 'numeric' | 'category'>();
  for (const r of scored)
    for (const [f, v] of Object.entries(r.features)) {
      if (v === null || v === undefined) continue;
      const k = typeof v === 'number' && Number.isFinite(v) ? 'numeric' : 'category';
      if (kinds.get(f) !== 'category') kinds.set(f, k === 'category' || kinds.get(f) === undefined ? k : 'numeric');
    }
  const features = [...kinds.keys()].sort();

  const correlations: FeatureCorrelation[] = [];
  const quartiles: FeatureQuartiles[] = [];
  const categories: CategoryStat[] = [];
  const candidates: Factor[] = [];
  for (const feature of features) {
    const present = scored.filter((r) => r.features[feature] !== null && r.features[feature] !== undefined);
    if (kinds.get(feature) === 'category') {
      const groups = new Map<string, number[]>();
      for (const r of present) {
        const v = String(r.features[feature]);
        (groups.get(v) ?? groups.set(v, []).get(v)!).push(r.oosSharpe);
      }
      for (const [value, sharpes] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const stat = { feature, value, ...performance(sharpes, successThreshold) };
        categories.push(stat);
        if (sharpes.length >= minSupport) candidates.push({ ...stat, kind: 'category' });
      }
      continue;
    }
    const xs = present.map((r) => r.features[feature] as number);
    const ys = present.map((r) => r.oosSharpe);
    const rho = spearman(xs, ys);
    if (xs.length >= minSupport && Number.isFinite(rho)) correlations.push({ feature, rho, n: xs.length });
    if (xs.length === 0) continue;
    const cuts = [quantile(xs, 0.25), quantile(xs, 0.5), quantile(xs, 0.75)];
    const binOf = (x: number) => (x <= cuts[0]! ? 1 : x <= cuts[1]! ? 2 : x <= cuts[2]! ? 3 : 4);
    const bins: QuartileBin[] = [];
    for (const q of [1, 2, 3, 4]) {
      const idx = xs.flatMap((x, i) => (binOf(x) === q ? [i] : []));
      if (idx.length === 0) continue;
      const vals = idx.map((i) => xs[i]!);
      const bin = {
        quartile: q,
        lower: Math.min(...vals),
        upper: Math.max(...vals),
        ...performance(
          idx.map((i) => ys[i]!),
          successThreshold,
        ),
      };
      bins.push(bin);
      if (bin.count >= minSupport) candidates.push({ ...bin, feature, kind: 'quartile', value: `Q${q}` });
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
    const cut = quantile(
      scored.map((r) => r.oosSharpe),
      0.75,
    );
    const top = scored.filter((r) => r.oosSharpe >= cut);
    for (const feature of features) {
      if (kinds.get(feature) !== 'numeric') continue;
      const vals = top.flatMap((r) => (typeof r.features[feature] === 'number' ? [r.features[feature]] : []));
      if (vals.length < minSupport) continue;
      recommendedRanges.push({ feature, low: quantile(vals, 0.25), high: quantile(vals, 0.75), median: median(vals), count: vals.length });
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
