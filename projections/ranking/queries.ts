// Reading the ranking read model: every strategy that reached paper (in Paper or Live, and kept after retirement)
// with its figures per mode, ready for the activation policy (candidateFigures) and the monitor.
import { sql, type CommonQueryMethods } from 'slonik';
import { sharpeOfSums } from '../../domain/monitoring/sharpe.js';
import type { ModeFigures, RankingRow } from '../../domain/monitoring/ranking.js';
import { liveAccountName, type ModeFold } from './fold.js';

export type { ModeFigures, RankingRow };
import { RANKING_COLUMNS, StoredRow, toState } from './projection.js';

const figures = (m: ModeFold | null): ModeFigures | null =>
  m === null
    ? null
    : {
        days: m.days,
        initialCapital: m.initialCapital,
        equity: m.equity,
        totalReturn: m.initialCapital > 0 ? m.equity / m.initialCapital - 1 : 0,
        sharpe: sharpeOfSums(m.days, m.sumReturns, m.sumSquares) ?? null,
        maxDrawdown: m.maxDrawdown,
        trades: m.trades,
        lastDay: m.lastDay,
        recentReturns: m.recent.map((r) => r.r),
      };

/** Paper equity at the close of the last live day (or the latest before it) against the base: the same days as live. */
const paperOverLive = (paper: ModeFold | null, live: ModeFold | null, base: number | null): number | null => {
  if (paper === null || live === null || base === null || !(base > 0)) return null;
  const upTo = paper.recent.filter((r) => r.day <= live.lastDay);
  const equity = upTo.length > 0 ? upTo[upTo.length - 1]!.equity : base;
  return equity / base - 1;
};

export const listRanking = async (db: CommonQueryMethods): Promise<readonly RankingRow[]> => {
  const rows = await db.any(sql.type(StoredRow)`SELECT ${RANKING_COLUMNS} FROM ranking WHERE ranked ORDER BY strategy_id`);
  return rows.map((stored) => {
    const r = toState(stored);
    return {
      strategyId: r.strategyId,
      state: r.state ?? 'Unknown',
      pinned: r.pinned,
      evaluation: r.evaluation === 'eligible' || r.evaluation === 'rejected' ? r.evaluation : null,
      backtest: { sharpe: r.backtestSharpe, outOfSampleSharpe: r.backtestOosSharpe, maxDrawdown: r.backtestMaxDrawdown },
      regime: r.regime,
      paper: figures(r.paper),
      live: figures(r.live),
      paperReturnOverLive: paperOverLive(r.paper, r.live, r.paperBaseEquity),
      // Those of the account its latest activation trades on (an earlier live account's switch stays with that account).
      killSwitch: r.killSwitch.flatMap((k) => {
        const [account, trigger] = k.split(' ');
        return account === liveAccountName(r.strategyId, r.activations) && trigger !== undefined ? [trigger] : [];
      }),
      breachDeactivations: r.breachDeactivations,
      lastChange: r.lastChange,
      stateEnteredAt: r.stateEnteredAt,
    };
  });
};

/** The shape the API and the activation step ask for. */
export const rankingReadModel = (db: CommonQueryMethods) => ({ list: () => listRanking(db) });

/** The market regime of the latest daily cycle (its insights' label, else its policy update's); undefined before any. */
export const latestCycleRegime = async (db: CommonQueryMethods): Promise<string | undefined> => {
  const regime: unknown = await db.maybeOneFirst(sql.unsafe`
    SELECT coalesce(c.regime, p.regime) AS regime
      FROM learning_policy p FULL JOIN learning_cycles c USING (cycle_id)
     WHERE coalesce(c.regime, p.regime) IS NOT NULL
     ORDER BY cycle_id DESC LIMIT 1`);
  return typeof regime === 'string' ? regime : undefined;
};
