// `npm run start:mirror`: the RabbitMQ mirror on its own.
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { openBus, startMirrorService, stopOnSignals } from '../services.js';

const platform = await openPlatform(configOrExit(), 'mirror');
if (!platform.config.amqpUrl) platform.log.warn('the mirror alone without AMQP_URL publishes to an in-process bus nobody else can read');
const bus = openBus(platform, 'mastertrade-mirror');
const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
stopOnSignals(platform, [startMirrorService(platform, bus, checkpoints)], async () => {
  await bus.close();
  await checkpoints.close();
});
