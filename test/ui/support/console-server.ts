// The real API (apps/services.ts startApi, with the projector and the alerts service) over a test database, on an ephemeral port: what the
// browser tests and `npm run ui:screenshots` drive. Stopping it closes the live streams, the server and the pools.
import { PostgresCheckpointStore } from '../../../infrastructure/db/postgres-checkpoint-store.js';
import { loadConfig } from '../../../infrastructure/config/config.js';
import { openPlatform, type Platform } from '../../../apps/platform.js';
import { openBus, startApi, startProjector } from '../../../apps/services.js';
import { startAlerts } from '../../../apps/alerts.js';
import { healthCheck } from '../../../apps/health.js';
import type { RateLimits } from '../../../apps/api/rate-limits.js';
import type { Role } from '../../../domain/access/roles.js';
import { createTestKey, revokeTestKey, type TestKey } from '../../support/api-keys.js';

export interface ConsoleServer {
  readonly url: string;
  readonly platform: Platform;
  /** A real key with `role` in the server's database (as `npm run keys -- create` makes one), named `name`. */
  key(role: Role, name?: string): Promise<TestKey>;
  /** Revokes a key as `npm run keys -- revoke` does. */
  revoke(key: TestKey): Promise<void>;
  stop(): Promise<void>;
}

export const startConsoleServer = async (databaseUrl: string, env: Record<string, string> = {}, rate?: RateLimits): Promise<ConsoleServer> => {
  const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', MARKET_DATA_SOURCE: 'none', ...env });
  if (config._tag === 'Left') throw new Error(config.left);
  const platform = await openPlatform(config.right, 'api');
  const bus = openBus(platform, 'console-test');
  const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
  const projector = startProjector(platform);
  const api = await startApi(platform, bus, checkpoints, undefined, {}, rate);
  // The alerts service as `npm start` runs it (no channel configured): an event rule raises its alert within a second.
  const alerts = startAlerts(platform, { checkpoints, health: healthCheck(platform, bus, checkpoints), followMs: 300 });
  return {
    url: `http://127.0.0.1:${api.port}`,
    platform,
    key: (role, name) => createTestKey(platform.store, platform.pool, { role, ...(name === undefined ? {} : { name }) }),
    revoke: (key) => revokeTestKey(platform.store, platform.pool, key.keyId),
    stop: async () => {
      await alerts.stop();
      await api.stop();
      await projector.stop();
      await checkpoints.close();
      await bus.close();
      await platform.close();
    },
  };
};
