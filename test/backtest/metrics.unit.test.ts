// The backtest metrics as specifications: each metric against a value worked out by hand on a small
// example (the arithmetic is in the comments), the degenerate cases, the normal distribution functions
// against published values, and the deflated Sharpe ratio against the DSR paper's worked example.
import { expect } from 'chai';
import {
  computeMetrics,
  deflatedSharpe,
  expectedMaxSharpe,
  exposure,
  inverseNormalCdf,
  normalCdf,
  periodsPerYear,
  perPeriodRate,
  probabilisticSharpe,
  quantileSorted,
  toStoredMetrics,
  trialSharpeVariance,
  type BacktestMetrics,
  type ClosedTrade,
  type MetricsInput,
  type MetricsOptions,
} from '../../domain/backtest/metrics/index.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const JAN_1_2024 = Date.UTC(2024, 0, 1);
const TOL = 1e-12;

const f64 = (xs: readonly number[]) => Float64Array.from(xs);
/** `n` daily bars from 2024-01-01. */
const days = (n: number) => f64(Array.from({ length: n }, (_, i) => JAN_1_2024 + i * DAY));

/**
 * The running example: five daily closes of equity, per-bar returns +10%, −10%, +10%, +10%.
 *   100 → 110 (+0.1) → 99 (−0.1) → 108.9 (+0.1) → 119.79 (+0.1)
 * mean r = 0.2 / 4 = 0.05; deviations 0.05, −0.15, 0.05, 0.05; squares 0.0025, 0.0225, 0.0025, 0.0025 (sum 0.03)
 * sample variance = 0.03 / 3 = 0.01, sample std = 0.1.
 * Most tests annualise with periodsPerYear = 4, so that four bars make exactly one year.
 */
const EQUITY = [100, 110, 99, 108.9, 119.79];

const metricsOf = (input: Partial<MetricsInput> = {}, options: MetricsOptions = { periodsPerYear: 4 }): BacktestMetrics => {
  const equity = input.equity ?? f64(EQUITY);
  return computeMetrics({ equity, openTime: input.openTime ?? days(equity.length), barIntervalMs: DAY, trades: [], ...input }, options);
};

const trade = (pnl: number, returnPct: number, barsHeld: number, entryDay: number): ClosedTrade => ({
  entryTime: JAN_1_2024 + entryDay * DAY,
  exitTime: JAN_1_2024 + (entryDay + barsHeld) * DAY,
  entryPrice: 100,
  exitPrice: 100 * (1 + returnPct),
  quantity: 1,
  side: 'long',
  pnl,
  returnPct,
  fees: 1,
  barsHeld,
});

/** Every number anywhere in the result is finite (nulls aside), and the stored form holds only finite numbers. */
const expectAllFinite = (m: BacktestMetrics) => {
  for (const [key, value] of Object.entries(m)) {
    if (typeof value === 'number') expect(Number.isFinite(value), key).to.equal(true);
    else if (key !== 'monthlyReturns') expect(value, key).to.equal(null);
  }
  for (const month of m.monthlyReturns) if (month.return !== null) expect(Number.isFinite(month.return)).to.equal(true);
  const stored = toStoredMetrics(m);
  for (const [key, value] of Object.entries(stored)) expect(Number.isFinite(value), key).to.equal(true);
  expect(JSON.parse(JSON.stringify(stored))).to.deep.equal(stored);
};

