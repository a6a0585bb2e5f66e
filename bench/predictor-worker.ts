// `npx tsx bench/predictor-worker.ts` (npm run bench:predictor-worker): the main thread's event-loop delay
// (perf_hooks.monitorEventLoopDelay) — what the pipeline's predictor costs the API and the other steps:
// 1. the small network training one epoch of 512 synthetic windows (24 × 23), in this thread and on the worker;
// 2. the whole `retrain` step (from its start to the recorded ModelTrained) on real BTCUSDC 1h in PostgreSQL (a
//    throw-away database), with in-process trainers and with the pipeline's (loadingTrainers with a NetworkWorker,
//    where features, split, windows and the ridge run on the worker): a ridge model, window 60, on all 21 355
//    candles (the preparation alone), and the small network, window 24, one epoch on the last 4 000 hours;
// 3. the hourly `predictor` step forecasting 24 hours (its catch-up) with the network served from the worker.
// BENCH_DATABASE_URL / DATABASE_URL names the server (default the local one).
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { either } from 'fp-ts';
import type { ForecasterTrainer } from '../application/ports/forecaster.js';
import { createPredictorStep, createRetrainStep } from '../application/prediction/predictor-steps.js';
import { ModelHolder } from '../application/prediction/served-model.js';
import { trainModel, type TrainingDeps } from '../application/prediction/train-model.js';
import { simulatedClock } from '../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../infrastructure/clock/uuid-ids.js';
import { dropDatabase, ensureDatabase, withDatabaseName } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { checkedEventStore } from '../application/events/checked-event-store.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { PostgresDailySeriesStore } from '../infrastructure/market-data/daily-series-store.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { candleFingerprint } from '../infrastructure/prediction/candle-fingerprint.js';
import { ridgeTrainer } from '../infrastructure/prediction/ridge-forecaster.js';
import { selectBackend } from '../infrastructure/predictor/backend.js';
import { networkTrainer } from '../infrastructure/predictor/network.js';
import { NetworkWorker, workerNetworkTrainer, workerRidgeTrainer } from '../infrastructure/predictor/worker-trainer.js';
import { loadCandles } from '../test/indicators/real-candles.js';
import { toyData } from '../test/predictor/network-fixtures.js';

const HOUR = 3_600_000;
const ms = (ns: number) => (ns / 1e6).toFixed(0);
/** Runs fn under a 10 ms-resolution event-loop delay monitor; prints its duration and the delay. */
const measured = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = performance.now();
  const r = await fn();
  delay.disable();
  process.stdout.write(
    `${label}: ${(performance.now() - t0).toFixed(0)} ms; event-loop delay max ${ms(delay.max)} ms, p99 ${ms(delay.percentile(99))} ms, mean ${ms(delay.mean)} ms\n`,
  );
  return r;
};

const backend = await selectBackend();
const host = new NetworkWorker();
process.stdout.write(`backend ${backend.name}; load average ${loadavg()[0]!.toFixed(1)}\n`);

// 1. The network's training alone.
const train = toyData(512, 24, 23, 1);
const validation = toyData(128, 24, 23, 2);
for (const [name, trainer] of [
  ['training, in process', networkTrainer('small', { maxEpochs: 1 })],
  ['training, worker thread (including its start)', workerNetworkTrainer(host, 'small', { maxEpochs: 1 })],
] as const)
  (await measured(name, () => trainer.train(train, validation, { seed: 1 }))).dispose();

