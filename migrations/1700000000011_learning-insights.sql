-- Up Migration
-- The learner's read model: what each daily cycle's statistics said (LearningInsightsRecorded, streams cycle-<day>)
-- and the Thompson-sampling policy it left behind (LearningPolicyUpdated, stream model-learning-policy).
-- projections/learning-insights/projection.ts writes them.

-- One row per cycle. A later LearningInsightsRecorded of the same cycle replaces the insights columns; the policy
-- columns come from the LearningPolicyUpdated of the same cycle id. A cycle known only by its policy update has
-- null insights columns (the daily cycle always records its insights first).
CREATE TABLE learning_cycles (
  cycle_id text PRIMARY KEY,
  regime text,
  as_of timestamptz,
  rows integer,
  scored_rows integer,
  -- Insights.overall: { count, meanSharpe, medianSharpe, successRate } over the scored rows, null when none
  overall jsonb,
  -- the whole Insights object (domain/learning/insights/insights.ts)
  insights jsonb,
  -- the insights event's occurredAt and its revision in cycle-<day>
  recorded_at timestamptz,
  revision bigint,
  -- the policy update of this cycle: Policy.updates after it, the results it learned from, when, its revision in
  -- model-learning-policy
  policy_updates integer,
  policy_results integer,
  policy_recorded_at timestamptz,
  policy_revision bigint
);

-- One row per policy update, keyed by its cycle: the posterior of every arm over cycles stays a plain SQL query
-- (the stream allows at most one update per cycle); the current policy is the row with the highest revision.
CREATE TABLE learning_policy (
  cycle_id text PRIMARY KEY,
  regime text,
  as_of timestamptz,
  updates integer NOT NULL,
  results integer,
  -- the whole Policy (domain/learning/policy/policy.ts PolicyCodec)
  policy jsonb NOT NULL,
  recorded_at timestamptz NOT NULL,
  revision bigint NOT NULL
);
CREATE INDEX learning_policy_revision ON learning_policy (revision DESC);

-- Insights.correlations as rows: Spearman's rho of each numeric feature with the out-of-sample Sharpe, per cycle.
CREATE TABLE learning_feature_correlations (
  cycle_id text NOT NULL,
  feature text NOT NULL,
  rho double precision NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (cycle_id, feature)
);
CREATE INDEX learning_feature_correlations_feature ON learning_feature_correlations (feature, cycle_id);

-- Down Migration
DROP TABLE learning_feature_correlations;
DROP TABLE learning_policy;
DROP TABLE learning_cycles;
