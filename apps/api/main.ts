// `npm run start:api`: the HTTP API on its own.
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { openBus, startApi, stopOnSignals } from '../services.js';

const platform = await openPlatform(configOrExit(), 'api');
const bus = openBus(platform, 'mastertrade-api');
const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
const api = await startApi(platform, bus, checkpoints);
stopOnSignals(platform, [api], async () => {
  await bus.close();
  await checkpoints.close();
});
