// A strategy as the ranking read model (projections/ranking/) shows it: its state, pin and paper verdict, its backtest
// figures and regime, and its trading record per mode. The monitor and the activation policy read these.
import type { CandidateFigures } from '../activation/score.js';

export interface ModeFigures {
  readonly days: number;
  readonly initialCapital: number;
  readonly equity: number;
  /** equity / initialCapital − 1. */
  readonly totalReturn: number;
  /** Annualised (365 days) Sharpe of the daily returns; null with fewer than 2 days or no variance. */
  readonly sharpe: number | null;
  readonly maxDrawdown: number;
  readonly trades: number;
  readonly lastDay: string;
  /** The last days' returns, oldest first (at most RECENT_DAYS). */
  readonly recentReturns: readonly number[];
}

export interface RankingRow {
  readonly strategyId: string;
  readonly state: string;
  readonly pinned: boolean;
  readonly evaluation: 'eligible' | 'rejected' | null;
  readonly backtest: { readonly sharpe: number | null; readonly outOfSampleSharpe: number | null; readonly maxDrawdown: number | null };
  readonly regime: string | null;
  readonly paper: ModeFigures | null;
  readonly live: ModeFigures | null;
  /** Paper's return over the days the strategy traded live (from the close before its first live day); null before. */
  readonly paperReturnOverLive: number | null;
  /** The triggers of the kill switches engaged on its live account (empty: none). */
  readonly killSwitch: readonly string[];
  /** Deactivations whose decision weighed it as breached. */
  readonly breachDeactivations: number;
  /** The last activation or deactivation: who, why, when it was decided (epoch ms) and the decision it carried. */
  readonly lastChange: {
    readonly action: 'activated' | 'deactivated';
    readonly at: number;
    readonly decidedBy: string;
    readonly reason: string;
    readonly decision?: unknown;
  } | null;
  readonly stateEnteredAt: string | null;
}

/** A row as the activation policy weighs it (domain/activation/score.ts). */
export const candidateFigures = (r: RankingRow, breached = false): CandidateFigures => {
  const traded = [r.paper, r.live].filter((m): m is ModeFigures => m !== null && m.days > 0);
  const drawdown = traded.length > 0 ? Math.max(...traded.map((m) => m.maxDrawdown)) : r.backtest.maxDrawdown;
  return {
    strategyId: r.strategyId,
    ...(r.paper?.sharpe != null ? { paper: { sharpe: r.paper.sharpe, days: r.paper.days } } : {}),
    ...(r.live?.sharpe != null ? { live: { sharpe: r.live.sharpe, days: r.live.days } } : {}),
    ...(r.backtest.sharpe !== null
      ? { backtest: { sharpe: r.backtest.sharpe, ...(r.backtest.outOfSampleSharpe !== null ? { outOfSampleSharpe: r.backtest.outOfSampleSharpe } : {}) } }
      : {}),
    ...(r.regime !== null ? { regime: r.regime } : {}),
    ...(drawdown !== null ? { maxDrawdown: drawdown } : {}),
    ...(breached ? { breached: true } : {}),
  };
};
