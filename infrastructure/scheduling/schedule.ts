// Cron schedules (croner, UTC). A run that outlasts its period is not doubled up; a failing run is logged
// and the schedule keeps going.
import { Cron } from 'croner';
import type { Logger } from '../logging/logger.js';

export interface Scheduled {
  readonly name: string;
  stop(): void;
  nextRun(): Date | null;
}

export const schedule = (name: string, pattern: string, log: Logger, run: () => Promise<unknown>): Scheduled => {
  const job = new Cron(pattern, { timezone: 'UTC', protect: () => log.warn({ job: name }, 'previous run still going: this tick is skipped') }, async () => {
    try {
      await run();
    } catch (err) {
      log.error({ err, job: name }, `${name} failed`);
    }
  });
  return { name, stop: () => job.stop(), nextRun: () => job.nextRun() };
};
