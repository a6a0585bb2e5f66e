// The API app as the platform builds it (every route, the backtest routes included), on a fresh database, listening
// on an ephemeral port, for the authentication suites. Keys are made with test/support/api-keys.ts.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { backtestRoutes } from '../../apps/api/backtest-routes.js';
import { marketDataReadModel } from '../../apps/api/market-data-read-model.js';
import type { RateLimits } from '../../apps/api/rate-limits.js';
import { activationAuditReadModel, strategyReadModel } from '../../apps/api/read-models.js';
import { createApi, type Api } from '../../apps/api/server.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';

export interface AuthApi {
  readonly db: TestDatabase;
  readonly store: EventStore;
  readonly pool: DatabasePool;
  readonly app: Api;
  /** Opens another app on the same database (other limits), listening; closed with the fixture. */
  listen(rate?: RateLimits): Promise<string>;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly text: string;
  readonly headers: Headers;
}

export const call = async (base: string, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
};

export const openAuthApi = async (label: string): Promise<AuthApi> => {
  const db = await freshDatabase(label);
  const store = checkedPostgresStore({ connectionString: db.url, pollIntervalMs: 50 });
  const pool = await createReadModelPool(db.url);
  const candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
  const clock = fixedClock(new Date('2024-03-01T12:00:00.000Z'));
  const servers: Server[] = [];
  const build = (rate?: RateLimits) =>
    createApi({
      store,
      pool,
      log: createLogger('silent'),
      clock,
      ids: uuidIds,
      strategies: strategyReadModel(pool),
      activationAudit: activationAuditReadModel(pool),
      marketData: marketDataReadModel(pool, store, clock),
      health: async () => ({ healthy: true }),
      backtests: backtestRoutes({
        store,
        clock,
        ids: uuidIds,
        db: pool,
        candles,
        dispatch: () => Promise.reject(new Error('no backtest runs in the authentication suites')),
      }),
      // A registry, so GET /metrics is registered as the platform registers it.
      metrics: new Registry(),
      ...(rate ? { limits: { rate } } : {}),
    });
  const app = build();
  const listen = async (rate?: RateLimits) => {
    const server = (rate ? build(rate) : app).listen(0, '127.0.0.1');
    servers.push(server);
    await new Promise((r) => server.once('listening', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  return {
    db,
    store,
    pool,
    app,
    listen,
    close: async () => {
      for (const s of servers) await new Promise((r) => s.close(r));
      await app.authentication.flush();
      await candles.close();
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
};
