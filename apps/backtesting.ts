// How backtests run in this deployment: with AMQP_URL, requested jobs go to the durable RabbitMQ work queue
// and `apps/worker` processes consume them on their worker-thread pools; without it, this process runs them
// on its own worker-thread pool. Single, walk-forward and grid-search jobs alike: none runs on the event loop that
// serves the API.
import { availableParallelism } from 'node:os';
import { backtestOutcomeRecorder } from '../application/backtest/record-outcome.js';
import { withAnalysis, type BacktestDispatch } from '../application/backtest/run-in-process.js';
import type { BacktestJob, BacktestJobOutcome } from '../application/ports/backtest-jobs.js';
import { RabbitMqJobQueue } from '../infrastructure/backtest/rabbitmq-job-queue.js';
import { WorkerCrashedError, WorkerPool } from '../infrastructure/backtest/worker-pool.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../infrastructure/market-data/daily-series-store.js';
import type { Platform } from './platform.js';

export interface Backtesting {
  readonly dispatch: BacktestDispatch;
  readonly pool: WorkerPool | undefined;
  readonly queue: RabbitMqJobQueue | undefined;
  readonly candles: PostgresCandleStore;
  readonly record: ReturnType<typeof backtestOutcomeRecorder>;
  /** Resolves when every job this process started is recorded (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * With `daily`, a job whose genome reads Fear & Greed or an index, or another symbol's candles, has that data loaded
 * with it (worker-pool.ts); predictions wait for a PredictionSource (such a job fails OPERAND_DATA_MISSING).
 */
export const openWorkerPool = (platform: Platform, candles: PostgresCandleStore, daily?: PostgresDailySeriesStore): WorkerPool =>
  new WorkerPool({
    loadSeries: (exchange, symbol, interval) => candles.readSeries({ exchange, symbol, interval }),
    operands: { candles, ...(daily === undefined ? {} : { daily }) },
  });

export const openBacktesting = (platform: Platform): Backtesting => {
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 4 });
  const record = backtestOutcomeRecorder({ store: platform.store, clock: platform.clock, ids: platform.ids });
  const onError = (err: unknown, job: BacktestJob) => platform.log.error({ err, jobId: job.jobId }, 'backtest job could not be recorded');
  const daily = new PostgresDailySeriesStore({ connectionString: platform.databaseUrl });
  const queue = platform.config.amqpUrl ? new RabbitMqJobQueue({ url: platform.config.amqpUrl, log: platform.log }) : undefined;
  const pool = queue ? undefined : openWorkerPool(platform, candles, daily);
  const pending = new Set<Promise<void>>();
  const dispatch: BacktestDispatch = async (requested, analysis) => {
    const job = withAnalysis(requested, analysis);
    if (queue) return queue.submit(job);
    const run = pool!
      .run(job)
      .catch(crashedAsFailure(job))
      .then((outcome) => record(job, outcome))
      .catch((err) => onError(err, job));
    pending.add(run);
    void run.finally(() => pending.delete(run));
  };
  return {
    dispatch,
    pool,
    queue,
    candles,
    record,
    idle: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close: async () => {
      await Promise.all([...pending]);
      await pool?.close();
      await queue?.close();
      await candles.close();
      await daily.close();
    },
  };
};

/** A job whose worker thread died is recorded as failed (WORKER_CRASHED), not left requested for ever. */
const crashedAsFailure =
  (job: BacktestJob) =>
  (err: unknown): BacktestJobOutcome => {
    if (err instanceof WorkerCrashedError) return { ok: false, jobId: job.jobId, code: err.code, error: err.message };
    throw err;
  };

/**
 * The queue consumer of `apps/worker`: runs jobs on the pool, records, acks only after recording. A job that keeps
 * failing or taking its worker down is recorded as failed after the queue's delivery limit (rabbitmq-job-queue.ts).
 */
export const startBacktestWorker = async (platform: Platform) => {
  if (!platform.config.amqpUrl) throw new Error('the backtest worker consumes the RabbitMQ work queue: set AMQP_URL');
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 4 });
  const daily = new PostgresDailySeriesStore({ connectionString: platform.databaseUrl });
  const pool = openWorkerPool(platform, candles, daily);
  const queue = new RabbitMqJobQueue({ url: platform.config.amqpUrl, log: platform.log });
  const record = backtestOutcomeRecorder({ store: platform.store, clock: platform.clock, ids: platform.ids, actor: `worker:${process.pid}` as never });
  let consumer: Awaited<ReturnType<RabbitMqJobQueue['consume']>>;
  try {
    consumer = await queue.consume((job) => pool.run(job), record, { prefetch: availableParallelism() * 2 });
  } catch (e) {
    // e.g. a QueueDeclarationError (a classic queue of that name left by an earlier version): fail without leaks.
    await Promise.allSettled([queue.close(), pool.close(), candles.close(), daily.close()]);
    throw e;
  }
  platform.log.info({ workers: availableParallelism(), queue: queue.queue, deliveryLimit: queue.deliveryLimit }, 'backtest worker consuming the job queue');
  return {
    /** Its worker threads (the all-in-one process runs the daily cycle's backtests on them too). */
    pool,
    stop: async () => {
      await consumer.stop();
      await queue.close();
      await pool.close();
      await candles.close();
      await daily.close();
    },
  };
};