// 2. and 3. The pipeline's steps on real candles in a throw-away database.
const server = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = withDatabaseName(server, `mt_bench_predictor_${process.pid}`);
await ensureDatabase(url);
await migrate(url);
// eslint-disable-next-line no-restricted-syntax -- the bench's own database, checked like the platform's
const store = checkedEventStore(new PostgresEventStore({ connectionString: url }));
const candles = new PostgresCandleStore({ connectionString: url, poolSize: 2 });
const daily = new PostgresDailySeriesStore({ connectionString: url });
const modelDir = await mkdtemp(path.join(tmpdir(), 'bench-predictor-worker-'));
try {
  const usdc = loadCandles('binance_BTCUSDC_1h.csv.gz', 'BTCUSDC');
  await candles.writeCandles(
    usdc.key,
    Array.from({ length: usdc.length }, (_, i) => ({
      openTime: usdc.openTime[i]!,
      open: usdc.open[i]!,
      high: usdc.high[i]!,
      low: usdc.low[i]!,
      close: usdc.close[i]!,
      volume: usdc.volume[i]!,
    })),
  );
  const clock = simulatedClock(new Date('2020-01-01T00:00:00Z')); // every model trained "long ago": always due
  const deps: TrainingDeps = { store, clock, ids: uuidIds, modelDir, ridge: ridgeTrainer, fingerprint: candleFingerprint };
  const now = new Date(usdc.openTime[usdc.length - 1]! + 2 * HOUR);
  const log = { warn: () => undefined, info: () => undefined };
  const retrain = async (label: string, model: string, trainers: Readonly<Record<string, ForecasterTrainer>>, historyMs?: number) => {
    const holder = new ModelHolder({ store, modelDir, trainers, log }, model);
    await holder.served(now);
    const step = createRetrainStep({ ...deps, holder, candles, daily, trainers, retrainEveryMs: HOUR, ...(historyMs ? { historyMs } : {}) });
    const out = await measured(label, () => step.tick(now));
    if (!/ trained; /.test(out.notes.join(' '))) throw new Error(out.notes.join(' '));
    holder.dispose();
  };
  const first = async (model: string, trainer: ForecasterTrainer, window: number) => {
    const r = await trainModel(deps, { model, trainer, purpose: 'serving', candles: usdc, requestedSymbol: 'BTCUSDC', seed: 1, window, minSamples: 100 });
    if (either.isLeft(r)) throw new Error(r.left.message);
    r.right.model.dispose();
  };

  await first('bench-ridge', ridgeTrainer, 60);
  await retrain('retrain step, ridge, window 60, 21 355 candles, in process', 'bench-ridge', { ridge: ridgeTrainer });
  await retrain('retrain step, ridge, window 60, 21 355 candles, worker thread', 'bench-ridge', { ridge: workerRidgeTrainer(host) });

  const net = networkTrainer('small', { maxEpochs: 1 });
  await first('bench-net', net, 24);
  const recent = 4000 * HOUR;
  await retrain(
    'retrain step, network small, window 24, 4 000 candles, 1 epoch, in process',
    'bench-net',
    { ridge: ridgeTrainer, 'lstm-transformer/small': net },
    recent,
  );
  await retrain(
    'retrain step, network small, window 24, 4 000 candles, 1 epoch, worker thread',
    'bench-net',
    { ridge: workerRidgeTrainer(host), 'lstm-transformer/small': workerNetworkTrainer(host, 'small', { maxEpochs: 1 }) },
    recent,
  );

  // 3. The hourly step's catch-up (24 hours) with the network served from the worker: features of 24 + 424 + 24
  // hours in this thread, the forecasts on the worker.
  const trainers = { ridge: workerRidgeTrainer(host), 'lstm-transformer/small': workerNetworkTrainer(host, 'small') };
  const holder = new ModelHolder({ store, modelDir, trainers, log }, 'bench-net');
  await holder.served(now);
  const predictor = createPredictorStep({ store, clock, ids: uuidIds, holder, candles, daily });
  const made = await measured('predictor step, 24 hours, network on the worker', () => predictor.tick(now));
  process.stdout.write(`  (${made.appended} PredictionMade)\n`);
  holder.dispose();
} finally {
  await host.close();
  await candles.close();
  await daily.close();
  await store.close();
  await rm(modelDir, { recursive: true, force: true });
  await dropDatabase(url);
}
