// What the daily-cycle suites share: a fresh database with real 1h candles imported, the event store, the read
// models kept by a projection runner, and the cycle's dependencies on a fixed clock.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import { runDailyCycle, type DailyCycleDeps, type DailyCycleOptions, type DailyCycleReport } from '../../application/learning/daily-cycle.js';
import { inProcessWindowBacktests } from '../../application/learning/in-process-window-backtests.js';
import { dataFingerprint } from '../../infrastructure/backtest/job-runner.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { importCandleFiles } from '../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { readModelLearningHistory } from '../../projections/training-set/learning-history.js';
import { eventStorePaperResults } from '../../application/learning/event-store-paper-results.js';
import { readModelStrategiesInPaper } from '../../projections/cycle-progress/strategies-in-paper.js';
import { memoryLog } from '../projections/support.js';
import { freshDatabase } from '../support/database.js';
import { sharedDataFile } from '../support/shared-data.js';

export interface CycleFixture {
  readonly store: EventStore;
  readonly pool: DatabasePool;
  readonly runner: ProjectionRunner;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly deps: DailyCycleDeps;
  close(): Promise<void>;
}

/** `files`: names in ../shared/data (e.g. `binance_BTCUSDT_1h.csv.gz`). */
export const openCycleFixture = async (label: string, files: readonly string[], now: Date): Promise<CycleFixture> => {
  const db = await freshDatabase(label);
  const store = checkedPostgresStore({ connectionString: db.url });
  const candles = new PostgresCandleStore({ connectionString: db.url, source: 'test' });
  const pool = await createReadModelPool(db.url);
  for await (const r of importCandleFiles(candles, files.map(sharedDataFile))) expect(r.error, r.file).to.equal(undefined);
  const runner = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog() });
  const clock = fixedClock(now);
  const deps: DailyCycleDeps = {
    store,
    candles,
    clock,
    ids: uuidIds,
    log: memoryLog(),
    history: readModelLearningHistory(pool),
    backtests: inProcessWindowBacktests(dataFingerprint),
    catchUp: () => runner.catchUp(),
    paperResults: eventStorePaperResults(store),
    strategiesInPaper: readModelStrategiesInPaper(pool),
  };
  return {
    store,
    pool,
    runner,
    clock,
    deps,
    close: async () => {
      await runner.stop();
      await pool.end();
      await candles.close();
      await store.close();
      await db.drop();
    },
  };
};

/** runDailyCycle for a run that is not refused (a refusal fails the test with its message). */
export const runDay = async (deps: DailyCycleDeps, options: DailyCycleOptions): Promise<DailyCycleReport> => {
  const r = await runDailyCycle(deps, options);
  if (either.isLeft(r)) throw new Error(`refused: ${r.left.message}`);
  return r.right;
};
