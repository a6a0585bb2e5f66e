// The `ranking` read model (doc/monitoring.md): one row per strategy, folded (fold.ts) from its strategy stream,
// its performance-<id> stream and its live account's risk stream. A batch is written with two statements whatever
// its size: one SELECT of the rows it touches, one upsert of their folded values.
import { sql, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { DecodedEvent, Projection } from '../projection.js';
import { PERFORMANCE_CATEGORY, PERFORMANCE_EVENT_TYPES, type PerformanceEvent } from '../../domain/performance/events.js';
import { RISK_CATEGORY, type RiskEvent } from '../../domain/risk/events.js';
import { STRATEGY_CATEGORY, STRATEGY_EVENT_TYPES, type StrategyEvent } from '../../domain/strategy/events.js';
import {
  emptyRanking,
  foldPerformanceEvent,
  foldRiskEvent,
  foldStrategyEvent,
  liveAccountStrategy,
  type LastChange,
  type ModeFold,
  type RankingState,
} from './fold.js';
import { unnestRows, type Column } from '../unnest.js';

export type RankingEvent = StrategyEvent | PerformanceEvent | RiskEvent;

const PERFORMANCE_TYPES: readonly string[] = PERFORMANCE_EVENT_TYPES;
const STRATEGY_TYPES: readonly string[] = STRATEGY_EVENT_TYPES;

/** The strategy an event is about, or undefined for a risk event of another account. */
const strategyOf = (e: RankingEvent): string | undefined => {
  if (STRATEGY_TYPES.includes(e.type) || PERFORMANCE_TYPES.includes(e.type)) return (e.data as { strategyId: string }).strategyId;
  return liveAccountStrategy(e as RiskEvent);
};

export const StoredRow = z.object({
  strategyId: z.string(),
  state: z.string().nullable(),
  ranked: z.boolean(),
  pinned: z.boolean(),
  evaluation: z.string().nullable(),
  backtestSharpe: z.number().nullable(),
  backtestOosSharpe: z.number().nullable(),
  backtestMaxDrawdown: z.number().nullable(),
  regime: z.string().nullable(),
  paper: z.unknown(),
  live: z.unknown(),
  paperBaseEquity: z.number().nullable(),
  killSwitch: z.array(z.string()),
  breachDeactivations: z.number(),
  activations: z.number(),
  lastChange: z.unknown(),
  stateEnteredAt: z.string().nullable(),
  updatedAt: z.string(),
});

export const RANKING_COLUMNS = sql.fragment`
  strategy_id AS "strategyId", state, ranked, pinned, evaluation, backtest_sharpe AS "backtestSharpe",
  backtest_oos_sharpe AS "backtestOosSharpe", backtest_max_drawdown AS "backtestMaxDrawdown", regime, paper, live,
  paper_base_equity AS "paperBaseEquity", kill_switch AS "killSwitch", breach_deactivations AS "breachDeactivations", activations,
  last_change AS "lastChange", to_char(state_entered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "stateEnteredAt",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"`;

/** A stored row as the fold works on it. */
export const toState = (r: z.infer<typeof StoredRow>): RankingState => ({
  ...r,
  paper: (r.paper ?? null) as ModeFold | null,
  live: (r.live ?? null) as ModeFold | null,
  lastChange: (r.lastChange ?? null) as LastChange | null,
});

const readRows = async (tx: DatabaseTransactionConnection, ids: readonly string[]): Promise<Map<string, RankingState>> => {
  const rows = await tx.any(sql.type(StoredRow)`SELECT ${RANKING_COLUMNS} FROM ranking WHERE strategy_id = ANY(${sql.array(ids, 'uuid')})`);
  return new Map(rows.map((r) => [r.strategyId, toState(r)]));
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A folded row as the upsert reads it. */
const RANKING_ROW: Readonly<Record<string, Column<RankingState>>> = {
  strategy_id: ['uuid', (r) => r.strategyId],
  state: ['text', (r) => r.state],
  ranked: ['bool', (r) => r.ranked],
  pinned: ['bool', (r) => r.pinned],
  evaluation: ['text', (r) => r.evaluation],
  backtest_sharpe: ['float8', (r) => r.backtestSharpe],
  backtest_oos_sharpe: ['float8', (r) => r.backtestOosSharpe],
  backtest_max_drawdown: ['float8', (r) => r.backtestMaxDrawdown],
  regime: ['text', (r) => r.regime],
  paper: ['jsonb', (r) => r.paper],
  live: ['jsonb', (r) => r.live],
  paper_base_equity: ['float8', (r) => r.paperBaseEquity],
  kill_switch: ['jsonb', (r) => r.killSwitch],
  breach_deactivations: ['int4', (r) => r.breachDeactivations],
  activations: ['int4', (r) => r.activations],
  last_change: ['jsonb', (r) => r.lastChange],
  last_change_at: ['timestamptz', (r) => (r.lastChange === null ? null : new Date(r.lastChange.at).toISOString())],
  state_entered_at: ['timestamptz', (r) => r.stateEnteredAt],
  updated_at: ['timestamptz', (r) => r.updatedAt],
};

export const rankingProjection: Projection<RankingEvent> = {
  name: 'ranking',
  version: 1,
  filter: {
    categories: [STRATEGY_CATEGORY, PERFORMANCE_CATEGORY, RISK_CATEGORY],
    eventTypes: [...STRATEGY_EVENT_TYPES, ...PERFORMANCE_EVENT_TYPES, 'KillSwitchEngaged', 'KillSwitchReleased'],
  },
  tables: ['ranking'],
  async applyBatch(tx, events: readonly DecodedEvent<RankingEvent>[]) {
    const touched = events
      .map(({ event }) => ({ event, id: strategyOf(event) }))
      .filter((x): x is { event: RankingEvent; id: string } => x.id !== undefined && UUID_RE.test(x.id));
    if (touched.length === 0) return;
    const rows = await readRows(tx, [...new Set(touched.map((x) => x.id))]);
    for (const { event, metadata } of events) {
      const id = strategyOf(event);
      if (id === undefined || !UUID_RE.test(id)) continue;
      const at = metadata.occurredAt;
      const s = rows.get(id) ?? emptyRanking(id, at);
      const next = STRATEGY_TYPES.includes(event.type)
        ? foldStrategyEvent(s, event as StrategyEvent, at)
        : PERFORMANCE_TYPES.includes(event.type)
          ? foldPerformanceEvent(s, event as PerformanceEvent, at)
          : foldRiskEvent(s, event as RiskEvent, at);
      rows.set(id, next);
    }
    await tx.query(sql.unsafe`
      INSERT INTO ranking AS k (strategy_id, state, ranked, pinned, evaluation, backtest_sharpe, backtest_oos_sharpe,
                                backtest_max_drawdown, regime, paper, live, paper_base_equity, kill_switch,
                                breach_deactivations, activations, last_change, last_change_at, state_entered_at, updated_at)
      SELECT strategy_id, state, ranked, pinned, evaluation, backtest_sharpe, backtest_oos_sharpe, backtest_max_drawdown,
             regime, paper, live, paper_base_equity, kill_switch, breach_deactivations, activations,
             last_change, last_change_at, state_entered_at, updated_at
        FROM ${unnestRows([...rows.values()], RANKING_ROW)}
      ON CONFLICT (strategy_id) DO UPDATE SET
        state = EXCLUDED.state, ranked = EXCLUDED.ranked, pinned = EXCLUDED.pinned, evaluation = EXCLUDED.evaluation,
        backtest_sharpe = EXCLUDED.backtest_sharpe, backtest_oos_sharpe = EXCLUDED.backtest_oos_sharpe,
        backtest_max_drawdown = EXCLUDED.backtest_max_drawdown, regime = EXCLUDED.regime, paper = EXCLUDED.paper,
        live = EXCLUDED.live, paper_base_equity = EXCLUDED.paper_base_equity, kill_switch = EXCLUDED.kill_switch,
        breach_deactivations = EXCLUDED.breach_deactivations, activations = EXCLUDED.activations, last_change = EXCLUDED.last_change,
        last_change_at = EXCLUDED.last_change_at, state_entered_at = EXCLUDED.state_entered_at,
        updated_at = EXCLUDED.updated_at`);
  },
};
