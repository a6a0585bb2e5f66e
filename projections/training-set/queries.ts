// Reading the learner's training set: the backtested strategies with their features and outcomes, and the
// fingerprints of the genomes already tried (so the generator does not make them again).
// Rows come back JSON-ready in camelCase.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

const Num = z.number().nullable();
const Metrics = z.record(z.number()).nullable();

const TrainingRow = z.object({
  strategyId: z.string(),
  genomeFingerprint: z.string(),
  features: z.record(z.union([z.number(), z.string()])),
  strategyType: z.string(),
  timeframe: z.string(),
  symbol: z.string(),
  symbols: z.array(z.string()),
  generation: z.number(),
  origin: z.string(),
  parentIds: z.array(z.string()),
  generatedAt: z.string(),
  backtestedAt: z.string(),
  backtestCount: z.number(),
  backtestId: z.string().nullable(),
  windowStart: z.string().nullable(),
  windowEnd: z.string().nullable(),
  inSampleMetrics: Metrics,
  outOfSampleMetrics: Metrics,
  isSharpe: Num,
  isReturn: Num,
  isTrades: Num,
  oosSharpe: Num,
  oosReturn: Num,
  oosMaxDrawdown: Num,
  oosTrades: Num,
  deflatedSharpe: Num,
  oosDeflatedSharpe: Num,
  regime: z.record(z.unknown()).nullable(),
  dataFingerprint: z.string().nullable(),
  engineVersion: z.string().nullable(),
  filterOutcome: z.string().nullable(),
  filterScore: Num,
  filteredAt: z.string().nullable(),
  paperReached: z.boolean(),
  paperStartedAt: z.string().nullable(),
  liveReached: z.boolean(),
  liveAt: z.string().nullable(),
  retired: z.boolean(),
  retiredAt: z.string().nullable(),
  retiredFrom: z.string().nullable(),
  updatedAt: z.string(),
  revision: z.number(),
});
export type TrainingRow = z.infer<typeof TrainingRow>;

const columns = sql.fragment`
  strategy_id AS "strategyId", genome_fingerprint AS "genomeFingerprint", features, strategy_type AS "strategyType", timeframe,
  symbol, symbols, generation, origin, parent_ids AS "parentIds", generated_at AS "generatedAt", backtested_at AS "backtestedAt",
  backtest_count AS "backtestCount", backtest_id AS "backtestId", window_start AS "windowStart", window_end AS "windowEnd",
  in_sample_metrics AS "inSampleMetrics", out_of_sample_metrics AS "outOfSampleMetrics",
  is_sharpe AS "isSharpe", is_return AS "isReturn", is_trades AS "isTrades",
  oos_sharpe AS "oosSharpe", oos_return AS "oosReturn", oos_max_drawdown AS "oosMaxDrawdown", oos_trades AS "oosTrades",
  deflated_sharpe AS "deflatedSharpe", oos_deflated_sharpe AS "oosDeflatedSharpe", regime,
  data_fingerprint AS "dataFingerprint", engine_version AS "engineVersion",
  filter_outcome AS "filterOutcome", filter_score AS "filterScore", filtered_at AS "filteredAt",
  paper_reached AS "paperReached", paper_started_at AS "paperStartedAt", live_reached AS "liveReached", live_at AS "liveAt",
  retired, retired_at AS "retiredAt", retired_from AS "retiredFrom", updated_at AS "updatedAt", revision`;

export interface TrainingRowsQuery {
  /** Only strategies whose latest backtest was recorded at or after this time. */
  readonly since?: Date | string;
  /** At most this many rows, the most recently backtested first (default: all). */
  readonly limit?: number;
  /** Only strategies with at least this many out-of-sample trades (rows without out-of-sample metrics are left out). */
  readonly minTrades?: number;
}

/** The backtested strategies, most recently backtested first. */
export const trainingRows = (db: CommonQueryMethods, q: TrainingRowsQuery = {}): Promise<readonly TrainingRow[]> => {
  const since = q.since === undefined ? sql.fragment`TRUE` : sql.fragment`backtested_at >= ${new Date(q.since).toISOString()}::timestamptz`;
  const minTrades = q.minTrades === undefined ? sql.fragment`TRUE` : sql.fragment`oos_trades >= ${q.minTrades}`;
  return db.any(sql.type(TrainingRow)`
    SELECT ${columns} FROM training_set
     WHERE backtested_at IS NOT NULL AND ${since} AND ${minTrades}
     ORDER BY backtested_at DESC, strategy_id
     LIMIT ${q.limit ?? null}`);
};

