// Every service in one process, for a single machine (`npm start` runs apps/main.ts, which calls this).
import { PostgresCheckpointStore } from '../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from './platform.js';
import { openBus, startApi, startMirrorService, startProjector } from './services.js';
import { startCollector } from './collector/service.js';
import { startLearningCycle } from './learning-schedule.js';
import { openBacktesting, startBacktestWorker } from './backtesting.js';

export const startAll = async (env: Record<string, string | undefined> = process.env) => {
  const platform = await openPlatform(configOrExit(env), 'mastertrade');
  const bus = openBus(platform, 'mastertrade-main');
  const checkpoints = new PostgresCheckpointStore({ connectionString: platform.databaseUrl });
  const projector = startProjector(platform);
  const mirror = startMirrorService(platform, bus, checkpoints);
  const collector = startCollector(platform);
  const backtesting = openBacktesting(platform);
  // With a broker, a backtest worker in this process consumes the queue the API submits to.
  const worker = platform.config.amqpUrl ? await startBacktestWorker(platform) : undefined;
  // The learning cycle's backtests share this process's worker threads (the API's pool, or the queue worker's).
  const learning = startLearningCycle(platform, {}, backtesting.pool ?? worker?.pool);
  const api = await startApi(platform, bus, checkpoints, backtesting);
  const parts = [projector, mirror, collector, { stop: () => backtesting.close() }, ...(worker ? [worker] : []), learning, api];
  const closeRest = async () => {
    await bus.close();
    await checkpoints.close();
  };
  return {
    platform,
    bus,
    port: api.port,
    collector,
    backtesting,
    learning,
    parts,
    stop: async () => {
      for (const p of [...parts].reverse()) await p.stop();
      await closeRest();
      await platform.close();
    },
    closeRest,
  };
};
