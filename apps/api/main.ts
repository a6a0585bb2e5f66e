// `npm run start:api`: the HTTP API on its own.
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { openBus, startApi, stopOnSignals } from '../services.js';
import { openBacktesting } from '../backtesting.js';

const platform = await openPlatform(configOrExit(), 'api');
const bus = openBus(platform, 'mastertrade-api');
const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
const backtesting = openBacktesting(platform);
const api = await startApi(platform, bus, checkpoints, backtesting);
stopOnSignals(platform, [{ stop: () => backtesting.close() }, api], async () => {
  await bus.close();
  await checkpoints.close();
});
