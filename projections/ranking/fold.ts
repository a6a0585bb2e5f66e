// The ranking read model's fold, pure: one strategy's row as its strategy events, its TradingDayClosed days and its
// live account's kill switch leave it. The projection (projection.ts) reads the rows a batch touches, folds the
// batch here in log order and writes them back.
import type { RiskEvent } from '../../domain/risk/events.js';
import type { PerformanceEvent } from '../../domain/performance/events.js';
import type { StrategyEvent } from '../../domain/strategy/events.js';

/** Days of returns each mode keeps for the monitor's window Sharpe (monitor.windowDays is at most this). */
export const RECENT_DAYS = 60;

export interface RecentDay {
  readonly day: string;
  readonly r: number;
  readonly equity: number;
}

/** One mode's (paper or live) trading record, folded day by day. */
export interface ModeFold {
  /** The account traded: a new live account (a new activation) starts a new record. */
  readonly account: string;
  readonly days: number;
  readonly initialCapital: number;
  readonly equity: number;
  readonly peak: number;
  /** Largest fall from a peak of equity (the initial capital counts as one), a fraction ≥ 0. */
  readonly maxDrawdown: number;
  readonly sumReturns: number;
  readonly sumSquares: number;
  readonly trades: number;
  readonly lastDay: string;
  readonly recent: readonly RecentDay[];
}

export interface LastChange {
  readonly action: 'activated' | 'deactivated';
  /** When the decision was taken (its decidedAt), else when it was recorded; epoch ms. */
  readonly at: number;
  readonly decidedBy: string;
  readonly reason: string;
  readonly decision?: unknown;
}

export interface RankingState {
  readonly strategyId: string;
  readonly state: string | null;
  readonly ranked: boolean;
  readonly pinned: boolean;
  readonly evaluation: string | null;
  readonly backtestSharpe: number | null;
  readonly backtestOosSharpe: number | null;
  readonly backtestMaxDrawdown: number | null;
  readonly regime: string | null;
  readonly paper: ModeFold | null;
  readonly live: ModeFold | null;
  readonly paperBaseEquity: number | null;
  /** The kill switches engaged on its live accounts and not released, as `<account> <trigger>`. */
  readonly killSwitch: readonly string[];
  /** How many times it was activated: the n-th activation trades on `live-<id>` (n = 1) or `live-<id>-<n>`. */
  readonly activations: number;
  readonly breachDeactivations: number;
  readonly lastChange: LastChange | null;
  readonly stateEnteredAt: string | null;
  readonly updatedAt: string;
}

export const emptyRanking = (strategyId: string, at: string): RankingState => ({
  strategyId,
  state: null,
  ranked: false,
  pinned: false,
  evaluation: null,
  backtestSharpe: null,
  backtestOosSharpe: null,
  backtestMaxDrawdown: null,
  regime: null,
  paper: null,
  live: null,
  paperBaseEquity: null,
  killSwitch: [],
  activations: 0,
  breachDeactivations: 0,
  lastChange: null,
  stateEnteredAt: null,
  updatedAt: at,
});

/** The desk's live accounts: `live-<strategyId>` for the first activation, `live-<strategyId>-<n>` for the n-th. */
const LIVE_ACCOUNT = /^live-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:-(\d+))?$/i;

/** The live account the n-th activation trades on (as application/pipeline/trading-desk.ts names it). */
export const liveAccountName = (strategyId: string, n: number): string => (n <= 1 ? `live-${strategyId}` : `live-${strategyId}-${n}`);

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

const foldDay = (prev: ModeFold | null, d: PerformanceEvent['data']): ModeFold => {
  // Another account (a later activation's live account) is a new record.
  const m = prev !== null && prev.account === d.account ? prev : null;
  const initialCapital = m?.initialCapital ?? d.initialCapital;
  const peak = Math.max(m?.peak ?? initialCapital, d.equity);
  const drawdown = peak > 0 ? (peak - d.equity) / peak : 0;
  const recent = [...(m?.recent ?? []), { day: d.day, r: d.dayReturn, equity: d.equity }].slice(-RECENT_DAYS);
  return {
    account: d.account,
    days: (m?.days ?? 0) + 1,
    initialCapital,
    equity: d.equity,
    peak,
    maxDrawdown: Math.max(m?.maxDrawdown ?? 0, drawdown),
    sumReturns: (m?.sumReturns ?? 0) + d.dayReturn,
    sumSquares: (m?.sumSquares ?? 0) + d.dayReturn * d.dayReturn,
    trades: d.tradesTotal,
    lastDay: d.day,
    recent,
  };
};

