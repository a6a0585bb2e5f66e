// The learning_insights read model and the /api/learning routes, built from real LearningInsightsRecorded and
// LearningPolicyUpdated events (computeInsights over hand-made rows, policies from initialPolicy/updatePolicy)
// appended through the PostgreSQL event store and projected by the runner.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { decodeAll } from '../../application/events/decode-event.js';
import type { ExpectedRevision } from '../../application/ports/event-store.js';
import { createApi } from '../../apps/api/server.js';
import { openApiDocument } from '../../apps/api/openapi.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { computeInsights, type InsightRow, type Insights } from '../../domain/learning/insights/insights.js';
import { POLICY_STREAM } from '../../domain/learning/policy-events.js';
import { initialPolicy, updatePolicy, type Policy } from '../../domain/learning/policy/policy.js';
import type { Regime } from '../../domain/learning/policy/regime.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { learningInsightsProjection } from '../../projections/learning-insights/projection.js';
import { getLearningCycle, latestPolicy, listLearningCycles } from '../../projections/learning-insights/queries.js';
import { ProjectionRunner, rebuildProjection } from '../../projections/runner.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { memoryLog, catchUpOnVisible } from '../projections/support.js';

const T0 = new Date('2024-01-01T06:00:00.000Z');
const h = (hours: number) => new Date(T0.getTime() + hours * 3_600_000).toISOString();

/** n strategies: `x` rises with the OOS Sharpe, `y` falls with it, a category, and one row without a Sharpe. */
const cycleRows = (n: number, numeric: readonly string[]): InsightRow[] => [
  ...Array.from({ length: n }, (_, i) => ({
    features: {
      ...Object.fromEntries(numeric.map((f, k) => [f, k % 2 === 0 ? i + 1 : 10 * (n - i)])),
      strategyType: i % 2 === 0 ? 'momentum' : 'mean_reversion',
    },
    oosSharpe: -1 + 0.5 * i,
  })),
  { features: { strategyType: 'breakout' }, oosSharpe: null },
];
const insightsA = computeInsights(cycleRows(8, ['x', 'y']), { minSupport: 2 });
/** The same cycle recomputed: other features, more rows. */
const insightsA2 = computeInsights(cycleRows(10, ['z', 'w']), { minSupport: 2 });
const insightsB = computeInsights(cycleRows(6, ['x', 'v']), { minSupport: 2 });

const sma = smaCrossoverGenome(); // momentum
const rsi = rsiMeanReversionGenome(); // mean_reversion
const policy1 = updatePolicy(initialPolicy({ decay: 1 }), 'trend_low_vol', [
  { genome: sma, reward: 1.2 },
  { genome: sma, reward: 0.5 },
  { genome: rsi, reward: -0.3 },
  { genome: rsi, reward: null },
]);
const policy2 = updatePolicy(policy1, 'range_high_vol', [
  { genome: sma, reward: -1 },
  { genome: rsi, reward: 0.8 },
  { genome: rsi, reward: 0.3 },
]);
const policy3 = updatePolicy(policy2, 'trend_low_vol', [{ genome: rsi, reward: 2 }]);

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const snapshotTables = async (pool: DatabasePool) => ({
  cycles: await pool.any(sql.unsafe`SELECT * FROM learning_cycles ORDER BY cycle_id`),
  policy: await pool.any(sql.unsafe`SELECT * FROM learning_policy ORDER BY cycle_id`),
  correlations: await pool.any(sql.unsafe`SELECT * FROM learning_feature_correlations ORDER BY cycle_id, feature`),
});

