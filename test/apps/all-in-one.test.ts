// `npm start` end to end: the API, projector and mirror in one process, first on the embedded PostgreSQL with the
// in-process bus (a machine with nothing but Node), then on the real PostgreSQL and RabbitMQ servers.
import { createTestKey, type TestKey } from '../support/api-keys.js';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { startAll } from '../../apps/all-in-one.js';
import type { DeliveredMessage } from '../../application/ports/bus.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { sharedDataFile } from '../support/shared-data.js';
import { importCandleFile } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';

/** Imports the real BTCUSDT hourly candles, asks for a backtest over November 2023, and waits for its result. */
const backtestEndToEnd = async (databaseUrl: string, call: ReturnType<typeof api>) => {
  const candles = new PostgresCandleStore({ connectionString: databaseUrl });
  try {
    await importCandleFile(candles, sharedDataFile('binance_BTCUSDT_1h.csv.gz'));
  } finally {
    await candles.close();
  }
  const requested = await call('POST', '/api/backtests', {
    genome: smaCrossoverGenome(),
    symbols: ['BTCUSDT'],
    interval: '1h',
    period: { from: '2023-11-01T00:00:00.000Z', to: '2023-12-01T00:00:00.000Z' },
  });
  expect(requested.status, JSON.stringify(requested.body)).to.equal(202);
  const jobId = requested.body['jobId'] as string;
  const done = await eventually(
    'the backtest result',
    async () => {
      const r = await call('GET', `/api/backtests/${jobId}`);
      return r.status === 200 && r.body['status'] !== 'requested' ? r.body : undefined;
    },
    60_000,
  );
  expect(done['status'], JSON.stringify(done)).to.equal('completed');
  expect(JSON.stringify(done)).to.include('sharpe');
};

const AMQP_URL = process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

const eventually = async <T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Calls the API with a real key (test/support/api-keys.ts): the API has no way to run without keys. */
const api = (port: number, key: TestKey) => async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, {
    method,
    headers: { ...key.headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('all services in one process', function () {
  this.timeout(120_000);

  describe('with nothing but Node: embedded PostgreSQL and the in-process bus', () => {
    let dataDir: string;
    before(() => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'mt-embedded-'));
      chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach the folder
    });
    after(() => rmSync(dataDir, { recursive: true, force: true }));

    it('serves commands and queries, mirrors events, and keeps its data across restarts', async () => {
      const env = {
        MARKET_DATA_SOURCE: 'none',
        DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(55000 + Math.floor(Math.random() * 5000)),
        PORT: '0',
        LOG_LEVEL: 'silent',
      };
      const first = await startAll(env);
      let id: string;
      let key: TestKey;
      try {
        // Made in the embedded database: the second start finds it there.
        key = await createTestKey(first.platform.store, first.platform.pool, { name: 'all-in-one', role: 'admin' });
        expect(first.platform.databaseUrl).to.include(`127.0.0.1:${env.EMBEDDED_PG_PORT}`);
        const mirrored: DeliveredMessage[] = [];
        await first.bus.subscribe(['strategy.#'], async (m) => void mirrored.push(m));
        const call = api(first.port, key);
        const created = await call('POST', '/api/strategies', { genome: smaCrossoverGenome() });
        expect(created.status).to.equal(201);
        id = created.body['id'] as string;
        await eventually('the projection', async () => {
          const list = await call('GET', '/api/strategies?state=Generated');
          return (list.body['strategies'] as { id: string }[]).some((s) => s.id === id) ? true : undefined;
        });
        const m = await eventually('the mirrored event', async () => mirrored.find((x) => x.body.stream === `strategy-${id}`));
        expect(m.routingKey).to.equal('strategy.StrategyGenerated');
        const health = await call('GET', '/health');
        expect(health.status).to.equal(200);
        expect(health.body['broker']).to.include({ kind: 'in-process', ok: true });
        // A backtest through this process's worker-thread pool.
        await backtestEndToEnd(first.platform.databaseUrl, call);
        // The learning cycle's backtests run on that same pool, off the event loop (counted as they pass).
        const pool = first.backtesting.pool!;
        const run = pool.run.bind(pool);
        let pooled = 0;
        pool.run = (...args: Parameters<typeof pool.run>) => (pooled++, run(...args));
        const cycle = await first.learning.runNow({ asOf: new Date('2023-06-01T03:00:00.000Z'), n: 3, symbols: ['BTCUSDT'] });
        if (either.isLeft(cycle)) expect.fail(cycle.left.message);
        expect([cycle.right.ran, cycle.right.generated]).to.deep.equal([true, 3]);
        expect(pooled).to.equal(2 * 3); // each genome in-sample and out-of-sample
      } finally {
        await first.stop();
      }

      const second = await startAll(env);
      try {
        const again = await api(second.port, key!)('GET', `/api/strategies/${id!}`);
        expect(again.status).to.equal(200);
        expect(again.body).to.include({ state: 'Generated', revision: 0 });
      } finally {
        await second.stop();
      }
    });
  });

  describe('with the PostgreSQL and RabbitMQ servers', () => {
    let db: TestDatabase;
    before(async () => {
      db = await freshDatabase('all_in_one');
    });
    after(() => db.drop());

    it('publishes every appended event to the topic exchange with its event id as message id', async () => {
      const exchange = `mt.test.${randomUUID()}`;
      const app = await startAll({ MARKET_DATA_SOURCE: 'none', DATABASE_URL: db.url, AMQP_URL, AMQP_EXCHANGE: exchange, PORT: '0', LOG_LEVEL: 'silent' });
      const conn = await amqp.connect(AMQP_URL);
      try {
        const ch = await conn.createChannel();
        await ch.assertExchange(exchange, 'topic', { durable: true });
        const q = await ch.assertQueue('', { exclusive: true });
        await ch.bindQueue(q.queue, exchange, 'strategy.#');
        const got: amqp.ConsumeMessage[] = [];
        await ch.consume(q.queue, (msg) => msg && got.push(msg), { noAck: true });

        const call = api(app.port, await createTestKey(app.platform.store, app.platform.pool, { name: 'test', role: 'admin' }));
        const created = await call('POST', '/api/strategies', { genome: smaCrossoverGenome() });
        const id = created.body['id'] as string;
        await call('POST', `/api/strategies/${id}/retire`, { actor: 'operator:test', reason: 'end to end' });
        await eventually('both events on RabbitMQ', async () => (got.length >= 2 ? true : undefined));
        const events = (await call('GET', `/api/strategies/${id}/events`)).body['events'] as { eventId: string; type: string }[];
        expect(got.map((m) => m.fields.routingKey)).to.deep.equal(['strategy.StrategyGenerated', 'strategy.StrategyRetired']);
        expect(got.map((m) => m.properties.messageId)).to.deep.equal(events.map((e) => e.eventId));
        expect(got.every((m) => m.properties.deliveryMode === 2)).to.equal(true);

        const health = await eventually('a healthy report', async () => {
          const h = await call('GET', '/health');
          return h.status === 200 ? h : undefined;
        });
        expect(health.body['broker']).to.include({ kind: 'rabbitmq', ok: true });
        // A backtest through the RabbitMQ work queue and the worker consuming it.
        await backtestEndToEnd(db.url, call);
        await ch.deleteExchange(exchange);
        await ch.deleteQueue(`${exchange}.journal`);
      } finally {
        await conn.close();
        await app.stop();
      }
    });
  });
});
