// The daily cycle's durations as gauges, read on scrape from the cycle_progress read model: the last completed cycle's
// duration and its stages' durations, and the running cycle's elapsed time and estimate of time left. Gauges, not a
// histogram: a cycle runs once a day, its figures are stored already, and the read model gives the process serving
// /metrics (the API) the same figures wherever the pipeline runs and across restarts; a histogram observed in the
// pipeline's memory would be empty in the API process and lost with every restart.
import { Gauge, type Registry } from 'prom-client';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { CYCLE_STAGES } from '../../domain/learning/cycle-stages.js';
import { METRIC_PREFIX } from './process-metrics.js';

const Row = z.object({
  cycleId: z.string(),
  stage: z.string(),
  elapsedMs: z.number(),
  etaMs: z.number().nullable(),
  stages: z.record(z.string(), z.object({ elapsedMs: z.number() }).passthrough()),
  finishedAt: z.number().nullable(),
});

const columns = sql.fragment`cycle_id AS "cycleId", stage, elapsed_ms::float8 AS "elapsedMs", eta_ms::float8 AS "etaMs", stages,
  extract(epoch FROM finished_at)::float8 AS "finishedAt"`;

export const registerCycleMetrics = (registry: Registry, db: CommonQueryMethods): void => {
  const read = async () => ({
    latest: await db.maybeOne(sql.type(Row)`SELECT ${columns} FROM cycle_progress ORDER BY cycle_id DESC LIMIT 1`),
    completed: await db.maybeOne(sql.type(Row)`SELECT ${columns} FROM cycle_progress WHERE stage = 'done' ORDER BY cycle_id DESC LIMIT 1`),
  });
  // One read per scrape for the five gauges: the first collect reads, the others use it.
  let pending: ReturnType<typeof read> | undefined;
  const once = () => (pending ??= read().finally(() => setImmediate(() => (pending = undefined))));

  new Gauge({
    name: `${METRIC_PREFIX}cycle_last_duration_seconds`,
    help: 'The last completed daily cycle: from its start to its last event, on the cycle clock (0 before the first)',
    registers: [registry],
    async collect() {
      const { completed } = await once();
      this.reset();
      if (completed) this.set(completed.elapsedMs / 1000);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}cycle_last_completed_timestamp_seconds`,
    help: 'When the last completed cycle finished (Unix time)',
    registers: [registry],
    async collect() {
      const { completed } = await once();
      this.reset();
      if (completed?.finishedAt != null) this.set(completed.finishedAt);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}cycle_stage_duration_seconds`,
    help: 'The duration of each stage of the last completed cycle (data, generate, backtest, filter, learn, promote)',
    labelNames: ['stage'],
    registers: [registry],
    async collect() {
      const { completed } = await once();
      this.reset();
      for (const stage of CYCLE_STAGES) {
        const s = completed?.stages[stage];
        if (s) this.labels(stage).set(s.elapsedMs / 1000);
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}cycle_running_elapsed_seconds`,
    help: 'The running cycle: time since it started (0 when none runs)',
    registers: [registry],
    async collect() {
      const { latest } = await once();
      this.reset();
      if (latest && latest.stage !== 'done') this.set(latest.elapsedMs / 1000);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}cycle_running_eta_seconds`,
    help: 'The running cycle: estimated time left (0 when none runs or it is not known yet)',
    registers: [registry],
    async collect() {
      const { latest } = await once();
      this.reset();
      if (latest && latest.stage !== 'done' && latest.etaMs !== null) this.set(latest.etaMs / 1000);
    },
  });
};
