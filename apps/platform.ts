// The composition root every app shares: configuration, logging, the database (given or embedded),
// migrations, the event store, the read-model pool, the bus, the clock and the id source.
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import type { Clock } from '../application/ports/clock.js';
import type { EventStore } from '../application/ports/event-store.js';
import type { IdGenerator } from '../application/ports/ids.js';
import { systemClock } from '../infrastructure/clock/system-clock.js';
import { uuidIds } from '../infrastructure/clock/uuid-ids.js';
import { loadConfig, type Config } from '../infrastructure/config/config.js';
import { ensureDatabase } from '../infrastructure/db/database.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../infrastructure/db/embedded-postgres.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createReadModelPool } from '../infrastructure/db/pool.js';
import { createEventStore } from '../infrastructure/event-store/create-event-store.js';
import { createLogger, type Logger } from '../infrastructure/logging/logger.js';
import { LogTee } from '../infrastructure/logging/log-tee.js';
import { scheduleLogRetention } from '../infrastructure/logging/log-retention.js';
import { loadObservabilitySettings } from '../infrastructure/logging/observability-settings.js';
import { countAppends } from '../infrastructure/metrics/event-store-metrics.js';
import { registerLogMetrics } from '../infrastructure/metrics/log-metrics.js';
import { startMetricsServer } from '../infrastructure/metrics/metrics-server.js';
import { createProcessRegistry } from '../infrastructure/metrics/process-metrics.js';
import type { Registry } from 'prom-client';
import pg from 'pg';

export interface Platform {
  readonly config: Config;
  readonly log: Logger;
  /** The PostgreSQL the read models (and the default event store) live in. */
  readonly databaseUrl: string;
  readonly store: EventStore;
  readonly pool: DatabasePool;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** This process's Prometheus registry (doc/observability.md); absent in a platform a test puts together. */
  readonly metrics?: Registry;
  /** The logger's second stream: error counts and, with LOG_STORE=on, the records for the logs table. */
  readonly logTee?: LogTee;
  close(): Promise<void>;
}

/** Reads the configuration or exits with a message naming the wrong variable. */
export const configOrExit = (env: Record<string, string | undefined> = process.env): Config => {
  const config = loadConfig(env);
  if (either.isLeft(config)) {
    process.stderr.write(`${config.left}\n`);
    process.exit(2);
  }
  return config.right;
};

export interface PlatformOptions {
  /**
   * `service` (default) owns the embedded PostgreSQL it starts and refuses a data folder another live process serves;
   * `command` (the CLIs) uses the server a running `npm start` already runs on the same DATA_DIR, and leaves it running.
   */
  readonly role?: 'service' | 'command';
  /** Where LOG_STORE, LOG_RETENTION_DAYS and METRICS_PORT are read (default process.env). */
  readonly env?: Record<string, string | undefined>;
}

export const openPlatform = async (config: Config, service: string, options: PlatformOptions = {}): Promise<Platform> => {
  const observability = loadObservabilitySettings(options.env ?? process.env);
  if (observability._tag === 'Left') throw new Error(`invalid configuration: ${observability.left}`);
  const settings = observability.right;
  const logTee = new LogTee({ service, store: settings.storeLogs });
  const log = createLogger(config.logLevel, service, { tee: logTee });
  const metrics = createProcessRegistry(service);
  registerLogMetrics(metrics, logTee);
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    log.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'DATABASE_URL not set: using the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      whenRunning: options.role === 'command' ? 'share' : 'refuse',
      onLog: (m) => log.debug({ postgres: m }),
    });
    if (embedded.owned) log.info({ pid: embedded.pid, port: embedded.port }, 'embedded PostgreSQL started');
    else
      log.info(
        { pid: embedded.pid, port: embedded.port, owner: embedded.ownerDescription },
        `using the embedded PostgreSQL that ${embedded.ownerDescription} runs (left running)`,
      );
    databaseUrl = embedded.url;
  }
  let store: EventStore;
  let pool: DatabasePool;
  try {
    if (await ensureDatabase(databaseUrl)) log.info('created the database');
    await migrate(databaseUrl, { info: (m) => log.info(m) });
    store = countAppends(await createEventStore(config, databaseUrl), metrics);
    pool = await createReadModelPool(databaseUrl);
  } catch (err) {
    // Nothing half-open is left behind: the server this process started goes with the failure.
    await embedded?.stop().catch(() => undefined);
    throw err;
  }
  // The records logged so far (bounded) go first; from now on in batches, on a connection of the tee's own.
  logTee.startStoring({ connectionString: databaseUrl });
  // Retention runs in every service (the deletes skip each other's rows); a CLI command leaves it to them.
  const retentionPool = options.role === 'command' || !settings.storeLogs ? undefined : new pg.Pool({ connectionString: databaseUrl, max: 1 });
  retentionPool?.on('error', () => undefined);
  const retention = retentionPool && scheduleLogRetention(retentionPool, settings.logRetentionDays, log, () => systemClock.now());
  const metricsServer =
    settings.metricsPort === undefined || options.role === 'command'
      ? undefined
      : await startMetricsServer(metrics, settings.metricsPort, config.host).catch((err: unknown) => {
          log.error({ err, port: settings.metricsPort }, 'cannot serve /metrics on METRICS_PORT');
          return undefined;
        });
  if (metricsServer) log.info({ port: settings.metricsPort }, 'serving /metrics on METRICS_PORT');
  log.info({ eventStore: store.name }, 'platform ready');
  return {
    config,
    log,
    databaseUrl,
    store,
    pool,
    clock: systemClock,
    ids: uuidIds,
    metrics,
    logTee,
    close: async () => {
      await metricsServer?.stop();
      await retention?.stop();
      await retentionPool?.end().catch(() => undefined);
      await logTee.close().catch(() => undefined);
      await store.close().catch((e) => log.warn({ err: e }, 'closing the event store'));
      await pool.end().catch((e) => log.warn({ err: e }, 'closing the pool'));
      await embedded?.stop().catch((e) => log.warn({ err: e }, 'stopping the embedded PostgreSQL'));
    },
  };
};