/** Paper equity at the close of the last paper day before `day` (the initial capital when there is none). */
const paperEquityBefore = (paper: ModeFold | null, day: string): number | null => {
  if (paper === null) return null;
  const before = paper.recent.filter((r) => r.day < day);
  return before.length > 0 ? before[before.length - 1]!.equity : paper.initialCapital;
};

const ENTERS: Partial<Record<StrategyEvent['type'], string>> = {
  StrategyGenerated: 'Generated',
  StrategyBacktested: 'Backtested',
  StrategyFiltered: 'Filtered',
  PaperTradingStarted: 'Paper',
  StrategyActivated: 'Live',
  StrategyDeactivated: 'Paper',
  StrategyRetired: 'Retired',
};

export const foldStrategyEvent = (s: RankingState, event: StrategyEvent, occurredAt: string): RankingState => {
  const next: RankingState = { ...s, updatedAt: occurredAt };
  const entered = ENTERS[event.type];
  const moved = entered === undefined ? next : { ...next, state: entered, stateEnteredAt: occurredAt };
  switch (event.type) {
    case 'StrategyBacktested': {
      const { metrics, outOfSampleMetrics, regime } = event.data.result;
      const dd = num(metrics['maxDrawdown']);
      return {
        ...moved,
        backtestSharpe: num(metrics['sharpe']),
        backtestOosSharpe: num(outOfSampleMetrics?.['sharpe']),
        backtestMaxDrawdown: dd === null ? null : Math.abs(dd),
        regime: typeof regime?.['label'] === 'string' ? regime['label'] : null,
      };
    }
    case 'PaperTradingStarted':
      return { ...moved, ranked: true };
    case 'PaperTradingEvaluated':
      return { ...moved, evaluation: event.data.evaluation.outcome };
    case 'StrategyPinned':
      return { ...moved, pinned: true };
    case 'StrategyUnpinned':
      return { ...moved, pinned: false };
    case 'StrategyActivated':
    case 'StrategyDeactivated': {
      const decision = event.data.decision;
      const at = decision?.decidedAt ?? Date.parse(occurredAt);
      const weighedBreached = decision?.candidates.some((c) => c.strategyId === event.data.strategyId && c.breached === true) === true;
      return {
        ...moved,
        lastChange: {
          action: event.type === 'StrategyActivated' ? 'activated' : 'deactivated',
          at,
          decidedBy: event.data.decidedBy,
          reason: event.data.reason,
          ...(decision !== undefined ? { decision } : {}),
        },
        breachDeactivations: s.breachDeactivations + (event.type === 'StrategyDeactivated' && weighedBreached ? 1 : 0),
        activations: s.activations + (event.type === 'StrategyActivated' ? 1 : 0),
      };
    }
    default:
      return moved;
  }
};

export const foldPerformanceEvent = (s: RankingState, event: PerformanceEvent, occurredAt: string): RankingState => {
  const d = event.data;
  if (d.mode === 'paper') return { ...s, paper: foldDay(s.paper, d), updatedAt: occurredAt };
  const firstLiveDay = s.live === null || s.live.account !== d.account;
  return {
    ...s,
    live: foldDay(s.live, d),
    paperBaseEquity: firstLiveDay ? paperEquityBefore(s.paper, d.day) : s.paperBaseEquity,
    updatedAt: occurredAt,
  };
};

/** The strategy whose live account a risk event concerns, or undefined for any other account. */
export const liveAccountStrategy = (event: RiskEvent): string | undefined => LIVE_ACCOUNT.exec(event.data.account)?.[1]?.toLowerCase();

export const foldRiskEvent = (s: RankingState, event: RiskEvent, occurredAt: string): RankingState => {
  const trigger = event.type === 'KillSwitchEngaged' || event.type === 'KillSwitchReleased' ? event.data.trigger : undefined;
  if (trigger === undefined) return s;
  const entry = `${event.data.account} ${trigger}`;
  const others = s.killSwitch.filter((k) => k !== entry);
  return { ...s, killSwitch: event.type === 'KillSwitchEngaged' ? [...others, entry].sort() : others, updatedAt: occurredAt };
};
