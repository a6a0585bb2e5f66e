// The paper verdict: after `paper.evaluationDays` full days of paper trading, is what the strategy did consistent with
// its backtest? Four stated criteria (PAPER_CRITERIA, doc/paper-trading.md), each with its figures and threshold;
// a strategy failing any one is rejected, every reason is kept.
//
// 1. Drawdown: the paper drawdown (daily equity) at most `drawdownMultiple` × the deepest backtested drawdown (in- or
//    out-of-sample), or `drawdownWithoutBacktest` when the backtest recorded none.
// 2. Sharpe: the paper Sharpe at least the backtest's (out-of-sample when present) minus `sharpeZ` standard errors.
//    Under the hypothesis "paper has the backtest's Sharpe SR", the annualised Sharpe measured over n daily returns has
//    a standard error of about sqrt((1 + SR_d²/2) / n) · sqrt(365), SR_d = SR / sqrt(365) the daily Sharpe (Lo 2002).
//    sharpeZ = 1.645 is a one-sided test at 5%. Honestly: over 7 days the error is about 7.2, so this criterion only
//    catches a collapse; it tightens as the period grows (14 days: about 5.1).
// 3. Total return over the period at least `minTotalReturn`.
// 4. Activity: a strategy that traded in its backtest at a rate giving at least `minExpectedTrades` trades over the
//    period must have traded (a closed trade or a position held at a day's close). Zero trades where fewer were expected
//    is consistent (P(0) = e^−λ is large) and is said so, not rejected.
import type { BacktestResult, PaperEvaluation } from '../strategy/events.js';
import { DAYS_PER_YEAR, DAY_MS, type RecordStats } from './record.js';

export const PAPER_CRITERIA = {
  /** Paper drawdown ≤ this × the deepest backtested drawdown. */
  drawdownMultiple: 2,
  /** …or ≤ this when the backtest recorded no drawdown. */
  drawdownWithoutBacktest: 0.1,
  /** Paper Sharpe ≥ backtest Sharpe − this × its standard error over the period (one-sided 5%). */
  sharpeZ: 1.645,
  /** Total return over the period ≥ this. */
  minTotalReturn: -0.1,
  /** Zero trades are a rejection only when the backtest's trade rate expected at least this many. */
  minExpectedTrades: 3,
} as const;

export type PaperCriteria = { readonly [K in keyof typeof PAPER_CRITERIA]: number };

export interface PaperEvaluationInput {
  /** The paper account's figures over the period (recordStats of its days). */
  readonly paper: RecordStats;
  readonly backtest: BacktestResult;
  /** From the paper start to the close of the last day judged (epoch ms). */
  readonly period: { readonly start: number; readonly end: number };
  readonly criteria?: PaperCriteria;
}

/** Standard error of an annualised Sharpe estimated from n daily returns when the true annualised Sharpe is `sharpe`. */
export const sharpeStandardError = (sharpe: number, n: number): number => {
  const daily = sharpe / Math.sqrt(DAYS_PER_YEAR);
  return Math.sqrt((1 + (daily * daily) / 2) / n) * Math.sqrt(DAYS_PER_YEAR);
};

const finite = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const pct = (x: number) => `${x === 0 ? '0' : Number((x * 100).toPrecision(3)).toString()}%`;
const num = (x: number) => x.toFixed(2);
const windowDays = (w: { start: string; end: string } | undefined): number | undefined =>
  w === undefined ? undefined : (Date.parse(w.end) - Date.parse(w.start)) / DAY_MS;

