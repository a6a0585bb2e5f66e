// The small statistics the insights need: mean, median, quantiles (linear interpolation, R type 7 / numpy's
// default), ranks with ties sharing their average rank, and Spearman's rank correlation (Pearson on ranks).

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((s, x) => s + x, 0) / xs.length);

/** The q-quantile (0 ≤ q ≤ 1) of xs, interpolating between order statistics: h = (n − 1)·q. */
export const quantile = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
};

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

/** 1-based ranks; tied values get the average of the ranks they span ([10, 20, 20, 30] → [1, 2.5, 2.5, 4]). */
export const averageRanks = (xs: readonly number[]): number[] => {
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

export const pearson = (xs: readonly number[], ys: readonly number[]): number => {
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
export const spearman = (xs: readonly number[], ys: readonly number[]): number => pearson(averageRanks(xs), averageRanks(ys));
