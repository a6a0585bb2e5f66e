// The fast insights (typed-array sorts, one pass per feature) against the plain implementation they replaced
// (reference-insights.ts): equal, field for field, on seeded random histories with ties, missing values, categories,
// features that mix numbers and strings, and rows without a Sharpe.
import { expect } from 'chai';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import { computeInsights, type InsightRow } from '../../domain/learning/insights/insights.js';
import { averageRanks, quantile } from '../../domain/learning/insights/statistics.js';
import { referenceInsights } from './reference-insights.js';

const history = (seed: number, n: number): InsightRow[] => {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: n }, () => {
    const features: Record<string, number | string | null | undefined> = {
      // few distinct values: many ties, as indicator periods have
      period: pick([5, 7, 14, 14, 21, 50]),
      stopLoss: rnd() < 0.3 ? null : Math.round(rnd() * 50) / 1000,
      type: pick(['momentum', 'breakout', 'mean_reversion']),
      // numbers and strings under one name: a category
      mixed: rnd() < 0.5 ? pick([1, 2, 3]) : pick(['a', 'b']),
      rare: rnd() < 0.05 ? rnd() : undefined,
      negative: -Math.floor(rnd() * 4),
      continuous: rnd() * 10 - 5,
    };
    const sharpe = rnd() < 0.1 ? null : rnd() < 0.2 ? pick([0, 0.5, -0.5]) : rnd() * 4 - 2;
    return { features, oosSharpe: sharpe };
  });
};

describe('learning: the insights equal their plain reference implementation', () => {
  for (const [seed, n] of [
    [1, 0],
    [2, 1],
    [3, 7],
    [4, 60],
    [5, 997],
    [6, 5000],
  ] as const)
    it(`${n} rows (seed ${seed})`, () => {
      const rows = history(seed, n);
      expect(computeInsights(rows)).to.deep.equal(referenceInsights(rows));
      expect(computeInsights(rows, { minSupport: 2, successThreshold: 0.25, maxFactors: 8 })).to.deep.equal(
        referenceInsights(rows, { minSupport: 2, successThreshold: 0.25, maxFactors: 8 }),
      );
    });

  it('ranks and quantiles of tied, unordered values', () => {
    const rnd = mulberry32(9);
    const xs = Array.from({ length: 2000 }, () => Math.floor(rnd() * 30) - 10);
    // Plain definitions: a value's average rank is (number below) + (number equal + 1) / 2.
    const expected = xs.map((x) => xs.filter((y) => y < x).length + (xs.filter((y) => y === x).length + 1) / 2);
    expect(averageRanks(xs)).to.deep.equal(expected);
    const sorted = [...xs].sort((a, b) => a - b);
    for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]) {
      const h = (sorted.length - 1) * q;
      expect(quantile(xs, q)).to.equal(sorted[Math.floor(h)]! + (h - Math.floor(h)) * (sorted[Math.ceil(h)]! - sorted[Math.floor(h)]!));
    }
  });
});
