// The small statistics the insights need: mean, median, quantiles (linear interpolation, R type 7 / numpy's
// default), ranks with ties sharing their average rank, and Spearman's rank correlation (Pearson on ranks).
// Sorting is numeric, on typed-array copies (no comparator call per comparison): the insights sort every feature
// of every strategy ever tested, each cycle.

export const mean = (xs: ArrayLike<number>): number => {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
};

/** xs in ascending numeric order, as a new array (NaN last). */
export const sortedCopy = (xs: ArrayLike<number>): Float64Array => {
  const s = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) s[i] = xs[i]!;
  return s.sort();
};

/** The q-quantile (0 ≤ q ≤ 1) of values already in ascending order: h = (n − 1)·q, interpolated. */
export const quantileOfSorted = (s: ArrayLike<number>, q: number): number => {
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
};

/** The q-quantile (0 ≤ q ≤ 1) of xs, interpolating between order statistics: h = (n − 1)·q. */
export const quantile = (xs: ArrayLike<number>, q: number): number => quantileOfSorted(sortedCopy(xs), q);

export const median = (xs: ArrayLike<number>): number => quantile(xs, 0.5);

/** 1-based ranks; tied values get the average of the ranks they span ([10, 20, 20, 30] → [1, 2.5, 2.5, 4]). */
export const averageRanks = (xs: ArrayLike<number>): number[] => averageRanksOfSorted(xs, sortedCopy(xs));

/** averageRanks, given xs sorted (sortedCopy): each distinct value's rank from one walk, then looked up. */
export const averageRanksOfSorted = (xs: ArrayLike<number>, sorted: ArrayLike<number>): number[] => {
  const rankOf = new Map<number, number>();
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[start]) end++;
    rankOf.set(sorted[start]!, (start + end) / 2 + 1);
    start = end + 1;
  }
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) ranks[i] = rankOf.get(xs[i]!)!;
  return ranks;
};

export const pearson = (xs: ArrayLike<number>, ys: ArrayLike<number>): number => {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
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
export const spearman = (xs: ArrayLike<number>, ys: ArrayLike<number>): number => pearson(averageRanks(xs), averageRanks(ys));
