// The HTTP API over a real PostgreSQL: commands, queries, status codes, idempotency, the OpenAPI document.
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { either } from 'fp-ts';
import type * as t from 'io-ts';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { createApi } from '../../apps/api/server.js';
import { LIFECYCLE_ROUTES, LIFECYCLE_ROUTE_NAMES, GenerateBody } from '../../apps/api/command-bodies.js';
import { exampleActivationDecision, exampleCommands, exampleGenerate } from '../../apps/api/examples.js';
import { openApiDocument } from '../../apps/api/openapi.js';
import { BacktestRequestBody } from '../../apps/api/backtest-routes.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { strategyReadModel, activationAuditReadModel } from '../../apps/api/read-models.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { keyring } from '../support/api-keys.js';

describe('HTTP API', () => {
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let server: Server;
  let base: string;
  let runner: ProjectionRunner;
  let keys: ReturnType<typeof keyring>;
  const log = createLogger('silent');

  before(async () => {
    db = await freshDatabase('api');
    store = checkedPostgresStore({ connectionString: db.url, pollIntervalMs: 50 });
    pool = await createReadModelPool(db.url);
    runner = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log });
    const app = createApi({
      store,
      pool,
      log,
      clock: fixedClock(new Date('2024-03-01T12:00:00.000Z')),
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, fixedClock(new Date('2024-03-01T12:00:00.000Z'))),
      health: async () => ({ healthy: true, database: { ok: true } }),
    });
    keys = keyring(store, pool);
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await runner.stop();
    await store.close();
    await pool.end();
    await db.drop();
  });

  const call = async (method: string, path: string, unsigned?: unknown, headers: Record<string, string> = {}) => {
    // Sent with the key of the operator the body names (test/support/api-keys.ts).
    const { headers: auth, body } = await keys.sign(unsigned);
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...auth, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const eventCount = async (id: string) => (await store.readStream(`strategy-${id}`)).length;
  const create = async () => {
    const r = await call('POST', '/api/strategies', { genome: smaCrossoverGenome() });
    expect(r.status).to.equal(201);
    return r.body.id as string;
  };
  // The example decision names its own strategy among the activations; each test's strategy is named instead.
  const decisionFor = (id: string) => exampleActivationDecision(id);
  const backtest = (exampleCommands['record-backtest'] as { result: unknown }).result;
  const passed = { outcome: 'passed', reasons: ['ok'], thresholds: { minSharpe: 0.5 } };

  describe('POST /api/strategies', () => {
    it('creates a strategy: 201 with its id and revision 0', async () => {
      const r = await call('POST', '/api/strategies', exampleGenerate);
      expect(r.status).to.equal(201);
      expect(r.body).to.include({ revision: 0, state: 'Generated' });
      expect(r.body.id).to.match(/^[0-9a-f-]{36}$/);
      const events = await call('GET', `/api/strategies/${r.body.id}/events`);
      expect(events.body.events.map((e: { type: string }) => e.type)).to.deep.equal(['StrategyGenerated']);
      expect(events.body.events[0].metadata).to.include({ actor: 'operator:alice', occurredAt: '2024-03-01T12:00:00.000Z', schemaVersion: 1 });
    });

    it('refuses an invalid genome with 400 and the failing field paths', async () => {
      const genome = smaCrossoverGenome() as unknown as { indicators: { params: { period: number } }[]; timeframe: string };
      genome.indicators[0]!.params.period = 1;
      genome.timeframe = '2h';
      const r = await call('POST', '/api/strategies', { genome });
      expect(r.status).to.equal(400);
      const paths = r.body.errors.map((e: { path: string }) => e.path);
      expect(paths).to.include('genome.timeframe');
      expect(r.body.error).to.equal('InvalidRequest');
    });

    it('reports every cross-field problem with its path', async () => {
      const genome = smaCrossoverGenome() as unknown as { indicators: { params: { period: number } }[] };
      genome.indicators[1]!.params.period = 9999;
      const r = await call('POST', '/api/strategies', { genome });
      expect(r.status).to.equal(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['genome.indicators.1.params.period']);
    });

    it('refuses malformed JSON with 400', async () => {
      const r = await call('POST', '/api/strategies', '{"genome": ');
      expect(r.status).to.equal(400);
      expect(r.body.error).to.equal('MalformedJson');
    });

    it('refuses a body without a genome, naming the field', async () => {
      const r = await call('POST', '/api/strategies', {});
      expect(r.status).to.equal(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).to.include('genome');
    });
  });

  describe('lifecycle commands', () => {
    it('walks a strategy through its whole life over HTTP', async () => {
      const id = await create();
      const steps: [string, unknown, string][] = [
        ['record-backtest', { expectedRevision: 0, result: backtest }, 'Backtested'],
        ['filter', { verdict: passed }, 'Filtered(passed)'],
        ['start-paper', { actor: 'system:scheduler', reason: 'passed' }, 'Paper'],
        ['activate', { actor: 'operator:bob', reason: 'best paper score', decision: decisionFor(id) }, 'Live'],
        ['deactivate', { actor: 'operator:bob', reason: 'drawdown', decision: decisionFor(id) }, 'Paper'],
        ['retire', { actor: 'operator:bob', reason: 'done' }, 'Retired'],
      ];
      for (const [i, [cmd, body, state]] of steps.entries()) {
        const r = await call('POST', `/api/strategies/${id}/${cmd}`, body);
        expect(r.status, `${cmd}: ${JSON.stringify(r.body)}`).to.equal(200);
        expect(r.body).to.include({ revision: i + 1, state });
      }
      const got = await call('GET', `/api/strategies/${id}`);
      expect(got.body).to.include({ state: 'Retired', revision: 6 });
    });

    it('answers 409 with the current revision on a wrong expected revision, and appends nothing', async () => {
      const id = await create();
      const r = await call('POST', `/api/strategies/${id}/record-backtest`, { expectedRevision: 3, result: backtest });
      expect(r.status).to.equal(409);
      expect(r.body).to.include({ error: 'WrongExpectedRevision', currentRevision: 0 });
      expect(await eventCount(id)).to.equal(1);
    });

    it('answers 409 naming state and command on an illegal transition, and appends nothing', async () => {
      const id = await create();
      const r = await call('POST', `/api/strategies/${id}/activate`, { actor: 'operator:bob', reason: 'eager', decision: decisionFor(id) });
      expect(r.status).to.equal(409);
      expect(r.body).to.include({ error: 'IllegalTransition', state: 'Generated', command: 'ActivateStrategy', currentRevision: 0 });
      expect(await eventCount(id)).to.equal(1);
    });

    describe('an activation whose decision is wrong', () => {
      const toPaper = async () => {
        const id = await create();
        await call('POST', `/api/strategies/${id}/record-backtest`, { result: backtest });
        await call('POST', `/api/strategies/${id}/filter`, { verdict: passed });
        await call('POST', `/api/strategies/${id}/start-paper`, { actor: 'system:scheduler', reason: 'passed' });
        return id;
      };

      it('answers 400 naming decision.weights for a decision without the policy fields, and appends nothing', async () => {
        const id = await toPaper();
        const { weights: _omitted, ...withoutWeights } = decisionFor(id);
        const r = await call('POST', `/api/strategies/${id}/activate`, { actor: 'operator:bob', reason: 'x', decision: withoutWeights });
        expect(r.status).to.equal(400);
        expect(r.body.errors.map((e: { path: string }) => e.path)).to.include('decision.weights');
        expect(await eventCount(id)).to.equal(4);
      });

      it('answers 422 naming the rule and the numbers for "10 active of a maximum of 3" and for "score −5", and appends nothing', async () => {
        const id = await toPaper();
        const over = await call('POST', `/api/strategies/${id}/activate`, {
          actor: 'operator:bob',
          reason: 'x',
          decision: { ...decisionFor(id), activeStrategies: 10, maxActiveStrategies: 3 },
        });
        expect(over.status).to.equal(422);
        expect(over.body).to.include({ error: 'DecisionRefused', rule: 'OverMaximum', activeAfter: 11, maxActiveStrategies: 3, currentRevision: 3 });
        const score = await call('POST', `/api/strategies/${id}/activate`, { actor: 'operator:bob', reason: 'x', decision: { ...decisionFor(id), score: -5 } });
        expect(score.status).to.equal(422);
        expect(score.body).to.include({ error: 'DecisionRefused', rule: 'ScoreMismatch', score: -5 });
        const other = await call('POST', `/api/strategies/${id}/activate`, { actor: 'operator:bob', reason: 'x', decision: decisionFor(randomUUID()) });
        expect(other.status).to.equal(422);
        expect(other.body).to.include({ error: 'DecisionRefused', rule: 'NotInDecision', strategyId: id });
        expect(await eventCount(id)).to.equal(4);
      });
    });

    it('answers 404 for an unknown strategy', async () => {
      const r = await call('POST', `/api/strategies/${randomUUID()}/retire`, { actor: 'operator:bob', reason: 'x' });
      expect(r.status).to.equal(404);
      expect(r.body.error).to.equal('StrategyNotFound');
      expect((await call('GET', `/api/strategies/${randomUUID()}`)).status).to.equal(404);
      expect((await call('GET', `/api/strategies/${randomUUID()}/events`)).status).to.equal(404);
    });

    it('answers 404 naming the known commands for an unknown command', async () => {
      const id = await create();
      const r = await call('POST', `/api/strategies/${id}/promote`, {});
      expect(r.status).to.equal(404);
      expect(r.body.error).to.equal('UnknownCommand');
      expect(r.body.commands).to.deep.equal(LIFECYCLE_ROUTE_NAMES);
    });

    it('requires a reason on operator commands (400 with its path); an actor other than the key’s is a 403', async () => {
      const id = await create();
      const r = await call('POST', `/api/strategies/${id}/retire`, {});
      expect(r.status).to.equal(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['reason']);
      const claimed = await call('POST', `/api/strategies/${id}/retire`, { reason: 'x' }, { ...(await keys.key('bob')).headers });
      expect(claimed.status).to.equal(200);
      const other = await create();
      const wrong = await call('POST', `/api/strategies/${other}/retire`, { actor: 'bob', reason: 'x' });
      expect(wrong.status).to.equal(403);
      expect(wrong.body.error).to.equal('ActorMismatch');
      expect(await eventCount(other)).to.equal(1);
    });

    it('refuses a NaN-free but invalid metric body and a non-UUID id', async () => {
      const id = await create();
      const r = await call('POST', `/api/strategies/${id}/record-backtest`, { result: { ...(backtest as object), metrics: { sharpe: 'high' } } });
      expect(r.status).to.equal(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).to.include('result.metrics.sharpe');
      const bad = await call('POST', '/api/strategies/not-a-uuid/retire', { actor: 'operator:bob', reason: 'x' });
      expect(bad.status).to.equal(400);
      expect(bad.body.errors[0].path).to.equal('id');
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first answer to a retried create and appends nothing', async () => {
      const key = randomUUID();
      const first = await call('POST', '/api/strategies', { genome: smaCrossoverGenome() }, { 'Idempotency-Key': key });
      const retry = await call('POST', '/api/strategies', { genome: smaCrossoverGenome() }, { 'Idempotency-Key': key });
      expect(first.status).to.equal(201);
      expect(retry.status).to.equal(201);
      expect(retry.body).to.deep.equal(first.body);
      expect(retry.headers.get('idempotent-replayed')).to.equal('true');
      expect(await eventCount(first.body.id)).to.equal(1);
    });

    it('returns the first answer to a retried lifecycle command, even when the first answer was lost', async () => {
      const id = await create();
      const key = randomUUID();
      const body = { result: backtest };
      const first = await call('POST', `/api/strategies/${id}/record-backtest`, body, { 'Idempotency-Key': key });
      expect(first.status).to.equal(200);
      // Simulate a crash between the append and storing the answer: forget the stored answer.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query('DELETE FROM idempotency_keys WHERE key = $1', [key]);
      await c.end();
      const retry = await call('POST', `/api/strategies/${id}/record-backtest`, body, { 'Idempotency-Key': key });
      expect(retry.status).to.equal(200);
      expect(retry.body).to.include({ revision: 1, state: 'Backtested' });
      expect(await eventCount(id)).to.equal(2);
    });

    it('concurrent retries with one key append once', async () => {
      const id = await create();
      const key = randomUUID();
      const answers = await Promise.all(
        [0, 1, 2, 3].map(() => call('POST', `/api/strategies/${id}/record-backtest`, { result: backtest }, { 'Idempotency-Key': key })),
      );
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200, 200]);
      expect(await eventCount(id)).to.equal(2);
    });

    it('refuses a key reused for a different request with 422', async () => {
      const key = randomUUID();
      await call('POST', '/api/strategies', { genome: smaCrossoverGenome() }, { 'Idempotency-Key': key });
      const other = await call('POST', '/api/strategies', { genome: smaCrossoverGenome(5, 20) }, { 'Idempotency-Key': key });
      expect(other.status).to.equal(422);
    });
  });

  describe('queries over the read models', () => {
    it('lists strategies by state and serves the activation audit', async () => {
      const id = await create();
      await call('POST', `/api/strategies/${id}/record-backtest`, { result: backtest });
      await call('POST', `/api/strategies/${id}/filter`, { verdict: passed });
      await call('POST', `/api/strategies/${id}/start-paper`, { actor: 'system:scheduler', reason: 'passed' });
      const decision = decisionFor(id);
      const activated = await call('POST', `/api/strategies/${id}/activate`, { actor: 'operator:carol', reason: 'top score', decision });
      expect(activated.status, JSON.stringify(activated.body)).to.equal(200);
      await runner.catchUp();

      const live = await call('GET', '/api/strategies?state=Live');
      expect(live.status).to.equal(200);
      expect(live.body.strategies.map((s: { id: string }) => s.id)).to.include(id);
      const one = await call('GET', `/api/strategies/${id}`);
      expect(one.body).to.include({ id, state: 'Live', revision: 4, projectionUpToDate: true });

      const audit = await call('GET', `/api/audit/activations?strategyId=${id}`);
      expect(audit.status).to.equal(200);
      expect(audit.body.activations).to.have.length(1);
      const d = decision as {
        score: number;
        candidates: unknown;
        thresholds: unknown;
        maxActiveStrategies: number;
        activeStrategies: number;
        scoreParts: unknown;
      };
      expect(audit.body.activations[0]).to.deep.include({
        strategyId: id,
        action: 'activated',
        decidedBy: 'operator:carol',
        reason: 'top score',
        score: d.score,
        scoreParts: d.scoreParts,
        candidates: d.candidates,
        thresholds: d.thresholds,
        maxActiveStrategies: d.maxActiveStrategies,
        activeStrategies: d.activeStrategies,
        streamRevision: 4,
      });
    });

    it('refuses an unknown state filter with 400', async () => {
      const r = await call('GET', '/api/strategies?state=Dreaming');
      expect(r.status).to.equal(400);
      expect(r.body.errors[0].path).to.equal('state');
    });
  });

  describe('a stored event that no longer decodes', () => {
    it('is reported with its stream, revision and type; commands on it fail without appending', async () => {
      const id = randomUUID();
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query(
        `SELECT mt_append_to_stream($1, 'strategy', 'no_stream', ARRAY[$2::uuid], ARRAY['StrategyGenerated'], ARRAY[$3::jsonb], ARRAY[$4::jsonb])`,
        [
          `strategy-${id}`,
          randomUUID(),
          JSON.stringify({ strategyId: id, genome: { strategyType: 'astrology' } }),
          JSON.stringify({ correlationId: 'c', causationId: 'c', actor: 'system:test', schemaVersion: 1, occurredAt: '2024-01-01T00:00:00.000Z' }),
        ],
      );
      await c.end();
      const r = await call('POST', `/api/strategies/${id}/retire`, { actor: 'operator:bob', reason: 'x' });
      expect(r.status).to.equal(500);
      expect(r.body).to.include({ error: 'EventDecodeFailed', stream: `strategy-${id}`, revision: '0', eventType: 'StrategyGenerated' });
      expect(await eventCount(id)).to.equal(1);
      const events = await call('GET', `/api/strategies/${id}/events`);
      expect(events.status).to.equal(200);
      expect(events.body.events[0].decodeError.message).to.include('genome');
    });
  });

  describe('GET /openapi.json', () => {
    it('documents every route, with an example body for every command that decodes', async () => {
      const r = await call('GET', '/openapi.json');
      expect(r.status).to.equal(200);
      const doc = r.body as { paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { example: unknown } } } }>> };
      for (const name of LIFECYCLE_ROUTE_NAMES) {
        const example = doc.paths[`/api/strategies/{id}/${name}`]?.['post']?.requestBody?.content['application/json'].example;
        expect(example, name).to.not.equal(undefined);
        const decoded = (LIFECYCLE_ROUTES[name].codec as t.Mixed).decode(example);
        expect(either.isRight(decoded), `${name} example decodes`).to.equal(true);
      }
      const genExample = doc.paths['/api/strategies']?.['post']?.requestBody?.content['application/json'].example;
      expect(either.isRight(GenerateBody.decode(genExample)), 'the example genome is valid').to.equal(true);
      const btExample = doc.paths['/api/backtests']?.['post']?.requestBody?.content['application/json'].example;
      expect(either.isRight(BacktestRequestBody.decode(btExample)), 'the backtest example decodes').to.equal(true);
      for (const p of [
        '/api/strategies',
        '/api/strategies/{id}',
        '/api/strategies/{id}/events',
        '/api/audit/activations',
        '/api/backtests',
        '/api/backtests/{id}',
        '/api/market-data/status',
        '/api/market-data/selections/{day}',
        '/health',
        '/openapi.json',
      ])
        expect(doc.paths).to.have.property(p);
      expect(openApiDocument().openapi).to.equal('3.1.0');
    });
  });

  it('GET /api/market-data/status serves the collection status, and a day without a selection is 404', async () => {
    const status = await call('GET', '/api/market-data/status');
    expect(status.status).to.equal(200);
    expect(status.body.status).to.be.an('array');
    expect((await call('GET', '/api/market-data/selections/2023-12-30')).status).to.equal(404);
    expect((await call('GET', '/api/market-data/selections/yesterday')).status).to.equal(400);
  });

  it('GET /health answers', async () => {
    const r = await call('GET', '/health');
    expect(r.status).to.equal(200);
  });
});
