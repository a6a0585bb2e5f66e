// The daily learning cycle on its schedule: 03:00 UTC every day (DESIGN.md), after the 02:00 pair selection.
// `startLearningCycle(platform)` is what the all-in-one process starts; `learningCycleDeps` and `cycleBacktests` are
// shared with `npm run cycle`. The cycle's backtests run on a worker-thread pool, never on the event loop the API
// and the projector share: the process's own pool when it has one, else a pool of the cycle's own (cycleBacktests).
import { either } from 'fp-ts';
import { runDailyCycle, type DailyCycleDeps, type DailyCycleOptions } from '../application/learning/daily-cycle.js';
import type { WindowBacktests } from '../application/ports/window-backtests.js';
import { poolWindowBacktests } from '../infrastructure/backtest/pool-window-backtests.js';
import type { WorkerPool } from '../infrastructure/backtest/worker-pool.js';
import type { CycleOperandSources } from '../application/learning/cycle-operands.js';
import { PostgresDailySeriesStore } from '../infrastructure/market-data/daily-series-store.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { schedule, type Scheduled } from '../infrastructure/scheduling/schedule.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import { CatchUpIncomplete, ProjectionRunner, type ProjectionStatus } from '../projections/runner.js';
import { readModelLearningHistory } from '../projections/training-set/learning-history.js';
import { eventStorePaperResults } from '../application/learning/event-store-paper-results.js';
import { advisoryCycleLock } from '../infrastructure/db/advisory-cycle-lock.js';
import { readModelStrategiesInPaper } from '../projections/cycle-progress/strategies-in-paper.js';
import { openWorkerPool } from './backtesting.js';
import type { Platform } from './platform.js';
import type { PairSelectionConfig } from '../application/market-data/pair-selection.js';
import { createCycleStep } from '../application/pipeline/cycle-step.js';
import { createSelectionStep } from '../application/pipeline/selection-step.js';
import type { PipelineStep } from '../application/pipeline/step.js';
import { predictionSource } from '../projections/predictions/queries.js';
import { DEFAULT_RULES } from '../domain/selection/score-pairs.js';

export const LEARNING_CYCLE_CRON = '0 3 * * *';
/** The cycle's cron at the configured hour (PIPELINE_CYCLE_HOUR, default 3 = LEARNING_CYCLE_CRON). */
export const learningCycleCron = (platform: Pick<Platform, 'config'>) => `0 ${platform.config.pipeline.cycleHour} * * *`;

/** A read model that stopped at an event it cannot read will not catch up by waiting: say so at once. */
const stoppedError = (stopped: readonly ProjectionStatus[]) =>
  new Error(
    `read models stopped: ${stopped
      .map((s) => `${s.name} at ${s.stopped?.streamName ?? '?'}@${s.stopped?.revision ?? '?'}: ${s.stopped?.error ?? s.lastError ?? 'stopped'}`)
      .join('; ')} — the learning cycle cannot run on them. Fix the code or quarantine the event (npm run quarantine, doc/quarantine.md).`,
  );

