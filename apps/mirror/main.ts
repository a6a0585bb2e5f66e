// `npm run start:mirror`: the RabbitMQ mirror on its own.
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { openBus, startMirrorService } from '../services.js';
import { serve, stopInReverse } from '../shutdown.js';

await serve('mirror', async () => {
  const platform = await openPlatform(configOrExit(), 'mirror');
  if (!platform.config.amqpUrl) platform.log.warn('the mirror alone without AMQP_URL publishes to an in-process bus nobody else can read');
  const bus = openBus(platform, 'mastertrade-mirror');
  const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
  const mirror = startMirrorService(platform, bus, checkpoints);
  return {
    log: platform.log,
    stop: async () =>
      void (await stopInReverse(platform.log, [{ stop: () => platform.close() }, { stop: () => checkpoints.close() }, { stop: () => bus.close() }, mirror])),
  };
});
