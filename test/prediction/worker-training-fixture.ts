// What the tests that train on the network worker thread (network-serving, predictor/retrain-worker) set up alike: a
// database of their own with BTCUSDT 1h stored, the daily series store, a temporary model directory, the worker, and
// the training deps; `close` undoes it all.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventStore } from '../../application/ports/event-store.js';
import type { TrainingDeps } from '../../application/prediction/train-model.js';
import type { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { candleFingerprint } from '../../infrastructure/prediction/candle-fingerprint.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { NetworkWorker } from '../../infrastructure/predictor/worker-trainer.js';
import { candlesOf } from '../support/candle-rows.js';
import { freshDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { btcusdt, slice } from './support.js';

export interface WorkerTrainingFixture {
  readonly store: EventStore;
  readonly candles: PostgresCandleStore;
  readonly daily: PostgresDailySeriesStore;
  readonly modelDir: string;
  readonly host: NetworkWorker;
  readonly deps: TrainingDeps;
  close(): Promise<void>;
}

/** The first `stored` BTCUSDT 1h candles stored in a fresh database named after `label`. */
export const workerTrainingFixture = async (label: string, stored: number, clock: ReturnType<typeof simulatedClock>): Promise<WorkerTrainingFixture> => {
  const db = await freshDatabase(label);
  const store = checkedPostgresStore({ connectionString: db.url });
  const candles = new PostgresCandleStore({ connectionString: db.url, poolSize: 2 });
  const daily = new PostgresDailySeriesStore({ connectionString: db.url });
  const modelDir = await mkdtemp(path.join(tmpdir(), `${label}-`));
  const host = new NetworkWorker();
  const deps: TrainingDeps = { store, clock, ids: uuidIds, modelDir, ridge: ridgeTrainer, fingerprint: candleFingerprint };
  await candles.writeCandles({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }, candlesOf(slice(btcusdt(), 0, stored)));
  return {
    store,
    candles,
    daily,
    modelDir,
    host,
    deps,
    close: async () => {
      await host.close();
      await candles.close();
      await daily.close();
      await store.close();
      await rm(modelDir, { recursive: true, force: true });
      await db.drop();
    },
  };
};
