// The `learning_insights` read model: what each daily learning cycle found and the generation policy it left.
// - learning_cycles: one row per cycle id; LearningInsightsRecorded (stream cycle-<day>) sets the insights columns,
//   a later one of the same cycle replaces them all; LearningPolicyUpdated (stream model-learning-policy) sets the
//   policy columns of the row of its cycle id. Each event kind writes only its own columns, so the row does not
//   depend on which of the two came first or whether they shared a batch.
// - learning_policy: one row per policy update (keyed by its cycle), the whole policy as JSON.
// - learning_feature_correlations: the insights' Spearman correlations as rows, replaced with the insights.
//
// A batch is folded in memory into the last insights and the last policy update per cycle, then written with a
// few statements per kind (chunked: an insights object or a policy is tens of kilobytes). Revisions guard every
// write, so an event applied twice changes nothing.
import { sql, type DatabaseTransactionConnection } from 'slonik';
import type { DecodedEvent, Projection } from '../projection.js';
import { categoryOf } from '../../domain/events/catalog.js';
import type { LearningInsightsRecorded } from '../../domain/learning/events.js';
import { POLICY_STREAM, type LearningPolicyUpdated } from '../../domain/learning/policy-events.js';

export type LearningEvent = LearningInsightsRecorded | LearningPolicyUpdated;

/** The daily cycle writes its insights to `cycle-<YYYY-MM-DD>` (application/learning/daily-cycle.ts cycleStream). */
const CYCLE_CATEGORY = 'cycle';
export const LEARNING_EVENT_TYPES: readonly LearningEvent['type'][] = ['LearningInsightsRecorded', 'LearningPolicyUpdated'];

interface InsightsChange {
  readonly cycle_id: string;
  readonly regime: string | null;
  readonly as_of: string | null;
  readonly rows: number;
  readonly scored_rows: number;
  readonly overall: unknown;
  readonly insights: LearningInsightsRecorded['data']['insights'];
  readonly recorded_at: string;
  readonly revision: number;
}

interface PolicyChange {
  readonly cycle_id: string;
  readonly regime: string | null;
  readonly as_of: string | null;
  readonly updates: number;
  readonly results: number | null;
  readonly policy: LearningPolicyUpdated['data']['policy'];
  readonly recorded_at: string;
  readonly revision: number;
}

export interface LearningBatch {
  readonly insights: InsightsChange[];
  readonly policies: PolicyChange[];
}

/** Folds a batch, in log order, into the last insights and the last policy update of each cycle. */
export const foldLearningBatch = (events: readonly DecodedEvent<LearningEvent>[]): LearningBatch => {
  const insights = new Map<string, InsightsChange>();
  const policies = new Map<string, PolicyChange>();
  for (const { event, metadata, recorded } of events) {
    const { cycleId, regime, asOf } = event.data;
    const common = { cycle_id: cycleId, regime: regime ?? null, as_of: asOf ?? null, recorded_at: metadata.occurredAt, revision: Number(recorded.revision) };
    switch (event.type) {
      case 'LearningInsightsRecorded': {
        const i = event.data.insights;
        insights.set(cycleId, { ...common, rows: i.rows, scored_rows: i.scoredRows, overall: i.overall, insights: i });
        break;
      }
      case 'LearningPolicyUpdated':
        policies.set(cycleId, { ...common, updates: event.data.policy.updates, results: event.data.results ?? null, policy: event.data.policy });
        break;
      default: {
        const unknown: never = event;
        throw new Error(`learning_insights projection: unhandled event ${JSON.stringify(unknown)}`);
      }
    }
  }
  return { insights: [...insights.values()], policies: [...policies.values()] };
};

/** Rows per statement: an insights object or a policy is tens of kilobytes. */
const ROWS_PER_STATEMENT = 50;
const chunks = <T>(xs: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(xs.length / ROWS_PER_STATEMENT) }, (_, i) => xs.slice(i * ROWS_PER_STATEMENT, (i + 1) * ROWS_PER_STATEMENT));

