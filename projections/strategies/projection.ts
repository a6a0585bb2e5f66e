// The `strategies` read model: one row per strategy with where it stands in its lifecycle and what is known of it.
//
// A batch is folded in memory into one change per strategy, then written with two statements whatever its size:
// an INSERT of the strategies born in the batch (StrategyGenerated carries the genome) and an UPDATE of the others.
// No row is read first: a lifecycle event alone says the state it leads to (as domain/strategy/state.ts evolve does),
// and the other columns merge in SQL (state_entered ||, latest_* kept when the batch has no newer backtest).
import { sql, type DatabaseTransactionConnection } from 'slonik';
import type { DecodedEvent, Projection } from '../projection.js';
import { genomeSummary, type Genome } from '../../domain/strategy/genome.js';
import { STRATEGY_CATEGORY, STRATEGY_LIFECYCLE_EVENT_TYPES, type StrategyEvent } from '../../domain/strategy/events.js';
import type { StrategyStatus } from '../../domain/strategy/state.js';
import { jsonbArray, unnestRows } from '../unnest.js';

/** The states a row can be in, as describeState names them (the filter's outcome is its own column). */
export type StrategyStateName = Exclude<StrategyStatus, 'Initial'>;
export const STRATEGY_STATE_NAMES: readonly StrategyStateName[] = ['Generated', 'Backtested', 'Filtered', 'Paper', 'Live', 'Retired'];

/** What one batch does to one strategy. */
interface StrategyChange {
  readonly id: string;
  /** Set when the batch holds the strategy's StrategyGenerated: the row is new (`at`: the event's place in the log). */
  born?: { readonly genome: Genome; readonly generatedAt: string; readonly at: string };
  state: StrategyStateName;
  filterOutcome?: string;
  /** Where in the log the latest StrategyBacktested is: its `result` is latest_backtest, copied in SQL from the event. */
  latestBacktestAt?: string;
  stateEntered: Record<string, string>;
  updatedAt: string;
  /** Revision of the first and the last event of this strategy in the batch. */
  readonly firstRevision: number;
  revision: number;
}