describe('learning_insights read model and /api/learning', () => {
  let apiKey: TestKey;
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let server: Server;
  let base: string;
  const clock = fixedClock(T0);
  const empty: { policy?: { status: number; body: unknown }; cycles?: { status: number; body: unknown } } = {};

  const call = async (path: string) => {
    const res = await fetch(`${base}${path}`, { headers: apiKey.headers });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const append = async (stream: string, type: string, data: unknown, expectedRevision: ExpectedRevision) => {
    clock.advance(3_600_000);
    const r = await store.appendToStream(
      stream,
      [
        {
          eventId: randomUUID(),
          type,
          data,
          metadata: { correlationId: 'c', causationId: 'c', actor: 'system:learning-cycle', schemaVersion: 1, occurredAt: clock.now().toISOString() } as never,
        },
      ],
      { expectedRevision },
    );
    if (either.isLeft(r)) throw new Error(JSON.stringify(r.left, (_, v) => (typeof v === 'bigint' ? v.toString() : v)));
  };
  const insightsEvent = (cycleId: string, insights: Insights, regime: Regime, expected: ExpectedRevision) =>
    append(`cycle-${cycleId}`, 'LearningInsightsRecorded', { cycleId, insights, regime, asOf: `${cycleId}T00:00:00.000Z` }, expected);
  const policyEvent = (cycleId: string, policy: Policy, regime: Regime, results: number | undefined, expected: ExpectedRevision) =>
    append(
      POLICY_STREAM,
      'LearningPolicyUpdated',
      { cycleId, policy, regime, asOf: `${cycleId}T00:00:00.000Z`, ...(results === undefined ? {} : { results }) },
      expected,
    );

  before(async () => {
    db = await freshDatabase('learning_insights');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    const apiClock = fixedClock(new Date('2024-03-01T12:00:00.000Z'));
    const app = createApi({
      store,
      pool,
      log: createLogger('silent'),
      clock: apiClock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, apiClock),
      health: async () => ({ healthy: true }),
    });
    // A real admin key in this database (test/support/api-keys.ts): every API route but /health needs one.
    apiKey = await createTestKey(store, pool, { name: 'alice' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    empty.policy = await call('/api/learning/policy');
    empty.cycles = await call('/api/learning/cycles');

    const log = memoryLog();
    // Batches of two: the cycles' insights and policy updates land in different batches.
    const runner = new ProjectionRunner({ pool, store, projections: [learningInsightsProjection], log, batchSize: 2 });
    try {
      await insightsEvent('2024-01-01', insightsA, 'trend_low_vol', 'no_stream'); // h1
      await policyEvent('2024-01-01', policy1, 'trend_low_vol', 4, 'no_stream'); // h2
      await policyEvent('2024-01-02', policy2, 'range_high_vol', 3, 0n); // h3: the policy update before the insights
      await insightsEvent('2024-01-02', insightsB, 'range_high_vol', 'no_stream'); // h4
      await insightsEvent('2024-01-01', insightsA2, 'trend_high_vol', 0n); // h5: the cycle's insights recomputed
      await policyEvent('2024-01-03', policy3, 'trend_low_vol', undefined, 1n); // h6: a cycle known only by its policy update
      await catchUpOnVisible(store, runner, 6);
    } finally {
      await runner.stop();
    }
    const errors = log.entries.filter((e) => e.level === 'error' || e.level === 'warn');
    if (errors.length > 0) throw new Error(`projection runner: ${JSON.stringify(errors)}`);
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await pool.end();
    await store.close();
    await db.drop();
  });

  describe('the projection', () => {
    it('is registered with the other read models', () => {
      expect(ALL_PROJECTIONS).to.include(learningInsightsProjection);
      expect(learningInsightsProjection.tables).to.deep.equal(['learning_cycles', 'learning_policy', 'learning_feature_correlations']);
    });

    it('keeps one row per cycle: the latest insights (replaced whole), and the policy columns of its update', async () => {
      const rows = await pool.any(sql.unsafe`
        SELECT cycle_id, regime, as_of, rows, scored_rows, overall, insights, recorded_at, revision,
               policy_updates, policy_results, policy_recorded_at, policy_revision
          FROM learning_cycles ORDER BY cycle_id`);
      expect(rows).to.deep.equal([
        {
          cycle_id: '2024-01-01',
          regime: 'trend_high_vol', // the recomputed insights' regime
          as_of: '2024-01-01T00:00:00.000Z',
          rows: 11,
          scored_rows: 10,
          overall: json(insightsA2.overall),
          insights: json(insightsA2),
          recorded_at: h(5),
          revision: 1,
          policy_updates: 1,
          policy_results: 4,
          policy_recorded_at: h(2),
          policy_revision: 0,
        },
        {
          cycle_id: '2024-01-02',
          regime: 'range_high_vol',
          as_of: '2024-01-02T00:00:00.000Z',
          rows: 7,
          scored_rows: 6,
          overall: json(insightsB.overall),
          insights: json(insightsB),
          recorded_at: h(4),
          revision: 0,
          policy_updates: 2,
          policy_results: 3,
          policy_recorded_at: h(3),
          policy_revision: 1,
        },
        {
          cycle_id: '2024-01-03',
          regime: null,
          as_of: null,
          rows: null,
          scored_rows: null,
          overall: null,
          insights: null,
          recorded_at: null,
          revision: null,
          policy_updates: 3,
          policy_results: null, // the update did not say
          policy_recorded_at: h(6),
          policy_revision: 2,
        },
      ]);
    });

    it('keeps the correlations as rows; recomputed insights replace the cycle’s, features that left included', async () => {
      const rows = await pool.any(sql.unsafe`SELECT cycle_id, feature, rho, n FROM learning_feature_correlations ORDER BY cycle_id, feature`);
      const expected = (cycleId: string, i: Insights) =>
        i.correlations.map((c) => ({ cycle_id: cycleId, feature: c.feature, rho: c.rho, n: c.n })).sort((a, b) => (a.feature < b.feature ? -1 : 1));
      expect(insightsA.correlations.map((c) => c.feature).sort()).to.deep.equal(['x', 'y']);
      expect(insightsA2.correlations.map((c) => c.feature).sort()).to.deep.equal(['w', 'z']);
      expect(rows).to.deep.equal([...expected('2024-01-01', insightsA2), ...expected('2024-01-02', insightsB)]);
      // Plain SQL answers "how does x correlate with the OOS Sharpe over time".
      expect(await pool.anyFirst(sql.unsafe`SELECT rho FROM learning_feature_correlations WHERE feature = 'x' ORDER BY cycle_id`)).to.deep.equal([1]);
    });

    it('keeps every policy update by cycle; the latest is the one with the highest revision', async () => {
      const rows = await pool.any(sql.unsafe`SELECT cycle_id, regime, updates, results, policy, recorded_at, revision FROM learning_policy ORDER BY revision`);
      expect(rows).to.deep.equal([
        { cycle_id: '2024-01-01', regime: 'trend_low_vol', updates: 1, results: 4, policy: json(policy1), recorded_at: h(2), revision: 0 },
        { cycle_id: '2024-01-02', regime: 'range_high_vol', updates: 2, results: 3, policy: json(policy2), recorded_at: h(3), revision: 1 },
        { cycle_id: '2024-01-03', regime: 'trend_low_vol', updates: 3, results: null, policy: json(policy3), recorded_at: h(6), revision: 2 },
      ]);
    });

    it('changes nothing when events already applied reach it again', async () => {
      const rowsBefore = await snapshotTables(pool);
      const decoded = decodeAll(await store.readAll({ filter: learningInsightsProjection.filter }));
      if (either.isLeft(decoded)) throw new Error(decoded.left.message);
      expect(decoded.right).to.have.length(6);
      await pool.transaction((tx) => learningInsightsProjection.applyBatch(tx, decoded.right as never));
      await pool.transaction((tx) => learningInsightsProjection.applyBatch(tx, decoded.right.slice(0, 1) as never)); // the first insights of 2024-01-01
      expect(await snapshotTables(pool)).to.deep.equal(rowsBefore);
    });

    it('a rebuild from position zero gives the same rows as the live run, whatever the batch sizes', async () => {
      const live = await snapshotTables(pool);
      expect(live.cycles).to.have.length(3);
      for (const sizes of [{ batchSize: 1000 }, { batchSize: 2, windowSize: 5 }, { batchSize: 1, windowSize: 1 }]) {
        const result = await rebuildProjection({ pool, store, projection: learningInsightsProjection, log: memoryLog(), ...sizes });
        expect(result.events).to.equal(6);
        expect(await snapshotTables(pool)).to.deep.equal(live);
      }
    });
  });

  describe('queries', () => {
    it('lists the cycles newest first; limit and before page through them', async () => {
      expect((await listLearningCycles(pool)).map((c) => c.cycleId)).to.deep.equal(['2024-01-03', '2024-01-02', '2024-01-01']);
      expect((await listLearningCycles(pool, { limit: 1, before: '2024-01-03' })).map((c) => c.cycleId)).to.deep.equal(['2024-01-02']);
      expect(await listLearningCycles(pool, { before: '2024-01-01' })).to.deep.equal([]);
    });

    it('one cycle in full; undefined for an unknown one', async () => {
      expect((await getLearningCycle(pool, '2024-01-02'))?.insights).to.deep.equal(json(insightsB));
      expect(await getLearningCycle(pool, '2023-12-31')).to.equal(undefined);
    });

    it('summarises the latest policy: per regime and gene, the arms ranked by posterior mean', async () => {
      const p = (await latestPolicy(pool))!;
      expect(p).to.include({ cycleId: '2024-01-03', regime: 'trend_low_vol', updates: 3, results: null, recordedAt: h(6), threshold: 0, decay: 1 });
      expect(Object.keys(p.regimes)).to.deep.equal(['range_high_vol', 'trend_low_vol']);
      // trend_low_vol: momentum won 2 of 2 (Beta(1+2, 1)), mean_reversion lost 2 then won 1 (Beta(1+1, 1+2)).
      expect(p.regimes['trend_low_vol']!['strategyType']).to.deep.equal([
        { arm: 'momentum', alpha: 3, beta: 1, mean: 0.75 },
        { arm: 'mean_reversion', alpha: 2, beta: 3, mean: 0.4 },
      ]);
      expect(p.regimes['range_high_vol']!['strategyType']).to.deep.equal([
        { arm: 'mean_reversion', alpha: 3, beta: 1, mean: 0.75 },
        { arm: 'momentum', alpha: 1, beta: 2, mean: 1 / 3 },
      ]);
      for (const genes of Object.values(p.regimes)) {
        expect(Object.keys(genes)).to.deep.equal(Object.keys(genes).sort());
        for (const arms of Object.values(genes)) {
          for (const a of arms) expect(a.mean).to.equal(a.alpha / (a.alpha + a.beta));
          expect(arms.map((a) => a.mean)).to.deep.equal(arms.map((a) => a.mean).sort((x, y) => y - x));
        }
      }
      // Every arm of the stored policy is in the summary, with its α and β.
      const arms = Object.values(p.regimes).flatMap((g) => Object.values(g).flat()).length;
      const stored = Object.values(policy3.regimes).flatMap((g) => Object.values(g).flatMap((a) => Object.keys(a))).length;
      expect(arms).to.equal(stored);
    });
  });

  describe('GET /api/learning/*', () => {
    it('before any cycle: no policy (404 with a message) and no cycles', () => {
      expect(empty.policy!.status).to.equal(404);
      expect(empty.policy!.body).to.include({ error: 'PolicyNotFound' });
      expect((empty.policy!.body as { message: string }).message).to.contain('no learning policy yet');
      expect(empty.cycles).to.deep.equal({ status: 200, body: { cycles: [] } });
    });

    it('GET /api/learning/cycles: newest first, the list fields only; limit and before page', async () => {
      const r = await call('/api/learning/cycles');
      expect(r.status).to.equal(200);
      expect(r.body.cycles.map((c: { cycleId: string }) => c.cycleId)).to.deep.equal(['2024-01-03', '2024-01-02', '2024-01-01']);
      expect(r.body.cycles[2]).to.deep.equal({
        cycleId: '2024-01-01',
        regime: 'trend_high_vol',
        asOf: '2024-01-01T00:00:00.000Z',
        rows: 11,
        scoredRows: 10,
        overall: json(insightsA2.overall),
        recordedAt: h(5),
        policyUpdates: 1,
      });
      // A cycle known only by its policy update: the regime and as-of time are the update's.
      expect(r.body.cycles[0]).to.deep.equal({
        cycleId: '2024-01-03',
        regime: 'trend_low_vol',
        asOf: '2024-01-03T00:00:00.000Z',
        rows: null,
        scoredRows: null,
        overall: null,
        recordedAt: null,
        policyUpdates: 3,
      });
      const page = await call('/api/learning/cycles?limit=1&before=2024-01-02');
      expect(page.body.cycles.map((c: { cycleId: string }) => c.cycleId)).to.deep.equal(['2024-01-01']);
      expect((await call('/api/learning/cycles?limit=500')).body.cycles).to.have.length(3);
    });

    it('GET /api/learning/cycles refuses a bad limit or before with 400 and the field path', async () => {
      for (const limit of ['0', '501', 'abc', '1.5', '-1', '']) {
        const r = await call(`/api/learning/cycles?limit=${limit}`);
        expect(r.status, limit).to.equal(400);
        expect(r.body.error).to.equal('InvalidRequest');
        expect(r.body.errors, limit).to.deep.equal([{ path: 'query.limit', message: 'must be an integer in [1, 500]' }]);
      }
      const twice = await call('/api/learning/cycles?limit=1&limit=2');
      expect(twice.status).to.equal(400);
      expect(twice.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['query.limit']);
      const badBefore = await call('/api/learning/cycles?before=yesterday');
      expect(badBefore.status).to.equal(400);
      expect(badBefore.body.errors).to.deep.equal([{ path: 'query.before', message: 'must be a UTC day like 2024-01-31' }]);
    });

    it('GET /api/learning/cycles/:cycleId: the full insights and the policy columns', async () => {
      const r = await call('/api/learning/cycles/2024-01-01');
      expect(r.status).to.equal(200);
      expect(r.body).to.deep.equal({
        cycleId: '2024-01-01',
        regime: 'trend_high_vol',
        asOf: '2024-01-01T00:00:00.000Z',
        rows: 11,
        scoredRows: 10,
        overall: json(insightsA2.overall),
        recordedAt: h(5),
        policyUpdates: 1,
        policyResults: 4,
        policyRecordedAt: h(2),
        insights: json(insightsA2),
      });
      for (const part of ['correlations', 'quartiles', 'categories', 'successFactors', 'failureFactors', 'recommendedRanges', 'notes'])
        expect(r.body.insights[part], part).to.be.an('array').that.is.not.empty;
      const policyOnly = await call('/api/learning/cycles/2024-01-03');
      expect(policyOnly.status).to.equal(200);
      expect(policyOnly.body).to.include({ insights: null, policyUpdates: 3, policyResults: null, policyRecordedAt: h(6) });
    });

    it('GET /api/learning/cycles/:cycleId: 400 with params.cycleId unless a day, 404 for an unknown one', async () => {
      for (const id of ['yesterday', '2024-1-01', '2024-13-01', '2024-02-30']) {
        const r = await call(`/api/learning/cycles/${id}`);
        expect(r.status, id).to.equal(400);
        expect(r.body.errors, id).to.deep.equal([{ path: 'params.cycleId', message: 'must be a UTC day like 2024-01-31' }]);
      }
      const missing = await call('/api/learning/cycles/2023-12-30');
      expect(missing.status).to.equal(404);
      expect(missing.body).to.include({ error: 'CycleNotFound', cycleId: '2023-12-30' });
    });

    it('GET /api/learning/policy: the latest policy summary', async () => {
      const r = await call('/api/learning/policy');
      expect(r.status).to.equal(200);
      expect(r.body).to.deep.equal(json(await latestPolicy(pool)));
      expect(r.body).to.include({ cycleId: '2024-01-03', updates: 3 });
      expect(r.body.prior).to.deep.equal({ alpha: 1, beta: 1 });
      expect(r.body.regimes.trend_low_vol.strategyType[0]).to.deep.equal({ arm: 'momentum', alpha: 3, beta: 1, mean: 0.75 });
    });

    it('the three routes are in the OpenAPI document', () => {
      const paths = openApiDocument().paths as Record<string, { get?: unknown }>;
      for (const p of ['/api/learning/cycles', '/api/learning/cycles/{cycleId}', '/api/learning/policy']) expect(paths[p]?.get, p).to.not.equal(undefined);
    });
  });
});