const writeInsights = async (tx: DatabaseTransactionConnection, changes: readonly InsightsChange[]) => {
  // Only the cycles whose row this statement did change get their correlations replaced.
  const written = (await tx.anyFirst(sql.unsafe`
    INSERT INTO learning_cycles AS c (cycle_id, regime, as_of, rows, scored_rows, overall, insights, recorded_at, revision)
    SELECT cycle_id, regime, as_of, rows, scored_rows, overall, insights, recorded_at, revision
      FROM jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) AS x (
        cycle_id text, regime text, as_of timestamptz, rows integer, scored_rows integer, overall jsonb, insights jsonb,
        recorded_at timestamptz, revision bigint)
    ON CONFLICT (cycle_id) DO UPDATE SET
      regime = EXCLUDED.regime,
      as_of = EXCLUDED.as_of,
      rows = EXCLUDED.rows,
      scored_rows = EXCLUDED.scored_rows,
      overall = EXCLUDED.overall,
      insights = EXCLUDED.insights,
      recorded_at = EXCLUDED.recorded_at,
      revision = EXCLUDED.revision
    WHERE c.revision IS NULL OR c.revision < EXCLUDED.revision
    RETURNING cycle_id`)) as string[];
  if (written.length === 0) return;
  const cycles = new Set(written);
  const correlations = changes
    .filter((c) => cycles.has(c.cycle_id))
    .flatMap((c) =>
      [...new Map(c.insights.correlations.map((r) => [r.feature, r])).values()].map((r) => ({ cycle_id: c.cycle_id, feature: r.feature, rho: r.rho, n: r.n })),
    );
  await tx.query(sql.unsafe`DELETE FROM learning_feature_correlations WHERE cycle_id = ANY(${sql.array(written, 'text')})`);
  if (correlations.length > 0)
    await tx.query(sql.unsafe`
      INSERT INTO learning_feature_correlations (cycle_id, feature, rho, n)
      SELECT cycle_id, feature, rho, n FROM jsonb_to_recordset(${JSON.stringify(correlations)}::jsonb) AS x (cycle_id text, feature text, rho double precision, n integer)`);
};

const writePolicies = async (tx: DatabaseTransactionConnection, changes: readonly PolicyChange[]) => {
  const rows = JSON.stringify(changes);
  const record = sql.fragment`cycle_id text, regime text, as_of timestamptz, updates integer, results integer, policy jsonb, recorded_at timestamptz, revision bigint`;
  // A cycle known only by its policy update gets a row whose insights columns stay null until its insights arrive.
  await tx.query(sql.unsafe`
    INSERT INTO learning_cycles AS c (cycle_id, policy_updates, policy_results, policy_recorded_at, policy_revision)
    SELECT cycle_id, updates, results, recorded_at, revision FROM jsonb_to_recordset(${rows}::jsonb) AS x (${record})
    ON CONFLICT (cycle_id) DO UPDATE SET
      policy_updates = EXCLUDED.policy_updates,
      policy_results = EXCLUDED.policy_results,
      policy_recorded_at = EXCLUDED.policy_recorded_at,
      policy_revision = EXCLUDED.policy_revision
    WHERE c.policy_revision IS NULL OR c.policy_revision < EXCLUDED.policy_revision`);
  await tx.query(sql.unsafe`
    INSERT INTO learning_policy AS p (cycle_id, regime, as_of, updates, results, policy, recorded_at, revision)
    SELECT cycle_id, regime, as_of, updates, results, policy, recorded_at, revision FROM jsonb_to_recordset(${rows}::jsonb) AS x (${record})
    ON CONFLICT (cycle_id) DO UPDATE SET
      regime = EXCLUDED.regime,
      as_of = EXCLUDED.as_of,
      updates = EXCLUDED.updates,
      results = EXCLUDED.results,
      policy = EXCLUDED.policy,
      recorded_at = EXCLUDED.recorded_at,
      revision = EXCLUDED.revision
    WHERE p.revision < EXCLUDED.revision`);
};

export const learningInsightsProjection: Projection<LearningEvent> = {
  name: 'learning_insights',
  version: 1,
  filter: { categories: [CYCLE_CATEGORY, categoryOf(POLICY_STREAM)], eventTypes: LEARNING_EVENT_TYPES },
  tables: ['learning_cycles', 'learning_policy', 'learning_feature_correlations'],
  async applyBatch(tx, events) {
    const { insights, policies } = foldLearningBatch(events);
    for (const chunk of chunks(insights)) await writeInsights(tx, chunk);
    for (const chunk of chunks(policies)) await writePolicies(tx, chunk);
  },
};
