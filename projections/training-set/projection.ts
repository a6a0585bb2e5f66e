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
import { jsonbArray, unnestRows, type Column, type ColumnType } from '../unnest.js';
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

/**
 * The columns one StrategyBacktested sets (a later one replaces them all, nulls included), but for the two metric
 * records, which SQL copies from the event itself (`in_sample_metrics`, `out_of_sample_metrics`: see backtestAt).
 */
export const backtestColumns = (result: BacktestResult, at: string) => {
  const is = result.metrics;
  const oos = result.outOfSampleMetrics;
  return {
    backtested_at: at,
    backtest_id: result.backtestId ?? null,
    window_start: result.window.start,
    window_end: result.window.end,
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

/** The types of backtestColumns' columns, as the statements below send them. */
const BACKTEST_TYPES: { readonly [K in keyof BacktestColumns]: ColumnType } = {
  backtested_at: 'timestamptz',
  backtest_id: 'text',
  window_start: 'timestamptz',
  window_end: 'timestamptz',
  is_sharpe: 'float8',
  is_return: 'float8',
  is_trades: 'float8',
  oos_sharpe: 'float8',
  oos_return: 'float8',
  oos_max_drawdown: 'float8',
  oos_trades: 'float8',
  deflated_sharpe: 'float8',
  oos_deflated_sharpe: 'float8',
  regime: 'jsonb',
  data_fingerprint: 'text',
  engine_version: 'text',
};
const BACKTEST_COLUMNS = Object.keys(BACKTEST_TYPES) as (keyof BacktestColumns)[];
/** The metric records: copied in SQL from the event of the latest backtest (events b, at x.backtest_at). */
const METRIC_RECORDS = {
  in_sample_metrics: sql.fragment`b.data -> 'result' -> 'metrics'`,
  out_of_sample_metrics: sql.fragment`b.data -> 'result' -> 'outOfSampleMetrics'`,
};

/** The columns a strategy's genome sets, once (symbols and parent_ids are copied in SQL from the event: genomeArrays). */
export const genomeColumns = (genome: Genome) => ({
  genome_fingerprint: genomeFingerprint(genome),
  features: genomeFeatures(genome),
  strategy_type: genome.strategyType,
  timeframe: genome.timeframe,
  symbol: genome.symbols[0]!,
  generation: genome.lineage.generation,
  origin: genome.lineage.origin,
});

/** What one batch does to one strategy. */
interface TrainingChange {
  readonly id: string;
  /** `at`: the place in the log of the StrategyGenerated (events.global_position). */
  born?: { readonly genome: Genome; readonly generatedAt: string; readonly at: string };
  backtest?: BacktestColumns;
  /** The place in the log of the latest StrategyBacktested. */
  backtestAt?: string;
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
        c.born = { genome: event.data.genome, generatedAt: at, at: recorded.position.prepare.toString() };
        break;
      case 'StrategyBacktested':
        c.backtest = backtestColumns(event.data.result, at);
        c.backtestAt = recorded.position.prepare.toString();
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

/** The columns of a change, as unnest reads them. */
const CHANGE_COLUMNS: Readonly<Record<string, Column<TrainingChange>>> = {
  strategy_id: ['uuid', (c) => c.id],
  has_backtest: ['bool', (c) => c.backtest !== undefined],
  backtest_at: ['int8', (c) => c.backtestAt],
  ...Object.fromEntries(BACKTEST_COLUMNS.map((col) => [col, [BACKTEST_TYPES[col], (c: TrainingChange) => c.backtest?.[col]] as const])),
  backtest_count: ['int4', (c) => c.backtestCount],
  filter_outcome: ['text', (c) => c.filter?.outcome],
  filter_score: ['float8', (c) => c.filter?.score],
  filtered_at: ['timestamptz', (c) => c.filter?.at],
  paper_started_at: ['timestamptz', (c) => c.paperStartedAt],
  live_at: ['timestamptz', (c) => c.liveAt],
  retired_at: ['timestamptz', (c) => c.retired?.at],
  retired_from: ['text', (c) => c.retired?.from],
  updated_at: ['timestamptz', (c) => c.updatedAt],
  first_revision: ['int8', (c) => c.firstRevision],
  revision: ['int8', (c) => c.revision],
};

/** A born change with its genome's columns, computed once. */
type Born = TrainingChange & { readonly genomeColumns: ReturnType<typeof genomeColumns> };

const insertBorn = async (tx: DatabaseTransactionConnection, born: readonly TrainingChange[]) => {
  const rows: Born[] = born.map((c) => ({ ...c, genomeColumns: genomeColumns(c.born!.genome) }));
  const x = unnestRows<Born>(rows, {
    ...CHANGE_COLUMNS,
    genome_at: ['int8', (c) => c.born!.at],
    genome_fingerprint: ['text', (c) => c.genomeColumns.genome_fingerprint],
    features: ['jsonb', (c) => c.genomeColumns.features],
    strategy_type: ['text', (c) => c.genomeColumns.strategy_type],
    timeframe: ['text', (c) => c.genomeColumns.timeframe],
    symbol: ['text', (c) => c.genomeColumns.symbol],
    generation: ['int4', (c) => c.genomeColumns.generation],
    origin: ['text', (c) => c.genomeColumns.origin],
    generated_at: ['timestamptz', (c) => c.born!.generatedAt],
  });
  await tx.query(sql.unsafe`
    INSERT INTO training_set (
      strategy_id, genome_fingerprint, features, strategy_type, timeframe, symbol, symbols, generation, origin, parent_ids,
      generated_at, backtested_at, backtest_count, backtest_id, window_start, window_end, in_sample_metrics, out_of_sample_metrics,
      is_sharpe, is_return, is_trades, oos_sharpe, oos_return, oos_max_drawdown, oos_trades, deflated_sharpe, oos_deflated_sharpe,
      regime, data_fingerprint, engine_version, filter_outcome, filter_score, filtered_at,
      paper_reached, paper_started_at, live_reached, live_at, retired, retired_at, retired_from, updated_at, revision)
    SELECT x.strategy_id, x.genome_fingerprint, x.features, x.strategy_type, x.timeframe, x.symbol,
           ${jsonbArray(sql.fragment`g.data -> 'genome' -> 'symbols'`, 'text')}, x.generation, x.origin,
           ${jsonbArray(sql.fragment`g.data -> 'genome' -> 'lineage' -> 'parentIds'`, 'uuid')},
           x.generated_at, x.backtested_at, x.backtest_count, x.backtest_id, x.window_start, x.window_end,
           ${METRIC_RECORDS.in_sample_metrics}, ${METRIC_RECORDS.out_of_sample_metrics},
           x.is_sharpe, x.is_return, x.is_trades, x.oos_sharpe, x.oos_return, x.oos_max_drawdown, x.oos_trades, x.deflated_sharpe, x.oos_deflated_sharpe,
           x.regime, x.data_fingerprint, x.engine_version, x.filter_outcome, x.filter_score, x.filtered_at,
           x.paper_started_at IS NOT NULL, x.paper_started_at, x.live_at IS NOT NULL, x.live_at, x.retired_at IS NOT NULL, x.retired_at, x.retired_from,
           x.updated_at, x.revision
      FROM ${x}
      JOIN events g ON g.global_position = x.genome_at
      LEFT JOIN events b ON b.global_position = x.backtest_at`);
};

// A later backtest replaces every backtest column, nulls included (a re-run without out-of-sample metrics has none).
const backtestAssignments = sql.join(
  [
    ...BACKTEST_COLUMNS.map(
      (col) => sql.fragment`${sql.identifier([col])} = CASE WHEN x.has_backtest THEN x.${sql.identifier([col])} ELSE t.${sql.identifier([col])} END`,
    ),
    ...Object.entries(METRIC_RECORDS).map(
      ([col, value]) => sql.fragment`${sql.identifier([col])} = CASE WHEN x.has_backtest THEN ${value} ELSE t.${sql.identifier([col])} END`,
    ),
  ],
  sql.fragment`, `,
);

const updateExisting = async (tx: DatabaseTransactionConnection, changed: readonly TrainingChange[]) => {
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
      FROM ${unnestRows(changed, CHANGE_COLUMNS)}
      LEFT JOIN events b ON b.global_position = x.backtest_at
     WHERE t.strategy_id = x.strategy_id AND t.revision < x.first_revision`);
  if (updated.rowCount !== changed.length) {
    const ids = changed.map((c) => c.id);
    const found = (await tx.anyFirst(sql.unsafe`SELECT strategy_id FROM training_set WHERE strategy_id = ANY(${sql.array(ids, 'uuid')})`)) as string[];
    const missing = ids.filter((id) => !found.includes(id));
    throw new Error(
      `training_set projection: ${changed.length - updated.rowCount} strategies could not be updated` +
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