/** The backtested strategies' ids and row revisions, in trainingRows' order: what changed since a row was read. */
export const trainingRowRevisions = async (db: CommonQueryMethods): Promise<readonly { readonly id: string; readonly revision: number }[]> =>
  db.any(
    sql.type(z.object({ id: z.string(), revision: z.number() }))`
      SELECT strategy_id AS id, revision FROM training_set WHERE backtested_at IS NOT NULL ORDER BY backtested_at DESC, strategy_id`,
  );

/** What the learner reads of a row: the figures, and whether each window has metrics (not the metrics themselves). */
const LearningRow = TrainingRow.pick({
  strategyId: true,
  genomeFingerprint: true,
  generation: true,
  origin: true,
  regime: true,
  isSharpe: true,
  isReturn: true,
  isTrades: true,
  oosSharpe: true,
  oosReturn: true,
  oosMaxDrawdown: true,
  oosTrades: true,
  oosDeflatedSharpe: true,
  filterOutcome: true,
  revision: true,
}).extend({ hasInSample: z.boolean(), hasOutOfSample: z.boolean() });
export type LearningRow = z.infer<typeof LearningRow>;

/** What the learner reads of these strategies' rows (backtested ones only; in no particular order). */
export const learningRowsOf = async (db: CommonQueryMethods, ids: readonly string[]): Promise<readonly LearningRow[]> => {
  const out: LearningRow[] = [];
  for (let i = 0; i < ids.length; i += 5000)
    out.push(
      ...(await db.any(
        sql.type(LearningRow)`
          SELECT strategy_id AS "strategyId", genome_fingerprint AS "genomeFingerprint", generation, origin, regime,
                 in_sample_metrics IS NOT NULL AS "hasInSample", out_of_sample_metrics IS NOT NULL AS "hasOutOfSample",
                 is_sharpe AS "isSharpe", is_return AS "isReturn", is_trades AS "isTrades", oos_sharpe AS "oosSharpe",
                 oos_return AS "oosReturn", oos_max_drawdown AS "oosMaxDrawdown", oos_trades AS "oosTrades",
                 oos_deflated_sharpe AS "oosDeflatedSharpe", filter_outcome AS "filterOutcome", revision
            FROM training_set WHERE backtested_at IS NOT NULL AND strategy_id = ANY(${sql.array(ids.slice(i, i + 5000), 'uuid')})`,
      )),
    );
  return out;
};

const AnyTrainingRow = TrainingRow.extend({ backtestedAt: z.string().nullable() });
/** A strategy's row whether or not it is backtested yet (then its backtest columns are null). */
export type AnyTrainingRow = z.infer<typeof AnyTrainingRow>;

export const trainingRow = async (db: CommonQueryMethods, strategyId: string): Promise<AnyTrainingRow | undefined> =>
  (await db.maybeOne(sql.type(AnyTrainingRow)`SELECT ${columns} FROM training_set WHERE strategy_id = ${strategyId}`)) ?? undefined;

/**
 * The genome fingerprints (domain/learning/fingerprint.ts) of the backtested strategies; with `includePending`,
 * also of those generated and not backtested yet (what a generator deduplicating a new cycle wants).
 */
export const testedFingerprints = async (db: CommonQueryMethods, q: { readonly includePending?: boolean } = {}): Promise<Set<string>> =>
  new Set(
    await db.anyFirst(sql.type(z.object({ f: z.string() }))`
      SELECT DISTINCT genome_fingerprint AS f FROM training_set
       WHERE ${q.includePending ? sql.fragment`TRUE` : sql.fragment`backtested_at IS NOT NULL`}`),
  );

/** The genome fingerprints of these strategies (those with a row). */
export const fingerprintsOf = async (db: CommonQueryMethods, strategyIds: readonly string[]): Promise<readonly string[]> =>
  db.anyFirst(
    sql.type(z.object({ f: z.string() }))`SELECT genome_fingerprint AS f FROM training_set WHERE strategy_id = ANY(${sql.array(strategyIds, 'uuid')})`,
  );
