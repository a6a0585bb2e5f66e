// Reading the `learning_insights` read model (the API's /api/learning routes): the cycles newest first, one
// cycle's full insights, and the current generation policy summarised per regime and gene.
// Rows come back JSON-ready in camelCase.
import { either } from 'fp-ts';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { formatFieldErrors, fieldErrors } from '../../domain/primitives/decode-errors.js';
import { PolicyCodec, type Policy } from '../../domain/learning/policy/policy.js';
import type { Insights } from '../../domain/learning/insights/insights.js';

const Int = z.number().nullable();

const CycleListRow = z.object({
  cycleId: z.string(),
  /** The insights' regime, else (a cycle known only by its policy update) the policy update's. */
  regime: z.string().nullable(),
  asOf: z.string().nullable(),
  rows: Int,
  scoredRows: Int,
  overall: z.unknown(),
  recordedAt: z.string().nullable(),
  policyUpdates: Int,
});
export type CycleListRow = z.infer<typeof CycleListRow>;

const CycleRow = CycleListRow.extend({
  policyResults: Int,
  policyRecordedAt: z.string().nullable(),
  insights: z.unknown(),
});
/** A cycle in full; `insights` is null for a cycle known only by its policy update. */
export type CycleRow = Omit<z.infer<typeof CycleRow>, 'insights'> & { readonly insights: Insights | null };

const listColumns = sql.fragment`
  c.cycle_id AS "cycleId", coalesce(c.regime, p.regime) AS regime, coalesce(c.as_of, p.as_of) AS "asOf",
  c.rows, c.scored_rows AS "scoredRows", c.overall, c.recorded_at AS "recordedAt", c.policy_updates AS "policyUpdates"`;

export interface ListCyclesQuery {
  /** At most this many (default 50). */
  readonly limit?: number;
  /** Only cycles whose id sorts before this one (the last id of the previous page). */
  readonly before?: string;
}

/** Newest cycle first (cycle ids are days: `2024-01-31` sorts after `2024-01-30`). */
export const listLearningCycles = (db: CommonQueryMethods, q: ListCyclesQuery = {}): Promise<readonly CycleListRow[]> =>
  db.any(sql.type(CycleListRow)`
    SELECT ${listColumns}
      FROM learning_cycles c LEFT JOIN learning_policy p ON p.cycle_id = c.cycle_id
     WHERE ${q.before === undefined ? sql.fragment`TRUE` : sql.fragment`c.cycle_id < ${q.before}`}
     ORDER BY c.cycle_id DESC
     LIMIT ${q.limit ?? 50}`);

export const getLearningCycle = async (db: CommonQueryMethods, cycleId: string): Promise<CycleRow | undefined> => {
  const row = await db.maybeOne(sql.type(CycleRow)`
    SELECT ${listColumns}, c.policy_results AS "policyResults", c.policy_recorded_at AS "policyRecordedAt", c.insights
      FROM learning_cycles c LEFT JOIN learning_policy p ON p.cycle_id = c.cycle_id
     WHERE c.cycle_id = ${cycleId}`);
  // Written from a decoded LearningInsightsRecorded: the codec accepted it.
  return row === null ? undefined : { ...row, insights: (row.insights ?? null) as Insights | null };
};

export interface RankedArm {
  readonly arm: string;
  readonly alpha: number;
  readonly beta: number;
  /** The posterior mean α / (α + β): the chance the arm beats the reward threshold, as the policy believes it. */
  readonly mean: number;
}

/** For each regime and gene (in name order), the arms best posterior mean first (ties: by name). */
export const summarizePolicy = (policy: Policy): Record<string, Record<string, RankedArm[]>> =>
  Object.fromEntries(
    Object.entries(policy.regimes)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([regime, genes]) => [
        regime,
        Object.fromEntries(
          Object.entries(genes ?? {})
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([gene, arms]) => [
              gene,
              Object.entries(arms)
                .map(([arm, { alpha, beta }]) => ({ arm, alpha, beta, mean: alpha / (alpha + beta) }))
                .sort((a, b) => b.mean - a.mean || (a.arm < b.arm ? -1 : a.arm > b.arm ? 1 : 0)),
            ]),
        ),
      ]),
  );

export interface PolicySummary {
  /** The cycle whose results this policy learned last. */
  readonly cycleId: string;
  readonly regime: string | null;
  readonly asOf: string | null;
  readonly updates: number;
  readonly results: number | null;
  readonly recordedAt: string;
  readonly threshold: number;
  readonly decay: number;
  readonly prior: { readonly alpha: number; readonly beta: number };
  readonly timeframes: readonly string[];
  /** regime → gene → arms ranked by posterior mean. */
  readonly regimes: Record<string, Record<string, RankedArm[]>>;
}

const PolicyRow = z.object({
  cycleId: z.string(),
  regime: z.string().nullable(),
  asOf: z.string().nullable(),
  updates: z.number(),
  results: Int,
  recordedAt: z.string(),
  policy: z.unknown(),
});

/** The current policy (the last update in model-learning-policy), summarised; undefined before the first cycle. */
export const latestPolicy = async (db: CommonQueryMethods): Promise<PolicySummary | undefined> => {
  const row = await db.maybeOne(sql.type(PolicyRow)`
    SELECT cycle_id AS "cycleId", regime, as_of AS "asOf", updates, results, recorded_at AS "recordedAt", policy
      FROM learning_policy ORDER BY revision DESC LIMIT 1`);
  if (row === null) return undefined;
  const decoded = PolicyCodec.decode(row.policy);
  if (either.isLeft(decoded)) throw new Error(`learning_policy row of cycle ${row.cycleId} does not decode: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  const { policy: _policy, ...rest } = row;
  const p = decoded.right;
  return { ...rest, threshold: p.threshold, decay: p.decay, prior: p.prior, timeframes: p.timeframes, regimes: summarizePolicy(p) };
};