/** Waits until the log shows every committed event (EventStore.unseenCommitted), or throws at the deadline. */
export const logShowsEverything = async (platform: Pick<Platform, 'store' | 'log'>, deadline: number): Promise<void> => {
  const { store } = platform;
  if (store.unseenCommitted === undefined) return;
  let said = false;
  for (let n = await store.unseenCommitted(); n > 0; n = await store.unseenCommitted()) {
    if (Date.now() > deadline)
      throw new Error(`${n} committed event(s) still hidden from the log by an older transaction on the database server: read models not caught up`);
    if (!said)
      platform.log.info({ unseen: n }, 'waiting for an older transaction elsewhere on the database server to end: the log does not show every event yet');
    said = true;
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * Brings the read models the learner reads (training set, strategies) up to the log: a catch-up of our own when no
 * projector holds them, else waiting (up to `timeoutMs`) for the running projector to have no lag. A read model that
 * stopped at an event it cannot read fails this at once, with where and why.
 */
export const readModelsCaughtUp =
  (platform: Platform, timeoutMs = 10 * 60_000) =>
  async (): Promise<void> => {
    // What this process just appended must be in the read models the next decision reads: first until the log shows
    // every committed event (a long transaction elsewhere on the server can hold some back), then the catch-up.
    await logShowsEverything(platform, Date.now() + timeoutMs);
    const runner = new ProjectionRunner({ pool: platform.pool, store: platform.store, projections: ALL_PROJECTIONS, log: platform.log });
    try {
      await runner.catchUp();
      return;
    } catch (err) {
      if (!(err instanceof CatchUpIncomplete) || err.problems.some((p) => p.kind !== 'owned-elsewhere')) throw err;
      platform.log.info({ err: err.message }, 'learning cycle: the projector holds the read models: waiting for it to catch up');
    } finally {
      await runner.stop();
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await runner.status();
      const stopped = status.filter((s) => s.stopped !== null);
      if (stopped.length > 0) throw stoppedError(stopped);
      const lagging = status.filter((s) => s.lag > 0);
      if (lagging.length === 0) return;
      if (Date.now() > deadline) throw new Error(`read models still behind the log: ${lagging.map((s) => `${s.name} (${s.lag})`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

export interface LearningCycleService {
  readonly job: Scheduled;
  /** Runs a cycle now (the CLI and tests; the schedule calls the same). */
  runNow(options?: DailyCycleOptions): ReturnType<typeof runDailyCycle>;
  stop(): Promise<void>;
}

/** How long a cycle's own pool (no process pool) outlives its last chunk: the next chunk reuses it. */
export const CYCLE_POOL_IDLE_MS = 30_000;

/**
 * The cycle's backtests on `pool`, or, without one, on a pool of their own: opened by the first chunk of a cycle and
 * closed once no chunk has come for CYCLE_POOL_IDLE_MS, or by `close` (a CLI's exit). A pool per chunk started two
 * worker threads (and compiled their code) for every 50 genomes: most of a 500-genome cycle's backtest stage.
 */
export const cycleBacktests = (platform: Platform, candles: PostgresCandleStore, pool?: WorkerPool): WindowBacktests & { close(): Promise<void> } => {
  if (pool !== undefined) return { ...poolWindowBacktests(pool), close: async () => {} };
  let own: WorkerPool | undefined;
  let running = 0;
  let idle: NodeJS.Timeout | undefined;
  const closeOwn = async () => {
    clearTimeout(idle);
    const closing = own;
    own = undefined;
    await closing?.close();
  };
  return {
    run: async (request) => {
      clearTimeout(idle);
      running++;
      try {
        return await poolWindowBacktests((own ??= openWorkerPool(platform, candles))).run(request);
      } finally {
        if (--running === 0) idle = setTimeout(() => void closeOwn(), CYCLE_POOL_IDLE_MS);
      }
    },
    close: closeOwn,
  };
};

/**
 * Where the cycle reads the operand families `cycle.operands` turns on: the daily series (on the candle store's pool,
 * closed with it) and the recorded predictions (the predictions read model).
 */
export const cycleOperandSources = (platform: Platform, candles: PostgresCandleStore): CycleOperandSources => ({
  daily: new PostgresDailySeriesStore({ pool: candles.pool }),
  predictions: predictionSource(platform.pool),
});

export const learningCycleDeps = (
  platform: Platform,
  candles: PostgresCandleStore,
  backtests: WindowBacktests,
  catchUp: () => Promise<void> = readModelsCaughtUp(platform),
  /** Where the families `cycle.operands` turns on are read (absent: none has data, none is drawn). */
  operands?: CycleOperandSources,
): DailyCycleDeps => ({
  store: platform.store,
  candles,
  clock: platform.clock,
  ids: platform.ids,
  log: platform.log,
  history: readModelLearningHistory(platform.pool),
  backtests,
  catchUp,
  paperResults: eventStorePaperResults(platform.store),
  strategiesInPaper: readModelStrategiesInPaper(platform.pool),
  lock: advisoryCycleLock(platform.pool),
  ...(operands === undefined ? {} : { operands }),
});

/**
 * Schedules runDailyCycle at 03:00 UTC (as of the tick's time, with the defaults: N = 500, the selected pairs; a day
 * already started resumes with its own). Its backtests run on `pool` (the process's backtest workers) or, without
 * one, on a pool of the cycle's own (cycleBacktests), closed by `stop`.
 */
export const startLearningCycle = (
  platform: Platform,
  options: Omit<DailyCycleOptions, 'asOf'> = {},
  pool?: WorkerPool,
  /** False when the pipeline's cycle step runs the day's cycle: `runNow` only, no cron of its own. */
  scheduled = true,
): LearningCycleService => {
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
  const backtests = cycleBacktests(platform, candles, pool);
  const deps = learningCycleDeps(platform, candles, backtests, undefined, cycleOperandSources(platform, candles));
  // The configured timeframes are a default: a day already started (then resumed after a crash) keeps its own.
  const runNow = (o: DailyCycleOptions = {}) => runDailyCycle(deps, { defaultTimeframes: platform.config.learning.timeframes, ...options, ...o });
  const cron = learningCycleCron(platform);
  const job = schedule(
    'learning cycle',
    cron,
    platform.log,
    async () => {
      const run = await runNow({ asOf: platform.clock.now(), trigger: `the 03:00 UTC schedule (pid ${process.pid})` });
      if (either.isLeft(run)) {
        platform.log.warn({ cycleId: run.left.cycleId, refused: run.left.kind }, run.left.message);
        return;
      }
      const r = run.right;
      platform.log.info(
        {
          cycleId: r.cycleId,
          ran: r.ran,
          generated: r.generated,
          leftOut: r.leftOut,
          learnedFrom: r.learnedFrom,
          passed: r.passed,
          promoted: r.promoted.length,
          paperResultsLearned: r.paperResultsLearned,
          notes: r.notes,
        },
        'scheduled learning cycle finished',
      );
    },
    { paused: !scheduled },
  );
  if (scheduled) platform.log.info({ cron, next: job.nextRun()?.toISOString() }, 'learning cycle scheduled (UTC)');
  return {
    job,
    runNow,
    stop: async () => {
      // A cycle in progress is not waited for: it can take many minutes and has no abort yet.
      void job.stop();
      await backtests.close();
      await candles.close();
    },
  };
};

/** The pair selection the pipeline runs: the collector's (apps/collector/service.ts), 30 days, the configured top N. */
export const pipelineSelectionConfig = (platform: Pick<Platform, 'config'>): PairSelectionConfig => ({
  exchange: platform.config.marketData.exchange,
  interval: '1h',
  lookbackDays: 30,
  rules: { ...DEFAULT_RULES, topN: platform.config.marketData.topN, minCoverage: 0.8 },
});

/**
 * The pipeline's selection and cycle steps (doc/cycle.md), in the order a pipeline hour calls them, at the configured
 * hours; the cycle's backtests on `backtests`, else on `pool` (the process's workers). The caller closes `candles`
 * (and `backtests`) when the pipeline stops.
 */
export const learningPipelineSteps = (
  platform: Platform,
  candles: PostgresCandleStore,
  options: {
    readonly pool?: WorkerPool;
    readonly backtests?: WindowBacktests;
    /** The pipeline's catch-up (the replay's own projection runner); by default, the projector's (readModelsCaughtUp). */
    readonly caughtUp?: () => Promise<void>;
  } = {},
): readonly [PipelineStep, PipelineStep] => {
  const backtests = options.backtests ?? cycleBacktests(platform, candles, options.pool);
  return [
    createSelectionStep({
      store: platform.store,
      candles,
      clock: platform.clock,
      ids: platform.ids,
      config: pipelineSelectionConfig(platform),
      hour: platform.config.pipeline.selectionHour,
    }),
    createCycleStep({
      cycle: learningCycleDeps(platform, candles, backtests, options.caughtUp, cycleOperandSources(platform, candles)),
      hour: platform.config.pipeline.cycleHour,
      options: { defaultTimeframes: platform.config.learning.timeframes },
    }),
  ];
};
