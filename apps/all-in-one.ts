// Every service in one process, for a single machine (`npm start` runs apps/main.ts, which calls this).
import { PostgresCheckpointStore } from '../infrastructure/db/postgres-checkpoint-store.js';
import { configOrExit, openPlatform } from './platform.js';
import { openBus, startApi, startMirrorService, startProjector } from './services.js';
import { startCollector } from './collector/service.js';
import { startLearningCycle } from './learning-schedule.js';
import { openBacktesting, startBacktestWorker } from './backtesting.js';
import { stopInReverse, type Stoppable } from './shutdown.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { readModelsCaughtUp } from './learning-schedule.js';
import { hasCycleStep, pipelineSteps, startPipelineLoop, tickMinute } from './pipeline.js';
import { startAlerts } from './alerts.js';
import { healthCheck } from './health.js';

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
  // The pipeline loop (doc/pipeline.md): selection, cycle, desk, activation, every hour at PIPELINE_TICK_MINUTE.
  const minute = tickMinute(env);
  const pipelineCandles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
  const caughtUp = readModelsCaughtUp(platform);
  const pool = backtesting.pool ?? worker?.pool;
  const steps = pipelineSteps(platform, { mode: 'live', candles: pipelineCandles, caughtUp, ...(pool ? { pool } : {}) });
  // The learning cycle's backtests share this process's worker threads (the API's pool, or the queue worker's). The
  // cycle step replaces its 03:00 cron (two would run the day's cycle twice, the second refused but wasted): it is
  // kept for runNow only.
  const learning = startLearningCycle(platform, {}, pool, !hasCycleStep(steps));
  const pipeline = startPipelineLoop(platform, steps, caughtUp, minute);
  const healthOptions = { dataCollection: collector.health, pipeline: pipeline.status };
  // Alerts (doc/alerts.md): their own loops beside the pipeline's, judging what /health reports here.
  const alerts = startAlerts(platform, { checkpoints, health: healthCheck(platform, bus, checkpoints, healthOptions) });
  const api = await startApi(platform, bus, checkpoints, backtesting, healthOptions);
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
    { stop: () => pipelineCandles.close() },
    pipeline,
    alerts,
    api,
  ];
  return {
    platform,
    bus,
    port: api.port,
    collector,
    backtesting,
    learning,
    pipeline,
    /** Stops every service in reverse order of start: the API first, the database (and embedded PostgreSQL) last. */
    stop: async (): Promise<void> => {
      if (!(await stopInReverse(platform.log, parts))) throw new Error('a service did not stop cleanly (see the warnings above)');
    },
  };
};
