// `npm run start:autonomy`: the autonomous operation on its own, for the split deployment (docker-compose.yml) — the
// pipeline loop ticking live (selection, cycle, predictor, paper and live desks, activation) and the alerts
// (apps/autonomy/start.ts). Run one: a second copy waits for the first's advisory lock and takes over when it stops.
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { RabbitMqBus } from '../../infrastructure/messaging/rabbitmq-bus.js';
import { describeFailure } from '../failure.js';
import { configOrExit, openPlatform } from '../platform.js';
import { openBus } from '../services.js';
import { serve, stopInReverse } from '../shutdown.js';
import { startAutonomy } from './start.js';

await serve('autonomy', async () => {
  const platform = await openPlatform(configOrExit(), 'autonomy');
  // Nothing is published from here: the bus is what /health (read by the alert rules) reports the broker on, so it
  // connects now (and again whenever the connection is lost), not on a first publish that never comes.
  const bus = openBus(platform, 'mastertrade-autonomy');
  if (bus instanceof RabbitMqBus)
    void bus
      .start()
      .catch((err: unknown) => platform.log.warn({ err: describeFailure(err) }, 'RabbitMQ not reached yet: the broker counts as down until it is'));
  const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
  const autonomy = startAutonomy(platform, { bus, checkpoints });
  return {
    log: platform.log,
    stop: async () => {
      const parts = [{ stop: () => platform.close() }, { stop: () => checkpoints.close() }, { stop: () => bus.close() }, autonomy];
      if (!(await stopInReverse(platform.log, parts))) throw new Error('a part did not stop cleanly (see the warnings above)');
    },
  };
});
