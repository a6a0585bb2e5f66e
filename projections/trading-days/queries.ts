// Reading the `trading_days` read model: a strategy's record, day by day, per account, with its statistics. And the
// trading desk's read-model port (application/pipeline/trading-desk.ts TradingStrategies) over the `strategies` table
// and, for the ended accounts whose close is recorded, this one.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { TradingStrategies } from '../../application/pipeline/trading-desk.js';
import { recordStats, type RecordStats } from '../../domain/performance/record.js';
import { genomesOf } from '../strategies/queries.js';

const TradingStrategyRow = z.object({ id: z.string(), revision: z.number() });

const AccountRow = z.object({ account: z.string() });

/** The strategies the desk trades: those in Paper or Live in the `strategies` read model. */
export const tradingStrategiesReader = (db: CommonQueryMethods): TradingStrategies => ({
  inPaperOrLive: () => db.any(sql.type(TradingStrategyRow)`SELECT id::text AS id, revision FROM strategies WHERE state IN ('Paper', 'Live') ORDER BY id`),
  genomes: (ids) => genomesOf(db, ids),
  async closedAccounts(accounts) {
    const closed = new Set<string>();
    // In chunks, as genomesOf asks (one entry each in the partial index trading_days_final_account).
    for (let i = 0; i < accounts.length; i += 5000)
      for (const r of await db.any(
        sql.type(AccountRow)`SELECT DISTINCT account FROM trading_days WHERE final AND account = ANY(${sql.array(accounts.slice(i, i + 5000), 'text')})`,
      ))
        closed.add(r.account);
    return closed;
  },
});

const TradingDayRow = z.object({
  account: z.string(),
  mode: z.string(),
  day: z.string(),
  initialCapital: z.number(),
  equity: z.number(),
  dayReturn: z.number(),
  trades: z.number(),
  tradesTotal: z.number(),
  position: z.number(),
  closedAt: z.string(),
  /** The account's last day: it ended and was closed at market at closedAt. */
  final: z.boolean(),
});
export type TradingDayRow = z.infer<typeof TradingDayRow>;

export interface AccountRecord {
  readonly account: string;
  readonly mode: string;
  readonly days: readonly TradingDayRow[];
  readonly stats: RecordStats;
}

/** Each account of the strategy (paper first), its days in order and their statistics; [] when it has none. */
export const strategyRecord = async (db: CommonQueryMethods, strategyId: string): Promise<AccountRecord[]> => {
  const rows = await db.any(sql.type(TradingDayRow)`
    SELECT account, mode, to_char(day, 'YYYY-MM-DD') AS day, initial_capital AS "initialCapital", equity,
           day_return AS "dayReturn", trades, trades_total AS "tradesTotal", position,
           to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "closedAt", final
      FROM trading_days WHERE strategy_id = ${strategyId}
     ORDER BY mode DESC, account, day`);
  const byAccount = new Map<string, TradingDayRow[]>();
  for (const r of rows) byAccount.set(r.account, [...(byAccount.get(r.account) ?? []), r]);
  return [...byAccount].map(([account, days]) => ({ account, mode: days[0]!.mode, days, stats: recordStats(days[0]!.initialCapital, days) }));
};
