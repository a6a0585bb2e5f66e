// The `training_set` read model: what the learner trains on. One row per strategy, its genome flattened into
// features (domain/learning/features.ts) with a behavioural fingerprint, and what became of it: the latest
// backtest's in-sample and out-of-sample metrics with the key out-of-sample figures as columns, the filter's
// outcome, whether (and when first) it reached paper and live, its retirement.
//
// The row is born with StrategyGenerated, which carries the genome, and joins the training set with its first
// StrategyBacktested (backtested_at is set): the queries read only those rows.
// Set-based like the strategies projection: a batch is folded in memory into one change per strategy, then written
// with an INSERT of the strategies born in the batch and one UPDATE of the others, whatever the batch's size.
import { sql, type DatabaseTransactionConnection } from 'slonik';
import type { DecodedEvent, Projection } from '../projection.js';
import { genomeFeatures } from '../../domain/learning/features.js';
import { genomeFingerprint } from '../../domain/learning/fingerprint.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { STRATEGY_CATEGORY, STRATEGY_EVENT_TYPES, type BacktestResult, type StrategyEvent } from '../../domain/strategy/events.js';

/** The metric keys as domain/backtest/metrics toStoredMetrics writes them (`trades`: older and hand-written results). */
const metric = (metrics: Readonly<Record<string, number>> | undefined, ...keys: string[]): number | null => {
  if (metrics === undefined) return null;
  for (const key of keys) {
    const v = metrics[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return null;
};

/**
 * The market regime a backtest ran in, read defensively: the BacktestResult codec has no regime yet (the regime
 * classifier is being written), so an explicit `result.regime` object is taken as it is, else the metrics'
 * `regime.<part>` keys (`regime.trend`, `regime.volatility`) become `{ trend, volatility }`; else null.
 */
export const backtestRegime = (result: BacktestResult): Record<string, unknown> | null => {
  const explicit = (result as BacktestResult & { readonly regime?: unknown }).regime;
  if (explicit !== null && typeof explicit === 'object' && !Array.isArray(explicit) && Object.keys(explicit).length > 0) return explicit;
  if (typeof explicit === 'string' && explicit !== '') return { label: explicit };
  const fromMetrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(result.metrics))
    if (key.startsWith('regime.') && key.length > 'regime.'.length) fromMetrics[key.slice('regime.'.length)] = value;
  return Object.keys(fromMetrics).length > 0 ? fromMetrics : null;
};

/** The columns one StrategyBacktested sets (a later one replaces them all, nulls included). */
export const backtestColumns = (result: BacktestResult, at: string) => {
  const is = result.metrics;
  const oos = result.outOfSampleMetrics;
  return {
    backtested_at: at,
    backtest_id: result.backtestId ?? null,
    window_start: result.window.start,
    window_end: result.window.end,
    in_sample_metrics: is,
    out_of_sample_metrics: oos ?? null,
    is_sharpe: metric(is, 'sharpe'),
    is_return: metric(is, 'totalReturn'),
    is_trades: metric(is, 'tradeCount', 'totalTrades', 'trades'),
    oos_sharpe: metric(oos, 'sharpe'),
    oos_return: metric(oos, 'totalReturn'),
    oos_max_drawdown: metric(oos, 'maxDrawdown'),
    oos_trades: metric(oos, 'tradeCount', 'totalTrades', 'trades'),
    deflated_sharpe: metric(is, 'deflatedSharpe'),
    oos_deflated_sharpe: metric(oos, 'deflatedSharpe'),
    regime: backtestRegime(result),
    data_fingerprint: result.dataFingerprint,
    engine_version: result.engineVersion,
  };
};
type BacktestColumns = ReturnType<typeof backtestColumns>;
const BACKTEST_COLUMNS = Object.keys(
  backtestColumns({ metrics: {}, window: { start: '', end: '' } } as unknown as BacktestResult, ''),
) as (keyof BacktestColumns)[];

/** The columns a strategy's genome sets, once. */
export const genomeColumns = (genome: Genome) => ({
  genome_fingerprint: genomeFingerprint(genome),
  features: genomeFeatures(genome),
  strategy_type: genome.strategyType,
  timeframe: genome.timeframe,
  symbol: genome.symbols[0]!,
  symbols: genome.symbols,
  generation: genome.lineage.generation,
  origin: genome.lineage.origin,
  parent_ids: genome.lineage.parentIds,
});

/** What one batch does to one strategy. */
interface TrainingChange {
  readonly id: string;
  born?: { readonly genome: Genome; readonly generatedAt: string };
  backtest?: BacktestColumns;
  backtestCount: number;
  filter?: { readonly outcome: string; readonly score: number | null; readonly at: string };
  paperStartedAt?: string;
  liveAt?: string;
  retired?: { readonly at: string; readonly from: string };
  updatedAt: string;
  readonly firstRevision: number;
  revision: number;
}

/** Folds a batch, in log order, into one change per strategy. */
export const foldTrainingBatch = (events: readonly DecodedEvent<StrategyEvent>[]): TrainingChange[] => {
  const changes = new Map<string, TrainingChange>();
  for (const { event, metadata, recorded } of events) {
    const id = event.data.strategyId;
    const at = metadata.occurredAt;
    const revision = Number(recorded.revision);
    let c = changes.get(id);
    if (!c) {
      c = { id, backtestCount: 0, updatedAt: at, firstRevision: revision, revision };
      changes.set(id, c);
    } else if (revision <= c.revision) {
      throw new Error(`training_set projection: ${recorded.streamName}@${revision} arrived after revision ${c.revision}`);
    }
    switch (event.type) {
      case 'StrategyGenerated':
        if (c.born || c.firstRevision !== revision) throw new Error(`training_set projection: ${recorded.streamName} is generated twice`);
        c.born = { genome: event.data.genome, generatedAt: at };
        break;
      case 'StrategyBacktested':
        c.backtest = backtestColumns(event.data.result, at);
        c.backtestCount++;
        break;
      case 'StrategyFiltered':
        c.filter = { outcome: event.data.verdict.outcome, score: event.data.verdict.score ?? null, at };
        break;
      case 'PaperTradingStarted':
        c.paperStartedAt ??= at;
        break;
      case 'StrategyActivated':
        c.liveAt ??= at;
        break;
      case 'StrategyRetired':
        c.retired = { at, from: event.data.fromState };
        break;
      case 'StrategyDeactivated':
      case 'PaperTradingEvaluated':
      case 'StrategyPinned':
      case 'StrategyUnpinned':
        break;
      default: {
        const unknown: never = event;
        throw new Error(`training_set projection: unhandled event ${JSON.stringify(unknown)}`);
      }
    }
    c.updatedAt = at;
    c.revision = revision;
  }
  return [...changes.values()];
};

/** The row fields of a change, in the shape jsonb_to_recordset reads. */
const changeFields = (c: TrainingChange) => ({
  strategy_id: c.id,
  ...(c.backtest ?? {}),
  has_backtest: c.backtest !== undefined,
  backtest_count: c.backtestCount,
  filter_outcome: c.filter?.outcome ?? null,
  filter_score: c.filter?.score ?? null,
  filtered_at: c.filter?.at ?? null,
  paper_started_at: c.paperStartedAt ?? null,
  live_at: c.liveAt ?? null,
  retired_at: c.retired?.at ?? null,
  retired_from: c.retired?.from ?? null,
  updated_at: c.updatedAt,
  first_revision: c.firstRevision,
  revision: c.revision,
});

const CHANGE_RECORD = sql.fragment`
  strategy_id uuid, has_backtest boolean, backtested_at timestamptz, backtest_count integer, backtest_id text,
  window_start timestamptz, window_end timestamptz, in_sample_metrics jsonb, out_of_sample_metrics jsonb,
  is_sharpe double precision, is_return double precision, is_trades double precision,
  oos_sharpe double precision, oos_return double precision, oos_max_drawdown double precision, oos_trades double precision,
  deflated_sharpe double precision, oos_deflated_sharpe double precision, regime jsonb, data_fingerprint text, engine_version text,
  filter_outcome text, filter_score double precision, filtered_at timestamptz,
  paper_started_at timestamptz, live_at timestamptz, retired_at timestamptz, retired_from text,
  updated_at timestamptz, first_revision bigint, revision bigint`;

const insertBorn = async (tx: DatabaseTransactionConnection, born: readonly TrainingChange[]) => {
  const rows = born.map((c) => {
    const g = genomeColumns(c.born!.genome);
    return { ...changeFields(c), ...g, generated_at: c.born!.generatedAt };
  });
  await tx.query(sql.unsafe`
    INSERT INTO training_set (
      strategy_id, genome_fingerprint, features, strategy_type, timeframe, symbol, symbols, generation, origin, parent_ids,
      generated_at, backtested_at, backtest_count, backtest_id, window_start, window_end, in_sample_metrics, out_of_sample_metrics,
      is_sharpe, is_return, is_trades, oos_sharpe, oos_return, oos_max_drawdown, oos_trades, deflated_sharpe, oos_deflated_sharpe,
      regime, data_fingerprint, engine_version, filter_outcome, filter_score, filtered_at,
      paper_reached, paper_started_at, live_reached, live_at, retired, retired_at, retired_from, updated_at, revision)
    SELECT strategy_id, genome_fingerprint, features, strategy_type, timeframe, symbol, symbols, generation, origin, parent_ids,
           generated_at, backtested_at, backtest_count, backtest_id, window_start, window_end, in_sample_metrics, out_of_sample_metrics,
           is_sharpe, is_return, is_trades, oos_sharpe, oos_return, oos_max_drawdown, oos_trades, deflated_sharpe, oos_deflated_sharpe,
           regime, data_fingerprint, engine_version, filter_outcome, filter_score, filtered_at,
           paper_started_at IS NOT NULL, paper_started_at, live_at IS NOT NULL, live_at, retired_at IS NOT NULL, retired_at, retired_from,
           updated_at, revision
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (${CHANGE_RECORD},
        genome_fingerprint text, features jsonb, strategy_type text, timeframe text, symbol text, symbols text[],
        generation integer, origin text, parent_ids uuid[], generated_at timestamptz)`);
};

// A later backtest replaces every backtest column, nulls included (a re-run without out-of-sample metrics has none).
const backtestAssignments = sql.join(
  BACKTEST_COLUMNS.map(
    (col) => sql.fragment`${sql.identifier([col])} = CASE WHEN x.has_backtest THEN x.${sql.identifier([col])} ELSE t.${sql.identifier([col])} END`,
  ),
  sql.fragment`, `,
);

const updateExisting = async (tx: DatabaseTransactionConnection, changed: readonly TrainingChange[]) => {
  const rows = changed.map(changeFields);
  // `t.revision < x.first_revision` refuses to apply an event twice (and finds events of an unknown strategy).
  const updated = await tx.query(sql.unsafe`
    UPDATE training_set AS t
       SET ${backtestAssignments},
           backtest_count = t.backtest_count + x.backtest_count,
           filter_outcome = CASE WHEN x.filtered_at IS NOT NULL THEN x.filter_outcome ELSE t.filter_outcome END,
           filter_score = CASE WHEN x.filtered_at IS NOT NULL THEN x.filter_score ELSE t.filter_score END,
           filtered_at = coalesce(x.filtered_at, t.filtered_at),
           paper_reached = t.paper_reached OR x.paper_started_at IS NOT NULL,
           paper_started_at = coalesce(t.paper_started_at, x.paper_started_at),
           live_reached = t.live_reached OR x.live_at IS NOT NULL,
           live_at = coalesce(t.live_at, x.live_at),
           retired = t.retired OR x.retired_at IS NOT NULL,
           retired_at = coalesce(x.retired_at, t.retired_at),
           retired_from = coalesce(x.retired_from, t.retired_from),
           updated_at = x.updated_at,
           revision = x.revision
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (${CHANGE_RECORD})
     WHERE t.strategy_id = x.strategy_id AND t.revision < x.first_revision`);
  if (updated.rowCount !== rows.length) {
    const ids = rows.map((r) => r.strategy_id);
    const found = (await tx.anyFirst(sql.unsafe`SELECT strategy_id FROM training_set WHERE strategy_id = ANY(${sql.array(ids, 'uuid')})`)) as string[];
    const missing = ids.filter((id) => !found.includes(id));
    throw new Error(
      `training_set projection: ${rows.length - updated.rowCount} strategies could not be updated` +
        (missing.length > 0 ? ` (no row for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})` : ' (events already applied)'),
    );
  }
};

export const trainingSetProjection: Projection<StrategyEvent> = {
  name: 'training_set',
  version: 1,
  filter: { categories: [STRATEGY_CATEGORY], eventTypes: STRATEGY_EVENT_TYPES },
  tables: ['training_set'],
  async applyBatch(tx, events) {
    const changes = foldTrainingBatch(events);
    const born = changes.filter((c) => c.born);
    const changed = changes.filter((c) => !c.born);
    if (born.length > 0) await insertBorn(tx, born);
    if (changed.length > 0) await updateExisting(tx, changed);
  },
};