describe('Backtest metrics', () => {
  describe('annualisation', () => {
    it('counts 24/7 bars in a crypto year: 1h → 8,760, 4h → 2,190, 1d → 365, 1m → 525,600', () => {
      expect(periodsPerYear(HOUR)).to.equal(8760); // 365 × 24
      expect(periodsPerYear(4 * HOUR)).to.equal(2190); // 365 × 6
      expect(periodsPerYear(DAY)).to.equal(365);
      expect(periodsPerYear(60_000)).to.equal(525_600); // 365 × 1,440
    });
    it('counts 252 days in a trading year: 1d → 252', () => expect(periodsPerYear(DAY, 'trading')).to.equal(252));
    it('refuses a bar interval that is not a positive number', () => {
      expect(() => periodsPerYear(0)).to.throw(RangeError);
      expect(() => periodsPerYear(NaN)).to.throw(RangeError);
    });
    it('compounds an annual rate down to a per-bar rate: 10% a year over 4 bars → 1.1^(1/4) − 1', () => {
      expect(perPeriodRate(0.1, 4)).to.be.closeTo(0.0241136890844451, TOL);
      expect(perPeriodRate(0, 8760)).to.equal(0);
      expect(() => perPeriodRate(-1, 4)).to.throw(RangeError);
    });
    it('annualises by the bar interval by default: daily bars → Sharpe 0.5 × sqrt(365), volatility 0.1 × sqrt(365)', () => {
      const m = metricsOf({}, {});
      expect(m.periodsPerYear).to.equal(365);
      expect(m.sharpe).to.be.closeTo(9.5524865872714, 1e-9); // per-bar 0.05 / 0.1 = 0.5
      expect(m.annualVolatility).to.be.closeTo(1.91049731745428, 1e-9);
    });
    it('annualises a daily equity curve over 252 days with the trading convention: Sharpe 0.5 × sqrt(252)', () =>
      expect(metricsOf({}, { year: 'trading' }).sharpe).to.be.closeTo(7.937253933193772, 1e-9));
    it('takes an explicit periodsPerYear over the convention', () => expect(metricsOf({}, { year: 'trading', periodsPerYear: 4 }).periodsPerYear).to.equal(4));
  });

  describe('returns', () => {
    const m = metricsOf();
    it('total return = last / first − 1 = 119.79 / 100 − 1 = 0.1979', () => expect(m.totalReturn).to.be.closeTo(0.1979, TOL));
    it('net profit = last − first = 19.79', () => expect(m.netProfit).to.be.closeTo(19.79, 1e-10));
    it('CAGR over one year (4 returns, 4 bars a year) = the total return, 0.1979', () => expect(m.cagr).to.be.closeTo(0.1979, TOL));
    it('CAGR over two years (4 returns, 2 bars a year) = sqrt(1.1979) − 1 = 0.0944862', () =>
      expect(metricsOf({}, { periodsPerYear: 2 }).cagr).to.be.closeTo(0.09448618081728188, TOL));
    it('annual volatility = sample std × sqrt(ppy) = 0.1 × 2 = 0.2', () => expect(m.annualVolatility).to.be.closeTo(0.2, TOL));
    it('Sharpe = mean / std × sqrt(ppy) = 0.05 / 0.1 × 2 = 1', () => expect(m.sharpe).to.be.closeTo(1, TOL));
    it('Sharpe with a risk-free rate: 4.0604% a year is 1% a bar → (0.05 − 0.01) / 0.1 × 2 = 0.8', () =>
      expect(metricsOf({}, { periodsPerYear: 4, riskFreeRate: 1.01 ** 4 - 1 }).sharpe).to.be.closeTo(0.8, 1e-12));
    it('Sortino: downside deviation over all 4 bars = sqrt(0.1² / 4) = 0.05 → 0.05 / 0.05 × 2 = 2', () => expect(m.sortino).to.be.closeTo(2, TOL));
    it('Sortino with a target of 1% a bar: r − 0.01 = .09, −.11, .09, .09 → DD = sqrt(0.0121 / 4) = 0.055 → 0.04 / 0.055 × 2 = 1.4545', () =>
      expect(metricsOf({}, { periodsPerYear: 4, sortinoTarget: 1.01 ** 4 - 1 }).sortino).to.be.closeTo(1.4545454545454546, 1e-12));
    // Population moments: m2 = 0.03 / 4 = 0.0075; m3 = (3 × 0.05³ − 0.15³) / 4 = (0.000375 − 0.003375) / 4 = −0.00075;
    // m4 = (3 × 0.05⁴ + 0.15⁴) / 4 = (0.00001875 + 0.00050625) / 4 = 0.00013125.
    it('skew = m3 / m2^1.5 = −0.00075 / 0.0075^1.5 = −2/√3 = −1.1547', () => expect(m.skew).to.be.closeTo(-2 / Math.sqrt(3), 1e-9));
    it('excess kurtosis = m4 / m2² − 3 = 0.00013125 / 0.00005625 − 3 = 7/3 − 3 = −2/3', () => expect(m.excessKurtosis).to.be.closeTo(-2 / 3, 1e-9));
  });

  describe('drawdowns', () => {
    const m = metricsOf();
    it('max drawdown = 1 − 99 / 110 = 0.1 (peak 110, trough 99)', () => expect(m.maxDrawdown).to.be.closeTo(0.1, TOL));
    it('max drawdown amount = 110 − 99 = 11', () => expect(m.maxDrawdownAmount).to.be.closeTo(11, TOL));
    it('its duration runs from the peak (bar 1) to the first bar back above 110 (bar 4, 119.79): 3 bars, 3 days', () => {
      expect(m.maxDrawdownDurationBars).to.equal(3); // bar 3 (108.9) is still below the peak
      expect(m.maxDrawdownDurationMs).to.equal(3 * DAY);
      expect(m.longestDrawdownBars).to.equal(3);
      expect(m.longestDrawdownMs).to.equal(3 * DAY);
    });
    it('measures durations in time from the bar open times, gaps included', () => {
      const openTime = f64([0, 1, 2, 10, 11].map((d) => JAN_1_2024 + d * DAY)); // 7 missing days after bar 2
      expect(metricsOf({ openTime }).maxDrawdownDurationMs).to.equal(10 * DAY); // bar 1 (day 1) → bar 4 (day 11)
    });
    // 100, 90, 100 | 99, 98, 97, 99, 101 | 80: episodes of 2 bars (10%), 5 bars (3%), then 101 → 80 unrecovered (20.8%).
    const threeEpisodes = [100, 90, 100, 99, 98, 97, 99, 101, 80];
    it('tells the deepest drawdown from the longest: deepest 1 − 80/101 = 0.2079 lasts 1 bar to the end, longest lasts 5', () => {
      const d = metricsOf({ equity: f64(threeEpisodes) });
      expect(d.maxDrawdown).to.be.closeTo(0.20792079207920788, TOL);
      expect(d.maxDrawdownAmount).to.be.closeTo(21, TOL); // 101 − 80
      expect(d.maxDrawdownDurationBars).to.equal(1); // peak at bar 7, unrecovered at the last bar 8
      expect(d.longestDrawdownBars).to.equal(5); // bar 2 (100) → bar 7 (101)
      expect(d.longestDrawdownMs).to.equal(5 * DAY);
    });
    it('keeps the duration of the deepest drawdown when it recovered before a longer, shallower one', () => {
      const d = metricsOf({ equity: f64(threeEpisodes.slice(0, 8)) }); // without the final fall
      expect(d.maxDrawdown).to.be.closeTo(0.1, TOL);
      expect(d.maxDrawdownDurationBars).to.equal(2); // bar 0 → bar 2
      expect(d.longestDrawdownBars).to.equal(5);
    });
    it('ulcer index = sqrt(mean of squared drawdowns over all 5 bars) = sqrt((0 + 0 + 0.1² + 0.01² + 0) / 5) = 0.044944', () =>
      // drawdowns: 100 → 0, 110 → 0, 99 → 1 − 99/110 = 0.1, 108.9 → 1 − 108.9/110 = 0.01, 119.79 → 0
      expect(m.ulcerIndex).to.be.closeTo(0.044944410108488465, 1e-12));
    it('Calmar = CAGR / max drawdown = 0.1979 / 0.1 = 1.979', () => expect(m.calmar).to.be.closeTo(1.979, 1e-12));
    it('recovery factor = net profit / max drawdown amount = 19.79 / 11 = 1.79909', () => expect(m.recoveryFactor).to.be.closeTo(19.79 / 11, 1e-12));
  });

  describe('tails (historical, 95%)', () => {
    it('interpolates quantiles linearly between order statistics: [1..5] at 5% → 1 + 0.2 × 1 = 1.2, at 95% → 4.8', () => {
      expect(quantileSorted(f64([1, 2, 3, 4, 5]), 0.05)).to.be.closeTo(1.2, TOL); // h = 4 × 0.05 = 0.2
      expect(quantileSorted(f64([1, 2, 3, 4, 5]), 0.95)).to.be.closeTo(4.8, TOL); // h = 4 × 0.95 = 3.8
    });
    // Sorted returns −0.1, 0.1, 0.1, 0.1. 5th percentile: h = 3 × 0.05 = 0.15 → −0.1 + 0.15 × 0.2 = −0.07.
    // 95th percentile: h = 2.85 → 0.1 + 0.85 × 0 = 0.1.
    const m = metricsOf();
    it('VaR 95 = −(5th percentile) = 0.07', () => expect(m.var95).to.be.closeTo(0.07, TOL));
    it('CVaR 95 = −mean of returns ≤ −0.07 = −mean(−0.1) = 0.1', () => expect(m.cvar95).to.be.closeTo(0.1, TOL));
    it('tail ratio = 95th percentile / |5th percentile| = 0.1 / 0.07 = 1.428571', () => expect(m.tailRatio).to.be.closeTo(0.1 / 0.07, 1e-12));
    it('finds the percentiles of returns in any order: −10%…+10% shuffled → VaR 0.09, CVaR 0.095, tail ratio 1', () => {
      // 21 returns; sorted, the 5th percentile is at h = 20 × 0.05 = 1 → −0.09, the 95th at h = 19 → 0.09.
      // CVaR = −mean(−0.10, −0.09) = 0.095.
      const shuffled = [3, -7, 10, 0, -10, 5, -2, 8, -9, 1, 6, -4, 9, -1, 2, -6, 7, -3, 4, -5, -8];
      const equity = [100];
      for (const pct of shuffled) equity.push(equity[equity.length - 1]! * (1 + pct / 100));
      const t = metricsOf({ equity: f64(equity) });
      expect(t.var95).to.be.closeTo(0.09, TOL);
      expect(t.cvar95).to.be.closeTo(0.095, TOL);
      expect(t.tailRatio).to.be.closeTo(1, 1e-10);
    });
  });

  describe('trades', () => {
    // pnl 30, 20, −10, −5, −15, 40, 0 (fees 1 each, already in the pnl); days held 2, 1, 1, 3, 1, 2, 4, back to back from day 0.
    const trades = [
      trade(30, 0.03, 2, 0),
      trade(20, 0.02, 1, 2),
      trade(-10, -0.01, 1, 3),
      trade(-5, -0.005, 3, 4),
      trade(-15, -0.015, 1, 7),
      trade(40, 0.04, 2, 8),
      trade(0, 0, 4, 10),
    ];
    const m = metricsOf({ equity: f64(Array.from({ length: 16 }, () => 100)), trades });
    it('counts 7 trades: 3 wins (30, 20, 40), 3 losses (−10, −5, −15) and a breakeven', () => {
      expect(m.tradeCount).to.equal(7);
      expect(m.winCount).to.equal(3);
      expect(m.lossCount).to.equal(3);
    });
    it('win rate = 3 / 7 = 0.428571 (the breakeven counts in the denominator)', () => expect(m.winRate).to.be.closeTo(3 / 7, TOL));
    it('gross profit = 90, gross loss = −30, profit factor = 90 / 30 = 3', () => {
      expect(m.grossProfit).to.equal(90);
      expect(m.grossLoss).to.equal(-30);
      expect(m.profitFactor).to.equal(3);
    });
    it('average win = 90 / 3 = 30, average loss = −30 / 3 = −10, payoff ratio = 30 / 10 = 3', () => {
      expect(m.averageWin).to.equal(30);
      expect(m.averageLoss).to.equal(-10);
      expect(m.payoffRatio).to.equal(3);
    });
    it('expectancy = 60 / 7 = 8.5714 per trade (= 3/7 × 30 + 3/7 × −10)', () => expect(m.expectancy).to.be.closeTo(60 / 7, TOL));
    it('average holding = (2 + 1 + 1 + 3 + 1 + 2 + 4) / 7 = 2 bars, 2 days', () => {
      expect(m.averageHoldingBars).to.equal(2);
      expect(m.averageHoldingMs).to.equal(2 * DAY);
    });
    it('exposure = bars in a position / bars = 14 / 16 (trades cover days 0 to 14, the curve has 16 days)', () => expect(m.exposure).to.equal(14 / 16));
    it('longest win streak = 2 (30, 20), longest loss streak = 3 (−10, −5, −15); the breakeven breaks streaks', () => {
      expect(m.longestWinStreak).to.equal(2);
      expect(m.longestLossStreak).to.equal(3);
      const broken = metricsOf({ trades: [trade(1, 0, 1, 0), trade(0, 0, 1, 1), trade(1, 0, 1, 2)] });
      expect(broken.longestWinStreak).to.equal(1);
    });
    it('best trade = 40 (4%), worst trade = −15 (−1.5%)', () => {
      expect(m.bestTradePnl).to.equal(40);
      expect(m.worstTradePnl).to.equal(-15);
      expect(m.bestTradeReturn).to.equal(0.04);
      expect(m.worstTradeReturn).to.equal(-0.015);
    });
    it('total fees = 7 × 1 = 7', () => expect(m.totalFees).to.equal(7));
    it('exposure counts overlapping trades once and does not need them in order: bars 1–4 and 7 of 10 → 0.5', () => {
      const openTime = f64(Array.from({ length: 10 }, (_, i) => i * HOUR));
      const at = (from: number, to: number): ClosedTrade => ({ ...trade(1, 0, 1, 0), entryTime: from * HOUR, exitTime: to * HOUR });
      // [7h, 8h) covers bar 7; [1h, 3h) bars 1, 2; [2h, 5h) bars 2, 3, 4.
      expect(exposure([at(7, 8), at(1, 3), at(2, 5)], openTime)).to.equal(0.5);
    });
  });

  describe('monthly returns (calendar months, UTC, compounded)', () => {
    it('compounds each month from the previous month-end: Jan 110/100 − 1, Feb 108.9/110 − 1, Mar 119.79/108.9 − 1', () => {
      // bars open 2024-01-30, 01-31, 02-01, 02-29 (leap day), 03-01
      const openTime = f64([Date.UTC(2024, 0, 30), Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1)]);
      const table = metricsOf({ openTime }).monthlyReturns;
      expect(table.map((r) => [r.year, r.month])).to.deep.equal([
        [2024, 1],
        [2024, 2],
        [2024, 3],
      ]);
      expect(table[0]!.return).to.be.closeTo(0.1, TOL);
      expect(table[1]!.return).to.be.closeTo(-0.01, TOL); // 108.9 / 110 − 1: two bars (Feb 1 and Feb 29) compounded
      expect(table[2]!.return).to.be.closeTo(0.1, TOL);
    });
    it('crosses a year and puts a bar in the month it opens in (23:00 on Dec 31 belongs to December)', () => {
      const openTime = f64([Date.UTC(2023, 11, 31, 21), Date.UTC(2023, 11, 31, 22), Date.UTC(2023, 11, 31, 23), Date.UTC(2024, 0, 1, 0)]);
      const table = metricsOf({ equity: f64([100, 110, 121, 108.9]), openTime }, { periodsPerYear: 8760 }).monthlyReturns;
      expect(table.map((r) => [r.year, r.month])).to.deep.equal([
        [2023, 12],
        [2024, 1],
      ]);
      expect(table[0]!.return).to.be.closeTo(0.21, TOL); // 121 / 100 − 1
      expect(table[1]!.return).to.be.closeTo(-0.1, TOL); // 108.9 / 121 − 1
    });
    it('are stored as monthlyReturn.YYYY-MM', () => {
      const openTime = f64([Date.UTC(2024, 0, 30), Date.UTC(2024, 0, 31), Date.UTC(2024, 1, 1), Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1)]);
      const stored = toStoredMetrics(metricsOf({ openTime }));
      expect(stored['monthlyReturn.2024-01']).to.be.closeTo(0.1, TOL);
      expect(stored['monthlyReturn.2024-03']).to.be.closeTo(0.1, TOL);
    });
  });

  describe('against buy-and-hold of the same symbol', () => {
    // Closes 100, 105, 99.75, 99.75, 109.725: b = 0.05, −0.05, 0, 0.1; mean b = 0.025.
    // deviations b: 0.025, −0.075, −0.025, 0.075 (squares sum 0.0125); deviations r: 0.05, −0.15, 0.05, 0.05
    // Σ dr·db = 0.00125 + 0.01125 − 0.00125 + 0.00375 = 0.015
    const benchmark = f64([100, 105, 99.75, 99.75, 109.725]);
    const m = metricsOf({ benchmark });
    it('beta = Σ dr·db / Σ db² = 0.015 / 0.0125 = 1.2', () => expect(m.beta).to.be.closeTo(1.2, 1e-12));
    it('alpha = (mean r − β mean b) × ppy = (0.05 − 1.2 × 0.025) × 4 = 0.08', () => expect(m.alpha).to.be.closeTo(0.08, 1e-12));
    it('alpha in excess of a 1%-a-bar risk-free rate = ((0.05 − 0.01) − 1.2 × (0.025 − 0.01)) × 4 = 0.088', () =>
      expect(metricsOf({ benchmark }, { periodsPerYear: 4, riskFreeRate: 1.01 ** 4 - 1 }).alpha).to.be.closeTo(0.088, 1e-12));
    it('correlation = 0.015 / sqrt(0.03 × 0.0125) = sqrt(0.6) = 0.774597', () => expect(m.benchmarkCorrelation).to.be.closeTo(Math.sqrt(0.6), 1e-12));
    it('buy-and-hold return = 109.725 / 100 − 1 = 0.09725', () => expect(m.benchmarkReturn).to.be.closeTo(0.09725, TOL));
    it('has no beta, alpha or correlation against a flat benchmark', () => {
      const flat = metricsOf({ benchmark: f64([50, 50, 50, 50, 50]) });
      expect([flat.beta, flat.alpha, flat.benchmarkCorrelation, flat.benchmarkReturn]).to.deep.equal([null, null, null, 0]);
    });
    it('has none of them without a benchmark', () => {
      const none = metricsOf();
      expect([none.beta, none.alpha, none.benchmarkCorrelation, none.benchmarkReturn]).to.deep.equal([null, null, null, null]);
    });
  });

  describe('normal distribution functions', () => {
    // Reference values: standard normal tables to 16 digits (R pnorm/qnorm, scipy.stats.norm).
    const cdf: readonly [number, number, number][] = [
      [0, 0.5, 0],
      [1, 0.8413447460685429, 1e-15],
      [-1, 0.15865525393145707, 1e-15],
      [1.96, 0.9750021048517795, 1e-15],
      [-1.96, 0.024997895148220435, 1e-15],
      [3, 0.9986501019683699, 1e-15],
      [-3, 0.0013498980316300933, 1e-16],
      [-5, 2.866515718791933e-7, 1e-16],
      [-10, 7.61985302416047e-24, 1e-31],
    ];
    for (const [x, p, tol] of cdf) it(`Φ(${x}) = ${p}`, () => expect(normalCdf(x)).to.be.closeTo(p, tol));
    it('is symmetric: Φ(x) + Φ(−x) = 1', () => {
      for (const x of [0.1, 0.7, 1.5, 2.5, 4, 6.9, 7.2]) expect(normalCdf(x) + normalCdf(-x)).to.be.closeTo(1, 1e-15);
    });
    it('is 0 and 1 far in the tails, and refuses NaN', () => {
      expect(normalCdf(-40)).to.equal(0);
      expect(normalCdf(40)).to.equal(1);
      expect(() => normalCdf(NaN)).to.throw(RangeError);
    });
    const quantiles: readonly [number, number, number][] = [
      [0.5, 0, 0],
      [0.975, 1.959963984540054, 1e-14],
      [0.95, 1.6448536269514722, 1e-14],
      [0.05, -1.6448536269514722, 1e-14],
      [0.99, 2.3263478740408408, 1e-14],
      [0.001, -3.090232306167813, 1e-14], // second branch of AS 241 (r ≤ 5)
      [1e-10, -6.361340902404056, 1e-13],
      [1e-20, -9.262340089798408, 1e-13], // third branch (r > 5)
      [1e-300, -37.0470962993612, 1e-12],
    ];
    for (const [p, x, tol] of quantiles) it(`Φ⁻¹(${p}) = ${x}`, () => expect(inverseNormalCdf(p)).to.be.closeTo(x, tol));
    it('inverts Φ: Φ(Φ⁻¹(p)) = p across (0, 1)', () => {
      for (const p of [1e-12, 1e-6, 0.01, 0.074, 0.076, 0.3, 0.5, 0.8, 0.924, 0.926, 0.999, 1 - 1e-9]) {
        expect(normalCdf(inverseNormalCdf(p))).to.be.closeTo(p, Math.max(1e-15, p * 1e-12));
      }
    });
    it('refuses p outside (0, 1), where the answer would be infinite', () => {
      for (const p of [0, 1, -0.1, 1.1, NaN]) expect(() => inverseNormalCdf(p)).to.throw(RangeError);
    });
  });

  describe('deflated Sharpe ratio', () => {
    // Bailey & López de Prado (2014), numerical example: N = 100 trials, variance of their annualised Sharpe 0.5,
    // five years of daily returns (T = 1250, 250 a year), annualised SR 2.5, skew −3, kurtosis 10 → DSR ≈ 0.9004.
    // Per day: V = 0.5 / 250 = 0.002, SR^ = 2.5 / sqrt(250) = 0.158114.
    // SR₀ = sqrt(0.002) × ((1 − 0.577216) × Φ⁻¹(0.99) + 0.577216 × Φ⁻¹(1 − 1/(100e)))
    //     = 0.0447214 × (0.422784 × 2.326348 + 0.577216 × 2.680210) = 0.0447214 × 2.530609 = 0.113172 (1.7894 annualised)
    // spread = 1 − (−3)(0.158114) + (10 − 1)/4 × 0.158114² = 1 + 0.474342 + 0.05625 = 1.530592, sqrt = 1.237171
    // z = (0.158114 − 0.113172) × sqrt(1249) / 1.237171 = 0.044942 × 35.341194 / 1.237171 = 1.283816; Φ(z) = 0.900397
    const paper = { sharpe: 2.5 / Math.sqrt(250), observations: 1250, skew: -3, excessKurtosis: 7 };
    it('expected maximum Sharpe of 100 trials with variance 0.002 = 0.113172', () =>
      expect(expectedMaxSharpe(100, 0.5 / 250)).to.be.closeTo(0.11317200186513214, 1e-10));
    it("reproduces the paper's example: DSR = 0.9004", () => {
      const dsr = deflatedSharpe(paper, 100, 0.5 / 250);
      expect(dsr).to.be.closeTo(0.9003968344493903, 1e-9);
      expect(dsr!.toFixed(4)).to.equal('0.9004');
    });
    it('is the PSR against SR₀: Φ((SR^ − SR*) sqrt(T − 1) / sqrt(spread))', () =>
      expect(probabilisticSharpe(paper, 0.11317200186513214)).to.be.closeTo(0.9003968344493903, 1e-9));
    it('does not deflate for a single trial or trials that all had the same Sharpe: SR₀ = 0', () => {
      expect(expectedMaxSharpe(1, 0.002)).to.equal(0);
      expect(expectedMaxSharpe(100, 0)).to.equal(0);
    });
    it('refuses a trial count below 1 or a negative variance', () => {
      expect(() => expectedMaxSharpe(0, 0.1)).to.throw(RangeError);
      expect(() => expectedMaxSharpe(2.5, 0.1)).to.throw(RangeError);
      expect(() => expectedMaxSharpe(10, -1)).to.throw(RangeError);
    });
    it('has no value when the variance term is not positive (skew 3, SR 1: 1 − 3 + 0.5 < 0)', () =>
      expect(probabilisticSharpe({ sharpe: 1, observations: 100, skew: 3, excessKurtosis: 0 }, 0)).to.equal(null));
    // The running example: SR^ = 0.5, T = 4, skew −2/√3 = −1.154701, kurtosis 7/3.
    // spread = 1 + 1.154701 × 0.5 + (7/3 − 1)/4 × 0.25 = 1 + 0.577350 + 0.083333 = 1.660684, sqrt = 1.288675
    // PSR(0) = Φ(0.5 × sqrt(3) / 1.288675) = Φ(0.672028) = 0.749217
    // 10 trials, annualised Sharpe variance 0.4, 4 bars a year → per bar V = 0.1:
    // SR₀ = sqrt(0.1) × (0.422784 × Φ⁻¹(0.9) + 0.577216 × Φ⁻¹(1 − 1/(10e))) = 0.316228 × (0.422784 × 1.281552 + 0.577216 × 1.789242)
    //     = 0.316228 × 1.574604 = 0.497932 (annualised × 2 = 0.995863)
    // DSR = Φ((0.5 − 0.497932) × sqrt(3) / 1.288675) = Φ(0.002780) = 0.501109
    it('from computeMetrics: PSR 0.749217, SR₀ 0.995863 annualised, DSR 0.501109 on the running example', () => {
      const m = metricsOf({ trials: { count: 10, annualisedSharpeVariance: 0.4 } });
      expect(m.probabilisticSharpe).to.be.closeTo(0.7492169731438867, 1e-9);
      expect(m.expectedMaxSharpe).to.be.closeTo(0.9958634064169487, 1e-9);
      expect(m.deflatedSharpe).to.be.closeTo(0.5011090204215018, 1e-9);
    });
    it('has no DSR without the trials', () => {
      const m = metricsOf();
      expect(m.deflatedSharpe).to.equal(null);
      expect(m.expectedMaxSharpe).to.equal(null);
    });
    it("takes the trials' Sharpe variance as a sample variance, nulls skipped: 1, 2, 3, 6 → (4 + 1 + 0 + 9) / 3", () => {
      expect(trialSharpeVariance([1, 2, null, 3, 6])).to.be.closeTo(14 / 3, TOL);
      expect(trialSharpeVariance([null, 1])).to.equal(null);
    });
  });

  describe('degenerate cases: null, never NaN or Infinity', () => {
    it('no trades: counts and sums are 0, exposure 0, every per-trade ratio null', () => {
      const m = metricsOf();
      expect([m.tradeCount, m.winCount, m.lossCount, m.grossProfit, m.grossLoss, m.totalFees]).to.deep.equal([0, 0, 0, 0, 0, 0]);
      expect([m.exposure, m.longestWinStreak, m.longestLossStreak]).to.deep.equal([0, 0, 0]);
      for (const v of [m.winRate, m.profitFactor, m.averageWin, m.averageLoss, m.expectancy, m.payoffRatio]) expect(v).to.equal(null);
      for (const v of [m.averageHoldingBars, m.averageHoldingMs, m.bestTradePnl, m.worstTradePnl, m.bestTradeReturn, m.worstTradeReturn]) {
        expect(v).to.equal(null);
      }
      expectAllFinite(m);
    });
    it('all wins: win rate 1, no profit factor, average loss or payoff ratio (nothing was lost)', () => {
      const m = metricsOf({ trades: [trade(10, 0.01, 1, 0), trade(20, 0.02, 1, 1)] });
      expect(m.winRate).to.equal(1);
      expect([m.profitFactor, m.averageLoss, m.payoffRatio]).to.deep.equal([null, null, null]);
      expect(m.averageWin).to.equal(15);
      expect([m.longestWinStreak, m.longestLossStreak]).to.deep.equal([2, 0]);
      expectAllFinite(m);
    });
    it('all losses: win rate 0, profit factor 0 / 30 = 0, no average win or payoff ratio', () => {
      const m = metricsOf({ trades: [trade(-10, -0.01, 1, 0), trade(-20, -0.02, 1, 1)] });
      expect(m.winRate).to.equal(0);
      expect(m.profitFactor).to.equal(0);
      expect([m.averageWin, m.payoffRatio]).to.deep.equal([null, null]);
      expect(m.averageLoss).to.equal(-15);
      expect(m.expectancy).to.equal(-15);
      expectAllFinite(m);
    });
    it('flat equity: 0 return, volatility and drawdown; no Sharpe, Sortino, moments, tail ratio, Calmar or recovery factor', () => {
      const m = metricsOf({ equity: f64([100, 100, 100, 100, 100]), trials: { count: 10, annualisedSharpeVariance: 0.4 } });
      expect([m.totalReturn, m.cagr, m.annualVolatility, m.maxDrawdown, m.ulcerIndex, m.var95, m.cvar95]).to.deep.equal([0, 0, 0, 0, 0, 0, 0]);
      expect([m.maxDrawdownDurationBars, m.longestDrawdownBars]).to.deep.equal([0, 0]);
      for (const v of [m.sharpe, m.sortino, m.skew, m.excessKurtosis, m.tailRatio, m.calmar, m.recoveryFactor]) expect(v).to.equal(null);
      expect([m.probabilisticSharpe, m.deflatedSharpe]).to.deep.equal([null, null]);
      expectAllFinite(m);
    });
    it('constant growth (+10% every bar): volatility 0 up to rounding, so no Sharpe rather than 1e15', () => {
      const m = metricsOf({ equity: f64([100, 110, 121, 133.1, 146.41]) });
      expect(m.annualVolatility).to.be.closeTo(0, 1e-12);
      expect([m.sharpe, m.sortino, m.skew]).to.deep.equal([null, null, null]);
      expect(m.cagr).to.be.closeTo(0.4641, 1e-12); // 1.1⁴ − 1 over one year
      expectAllFinite(m);
    });
    it('one bar: total return 0, drawdown 0; nothing that needs a return (CAGR, volatility, Sharpe, VaR, months)', () => {
      const m = metricsOf({ equity: f64([100]), benchmark: f64([50]) });
      expect([m.bars, m.totalReturn, m.netProfit, m.maxDrawdown, m.ulcerIndex, m.exposure]).to.deep.equal([1, 0, 0, 0, 0, 0]);
      for (const v of [m.cagr, m.annualVolatility, m.sharpe, m.sortino, m.var95, m.cvar95, m.tailRatio, m.beta, m.alpha]) {
        expect(v).to.equal(null);
      }
      expect(m.monthlyReturns).to.deep.equal([]);
      expectAllFinite(m);
    });
    it('no bars at all: every curve metric is null', () => {
      const m = metricsOf({ equity: f64([]), openTime: f64([]) });
      for (const v of [m.totalReturn, m.netProfit, m.cagr, m.maxDrawdown, m.ulcerIndex, m.exposure, m.var95]) expect(v).to.equal(null);
      expectAllFinite(m);
    });
    it('an account wiped out: a return of −100%, then 0 while equity is at or below 0, CAGR −1', () => {
      const m = metricsOf({ equity: f64([100, 50, 0, -5, 0]) });
      expect(m.totalReturn).to.equal(-1);
      expect(m.cagr).to.equal(-1);
      expect(m.maxDrawdown).to.be.closeTo(1.05, TOL); // 1 − (−5) / 100
      expect(m.var95).to.be.closeTo(0.925, TOL); // returns −0.5, −1, 0, 0 → sorted −1, −0.5, 0, 0; −1 + 0.15 × 0.5 = −0.925
      expectAllFinite(m);
    });
    it('a first equity of 0: no fraction can be taken of it', () => {
      const m = metricsOf({ equity: f64([0, 10, 20]) });
      expect([m.totalReturn, m.cagr, m.maxDrawdown, m.ulcerIndex]).to.deep.equal([null, null, null, null]);
      expect(m.netProfit).to.equal(20);
      expectAllFinite(m);
    });
    it('a CAGR that overflows a double (×10,000 in two hours, 8,760 bars a year) is null', () => {
      const m = metricsOf({ equity: f64([100, 10_000, 1_000_000]) }, { periodsPerYear: 8760 });
      expect(m.cagr).to.equal(null);
      expect(m.totalReturn).to.equal(9999);
      expectAllFinite(m);
    });
    it('stores only finite numbers: nulls are dropped, not written as NaN', () => {
      const stored = toStoredMetrics(metricsOf());
      expect(stored).to.not.have.property('profitFactor');
      expect(stored).to.not.have.property('beta');
      expect(stored['sharpe']).to.be.closeTo(1, TOL);
      expect(stored['tradeCount']).to.equal(0);
      expect(stored['bars']).to.equal(5);
    });
  });

  describe('malformed input is refused (a bug upstream, not a degenerate backtest)', () => {
    it('equity and open times of different lengths', () => expect(() => metricsOf({ openTime: days(4) })).to.throw(RangeError, /openTime/));
    it('a benchmark of another length', () => expect(() => metricsOf({ benchmark: f64([1, 2]) })).to.throw(RangeError, /benchmark/));
    it('a NaN or infinite equity', () => {
      expect(() => metricsOf({ equity: f64([100, NaN, 100]) })).to.throw(RangeError, /equity\[1\]/);
      expect(() => metricsOf({ equity: f64([100, Infinity, 100]) })).to.throw(RangeError);
    });
    it('open times out of order', () => expect(() => metricsOf({ openTime: f64([0, 2, 1, 3, 4].map((d) => d * DAY)) })).to.throw(RangeError, /ascending/));
    it('a trade with a NaN pnl or an exit before its entry', () => {
      expect(() => metricsOf({ trades: [trade(NaN, 0, 1, 0)] })).to.throw(RangeError, /pnl/);
      expect(() => metricsOf({ trades: [{ ...trade(1, 0, 1, 2), exitTime: JAN_1_2024 }] })).to.throw(RangeError, /exits/);
    });
    it('a trial count that is not a positive integer', () =>
      expect(() => metricsOf({ trials: { count: 0, annualisedSharpeVariance: 1 } })).to.throw(RangeError));
  });
});
