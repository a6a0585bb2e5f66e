// `npm run start:worker`: a backtest worker — consumes the RabbitMQ work queue with a worker-thread pool.
// Run one per machine; they compete for jobs, and a killed worker's jobs are redelivered to the others (up to the
// queue's delivery limit: a job that keeps killing its workers ends recorded as failed, WORKER_LOST).
import { startBacktestWorker } from '../backtesting.js';
import { configOrExit, openPlatform } from '../platform.js';
import { serve, stopInReverse } from '../shutdown.js';

await serve('worker', async () => {
  const platform = await openPlatform(configOrExit(), 'worker');
  const worker = await startBacktestWorker(platform);
  return { log: platform.log, stop: async () => void (await stopInReverse(platform.log, [{ stop: () => platform.close() }, worker])) };
});
