// GET /health: the database, the broker, how far the projections and the mirror lag behind the log, where a
// projection stopped, which events are quarantined, and (in the process that collects market data) whether the
// exchange can be reached. Read from the stored checkpoints and the log, so any process (the API alone, or
// all-in-one) reports the same.
// Levels: `unhealthy` (HTTP 503, healthy: false, the parts named in `unhealthy`) when a part that keeps the record
// or the read models fails or a read model has stopped; `degraded` (HTTP 200, the parts named in `degraded`) when
// the platform works but a part runs below par (a lagging read model, data collection offline); else `ok`.
import { sql } from 'slonik';
import { loadQuarantine } from '../application/quarantine/quarantine.js';
import type { Bus } from '../application/ports/bus.js';
import { mirrorLag, projectionLags } from './read-side-lag.js';
import { type PostgresCheckpointStore } from '../infrastructure/db/postgres-checkpoint-store.js';
import { RabbitMqBus } from '../infrastructure/messaging/rabbitmq-bus.js';
import type { HealthReport } from './api/server.js';
import type { Platform } from './platform.js';
import type { DataCollectionHealth } from './collector/service.js';
import type { PipelineStatus } from '../application/pipeline/pipeline.js';

export type HealthStatus = 'ok' | 'degraded' | 'unhealthy';

export interface HealthOptions {
  readonly mirrorName?: string;
  /** The collector's view of the exchange, when this process collects market data. */
  readonly dataCollection?: () => DataCollectionHealth;
  /** The pipeline loop's status, when this process runs it: its last tick and the last step that failed (degraded). */
  readonly pipeline?: () => PipelineStatus;
}

/**
 * Where live strategies trade. With TRADING_MODE=testnet or live the pipeline's live desk (its `live` step) sends
 * their orders to the exchange; a pipeline in this process without it is `degraded`: they would still trade on the
 * paper exchange, which nobody running with real keys expects.
 */
export const liveTradingHealth = (mode: string, exchange: string, pipeline: PipelineStatus | undefined) => {
  if (mode === 'paper') return { status: 'ok' as const, mode, tradesOn: 'paper', note: 'TRADING_MODE=paper: live strategies trade on the paper exchange' };
  if (pipeline === undefined) return { status: 'ok' as const, mode, tradesOn: exchange, note: 'the pipeline does not run in this process' };
  if (pipeline.mode === 'live' && pipeline.steps.includes('live'))
    return { status: 'ok' as const, mode, tradesOn: exchange, note: `live strategies trade on ${exchange} (${mode}) through the live desk` };
  return {
    status: 'degraded' as const,
    mode,
    tradesOn: 'paper',
    reason: `TRADING_MODE=${mode} but the pipeline has no live desk (steps: ${pipeline.steps.join(', ')}): live strategies still trade on the paper exchange`,
  };
};

/** Lag above which a part counts as behind (events). */
const MAX_HEALTHY_LAG = 10_000;

const timed = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now();
  try {
    return { ok: true as const, value: await fn(), ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false as const, error: (err as Error).message, ms: Math.round(performance.now() - t0) };
  }
};

export const healthCheck = (platform: Platform, bus: Bus, mirrorCheckpoints: PostgresCheckpointStore, options: HealthOptions = {}) => {
  const mirrorName = options.mirrorName ?? 'mirror';
  return async (): Promise<HealthReport> => {
    const database = await timed(() => platform.pool.oneFirst(sql.unsafe`SELECT 1`));
    const broker =
      bus instanceof RabbitMqBus
        ? { kind: 'rabbitmq', ok: bus.isConnected, exchange: platform.config.amqpExchange }
        : { kind: 'in-process', ok: true, note: 'AMQP_URL is not set: events go to an in-process bus' };
    const projections = await timed(async () =>
      (await projectionLags(platform.pool, platform.store)).map(({ name, version, lag, checkpoint: cp }) => ({
        name,
        version,
        storedVersion: cp?.version ?? null,
        lag,
        checkpoint: cp ? { commit: cp.position.commit.toString(), prepare: cp.position.prepare.toString() } : null,
        updatedAt: cp?.updatedAt ?? null,
        // Where and why it stopped: the event it cannot read, its position, the decode errors.
        stopped: cp?.stopped ?? null,
      })),
    );
    const mirror = await timed(async () => {
      const { lag, checkpoint: cp } = await mirrorLag(platform.store, mirrorCheckpoints, mirrorName);
      return { lag, checkpoint: cp ? { commit: cp.commit.toString(), prepare: cp.prepare.toString() } : null };
    });
    const quarantine = await timed(async () =>
      [...(await loadQuarantine(platform.store)).values()].map((q) => ({ ...q.event, reason: q.reason, decodeErrors: q.decodeErrors })),
    );
    const dataCollection = options.dataCollection?.();
    const pipeline = options.pipeline?.();
    const liveTrading = liveTradingHealth(platform.config.trading.mode, platform.config.trading.exchange, pipeline);
    const unhealthy = [
      ...(database.ok ? [] : ['database']),
      ...(broker.ok ? [] : ['broker']),
      ...(projections.ok ? projections.value.filter((p) => p.stopped !== null).map((p) => `projection:${p.name}`) : ['projections']),
      ...(mirror.ok ? [] : ['mirror']),
    ];
    const degraded = [
      ...(projections.ok ? projections.value.filter((p) => p.stopped === null && p.lag > MAX_HEALTHY_LAG).map((p) => `projection:${p.name}`) : []),
      ...(mirror.ok && mirror.value.lag > MAX_HEALTHY_LAG ? ['mirror'] : []),
      ...(quarantine.ok ? [] : ['quarantine']),
      ...(dataCollection?.status === 'degraded' ? ['dataCollection'] : []),
      ...(pipeline?.lastError ? ['pipeline'] : []),
      ...(liveTrading.status === 'degraded' ? ['liveTrading'] : []),
    ];
    const status: HealthStatus = unhealthy.length > 0 ? 'unhealthy' : degraded.length > 0 ? 'degraded' : 'ok';
    return {
      healthy: status !== 'unhealthy',
      status,
      unhealthy,
      degraded,
      eventStore: platform.store.name,
      database: database.ok ? { ok: true, latencyMs: database.ms } : { ok: false, error: database.error },
      broker,
      projections: projections.ok ? projections.value : { ok: false, error: projections.error },
      mirror: mirror.ok ? mirror.value : { ok: false, error: mirror.error },
      // Events every projection passes over (npm run quarantine -- list).
      quarantined: quarantine.ok ? quarantine.value : { ok: false, error: quarantine.error },
      ...(dataCollection === undefined ? {} : { dataCollection }),
      ...(pipeline === undefined ? {} : { pipeline }),
      liveTrading,
    };
  };
};
