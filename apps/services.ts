// The services, each startable on its own (apps/*/main.ts) or together in one process (apps/main.ts).
import type { Server } from 'node:http';
import type { Bus } from '../application/ports/bus.js';
import { startMirror, type Mirror } from '../application/mirror/mirror.js';
import { type PostgresCheckpointStore } from '../infrastructure/db/postgres-checkpoint-store.js';
import { InProcessBus } from '../infrastructure/messaging/in-process-bus.js';
import { RabbitMqBus } from '../infrastructure/messaging/rabbitmq-bus.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import { ProjectionRunner } from '../projections/runner.js';
import { closeEventStream, createApi } from './api/server.js';
import { activationAuditReadModel, strategyReadModel } from './api/read-models.js';
import { marketDataReadModel } from './api/market-data-read-model.js';
import { healthCheck, type HealthOptions } from './health.js';
import { backtestRoutes } from './api/backtest-routes.js';
import type { Backtesting } from './backtesting.js';
import type { Platform } from './platform.js';
import { startEventMeters } from '../infrastructure/metrics/event-metrics.js';
import { registerLagMetrics } from '../infrastructure/metrics/lag-metrics.js';
import { registerCycleMetrics } from '../infrastructure/metrics/cycle-metrics.js';
import type { Registry } from 'prom-client';
import { mirrorLag, projectionLags } from './read-side-lag.js';
import type { RateLimits } from './api/rate-limits.js';
import { hasActiveAdminKey, syncApiKeyTable } from '../infrastructure/auth/api-key-table.js';
import { cycleOperandSources } from './learning-schedule.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';

/** What the API prints at a start with no admin key: how to make the first one. */
export const FIRST_ADMIN_KEY_MESSAGE =
  'no admin API key yet: every API route but /health and /openapi.json needs a key. Create the first admin key with ' +
  '`npm run keys -- create --name <your-name> --role admin` (the key is printed once; send it as "Authorization: Bearer <key>")';

export interface Running {
  stop(): Promise<void>;
}

/** RabbitMQ when AMQP_URL is set, otherwise a bus inside this process. */
export const openBus = (platform: Platform, connectionName: string): Bus => {
  if (platform.config.amqpUrl) {
    platform.log.info({ exchange: platform.config.amqpExchange }, 'events are mirrored to RabbitMQ');
    return new RabbitMqBus({ url: platform.config.amqpUrl, exchange: platform.config.amqpExchange, connectionName, log: platform.log });
  }
  platform.log.info('AMQP_URL not set: using the in-process bus (events reach consumers in this process only)');
  return new InProcessBus();
};

export const startProjector = (platform: Platform): Running & { runner: ProjectionRunner } => {
  const runner = new ProjectionRunner({ pool: platform.pool, store: platform.store, projections: ALL_PROJECTIONS, log: platform.log });
  runner.start();
  platform.log.info({ projections: ALL_PROJECTIONS.map((p) => p.name) }, 'projector started');
  return { runner, stop: () => runner.stop() };
};

export const startMirrorService = (platform: Platform, bus: Bus, checkpoints: PostgresCheckpointStore): Running & { mirror: Mirror } => {
  const mirror = startMirror({ store: platform.store, bus, checkpoints, log: platform.log, clock: platform.clock });
  platform.log.info('mirror started');
  return { mirror, stop: () => mirror.stop() };
};

export const startApi = async (
  platform: Platform,
  bus: Bus,
  checkpoints: PostgresCheckpointStore,
  backtesting?: Backtesting,
  health: HealthOptions = {},
  /** The rate limits (apps/api/rate-limits.ts defaults when not given): the fuzz and load benches raise them. */
  rate?: RateLimits,
): Promise<Running & { server: Server; port: number }> => {
  // The keys' table is a projection of the api-keys stream: catch it up (it heals a keys command stopped half-way).
  await syncApiKeyTable(platform.store, platform.pool);
  if (!(await hasActiveAdminKey(platform.pool))) platform.log.warn({ firstStart: true }, FIRST_ADMIN_KEY_MESSAGE);
  // The console's backtest traces read the cycle's candles: the backtesting's store, or one of the API's own.
  const ownCandles = backtesting ? undefined : new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
  const traceCandles = backtesting?.candles ?? ownCandles!;
  const app = createApi({
    store: platform.store,
    pool: platform.pool,
    log: platform.log,
    clock: platform.clock,
    ids: platform.ids,
    strategies: strategyReadModel(platform.pool),
    activationAudit: activationAuditReadModel(platform.pool),
    marketData: marketDataReadModel(platform.pool, platform.store, platform.clock),
    health: healthCheck(platform, bus, checkpoints, health),
    limits: { http: platform.config.limits.http, genomeMaxSymbols: platform.config.limits.genomeMaxSymbols, ...(rate ? { rate } : {}) },
    ...(platform.metrics ? { metrics: platform.metrics } : {}),
    console: {
      exchange: platform.config.marketData.exchange,
      cycleHour: platform.config.pipeline.cycleHour,
      runSettings: platform.config.runSettings,
      cycleTrace: { candles: traceCandles, operands: cycleOperandSources(platform, traceCandles) },
    },
    defaultRiskLimits: platform.config.risk.limits,
    ...(backtesting
      ? {
          backtests: backtestRoutes({
            store: platform.store,
            clock: platform.clock,
            ids: platform.ids,
            db: platform.pool,
            dispatch: backtesting.dispatch,
            defaultExchange: platform.config.marketData.exchange,
            candles: backtesting.candles,
            limits: platform.config.limits.backtest,
            genomeMaxSymbols: platform.config.limits.genomeMaxSymbols,
            runSettings: platform.config.runSettings,
          }),
        }
      : {}),
  });
  // The platform-wide figures (orders, refusals, backtests, cycles, lag) are served by the API process only.
  const meters = platform.metrics && startPlatformMetrics(platform.metrics, platform, checkpoints, health.mirrorName ?? 'mirror');
  // 127.0.0.1 unless HOST says otherwise; every route but /health and /openapi.json needs a key (doc/security.md).
  const server = app.listen(platform.config.port, platform.config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { url, host, port } = listeningAt(server);
  const everywhere = host === '0.0.0.0' || host === '::';
  platform.log.info({ host, port, url }, `API listening on ${url}${everywhere ? ' (every interface)' : ''}`);
  return {
    server,
    port,
    stop: async () => {
      await meters?.stop();
      await closeEventStream(app);
      await closeServer(server);
      await app.authentication.flush();
      await ownCandles?.close();
    },
  };
};

/** The figures of the whole platform, read from the log and the read models (doc/observability.md). */
const startPlatformMetrics = (registry: Registry, platform: Platform, checkpoints: PostgresCheckpointStore, mirrorName: string) => {
  registerLagMetrics(registry, {
    projectionLags: () => projectionLags(platform.pool, platform.store),
    mirrorLag: async () => (await mirrorLag(platform.store, checkpoints, mirrorName)).lag,
  });
  registerCycleMetrics(registry, platform.pool);
  return startEventMeters(registry, platform.store, platform.log);
};

/** The address the server really listens on (the port PORT=0 picked), as a URL. */
export const listeningAt = (server: Server): { url: string; host: string; port: number } => {
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error(`the server is not listening on a TCP port (${String(address)})`);
  const host = address.address;
  return { host, port: address.port, url: `http://${address.family === 'IPv6' ? `[${host}]` : host}:${address.port}` };
};

/** Stops accepting, lets requests in progress finish, and drops idle keep-alive connections. */
const closeServer = (server: Server) =>
  new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeIdleConnections();
  });
