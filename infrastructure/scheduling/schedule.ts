// Cron schedules (croner, UTC). A run that outlasts its period is not doubled up; a failing run is logged
// and the schedule keeps going. stop() ends the schedule and waits for a run in progress.
import { Cron } from 'croner';
import type { Logger } from '../logging/logger.js';

export interface Scheduled {
  readonly name: string;
  /** Ends the schedule; resolves once a run in progress has finished. */
  stop(): Promise<void>;
  nextRun(): Date | null;
  /** Runs the job now, as a tick does (a run already in progress makes it a no-op). */
  run(): Promise<void>;
}

export const schedule = (name: string, pattern: string, log: Logger, run: () => Promise<unknown>, options: { readonly paused?: boolean } = {}): Scheduled => {
  let running: Promise<void> | undefined;
  const tick = async () => {
    if (running !== undefined) {
      log.warn({ job: name }, 'previous run still going: this tick is skipped');
      return;
    }
    running = (async () => {
      try {
        await run();
      } catch (err) {
        log.error({ err, job: name }, `${name} failed`);
      }
    })().finally(() => {
      running = undefined;
    });
    await running;
  };
  const job = new Cron(pattern, { timezone: 'UTC', paused: options.paused ?? false }, tick);
  return {
    name,
    run: tick,
    stop: async () => {
      job.stop();
      await running;
    },
    nextRun: () => job.nextRun(),
  };
};