const stateAfter = (event: StrategyEvent): StrategyStateName => {
  switch (event.type) {
    case 'StrategyGenerated':
      return 'Generated';
    case 'StrategyBacktested':
      return 'Backtested';
    case 'StrategyFiltered':
      return 'Filtered';
    case 'PaperTradingStarted':
    case 'StrategyDeactivated':
      return 'Paper';
    case 'StrategyActivated':
      return 'Live';
    case 'StrategyRetired':
      return 'Retired';
    case 'PaperTradingEvaluated':
    case 'StrategyPinned':
    case 'StrategyUnpinned':
      // Not a move in the lifecycle: the filter below leaves them to the ranking read model.
      throw new Error(`strategies projection: ${event.type} is not a lifecycle transition`);
    default: {
      const unknown: never = event;
      throw new Error(`strategies projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

/** Folds a batch, in log order, into one change per strategy. */
export const foldStrategyBatch = (events: readonly DecodedEvent<StrategyEvent>[]): StrategyChange[] => {
  const changes = new Map<string, StrategyChange>();
  for (const { event, metadata, recorded } of events) {
    const id = event.data.strategyId;
    const at = metadata.occurredAt;
    const revision = Number(recorded.revision);
    const state = stateAfter(event);
    let c = changes.get(id);
    if (!c) {
      c = { id, state, stateEntered: {}, updatedAt: at, firstRevision: revision, revision };
      changes.set(id, c);
    } else if (revision <= c.revision) {
      throw new Error(`strategies projection: ${recorded.streamName}@${revision} arrived after revision ${c.revision}`);
    }
    switch (event.type) {
      case 'StrategyGenerated':
        if (c.born || c.firstRevision !== revision) throw new Error(`strategies projection: ${recorded.streamName} is generated twice`);
        c.born = { genome: event.data.genome, generatedAt: at, at: recorded.position.prepare.toString() };
        break;
      case 'StrategyBacktested':
        c.latestBacktestAt = recorded.position.prepare.toString();
        break;
      case 'StrategyFiltered':
        c.filterOutcome = event.data.verdict.outcome;
        break;
      default:
        break;
    }
    c.state = state;
    // Re-entering a state (Paper after a deactivation) keeps the latest time it was entered.
    c.stateEntered[state] = at;
    c.updatedAt = at;
    c.revision = revision;
  }
  return [...changes.values()];
};

// The genome and the backtest result are copied from the events themselves (events.global_position is the
// position's `prepare`): the largest values never travel to this process and back, and are never parsed again.
const insertBorn = async (tx: DatabaseTransactionConnection, born: readonly StrategyChange[]) => {
  await tx.query(sql.unsafe`
    INSERT INTO strategies (id, state, filter_outcome, strategy_type, timeframe, symbols, genome_summary, genome,
                            latest_metrics, latest_backtest, state_entered, generated_at, updated_at, revision)
    SELECT x.id, x.state, x.filter_outcome, x.strategy_type, x.timeframe, ${jsonbArray(sql.fragment`g.data -> 'genome' -> 'symbols'`, 'text')},
           x.genome_summary, g.data -> 'genome', b.data -> 'result' -> 'metrics', b.data -> 'result', x.state_entered, x.generated_at,
           x.updated_at, x.revision
      FROM ${unnestRows(born, {
        id: ['uuid', (c) => c.id],
        state: ['text', (c) => c.state],
        filter_outcome: ['text', (c) => c.filterOutcome],
        strategy_type: ['text', (c) => c.born!.genome.strategyType],
        timeframe: ['text', (c) => c.born!.genome.timeframe],
        genome_summary: ['jsonb', (c) => genomeSummary(c.born!.genome)],
        genome_at: ['int8', (c) => c.born!.at],
        backtest_at: ['int8', (c) => c.latestBacktestAt],
        state_entered: ['jsonb', (c) => c.stateEntered],
        generated_at: ['timestamptz', (c) => c.born!.generatedAt],
        updated_at: ['timestamptz', (c) => c.updatedAt],
        revision: ['int8', (c) => c.revision],
      })}
      JOIN events g ON g.global_position = x.genome_at
      LEFT JOIN events b ON b.global_position = x.backtest_at`);
};

const updateExisting = async (tx: DatabaseTransactionConnection, changed: readonly StrategyChange[]) => {
  // `s.revision < x.first_revision` refuses to apply an event twice (and finds events of an unknown strategy).
  const updated = await tx.query(sql.unsafe`
    UPDATE strategies AS s
       SET state = x.state,
           filter_outcome = coalesce(x.filter_outcome, s.filter_outcome),
           latest_metrics = coalesce(b.data -> 'result' -> 'metrics', s.latest_metrics),
           latest_backtest = coalesce(b.data -> 'result', s.latest_backtest),
           state_entered = s.state_entered || x.state_entered,
           updated_at = x.updated_at,
           revision = x.revision
      FROM ${unnestRows(changed, {
        id: ['uuid', (c) => c.id],
        state: ['text', (c) => c.state],
        filter_outcome: ['text', (c) => c.filterOutcome],
        backtest_at: ['int8', (c) => c.latestBacktestAt],
        state_entered: ['jsonb', (c) => c.stateEntered],
        updated_at: ['timestamptz', (c) => c.updatedAt],
        first_revision: ['int8', (c) => c.firstRevision],
        revision: ['int8', (c) => c.revision],
      })}
      LEFT JOIN events b ON b.global_position = x.backtest_at
     WHERE s.id = x.id AND s.revision < x.first_revision`);
  if (updated.rowCount !== changed.length) {
    const ids = changed.map((c) => c.id);
    const found = await tx.anyFirst(sql.unsafe`SELECT id FROM strategies WHERE id = ANY(${sql.array(ids, 'uuid')})`);
    const missing = ids.filter((id) => !(found as string[]).includes(id));
    throw new Error(
      `strategies projection: ${changed.length - updated.rowCount} strategies could not be updated` +
        (missing.length > 0 ? ` (no row for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})` : ' (events already applied)'),
    );
  }
};

export const strategiesProjection: Projection<StrategyEvent> = {
  name: 'strategies',
  version: 1,
  filter: { categories: [STRATEGY_CATEGORY], eventTypes: STRATEGY_LIFECYCLE_EVENT_TYPES },
  tables: ['strategies'],
  async applyBatch(tx, events) {
    const changes = foldStrategyBatch(events);
    const born = changes.filter((c) => c.born);
    const changed = changes.filter((c) => !c.born);
    if (born.length > 0) await insertBorn(tx, born);
    if (changed.length > 0) await updateExisting(tx, changed);
  },
};