export const evaluatePaper = (input: PaperEvaluationInput): PaperEvaluation => {
  const c = input.criteria ?? PAPER_CRITERIA;
  const { paper, backtest, period } = input;
  const reasons: string[] = [];
  const failed: string[] = [];
  const check = (ok: boolean, text: string) => (ok ? reasons : failed).push(`${ok ? 'passed' : 'failed'}: ${text}`);
  const oos = backtest.outOfSampleMetrics;
  const whole = backtest.metrics;

  // 1. Drawdown.
  const dds = [finite(whole['maxDrawdown']), finite(oos?.['maxDrawdown'])].filter((x): x is number => x !== undefined);
  const btDrawdown = dds.length === 0 ? 0 : Math.max(...dds);
  const maxDrawdown = btDrawdown > 0 ? c.drawdownMultiple * btDrawdown : c.drawdownWithoutBacktest;
  check(
    paper.maxDrawdown <= maxDrawdown,
    btDrawdown > 0
      ? `drawdown ${pct(paper.maxDrawdown)} vs at most ${c.drawdownMultiple} × backtested ${pct(btDrawdown)} = ${pct(maxDrawdown)}`
      : `drawdown ${pct(paper.maxDrawdown)} vs at most ${pct(maxDrawdown)} (the backtest recorded no drawdown)`,
  );

  // 2. Sharpe, against the out-of-sample figure when there is one (the part the filter did not fit on).
  const btSharpe = finite(oos?.['sharpe']) ?? finite(whole['sharpe']);
  const sharpeSource = finite(oos?.['sharpe']) !== undefined ? 'out-of-sample' : 'backtest';
  let standardError: number | undefined;
  let minSharpe: number | undefined;
  if (btSharpe === undefined) reasons.push('not judged: Sharpe (the backtest recorded none)');
  else if (paper.days < 2) reasons.push(`not judged: Sharpe (${paper.days} day(s): no dispersion to measure)`);
  else {
    standardError = sharpeStandardError(btSharpe, paper.days);
    minSharpe = btSharpe - c.sharpeZ * standardError;
    if (paper.sharpe === null) reasons.push(`not judged: Sharpe (the paper days did not vary: no trade moved the equity; the threshold was ${num(minSharpe)})`);
    else
      check(
        paper.sharpe >= minSharpe,
        `Sharpe ${num(paper.sharpe)} vs at least ${sharpeSource} ${num(btSharpe)} − ${c.sharpeZ} × standard error ${num(standardError)} over ${paper.days} days = ${num(minSharpe)}`,
      );
  }

  // 3. Total return.
  check(paper.totalReturn >= c.minTotalReturn, `total return ${pct(paper.totalReturn)} vs at least ${pct(c.minTotalReturn)}`);

  // 4. Activity, at the backtest's trade rate over the same source window.
  const rateSource =
    finite(oos?.['tradeCount']) !== undefined && windowDays(backtest.outOfSampleWindow) !== undefined
      ? { trades: finite(oos?.['tradeCount'])!, days: windowDays(backtest.outOfSampleWindow)! }
      : finite(whole['tradeCount']) !== undefined
        ? { trades: finite(whole['tradeCount'])!, days: windowDays(backtest.inSampleWindow ?? backtest.window)! }
        : undefined;
  const periodDays = (period.end - period.start) / DAY_MS;
  const expectedTrades = rateSource === undefined || !(rateSource.days > 0) ? undefined : (rateSource.trades / rateSource.days) * periodDays;
  const active = paper.trades > 0 || paper.daysInMarket > 0;
  if (active) reasons.push(`passed: activity (${paper.trades} trade(s) closed, ${paper.daysInMarket} day(s) ending in a position)`);
  else if (expectedTrades === undefined) reasons.push('not judged: activity (no trade; the backtest recorded no trade rate)');
  else
    check(
      expectedTrades < c.minExpectedTrades,
      expectedTrades < c.minExpectedTrades
        ? `activity: no trade, but the backtest's rate expected only ${num(expectedTrades)} over ${num(periodDays)} days (under ${c.minExpectedTrades}: zero is likely)`
        : `activity: no trade where the backtest's rate expected ${num(expectedTrades)} over ${num(periodDays)} days (at least ${c.minExpectedTrades})`,
    );

  const figures = (r: Record<string, number | null | undefined>) =>
    Object.fromEntries(Object.entries(r).filter((e): e is [string, number] => finite(e[1]) !== undefined)) as PaperEvaluation['paper'];
  return {
    outcome: failed.length === 0 ? 'eligible' : 'rejected',
    reasons: [...failed, ...reasons],
    paper: figures({
      sharpe: paper.sharpe,
      totalReturn: paper.totalReturn,
      maxDrawdown: paper.maxDrawdown,
      trades: paper.trades,
      days: paper.days,
      daysInMarket: paper.daysInMarket,
    }),
    backtest: figures({ sharpe: btSharpe, maxDrawdown: btDrawdown, tradeCount: rateSource?.trades, windowDays: rateSource?.days }),
    thresholds: figures({
      maxDrawdown,
      drawdownMultiple: c.drawdownMultiple,
      drawdownWithoutBacktest: c.drawdownWithoutBacktest,
      minSharpe,
      sharpeStandardError: standardError,
      sharpeZ: c.sharpeZ,
      minTotalReturn: c.minTotalReturn,
      expectedTrades,
      minExpectedTrades: c.minExpectedTrades,
    }),
    period: { start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString() } as PaperEvaluation['period'],
  };
};

/** One line naming the numbers of a rejection (the reason of the retirement that follows it). */
export const rejectionSummary = (e: PaperEvaluation): string =>
  `paper trading ${e.period.start.slice(0, 10)} – ${e.period.end.slice(0, 10)} rejected: ${e.reasons.filter((r) => r.startsWith('failed')).join('; ')}`;
