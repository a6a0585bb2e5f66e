// `npm run start:api`: the HTTP API on its own.
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { openBus, startApi } from '../services.js';
import { openBacktesting } from '../backtesting.js';
import { serve, stopInReverse } from '../shutdown.js';

await serve('api', async () => {
  const platform = await openPlatform(configOrExit(), 'api');
  const bus = openBus(platform, 'mastertrade-api');
  const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
  const backtesting = openBacktesting(platform);
  const api = await startApi(platform, bus, checkpoints, backtesting);
  return {
    log: platform.log,
    stop: async () => {
      await stopInReverse(platform.log, [
        { stop: () => platform.close() },
        { stop: () => checkpoints.close() },
        { stop: () => bus.close() },
        { stop: () => backtesting.close() },
        api,
      ]);
    },
  };
});
