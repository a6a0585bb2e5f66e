// Every service in one process, for a single machine (`npm start` runs apps/main.ts, which calls this).
import { PostgresCheckpointStore } from '../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from './platform.js';
import { openBus, startApi, startMirrorService, startProjector } from './services.js';
import { startCollector } from './collector/service.js';
import { startLearningCycle } from './learning-schedule.js';
import { openBacktesting, startBacktestWorker } from './backtesting.js';
import { stopInReverse, type Stoppable } from './shutdown.js';
import { startAutonomy } from './autonomy/start.js';

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
  const pool = backtesting.pool ?? worker?.pool;
  // The learning cycle's backtests share this process's worker threads (the API's pool, or the queue worker's). The
  // pipeline's cycle step runs the day's cycle, so its 03:00 cron stays off (two would run the day's cycle twice, the
  // second refused but wasted): it is kept for runNow only.
  const learning = startLearningCycle(platform, {}, pool, false);
  // The pipeline loop (doc/pipeline.md) and the alerts (doc/alerts.md), unless another process runs them on this
  // database: then this one waits and takes over when that one stops (apps/autonomy/start.ts).
  const autonomy = startAutonomy(platform, { bus, checkpoints, dataCollection: collector.health, env, ...(pool ? { pool } : {}) });
  const api = await startApi(platform, bus, checkpoints, backtesting, autonomy.health);
  // In the order of start: stopped in reverse, the API first, the database (and embedded PostgreSQL) last.
  const parts: Stoppable[] = [
    { stop: () => platform.close() },
    { stop: () => checkpoints.close() },
    { stop: () => bus.close() },
    projector,
    mirror,
    collector,
    { stop: () => backtesting.close() },
    ...(worker ? [worker] : []),
    learning,
    autonomy,
    api,
  ];
  return {
    platform,
    bus,
    port: api.port,
    collector,
    backtesting,
    learning,
    autonomy,
    /** Stops every service in reverse order of start: the API first, the database (and embedded PostgreSQL) last. */
    stop: async (): Promise<void> => {
      if (!(await stopInReverse(platform.log, parts))) throw new Error('a service did not stop cleanly (see the warnings above)');
    },
  };
};
