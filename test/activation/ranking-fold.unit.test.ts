// The ranking fold's handling of the desk's live accounts: the n-th activation trades on live-<id>-<n>, a new
// account starts a new live record (and a new paper base), an account's final day is a day like any, and kill switches
// stay with the account they were on.
import { expect } from 'chai';
import { emptyRanking, foldPerformanceEvent, foldRiskEvent, foldStrategyEvent, liveAccountName, liveAccountStrategy } from '../../projections/ranking/fold.js';
import type { PerformanceEvent } from '../../domain/performance/events.js';
import type { RiskEvent } from '../../domain/risk/events.js';
import type { StrategyEvent } from '../../domain/strategy/events.js';

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const AT = '2026-03-01T00:00:00.000Z';
const day = (mode: 'paper' | 'live', account: string, d: string, equity: number, dayReturn: number): PerformanceEvent =>
  ({
    type: 'TradingDayClosed',
    data: { strategyId: ID, mode, account, day: d, initialCapital: 1000, equity, dayReturn, trades: 1, tradesTotal: 1, position: 0, at: 0 },
  }) as unknown as PerformanceEvent;
const kill = (account: string, engaged: boolean): RiskEvent =>
  ({ type: engaged ? 'KillSwitchEngaged' : 'KillSwitchReleased', data: { account, trigger: 'manual' } }) as unknown as RiskEvent;
const activated = { type: 'StrategyActivated', data: { strategyId: ID, decidedBy: 'system:x', reason: 'r' } } as unknown as StrategyEvent;

describe('ranking fold: live accounts', () => {
  it('names the accounts as the desk does and finds the strategy in each', () => {
    expect(liveAccountName(ID, 1)).to.equal(`live-${ID}`);
    expect(liveAccountName(ID, 3)).to.equal(`live-${ID}-3`);
    expect(liveAccountStrategy(kill(`live-${ID}-3`, true))).to.equal(ID);
    expect(liveAccountStrategy(kill(`live-${ID}`, true))).to.equal(ID);
    expect(liveAccountStrategy(kill(`paper-${ID}`, true))).to.equal(undefined);
  });

  it('a second live account starts a new live record and a new paper base', () => {
    let s = emptyRanking(ID, AT);
    s = foldPerformanceEvent(s, day('paper', `paper-${ID}`, '2026-03-01', 1100, 0.1), AT);
    s = foldStrategyEvent(s, activated, AT);
    s = foldPerformanceEvent(s, day('live', `live-${ID}`, '2026-03-02', 700, -0.3), AT);
    expect(s.live).to.deep.include({ days: 1, maxDrawdown: 0.3, account: `live-${ID}` });
    expect(s.paperBaseEquity).to.equal(1100);
    s = foldPerformanceEvent(s, day('paper', `paper-${ID}`, '2026-03-02', 1210, 0.1), AT);
    s = foldStrategyEvent(s, activated, AT);
    s = foldPerformanceEvent(s, day('live', `live-${ID}-2`, '2026-03-05', 1010, 0.01), AT);
    expect(s.activations).to.equal(2);
    expect(s.live).to.deep.include({ days: 1, equity: 1010, maxDrawdown: 0, account: `live-${ID}-2` });
    expect(s.paperBaseEquity).to.equal(1210);
  });

  it('an account’s final day (partial, its exit at market) is folded as any day: it counts in days, returns and drawdown', () => {
    let s = emptyRanking(ID, AT);
    s = foldPerformanceEvent(s, day('paper', `paper-${ID}`, '2026-03-01', 1100, 0.1), AT);
    const final = day('paper', `paper-${ID}`, '2026-03-02', 1089, -0.01);
    s = foldPerformanceEvent(s, { ...final, data: { ...final.data, final: true } }, AT);
    // By hand: two days, Σr = 0.1 − 0.01, Σr² = 0.01 + 0.0001, drawdown (1100 − 1089) / 1100.
    expect(s.paper).to.deep.include({ days: 2, equity: 1089, peak: 1100, lastDay: '2026-03-02' });
    expect(s.paper!.sumReturns).to.be.closeTo(0.09, 1e-15);
    expect(s.paper!.sumSquares).to.be.closeTo(0.0101, 1e-15);
    expect(s.paper!.maxDrawdown).to.be.closeTo(0.01, 1e-15);
  });

  it('keeps kill switches per account until released', () => {
    let s = emptyRanking(ID, AT);
    s = foldRiskEvent(s, kill(`live-${ID}`, true), AT);
    s = foldRiskEvent(s, kill(`live-${ID}-2`, true), AT);
    s = foldRiskEvent(s, kill(`live-${ID}`, false), AT);
    expect(s.killSwitch).to.deep.equal([`live-${ID}-2 manual`]);
  });
});
