// Log retention: rows older than LOG_RETENTION_DAYS go, a few thousand per statement, each its own short transaction
// (no long lock, no bloat burst, the writers never wait). Rows another deleter holds are skipped (SKIP LOCKED), so
// every service may run the job at once. Why batches rather than time partitions: doc/observability.md.
import type pg from 'pg';
import type { Logger } from './logger.js';
import { schedule, type Scheduled } from '../scheduling/schedule.js';

export interface RetentionRun {
  readonly deleted: number;
  readonly batches: number;
}

/** Deletes the records older than `before`, `batchSize` rows per statement; yields to the event loop between them. */
export const deleteLogsBefore = async (pool: pg.Pool, before: Date, batchSize = 5000): Promise<RetentionRun> => {
  let deleted = 0;
  let batches = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM logs WHERE id IN (
         SELECT id FROM logs WHERE time < $1 ORDER BY time LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, batchSize],
    );
    const n = rowCount ?? 0;
    deleted += n;
    if (n > 0) batches++;
    if (n < batchSize) return { deleted, batches };
    await new Promise((resolve) => setImmediate(resolve));
  }
};

/** Every hour at minute 17 (UTC): delete what is older than `days` days at that moment. */
export const scheduleLogRetention = (pool: pg.Pool, days: number, log: Logger, now: () => Date, pattern = '17 * * * *'): Scheduled =>
  schedule('log-retention', pattern, log, async () => {
    const before = new Date(now().getTime() - days * 86_400_000);
    const run = await deleteLogsBefore(pool, before);
    if (run.deleted > 0) log.info({ deleted: run.deleted, batches: run.batches, before: before.toISOString() }, 'log retention: old records deleted');
  });
