// Reading the `strategies` read model (the API's GET /api/strategies and /api/strategies/:id).
// Rows come back JSON-ready in camelCase; lists leave the full genome out (the summary says what a list needs).
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export { STRATEGY_STATE_NAMES, type StrategyStateName } from './projection.js';

const Json = z.unknown();

const StrategyListRow = z.object({
  id: z.string(),
  state: z.string(),
  filterOutcome: z.string().nullable(),
  strategyType: z.string(),
  timeframe: z.string(),
  symbols: z.array(z.string()),
  genomeSummary: Json,
  latestMetrics: Json,
  stateEntered: z.record(z.string()),
  generatedAt: z.string(),
  updatedAt: z.string(),
  revision: z.number(),
});
export type StrategyListRow = z.infer<typeof StrategyListRow>;

const StrategyRow = StrategyListRow.extend({ genome: Json, latestBacktest: Json });
export type StrategyRow = z.infer<typeof StrategyRow>;

const listColumns = sql.fragment`
  id, state, filter_outcome AS "filterOutcome", strategy_type AS "strategyType", timeframe, symbols,
  genome_summary AS "genomeSummary", latest_metrics AS "latestMetrics", state_entered AS "stateEntered",
  generated_at AS "generatedAt", updated_at AS "updatedAt", revision`;

export interface ListStrategiesQuery {
  /** A StrategyStateName; any other string lists nothing. */
  readonly state?: string;
  readonly limit?: number;
  readonly offset?: number;
}

const whereState = (state: string | undefined) => (state === undefined ? sql.fragment`TRUE` : sql.fragment`state = ${state}`);

/** Most recently changed first. */
export const listStrategies = (db: CommonQueryMethods, q: ListStrategiesQuery = {}): Promise<readonly StrategyListRow[]> =>
  db.any(sql.type(StrategyListRow)`
    SELECT ${listColumns} FROM strategies
     WHERE ${whereState(q.state)}
     ORDER BY updated_at DESC, id
     LIMIT ${q.limit ?? 100} OFFSET ${q.offset ?? 0}`);

export const countStrategies = (db: CommonQueryMethods, q: { readonly state?: string } = {}): Promise<number> =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*) AS n FROM strategies WHERE ${whereState(q.state)}`);

export const getStrategy = async (db: CommonQueryMethods, id: string): Promise<StrategyRow | undefined> =>
  (await db.maybeOne(sql.type(StrategyRow)`
    SELECT ${listColumns}, genome, latest_backtest AS "latestBacktest" FROM strategies WHERE id = ${id}`)) ?? undefined;

/** The shape apps/api/server.ts asks for (its StrategyReadModel). */
export const strategyReadModel = (db: CommonQueryMethods) => ({
  list: (q: { readonly state?: string; readonly limit: number; readonly offset: number }) => listStrategies(db, q),
  get: (id: string) => getStrategy(db, id) as Promise<Record<string, unknown> | undefined>,
  count: (q: { readonly state?: string } = {}) => countStrategies(db, q),
});

const GenomeRow = z.object({ id: z.string(), genome: Json });

/** The stored genomes of these strategies (not decoded), in chunks of 5,000 ids; unknown ids are absent. */
export const genomesOf = async (db: CommonQueryMethods, ids: readonly string[]): Promise<Map<string, unknown>> => {
  const out = new Map<string, unknown>();
  for (let i = 0; i < ids.length; i += 5000)
    for (const r of await db.any(
      sql.type(GenomeRow)`SELECT id::text AS id, genome FROM strategies WHERE id = ANY(${sql.array(ids.slice(i, i + 5000), 'uuid')})`,
    ))
      out.set(r.id, r.genome);
  return out;
};
