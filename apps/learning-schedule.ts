// The daily learning cycle on its schedule: 03:00 UTC every day (DESIGN.md), after the 02:00 pair selection.
// `startLearningCycle(platform)` is what the worker (or the all-in-one process) starts; `learningCycleDeps` is
// shared with `npm run cycle`.
import { runDailyCycle, type DailyCycleDeps, type DailyCycleOptions } from '../application/learning/daily-cycle.js';
import { dataFingerprint } from '../infrastructure/backtest/job-runner.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { schedule, type Scheduled } from '../infrastructure/scheduling/schedule.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import { ProjectionRunner } from '../projections/runner.js';
import { readModelLearningHistory } from '../projections/training-set/learning-history.js';
import type { Platform } from './platform.js';

export const LEARNING_CYCLE_CRON = '0 3 * * *';

/**
 * Brings the read models the learner reads (training set, strategies) up to the log: a catch-up of our own when no
 * projector holds them, else waiting (up to `timeoutMs`) for the running projector to have no lag.
 */
export const readModelsCaughtUp =
  (platform: Platform, timeoutMs = 10 * 60_000) =>
  async (): Promise<void> => {
    const runner = new ProjectionRunner({ pool: platform.pool, store: platform.store, projections: ALL_PROJECTIONS, log: platform.log });
    try {
      await runner.catchUp();
      return;
    } catch (err) {
      platform.log.info({ err: err instanceof Error ? err.message : String(err) }, 'learning cycle: the projector holds the read models: waiting for it to catch up');
    } finally {
      await runner.stop();
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lagging = (await runner.status()).filter((s) => s.lag > 0);
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

export const learningCycleDeps = (platform: Platform, candles: PostgresCandleStore): DailyCycleDeps => ({
  store: platform.store,
  candles,
  clock: platform.clock,
  ids: platform.ids,
  log: platform.log,
  history: readModelLearningHistory(platform.pool),
  dataFingerprint,
  catchUp: readModelsCaughtUp(platform),
});

/** Schedules runDailyCycle at 03:00 UTC (as of the tick's time, with the defaults: N = 500, the selected pairs). */
export const startLearningCycle = (platform: Platform, options: Omit<DailyCycleOptions, 'asOf'> = {}): LearningCycleService => {
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
  const deps = learningCycleDeps(platform, candles);
  const runNow = (o: DailyCycleOptions = {}) => runDailyCycle(deps, { timeframes: platform.config.learning.timeframes, ...options, ...o });
  const job = schedule('learning cycle', LEARNING_CYCLE_CRON, platform.log, async () => {
    const r = await runNow({ asOf: platform.clock.now() });
    platform.log.info({ cycleId: r.cycleId, ran: r.ran, generated: r.generated, passed: r.passed, notes: r.notes }, 'scheduled learning cycle finished');
  });
  platform.log.info({ cron: LEARNING_CYCLE_CRON, next: job.nextRun()?.toISOString() }, 'learning cycle scheduled (UTC)');
  return {
    job,
    runNow,
    stop: async () => {
      // A cycle in progress is not waited for: it can take many minutes and has no abort yet.
      void job.stop();
      await candles.close();
    },
  };
};
