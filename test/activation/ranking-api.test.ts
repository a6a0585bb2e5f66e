// GET /api/ranking and POST /api/strategies/:id/pin|unpin on a real database: the ranking read model with the
// score and breaches of each strategy, best first; a bad query or body is a 400 naming the field.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { createApi } from '../../apps/api/server.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { rankingProjection } from '../../projections/ranking/projection.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { memoryLog } from '../projections/support.js';
import { catchUpAll, History } from './history.js';

describe('GET /api/ranking, POST /api/strategies/:id/pin and unpin', () => {
  let apiKey: TestKey;
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let server: Server;
  let base: string;
  let runner: ProjectionRunner;
  const [good, weak] = [randomUUID(), randomUUID()];

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...apiKey.headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    db = await freshDatabase('ranking_api');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    const clock = fixedClock(new Date('2026-03-10T00:00:00.000Z'));
    const app = createApi({
      store,
      pool,
      log: createLogger('silent'),
      clock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, clock),
      health: async () => ({ healthy: true }),
    });
    // A real admin key in this database (test/support/api-keys.ts): every API route but /health needs one.
    apiKey = await createTestKey(store, pool, { name: 'alice' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const h = new History(store);
    await h.toPaper(good);
    await h.days(good, 'paper', '2026-03-01', [0.011, -0.009, 0.011, -0.009]);
    await h.toPaper(weak);
    await h.days(weak, 'paper', '2026-03-01', [0.009, -0.011, 0.009, -0.011]);
    runner = new ProjectionRunner({ pool, store, projections: [rankingProjection], log: memoryLog() });
    await catchUpAll(pool, store, runner);
  });

  after(async () => {
    server?.close();
    await pool?.end();
    await db?.drop();
  });

  it('lists the strategies best first with score, parts and breaches', async () => {
    const r = await call('GET', '/api/ranking');
    expect(r.status).to.equal(200);
    const strategies = r.body['strategies'] as { strategyId: string; score: number; parts: Record<string, number>; breaches: unknown[] }[];
    expect(strategies.map((s) => s.strategyId)).to.deep.equal([good, weak]);
    expect(strategies[0]!.score).to.be.greaterThan(strategies[1]!.score);
    expect(strategies[0]!.parts).to.have.keys('performance', 'backtest', 'regimeFit', 'risk');
    expect(strategies[0]!.breaches).to.deep.equal([]);
    expect(r.body['maxActiveStrategies']).to.equal(2);
    expect((await call('GET', '/api/ranking?state=Live')).body['strategies']).to.deep.equal([]);
  });

  it('pages the list best first: limit and offset over the whole ranking, total counting them all', async () => {
    const first = await call('GET', '/api/ranking?limit=1');
    expect(first.status).to.equal(200);
    expect((first.body['strategies'] as { strategyId: string }[]).map((s) => s.strategyId)).to.deep.equal([good]);
    expect(first.body['total']).to.equal(2);
    const second = await call('GET', '/api/ranking?limit=1&offset=1');
    expect((second.body['strategies'] as { strategyId: string }[]).map((s) => s.strategyId)).to.deep.equal([weak]);
    expect((await call('GET', '/api/ranking?offset=2')).body['strategies']).to.deep.equal([]);
  });

  it('refuses a limit out of range and a parameter it does not know, naming them', async () => {
    for (const [query, path] of [
      ['limit=0', 'query.limit'],
      ['limit=1001', 'query.limit'],
      ['offset=-1', 'query.offset'],
      ['sort=score', 'query.sort'],
    ] as const) {
      const r = await call('GET', `/api/ranking?${query}`);
      expect(r.status, query).to.equal(400);
      expect(JSON.stringify(r.body), query).to.contain(path);
    }
  });

  it('refuses a bad state with a 400 naming query.state', async () => {
    const r = await call('GET', '/api/ranking?state=Nope');
    expect(r.status).to.equal(400);
    expect(JSON.stringify(r.body)).to.contain('query.state');
  });

  it('pins and unpins with an operator body; a missing reason is a 400 naming the field', async () => {
    const noReason = await call('POST', `/api/strategies/${good}/pin`, { actor: 'operator:alice' });
    expect(noReason.status).to.equal(400);
    expect(JSON.stringify(noReason.body)).to.contain('reason');
    const pinned = await call('POST', `/api/strategies/${good}/pin`, { actor: 'operator:alice', reason: 'keep it' });
    expect(pinned.status, JSON.stringify(pinned.body)).to.equal(200);
    await catchUpAll(pool, store, runner);
    const listed = (await call('GET', '/api/ranking')).body['strategies'] as { strategyId: string; pinned: boolean }[];
    expect(listed.find((s) => s.strategyId === good)!.pinned).to.equal(true);
    const again = await call('POST', `/api/strategies/${good}/pin`, { actor: 'operator:alice', reason: 'keep it' });
    expect(again.status).to.equal(409);
    const unpinned = await call('POST', `/api/strategies/${good}/unpin`, { actor: 'operator:alice', reason: 'back to the policy' });
    expect(unpinned.status).to.equal(200);
  });
});
