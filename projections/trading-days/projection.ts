// The `trading_days` read model: one row per (strategy, account, UTC day) from TradingDayClosed (the trading desk,
// application/pipeline/trading-desk.ts, writes them on performance-<strategyId>). One multi-row insert per batch;
// a day is closed once (the performance decider refuses a repeat), so a replayed event changes nothing. An account's
// final day (`final`, migration 24) is marked: the trading desk reads which ended accounts have one.
import { sql } from 'slonik';
import type { Projection } from '../projection.js';
import { PERFORMANCE_CATEGORY, type TradingDayClosed } from '../../domain/performance/events.js';

export const tradingDaysProjection: Projection<TradingDayClosed> = {
  name: 'trading_days',
  // 2: the `final` column.
  version: 2,
  filter: { categories: [PERFORMANCE_CATEGORY], eventTypes: ['TradingDayClosed'] },
  tables: ['trading_days'],
  async applyBatch(tx, events) {
    if (events.length === 0) return;
    const rows = events.map(({ event: { data: d }, recorded }) => ({
      strategy_id: d.strategyId,
      account: d.account,
      day: d.day,
      mode: d.mode,
      initial_capital: d.initialCapital,
      equity: d.equity,
      day_return: d.dayReturn,
      trades: d.trades,
      trades_total: d.tradesTotal,
      position: d.position,
      closed_at: new Date(d.at).toISOString(),
      final: d.final === true,
      event_id: recorded.eventId,
    }));
    await tx.query(sql.unsafe`
      INSERT INTO trading_days (strategy_id, account, day, mode, initial_capital, equity, day_return, trades, trades_total,
                                position, closed_at, final, event_id)
      SELECT strategy_id, account, day, mode, initial_capital, equity, day_return, trades, trades_total, position, closed_at, final,
             event_id
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
          strategy_id uuid, account text, day date, mode text, initial_capital double precision, equity double precision,
          day_return double precision, trades integer, trades_total integer, position double precision,
          closed_at timestamptz, final boolean, event_id uuid)
      ON CONFLICT (strategy_id, account, day) DO NOTHING`);
  },
};
