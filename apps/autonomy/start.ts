// The platform's autonomous operation: the pipeline loop ticking live (apps/pipeline.ts, doc/pipeline.md: selection,
// cycle, predictor, paper and live desks, activation) and the alerts service beside it (apps/alerts.ts,
// doc/alerts.md). Started the same way by the all-in-one process (apps/all-in-one.ts) and by the split deployment's
// own service (apps/autonomy/main.ts).
// Exactly one process runs them per database: nothing in a live tick keeps two pipelines apart (two desks would both
// trade the hour, two dispatchers both send an alert), so the process that runs them holds an advisory lock
// (infrastructure/db/advisory-ownership.ts). A second copy waits, says so in its log, and takes over when the first
// stops or dies.
import { either } from 'fp-ts';
import type { Bus } from '../../application/ports/bus.js';
import type { PipelineStatus } from '../../application/pipeline/pipeline.js';
import type { WorkerPool } from '../../infrastructure/backtest/worker-pool.js';
import { holdOwnership } from '../../infrastructure/db/advisory-ownership.js';
import type { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { predictorConfig } from '../../infrastructure/prediction/predictor-wiring.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { startAlerts } from '../alerts.js';
import type { DataCollectionHealth } from '../collector/service.js';
import { healthCheck, type HealthOptions } from '../health.js';
import { cycleBacktests, readModelsCaughtUp } from '../learning-schedule.js';
import { pipelineSteps, startPipelineLoop, tickMinute, type PipelineLoop } from '../pipeline.js';
import type { Platform } from '../platform.js';

/** The advisory lock's name (per database): the pipeline and the alerts go together. */
export const AUTONOMY_LOCK = 'autonomy';

export interface AutonomyOptions {
  /** The bus /health reports on (the alert rules read that report). */
  readonly bus: Bus;
  /** The mirror's checkpoints (its lag in /health) and the alerts' own. */
  readonly checkpoints: PostgresCheckpointStore;
  /** The process's backtest workers, when it has some: the cycle's backtests run there (else on a pool of the cycle's own, closed with the loop). */
  readonly pool?: WorkerPool;
  /** The collector's view of the exchange, when this process collects market data. */
  readonly dataCollection?: () => DataCollectionHealth;
  /** Where PIPELINE_TICK_MINUTE is read (default process.env). */
  readonly env?: Record<string, string | undefined>;
  /** How often a waiting copy tries the lock (ms, default 5000). */
  readonly pollMs?: number;
}

export interface Autonomy {
  /** For /health: the loop's status while this process runs it; no `pipeline` while another process does. */
  readonly health: HealthOptions;
  /** True while this process owns (runs) the pipeline and the alerts. */
  owner(): boolean;
  /** The loop, while this process runs it. */
  loop(): PipelineLoop | undefined;
  stop(): Promise<void>;
}

export const startAutonomy = (platform: Platform, options: AutonomyOptions): Autonomy => {
  // Checked at the start, so a wrong PIPELINE_TICK_MINUTE or PREDICTOR_* stops the process now (exit 2, the variable
  // named), not when the lock is won; pipelineSteps reads the predictor's from process.env.
  const minute = tickMinute(options.env ?? process.env);
  const predictor = predictorConfig(process.env, platform.config.dataDir);
  if (either.isLeft(predictor)) {
    process.stderr.write(`${predictor.left}\n`);
    process.exit(2);
  }
  const caughtUp = readModelsCaughtUp(platform);
  let loop: PipelineLoop | undefined;
  const health: HealthOptions = {
    ...(options.dataCollection === undefined ? {} : { dataCollection: options.dataCollection }),
    // Read at every report: absent while another process runs the loop (then live trading is not this process's).
    get pipeline(): (() => PipelineStatus) | undefined {
      const running = loop;
      return running === undefined ? undefined : () => running.status();
    },
  };
  const ownership = holdOwnership({
    connectionString: platform.databaseUrl,
    lock: AUTONOMY_LOCK,
    part: 'the pipeline and the alerts',
    log: platform.log,
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    // Built afresh at every takeover: a loop's stop closes its steps' connections.
    start: async () => {
      const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
      // Without the process's workers, the cycle opens a pool of its own for its backtests, closed with the loop.
      const backtests = options.pool ? undefined : cycleBacktests(platform, candles);
      const steps = pipelineSteps(platform, {
        mode: 'live',
        candles,
        caughtUp,
        ...(options.pool ? { pool: options.pool } : {}),
        ...(backtests ? { backtests } : {}),
      });
      const started = startPipelineLoop(platform, steps, caughtUp, minute);
      loop = started;
      // Their own loops beside the pipeline's, judging what /health reports in this process.
      const alerts = startAlerts(platform, { checkpoints: options.checkpoints, health: healthCheck(platform, options.bus, options.checkpoints, health) });
      return {
        stop: async () => {
          await alerts.stop();
          await started.stop();
          loop = undefined;
          await backtests?.close();
          await candles.close();
          platform.log.info({}, 'pipeline loop and alerts stopped');
        },
      };
    },
  });
  return { health, owner: () => ownership.owner(), loop: () => loop, stop: () => ownership.stop() };
};
