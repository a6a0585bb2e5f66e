// The HTTP boundary accepts exactly what the stored events accept: a body its route accepts makes events that read
// back, and a body whose events would not read back is a 400 naming the field, with nothing stored. Shown for the
// issue's cases (a timestamp before 1970, a 90 KB correlation id, a genome with 50,000 symbols, an unknown field, text
// PostgreSQL cannot store) and, as a property, for hostile values anywhere in every strategy command's body.
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import { decodeEvent } from '../../application/events/decode-event.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import { createApi } from '../../apps/api/server.js';
import { LIFECYCLE_ROUTE_NAMES, type LifecycleRouteName } from '../../apps/api/command-bodies.js';
import { exampleActivationDecision, exampleCommands, exampleGenerate } from '../../apps/api/examples.js';
import { strategyReadModel, activationAuditReadModel } from '../../apps/api/read-models.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import type { Actor, Uuid } from '../../domain/primitives/codecs.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { rsiMeanReversionGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { DEFAULT_HTTP_LIMITS } from '../../infrastructure/config/config.js';
import { GENOME_BOUNDS } from '../../domain/strategy/genome.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { apply, mutation, pathsOf, setAt } from '../support/hostile-json.js';

const clock = fixedClock(new Date('2024-03-01T12:00:00.000Z'));
const example = (name: LifecycleRouteName) => exampleCommands[name] as Record<string, unknown>;
const data = <K extends LifecycleRouteName>(name: K, key: string) => example(name)[key];

/** The commands that bring a new strategy to where `route` applies (each as the route's example would record it). */
const stepsTo = (route: LifecycleRouteName): StrategyCommand['type'][] => {
  const path: StrategyCommand['type'][] = ['GenerateStrategy', 'RecordBacktest', 'FilterStrategy', 'StartPaperTrading', 'ActivateStrategy'];
  const needs: Record<LifecycleRouteName, number> = {
    'record-backtest': 1,
    filter: 2,
    'start-paper': 3,
    activate: 4,
    deactivate: 5,
    retire: 5,
    pin: 4,
    unpin: 4,
  };
  // unpin needs a pinned strategy
  return route === 'unpin' ? [...path.slice(0, needs[route]), 'PinStrategy'] : path.slice(0, needs[route]);
};
const commandOf = (type: StrategyCommand['type'], strategyId: Uuid): StrategyCommand => {
  const operator = { decidedBy: 'operator:alice' as Actor, reason: 'test' as never };
  switch (type) {
    case 'GenerateStrategy':
      return { type, strategyId, data: { genome: rsiMeanReversionGenome() } };
    case 'RecordBacktest':
      return { type, strategyId, data: { result: data('record-backtest', 'result') as never } };
    case 'FilterStrategy':
      return { type, strategyId, data: { verdict: data('filter', 'verdict') as never } };
    case 'StartPaperTrading':
    case 'PinStrategy':
      return { type, strategyId, data: operator };
    case 'ActivateStrategy':
      return { type, strategyId, data: { ...operator, decision: exampleActivationDecision(strategyId) as never } };
    default:
      throw new Error(`not a preparing command: ${type}`);
  }
};

describe('HTTP boundary: a body is accepted only when its events read back', function () {
  let apiKey: TestKey;
  this.timeout(300_000);
  let db: TestDatabase;
  let store: EventStore;
  let pool: DatabasePool;
  let server: Server;
  let base: string;

  before(async () => {
    db = await freshDatabase('api_boundary');
    store = checkedPostgresStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    const log = createLogger('silent');
    const app = createApi({
      store,
      pool,
      log,
      clock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, clock),
      health: async () => ({ healthy: true }),
      // Bodies up to 4 MiB, so that the 50,000 symbols reach the codecs rather than the body-size limit (413).
      limits: { http: { ...DEFAULT_HTTP_LIMITS, maxBodyBytes: 4 * 1024 * 1024 }, genomeMaxSymbols: GENOME_BOUNDS.symbols },
    });
    // A real admin key in this database (test/support/api-keys.ts): every API route but /health needs one.
    apiKey = await createTestKey(store, pool, { name: 'alice' });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server?.close(r));
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...apiKey.headers },
      // JSON.stringify writes NaN and ±Infinity as null, drops undefined, and throws on BigInt: send what it can.
      body: typeof body === 'string' ? body : (JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null'),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
  const prepared = async (route: LifecycleRouteName): Promise<string> => {
    const id = randomUUID() as Uuid;
    for (const type of stepsTo(route)) {
      const r = await handleStrategyCommand({ store, clock, ids: uuidIds }, commandOf(type, id), { actor: 'operator:alice' as Actor });
      if (either.isLeft(r)) throw new Error(`preparing ${route}: ${type} refused: ${JSON.stringify(r.left)}`);
    }
    return id;
  };
  const streamOf = async (id: string) => store.readStream(`strategy-${id}`);
  const paths = (r: { body?: Record<string, unknown> }) => ((r.body?.['errors'] ?? []) as { path: string }[]).map((e) => e.path);

  describe('the cases met so far', () => {
    it('a genome with 50,000 symbols is a 400 naming genome.symbols, nothing stored', async () => {
      const symbols = Array.from({ length: 50_000 }, (_, i) => `SYM${String(i).padStart(5, '0')}`);
      const r = await post('/api/strategies', setAt(exampleGenerate, ['genome', 'symbols'], symbols));
      expect(r.status).to.equal(400);
      expect(paths(r)).to.deep.equal(['genome.symbols']);
    });
    it('a 90 KB correlation id is a 400 naming correlationId', async () => {
      const r = await post('/api/strategies', { ...exampleGenerate, correlationId: 'c'.repeat(90_000) });
      expect(r.status).to.equal(400);
      expect(paths(r)).to.deep.equal(['correlationId']);
    });
    it('an unknown field, at the top or deep inside, is a 400 naming it', async () => {
      expect(paths(await post('/api/strategies', { ...exampleGenerate, leverage: 100 }))).to.deep.equal(['leverage']);
      expect(paths(await post('/api/strategies', setAt(exampleGenerate, ['genome', 'risk', 'leverage'], 100)))).to.deep.equal(['genome.risk.leverage']);
    });
    it('a backtest window before 1970 is a 400 naming it, and the strategy is unchanged', async () => {
      const id = await prepared('record-backtest');
      const r = await post(
        `/api/strategies/${id}/record-backtest`,
        setAt(example('record-backtest'), ['result', 'window', 'start'], '1960-01-01T00:00:00.000Z'),
      );
      expect(r.status).to.equal(400);
      expect(paths(r)).to.deep.equal(['result.window.start']);
      expect(await streamOf(id)).to.have.length(1);
    });
    it('a metric written as 1e400 (Infinity once parsed) is a 400 naming it', async () => {
      const id = await prepared('record-backtest');
      const body = JSON.stringify(example('record-backtest')).replace('"sharpe":1.35', '"sharpe":1e400');
      const r = await post(`/api/strategies/${id}/record-backtest`, body);
      expect(r.status).to.equal(400);
      expect(paths(r)).to.deep.equal(['result.metrics.sharpe']);
    });
    it('text PostgreSQL cannot store (U+0000) is a 400 naming it, not a 500', async () => {
      const id = await prepared('retire');
      const r = await post(`/api/strategies/${id}/retire`, { actor: 'operator:alice', reason: 'gone\u0000' });
      expect(r.status).to.equal(400);
      expect(paths(r)).to.deep.equal(['reason']);
    });
  });

  describe('property: hostile values anywhere in a command body never give a 5xx, and what is accepted reads back', () => {
    const routes: readonly (LifecycleRouteName | 'generate')[] = ['generate', ...LIFECYCLE_ROUTE_NAMES];
    for (const route of routes)
      it(route, async () => {
        const body = route === 'generate' ? exampleGenerate : { ...example(route), expectedRevision: undefined };
        const bodyPaths = pathsOf(body);
        let accepted = 0;
        await fc.assert(
          fc.asyncProperty(fc.nat(), mutation, async (at, m) => {
            const id = route === 'generate' ? undefined : await prepared(route);
            const revisionBefore = id === undefined ? 0 : (await streamOf(id)).length;
            // An activation names the strategy it activates: the example's decision is rewritten for this one.
            const own = route === 'activate' && id !== undefined ? { ...body, decision: exampleActivationDecision(id) } : body;
            const sent = apply(own, bodyPaths[at % bodyPaths.length]!, m);
            const r = await post(route === 'generate' ? '/api/strategies' : `/api/strategies/${id}/${route}`, sent);
            expect(r.status, JSON.stringify(r.body)).to.be.lessThan(500);
            const strategyId = (id ?? r.body?.['id']) as string | undefined;
            if (r.status >= 400) {
              if (id !== undefined) expect((await streamOf(id)).length, 'a refused command stores nothing').to.equal(revisionBefore);
              return;
            }
            accepted++;
            for (const recorded of await streamOf(strategyId!)) {
              const decoded = decodeEvent(recorded);
              if (either.isLeft(decoded))
                expect.fail(`accepted ${JSON.stringify(sent).slice(0, 300)} and stored what does not decode: ${decoded.left.message}`);
            }
          }),
          { seed: 4_122_026 + route.length, numRuns: 60 },
        );
        expect(accepted, 'accepted bodies').to.be.greaterThan(0);
      });
  });
});
