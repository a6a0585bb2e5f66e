// The statistics after a cycle, against values checked by hand: average ranks, Spearman's ρ, quartile
// segmentation, success and failure factors, recommended ranges, the priors they give and the event codec.
import { expect } from 'chai';
import { isRight } from 'fp-ts/lib/Either.js';
import { LearningInsightsRecordedData } from '../../domain/learning/events.js';
import { computeInsights, priorsFromInsights, type InsightRow } from '../../domain/learning/insights/insights.js';
import { averageRanks, quantile, spearman } from '../../domain/learning/insights/statistics.js';

describe('learning: insights', () => {
  describe('statistics', () => {
    it('ties share their average rank', () => {
      expect(averageRanks([10, 20, 20, 30])).to.deep.equal([1, 2.5, 2.5, 4]);
      expect(averageRanks([3, 1, 3, 3])).to.deep.equal([3, 1, 3, 3]);
    });
    it("Spearman's ρ: ±1 for monotone data, 8/√95 for x = 1…5, y = 5, 6, 7, 8, 7", () => {
      expect(spearman([1, 2, 3, 4, 5], [1, 4, 9, 16, 25])).to.be.closeTo(1, 1e-12);
      expect(spearman([1, 2, 3, 4, 5], [5, 3, 2, 1, 0])).to.be.closeTo(-1, 1e-12);
      // ranks of y: 1, 2, 3.5, 5, 3.5 → Σdxdy = 8, Σdx² = 10, Σdy² = 9.5
      expect(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).to.be.closeTo(8 / Math.sqrt(95), 1e-12);
      expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).to.equal(true);
    });
    it('quantiles interpolate linearly (type 7): 1…8 → 2.75, 4.5, 6.25', () => {
      const xs = [8, 1, 7, 2, 6, 3, 5, 4];
      expect([0.25, 0.5, 0.75].map((q) => quantile(xs, q))).to.deep.equal([2.75, 4.5, 6.25]);
    });
  });

  // Eight strategies: x = 1…8, OOS Sharpe rising with x; type a for the first four, b for the last four;
  // rsi period = 5x; and one row without a Sharpe.
  const sharpes = [-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5];
  const rows: InsightRow[] = [
    ...sharpes.map((s, i) => ({
      features: { x: i + 1, type: i < 4 ? 'a' : 'b', 'indicator.rsi.period': 5 * (i + 1), stopLoss: 0.01 * (i + 1) },
      oosSharpe: s,
    })),
    { features: { x: 100, type: 'a' }, oosSharpe: null },
  ];
  const insights = computeInsights(rows, { minSupport: 2 });

  it('leaves rows without an OOS Sharpe out, and says so', () => {
    expect(insights.rows).to.equal(9);
    expect(insights.scoredRows).to.equal(8);
    expect(insights.notes).to.deep.equal(['1 of 9 rows without an out-of-sample Sharpe left out']);
    expect(insights.overall).to.deep.equal({ count: 8, meanSharpe: 0.75, medianSharpe: 0.75, successRate: 5 / 8 });
  });

  it('correlates each numeric feature with OOS Sharpe by rank', () => {
    expect(insights.correlations.map((c) => [c.feature, c.rho, c.n])).to.deep.equal([
      ['indicator.rsi.period', 1, 8],
      ['stopLoss', 1, 8],
      ['x', 1, 8],
    ]);
  });

  it('splits each numeric feature into quartiles with mean, median and success rate', () => {
    const x = insights.quartiles.find((q) => q.feature === 'x')!;
    expect(x.cuts).to.deep.equal([2.75, 4.5, 6.25]);
    expect(x.bins).to.deep.equal([
      { quartile: 1, lower: 1, upper: 2, count: 2, meanSharpe: -0.75, medianSharpe: -0.75, successRate: 0 },
      { quartile: 2, lower: 3, upper: 4, count: 2, meanSharpe: 0.25, medianSharpe: 0.25, successRate: 0.5 }, // 0 is not a success
      { quartile: 3, lower: 5, upper: 6, count: 2, meanSharpe: 1.25, medianSharpe: 1.25, successRate: 1 },
      { quartile: 4, lower: 7, upper: 8, count: 2, meanSharpe: 2.25, medianSharpe: 2.25, successRate: 1 },
    ]);
  });

  it('names success and failure factors (categories and quartiles against the overall mean 0.75)', () => {
    const show = (fs: typeof insights.successFactors) => fs.map((f) => `${f.feature}=${f.value}:${f.meanSharpe}`);
    expect(show(insights.successFactors)).to.deep.equal([
      'indicator.rsi.period=Q4:2.25',
      'stopLoss=Q4:2.25',
      'x=Q4:2.25',
      'type=b:1.75',
      'indicator.rsi.period=Q3:1.25',
    ]);
    expect(show(insights.failureFactors)).to.deep.equal([
      'indicator.rsi.period=Q1:-0.75',
      'stopLoss=Q1:-0.75',
      'x=Q1:-0.75',
      'type=a:-0.25',
      'indicator.rsi.period=Q2:0.25',
    ]);
    expect(insights.categories.map((c) => [c.value, c.count, c.meanSharpe])).to.deep.equal([
      ['a', 4, -0.25],
      ['b', 4, 1.75],
    ]);
  });

  it('recommends the interquartile range of each parameter among the top-quartile strategies', () => {
    // Sharpe 75th percentile = 1.625: the top rows are x = 7 and 8.
    const x = insights.recommendedRanges.find((r) => r.feature === 'x')!;
    expect(x).to.deep.equal({ feature: 'x', low: 7.25, high: 7.75, median: 7.5, count: 2 });
    const priors = priorsFromInsights(insights);
    expect(priors.paramRanges).to.deep.equal({ 'rsi.period': { low: 36.25, high: 38.75 } });
    expect(priors.exitRuleRanges.stopLoss!.low).to.be.closeTo(0.0725, 1e-12);
    expect(priors.preferred).to.deep.equal({ type: ['b'] });
    expect(priors.avoided).to.deep.equal({ type: ['a'] });
  });

  it('is stored as LearningInsightsRecorded data: finite numbers only', () => {
    const data = JSON.parse(JSON.stringify({ cycleId: '2023-12-30', regime: 'range_low_vol', asOf: '2023-12-30T03:00:00.000Z', insights }));
    expect(isRight(LearningInsightsRecordedData.decode(data))).to.equal(true);
    const empty = computeInsights([]);
    expect(empty.overall).to.equal(null);
    expect(empty.notes).to.deep.equal(['no scored rows: nothing to learn from this cycle']);
    expect(isRight(LearningInsightsRecordedData.decode({ cycleId: 'c', insights: empty }))).to.equal(true);
    const broken = { ...data, insights: { ...data.insights, correlations: [{ feature: 'x', rho: NaN, n: 8 }] } };
    expect(isRight(LearningInsightsRecordedData.decode(broken))).to.equal(false);
  });
});
