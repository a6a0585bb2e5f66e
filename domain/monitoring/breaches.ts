// The monitor (doc/monitoring.md): when a live strategy must go, and when a strategy is retired for good. Pure —
// the ranking read model's figures and the `monitor.*` settings come in; each breach and each retirement names its
// rule, the figures it was judged on and the thresholds, so the audit can say why.
import { dailySharpe } from './sharpe.js';

export interface MonitorSettings {
  /** Live drawdown beyond this × the backtested max drawdown breaches. */
  readonly drawdownMultiple: number;
  /** Days of live returns the Sharpe-decay rule looks at; judged once the strategy has traded this many live. */
  readonly windowDays: number;
  /** A live Sharpe over the window below this breaches. */
  readonly minSharpe: number;
  /** |live total return − paper total return over the live period| above this breaches. */
  readonly maxPaperDivergence: number;
  /** Deactivations for a breach after which the strategy is retired. */
  readonly maxBreaches: number;
  /** paper.evaluationDays: a strategy still in paper after twice this with a negative Sharpe is retired. */
  readonly evaluationDays: number;
}

/** What the monitor reads of a strategy (a ranking row is one). */
export interface MonitoredStrategy {
  readonly strategyId: string;
  readonly state: string;
  readonly pinned: boolean;
  readonly backtest: { readonly maxDrawdown: number | null };
  readonly live: { readonly days: number; readonly maxDrawdown: number; readonly totalReturn: number; readonly recentReturns: readonly number[] } | null;
  readonly paper: { readonly days: number; readonly sharpe: number | null } | null;
  readonly paperReturnOverLive: number | null;
  readonly killSwitch: readonly string[];
  readonly breachDeactivations: number;
}

export type BreachRule = 'drawdown' | 'sharpe_decay' | 'paper_divergence' | 'kill_switch';

export type Figures = Readonly<Record<string, number | string>>;

export interface Breach {
  readonly strategyId: string;
  readonly rule: BreachRule;
  readonly figures: Figures;
  readonly thresholds: Readonly<Record<string, number>>;
  readonly message: string;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** Every limit a live strategy breaches now (none for a strategy that is not live). */
export const findBreaches = (s: MonitoredStrategy, settings: MonitorSettings): readonly Breach[] => {
  if (s.state !== 'Live') return [];
  const out: Breach[] = [];
  const id = s.strategyId;
  const live = s.live;
  const backtestDd = s.backtest.maxDrawdown;
  if (live !== null && backtestDd !== null) {
    const limit = settings.drawdownMultiple * Math.abs(backtestDd);
    if (live.maxDrawdown > limit)
      out.push({
        strategyId: id,
        rule: 'drawdown',
        figures: { liveMaxDrawdown: live.maxDrawdown, backtestMaxDrawdown: Math.abs(backtestDd) },
        thresholds: { drawdownMultiple: settings.drawdownMultiple, limit },
        message: `live drawdown ${pct(live.maxDrawdown)} is beyond ${settings.drawdownMultiple} × the backtested ${pct(Math.abs(backtestDd))} (${pct(limit)})`,
      });
  }
  if (live !== null && live.days >= settings.windowDays && live.recentReturns.length >= settings.windowDays) {
    const window = live.recentReturns.slice(-settings.windowDays);
    const sharpe = dailySharpe(window);
    // No variance: the window's mean says it (a steady loss decays, a steady gain does not).
    const mean = window.reduce((a, b) => a + b, 0) / window.length;
    const decayed = sharpe !== undefined ? sharpe < settings.minSharpe : mean < 0;
    if (decayed)
      out.push({
        strategyId: id,
        rule: 'sharpe_decay',
        figures: { ...(sharpe !== undefined ? { windowSharpe: sharpe } : { windowMeanReturn: mean }), windowDays: window.length },
        thresholds: { minSharpe: settings.minSharpe, windowDays: settings.windowDays },
        message:
          sharpe !== undefined
            ? `live Sharpe over the last ${window.length} days is ${sharpe.toFixed(3)}, below ${settings.minSharpe}`
            : `live returns over the last ${window.length} days are a steady loss (${pct(mean)} a day)`,
      });
  }
  if (live !== null && s.paperReturnOverLive !== null) {
    const divergence = Math.abs(live.totalReturn - s.paperReturnOverLive);
    if (divergence > settings.maxPaperDivergence)
      out.push({
        strategyId: id,
        rule: 'paper_divergence',
        figures: { liveTotalReturn: live.totalReturn, paperReturnOverLive: s.paperReturnOverLive, divergence },
        thresholds: { maxPaperDivergence: settings.maxPaperDivergence },
        message: `live return ${pct(live.totalReturn)} is ${pct(divergence)} from paper's ${pct(s.paperReturnOverLive)} over the same days (at most ${pct(settings.maxPaperDivergence)})`,
      });
  }
  if (s.killSwitch.length > 0)
    out.push({
      strategyId: id,
      rule: 'kill_switch',
      figures: { account: `live-${id}`, triggers: s.killSwitch.join(',') },
      thresholds: {},
      message: `the risk engine's kill switch is engaged on live-${id} (${s.killSwitch.join(', ')})`,
    });
  return out;
};

export type RetirementRule = 'repeated_breaches' | 'negative_paper_sharpe';

export interface Retirement {
  readonly strategyId: string;
  readonly rule: RetirementRule;
  readonly figures: Figures;
  readonly thresholds: Readonly<Record<string, number>>;
  readonly message: string;
}

/**
 * Whether a persistent underperformer is retired: deactivated for a breach maxBreaches times (counting
 * `breachesNow`, a deactivation for a breach being issued now), or still in paper after 2 × evaluationDays paper
 * days with a negative paper Sharpe. Pinned strategies and retired ones are left alone.
 */
export const findRetirement = (s: MonitoredStrategy, settings: MonitorSettings, breachesNow = 0): Retirement | undefined => {
  if (s.pinned || (s.state !== 'Paper' && s.state !== 'Live')) return undefined;
  const breaches = s.breachDeactivations + breachesNow;
  if (breaches >= settings.maxBreaches)
    return {
      strategyId: s.strategyId,
      rule: 'repeated_breaches',
      figures: { breachDeactivations: breaches },
      thresholds: { maxBreaches: settings.maxBreaches },
      message: `deactivated for a breach ${breaches} times (retired at ${settings.maxBreaches})`,
    };
  const paper = s.paper;
  const minDays = 2 * settings.evaluationDays;
  if (s.state === 'Paper' && paper !== null && paper.days >= minDays && paper.sharpe !== null && paper.sharpe < 0)
    return {
      strategyId: s.strategyId,
      rule: 'negative_paper_sharpe',
      figures: { paperSharpe: paper.sharpe, paperDays: paper.days },
      thresholds: { minPaperDays: minDays, minPaperSharpe: 0 },
      message: `paper Sharpe ${paper.sharpe.toFixed(3)} is negative after ${paper.days} paper days (judged from ${minDays})`,
    };
  return undefined;
};
