// The paper evaluation criteria (domain/performance/paper-evaluation.ts), each case worked by hand.
// Standard error of an annualised Sharpe of 2 over 7 daily returns: daily Sharpe 2 / sqrt(365) = 0.1046848;
// sqrt((1 + 0.1046848² / 2) / 7) = sqrt(1.0054795 / 7) = 0.3789987; × sqrt(365) = 7.24076. Threshold with z = 1.645:
// 2 − 1.645 × 7.24076 = −9.91105.
import { expect } from 'chai';
import { evaluatePaper, PAPER_CRITERIA, rejectionSummary, sharpeStandardError } from '../../domain/performance/paper-evaluation.js';
import type { RecordStats } from '../../domain/performance/record.js';
import type { BacktestResult } from '../../domain/strategy/events.js';

const DAY = 86_400_000;
const period = { start: Date.UTC(2022, 2, 1, 3), end: Date.UTC(2022, 2, 8, 3) }; // 7 days
const paper = (p: Partial<RecordStats> = {}): RecordStats => ({ days: 7, sharpe: 1, totalReturn: 0.01, maxDrawdown: 0.05, trades: 3, daysInMarket: 2, ...p });
const backtest = (metrics: Record<string, number> = {}, oos: Record<string, number> | null = { sharpe: 2, maxDrawdown: 0.03, tradeCount: 20 }) =>
  ({
    metrics: { sharpe: 3, maxDrawdown: 0.04, tradeCount: 100, ...metrics },
    window: { start: '2021-01-01T00:00:00.000Z', end: '2021-12-01T00:00:00.000Z' },
    timeframe: '1h',
    symbols: ['BTCUSDT'],
    dataFingerprint: 'sha256:x',
    engineVersion: 'test',
    ...(oos === null
      ? {}
      : { outOfSampleMetrics: oos, outOfSampleWindow: { start: '2021-12-01T00:00:00.000Z', end: new Date(Date.UTC(2021, 11, 1) + 100 * DAY).toISOString() } }),
  }) as unknown as BacktestResult;
const failed = (reasons: readonly string[]) => reasons.filter((r) => r.startsWith('failed'));

describe('paper evaluation criteria', () => {
  it('the standard error of an annualised Sharpe of 2 over 7 days is 7.24076', () => {
    expect(sharpeStandardError(2, 7)).to.be.closeTo(7.24076, 1e-5);
    // Zero Sharpe: sqrt(365 / n); 14 days: 5.10602.
    expect(sharpeStandardError(0, 14)).to.be.closeTo(Math.sqrt(365 / 14), 1e-12);
  });

  it('given figures within every criterion: eligible, with the thresholds stated', () => {
    const e = evaluatePaper({ paper: paper(), backtest: backtest(), period });
    expect(e.outcome).to.equal('eligible');
    expect(failed(e.reasons)).to.deep.equal([]);
    // The deepest backtested drawdown is the in-sample 4%: at most 8%.
    expect(e.thresholds['maxDrawdown']).to.be.closeTo(0.08, 1e-15);
    expect(e.thresholds['minSharpe']).to.be.closeTo(-9.91105, 1e-5);
    expect(e.thresholds['minTotalReturn']).to.equal(PAPER_CRITERIA.minTotalReturn);
    // 20 out-of-sample trades over 100 days: 1.4 over 7 days.
    expect(e.thresholds['expectedTrades']).to.be.closeTo(1.4, 1e-12);
    expect(e.backtest).to.deep.equal({ sharpe: 2, maxDrawdown: 0.04, tradeCount: 20, windowDays: 100 });
    expect(e.paper).to.deep.equal({ sharpe: 1, totalReturn: 0.01, maxDrawdown: 0.05, trades: 3, days: 7, daysInMarket: 2 });
    expect(e.period).to.deep.equal({ start: '2022-03-01T03:00:00.000Z', end: '2022-03-08T03:00:00.000Z' });
  });

  it('given a drawdown of 9% against 2 × 4%: rejected on the drawdown, naming the numbers', () => {
    const e = evaluatePaper({ paper: paper({ maxDrawdown: 0.09 }), backtest: backtest(), period });
    expect(e.outcome).to.equal('rejected');
    expect(failed(e.reasons)).to.deep.equal(['failed: drawdown 9% vs at most 2 × backtested 4% = 8%']);
    expect(rejectionSummary(e)).to.equal('paper trading 2022-03-01 – 2022-03-08 rejected: failed: drawdown 9% vs at most 2 × backtested 4% = 8%');
  });

  it('given a backtest without drawdown: at most 10%', () => {
    const e = evaluatePaper({ paper: paper({ maxDrawdown: 0.09 }), backtest: backtest({ maxDrawdown: 0 }, { sharpe: 2, tradeCount: 20 }), period });
    expect(e.outcome).to.equal('eligible');
    expect(e.thresholds['maxDrawdown']).to.equal(0.1);
    expect(
      evaluatePaper({ paper: paper({ maxDrawdown: 0.11 }), backtest: backtest({ maxDrawdown: 0 }, { sharpe: 2, tradeCount: 20 }), period }).outcome,
    ).to.equal('rejected');
  });

  it('given a paper Sharpe of −9.9 and of −10 against the threshold −9.91105: the first passes, the second fails', () => {
    expect(evaluatePaper({ paper: paper({ sharpe: -9.9 }), backtest: backtest(), period }).outcome).to.equal('eligible');
    const e = evaluatePaper({ paper: paper({ sharpe: -10 }), backtest: backtest(), period });
    expect(failed(e.reasons)).to.deep.equal(['failed: Sharpe -10.00 vs at least out-of-sample 2.00 − 1.645 × standard error 7.24 over 7 days = -9.91']);
  });

  it('given no out-of-sample figures: the Sharpe is held against the backtest (3)', () => {
    const e = evaluatePaper({ paper: paper(), backtest: backtest({}, null), period });
    expect(e.thresholds['minSharpe']).to.be.closeTo(3 - 1.645 * sharpeStandardError(3, 7), 1e-12);
    expect(e.backtest['sharpe']).to.equal(3);
  });

  it('given a total return of −11%: rejected; −10% passes', () => {
    expect(failed(evaluatePaper({ paper: paper({ totalReturn: -0.11 }), backtest: backtest(), period }).reasons)).to.deep.equal([
      'failed: total return -11% vs at least -10%',
    ]);
    expect(evaluatePaper({ paper: paper({ totalReturn: -0.1 }), backtest: backtest(), period }).outcome).to.equal('eligible');
  });

  it('given no trade: consistent when the backtest expected 1.4, rejected when it expected 7', () => {
    const idle = paper({ trades: 0, daysInMarket: 0, sharpe: null, maxDrawdown: 0, totalReturn: 0 });
    const few = evaluatePaper({ paper: idle, backtest: backtest(), period });
    expect(few.outcome).to.equal('eligible');
    expect(few.reasons.some((r) => r.includes('expected only 1.40'))).to.equal(true);
    expect(few.paper['sharpe']).to.equal(undefined);
    const many = evaluatePaper({ paper: idle, backtest: backtest({}, { sharpe: 2, maxDrawdown: 0.03, tradeCount: 100 }), period });
    expect(many.outcome).to.equal('rejected');
    expect(failed(many.reasons)).to.deep.equal(["failed: activity: no trade where the backtest's rate expected 7.00 over 7.00 days (at least 3)"]);
  });
});
