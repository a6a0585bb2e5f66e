// The logger's figures (log-tee.ts): records at error and above, records stored, batches, drops and truncations.
// Counted by the tee as plain numbers on the logging path; read into the registry only when scraped.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LogTee } from '../logging/log-tee.js';
import { METRIC_PREFIX } from './process-metrics.js';

/** A counter whose value is a running total kept elsewhere, read at scrape. */
const totalCounter = (registry: Registry, name: string, help: string, read: () => number) =>
  new Counter({
    name: `${METRIC_PREFIX}${name}`,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read());
    },
  });

export const registerLogMetrics = (registry: Registry, tee: LogTee): void => {
  totalCounter(registry, 'log_errors_total', 'Log records at level error or fatal written by this process', () => tee.stats.errors);
  totalCounter(registry, 'log_records_total', 'Log records written by this process (every level the logger emits)', () => tee.stats.received);
  totalCounter(registry, 'log_records_stored_total', 'Log records stored in the logs table', () => tee.stats.stored);
  totalCounter(registry, 'log_records_truncated_total', 'Log records stored cut to the size bound', () => tee.stats.truncated);
  new Counter({
    name: `${METRIC_PREFIX}log_batches_total`,
    help: 'INSERT statements of log records, by outcome (a failed batch is kept and tried again)',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      this.reset();
      this.labels('stored').inc(tee.stats.batches);
      this.labels('failed').inc(tee.stats.failedBatches);
    },
  });
  new Counter({
    name: `${METRIC_PREFIX}log_records_dropped_total`,
    help: 'Log records dropped because the buffer was full: class low (trace/debug/info, dropped first) or high (warn and above)',
    labelNames: ['class'],
    registers: [registry],
    collect() {
      this.reset();
      this.labels('low').inc(tee.stats.droppedLow);
      this.labels('high').inc(tee.stats.droppedHigh);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}log_records_buffered`,
    help: 'Log records waiting in memory for the logs table',
    registers: [registry],
    collect() {
      this.set(tee.stats.buffered);
    },
  });
};
