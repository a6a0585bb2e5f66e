// The monitor's rules with hand-made figures: given a live strategy's record, when the monitor looks, then exactly
// these breaches (rule, figures, thresholds); and the retirement of persistent underperformers.
import { expect } from 'chai';
import { findBreaches, findRetirement, type MonitoredStrategy, type MonitorSettings } from '../../domain/monitoring/breaches.js';

const ID = 'aaaaaaaa-0000-4000-8000-000000000001';
const SETTINGS: MonitorSettings = { drawdownMultiple: 2, windowDays: 7, minSharpe: 0, maxPaperDivergence: 0.05, maxBreaches: 2, evaluationDays: 7 };

/** A live strategy that breaches nothing: drawdown 5% against a backtested 10%, steady gains, live = paper. */
const healthy: MonitoredStrategy = {
  strategyId: ID,
  state: 'Live',
  pinned: false,
  backtest: { maxDrawdown: 0.1 },
  live: { days: 7, maxDrawdown: 0.05, totalReturn: 0.03, recentReturns: [0.01, 0.0, 0.005, -0.002, 0.01, 0.003, 0.004] },
  paper: { days: 20, sharpe: 1.2 },
  paperReturnOverLive: 0.03,
  killSwitch: [],
  breachDeactivations: 0,
};

const given = (over: Partial<MonitoredStrategy>, settings: MonitorSettings = SETTINGS) => ({
  breaches: () => findBreaches({ ...healthy, ...over }, settings),
  retirement: (breachesNow = 0) => findRetirement({ ...healthy, ...over }, settings, breachesNow),
});
const rules = (bs: readonly { rule: string }[]) => bs.map((b) => b.rule);

describe('monitor (domain/monitoring/breaches.ts)', () => {
  it('given a healthy live strategy, then no breach', () => {
    expect(given({}).breaches()).to.deep.equal([]);
  });

  it('given a live drawdown of 21% against a backtested 10% (× 2 = 20%), then a drawdown breach; 20% exactly is not beyond', () => {
    const [b, ...rest] = given({ live: { ...healthy.live!, maxDrawdown: 0.21 } }).breaches();
    expect(rest).to.deep.equal([]);
    expect(b!.rule).to.equal('drawdown');
    expect(b!.figures).to.deep.equal({ liveMaxDrawdown: 0.21, backtestMaxDrawdown: 0.1 });
    expect(b!.thresholds).to.deep.equal({ drawdownMultiple: 2, limit: 0.2 });
    expect(b!.message).to.contain('21.00%').and.contain('20.00%');
    expect(given({ live: { ...healthy.live!, maxDrawdown: 0.2 } }).breaches()).to.deep.equal([]);
  });

  it('given 7 live days alternating +1% / −2% (Sharpe −3.404 by hand), then a Sharpe-decay breach; with 6 days, not yet judged', () => {
    // mean −0.002857, sample sd 0.016036 → −0.17817 × √365 = −3.404
    const returns = [0.01, -0.02, 0.01, -0.02, 0.01, -0.02, 0.01];
    const bs = given({ live: { ...healthy.live!, days: 7, totalReturn: 0.03, recentReturns: returns } }).breaches();
    expect(rules(bs)).to.deep.equal(['sharpe_decay']);
    expect(bs[0]!.figures['windowSharpe']).to.be.closeTo(-3.404, 1e-3);
    expect(bs[0]!.thresholds).to.deep.equal({ minSharpe: 0, windowDays: 7 });
    expect(given({ live: { ...healthy.live!, days: 6, recentReturns: returns.slice(1) } }).breaches()).to.deep.equal([]);
  });

  it('looks only at the last windowDays returns: a bad first week then a good one does not breach', () => {
    const returns = [-0.05, -0.05, -0.05, 0.01, 0.0, 0.005, -0.002, 0.01, 0.003, 0.004];
    expect(given({ live: { ...healthy.live!, days: 10, recentReturns: returns } }).breaches()).to.deep.equal([]);
  });

  it('given live +2% while paper made +8% over the same days, then a divergence of 6% (> 5%) breaches; 4% does not', () => {
    const bs = given({ live: { ...healthy.live!, totalReturn: 0.02 }, paperReturnOverLive: 0.08 }).breaches();
    expect(rules(bs)).to.deep.equal(['paper_divergence']);
    expect(bs[0]!.figures['divergence']).to.be.closeTo(0.06, 1e-12);
    expect(bs[0]!.thresholds).to.deep.equal({ maxPaperDivergence: 0.05 });
    expect(given({ live: { ...healthy.live!, totalReturn: 0.02 }, paperReturnOverLive: 0.06 }).breaches()).to.deep.equal([]);
  });

  it("given the risk engine's kill switch engaged on live-<id>, then a kill-switch breach naming the account", () => {
    const bs = given({ killSwitch: ['max_drawdown'] }).breaches();
    expect(rules(bs)).to.deep.equal(['kill_switch']);
    expect(bs[0]!.figures).to.deep.equal({ account: `live-${ID}`, triggers: 'max_drawdown' });
  });

  it('names every rule breached at once, and none for a strategy that is not live', () => {
    const bad = {
      live: { days: 7, maxDrawdown: 0.3, totalReturn: -0.2, recentReturns: [-0.01, -0.03, -0.01, -0.03, -0.01, -0.03, -0.01] },
      killSwitch: ['manual'],
    };
    expect(rules(given(bad).breaches())).to.deep.equal(['drawdown', 'sharpe_decay', 'paper_divergence', 'kill_switch']);
    expect(given({ ...bad, state: 'Paper' }).breaches()).to.deep.equal([]);
  });

  it('obeys changed thresholds (monitor.drawdownMultiple 3: 21% is within 30%)', () => {
    expect(given({ live: { ...healthy.live!, maxDrawdown: 0.21 } }, { ...SETTINGS, drawdownMultiple: 3 }).breaches()).to.deep.equal([]);
  });

  describe('retirement', () => {
    it('given one earlier breach deactivation and one now (2 = monitor.maxBreaches), then retired; one alone is not', () => {
      expect(given({ breachDeactivations: 1 }).retirement(1)).to.deep.include({
        rule: 'repeated_breaches',
        figures: { breachDeactivations: 2 },
        thresholds: { maxBreaches: 2 },
      });
      expect(given({ breachDeactivations: 1 }).retirement(0)).to.equal(undefined);
      expect(given({ state: 'Paper', breachDeactivations: 2 }).retirement()).to.deep.include({ rule: 'repeated_breaches' });
    });

    it('given 14 paper days (2 × 7) with a Sharpe of −0.1, then retired; 13 days or a Sharpe of 0 are not', () => {
      expect(given({ state: 'Paper', paper: { days: 14, sharpe: -0.1 } }).retirement()).to.deep.include({
        rule: 'negative_paper_sharpe',
        figures: { paperSharpe: -0.1, paperDays: 14 },
        thresholds: { minPaperDays: 14, minPaperSharpe: 0 },
      });
      expect(given({ state: 'Paper', paper: { days: 13, sharpe: -0.1 } }).retirement()).to.equal(undefined);
      expect(given({ state: 'Paper', paper: { days: 14, sharpe: 0 } }).retirement()).to.equal(undefined);
    });

    it('never retires a pinned strategy or a retired one', () => {
      expect(given({ pinned: true, breachDeactivations: 5 }).retirement()).to.equal(undefined);
      expect(given({ state: 'Retired', breachDeactivations: 5 }).retirement()).to.equal(undefined);
    });
  });
});
