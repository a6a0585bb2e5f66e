// The pipeline's whole `retrain` step keeps the main event loop turning: with the trainers the pipeline wires
// (loadingTrainers with a NetworkWorker) the features, split, windows, ridge baseline and the model's training all run
// on the worker thread (fit-models.ts via worker-trainer.ts), so from the step's start to the recorded ModelTrained a
// 10 ms interval timer fires all along — while the same step with in-process trainers blocks it for most of the
// retraining. Timing is judged only relatively (the longest gap between timer turns against the step's own
// duration), never against a wall-clock figure. What the worker computes is what the main thread computes: the same
// ModelTrained data and model files bit for bit, and the figures recorded by the code before the fit moved.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { either } from 'fp-ts';
import type { EventStore } from '../../application/ports/event-store.js';
import type { ForecasterTrainer } from '../../application/ports/forecaster.js';
import type { FittingTrainer } from '../../application/prediction/fit-models.js';
import { createRetrainStep } from '../../application/prediction/predictor-steps.js';
import { ModelHolder } from '../../application/prediction/served-model.js';
import { trainModel, type TrainingDeps } from '../../application/prediction/train-model.js';
import { modelStream, type ModelTrainedData } from '../../domain/prediction/events.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { type PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { type PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { selectBackend, type SelectedBackend } from '../../infrastructure/predictor/backend.js';
import { networkTrainer } from '../../infrastructure/predictor/network.js';
import { NetworkWorker, workerNetworkTrainer, workerRidgeTrainer } from '../../infrastructure/predictor/worker-trainer.js';
import { btcusdt, fearGreed, memoryLog, slice, HOUR } from '../prediction/support.js';
import { workerTrainingFixture, type WorkerTrainingFixture } from '../prediction/worker-training-fixture.js';

const STORED = 12_000; // BTCUSDT from 2021-04-04, enough for a preparation that takes a while (~10k windows of 60)
/** The longest wait of the main loop between the step's start, each timer turn and the step's end. */
const longestGap = (start: number, turns: readonly number[], end: number): number => {
  const points = [start, ...turns, end];
  return Math.max(...points.slice(1).map((p, i) => p - points[i]!));
};

/**
 * What two trainings of the same data must share: everything but the model's name and version — and the network's
 * sha256, which covers model.json, whose layer and weight names number the layers each thread has built so far
 * (TensorFlow.js counters: the worker and this thread have built different numbers). Its weights.bin is compared.
 */
const comparable = (d: ModelTrainedData) => ({
  ...d,
  model: '-',
  version: 0,
  artifacts: d.artifacts.map((a) => ({ ...a, directory: a.directory.split('/').slice(2).join('/'), sha256: a.kind === 'ridge' ? a.sha256 : '-' })),
});

describe('the retrain step on the network worker thread: features, windows, ridge and model off the main thread', function () {
  this.timeout(300_000);
  let fixture: WorkerTrainingFixture;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let daily: PostgresDailySeriesStore;
  let modelDir: string;
  let host: NetworkWorker;
  let deps: TrainingDeps;
  let backend: SelectedBackend;
  // Every ModelTrained's trainedAt: before the candles, so the retrain step finds the model due each time.
  const clock = simulatedClock(new Date('2021-01-01T00:00:00Z'));
  const trained = async (model: string): Promise<ModelTrainedData[]> =>
    (await store.readStream(modelStream(model))).filter((r) => r.type === 'ModelTrained').map((r) => r.data as ModelTrainedData);

  /** Runs one retrain step with `trainers` under a 10 ms timer; returns the turns' times and the step's. */
  const timedRetrain = async (model: string, trainers: Readonly<Record<string, ForecasterTrainer>>, now: Date) => {
    const holder = new ModelHolder({ store, modelDir, trainers, log: memoryLog() }, model);
    await holder.served(now);
    const retrain = createRetrainStep({ ...deps, holder, candles, daily, trainers, retrainEveryMs: 86_400_000 });
    const turns: number[] = [];
    const timer = setInterval(() => turns.push(performance.now()), 10);
    const start = performance.now();
    let out;
    try {
      out = await retrain.tick(now);
    } finally {
      clearInterval(timer);
      holder.dispose();
    }
    const end = performance.now();
    expect(out.notes.join(' ')).to.match(/v\d+ trained; it serves from the next tick/);
    return { turns, start, end, duration: end - start, longest: longestGap(start, turns, end) };
  };

  /** A fitting trainer that notes when its fit starts and when the worker says the preparation is done. */
  const observed = (t: FittingTrainer, marks: { fit?: number; prepared?: number }): FittingTrainer => ({
    ...t,
    fit: (req) => {
      marks.fit = performance.now();
      return t.fit({ ...req, onPrepared: () => (marks.prepared = performance.now()) });
    },
  });

  before(async () => {
    backend = await selectBackend();
    fixture = await workerTrainingFixture('predictor_retrain_worker', STORED, clock);
    ({ store, candles, daily, modelDir, host, deps } = fixture);
    // The worker started and its backend ready (a load that finds nothing), so its start is not timed below.
    await workerNetworkTrainer(host, 'small').load(path.join(modelDir, 'nowhere'), { window: 1, features: 1, sha256: '-' });
  });
  after(async () => {
    await fixture.close();
  });

  it('a ridge retraining (all preparation) keeps the main loop turning on the worker, blocks it in process, and records the same', async () => {
    const model = 'ridge-step';
    const v1 = await trainModel(deps, {
      model,
      trainer: ridgeTrainer,
      purpose: 'serving',
      candles: slice(btcusdt(), 0, 2000),
      requestedSymbol: 'BTCUSDT',
      seed: 5,
      window: 60,
      minSamples: 100,
    });
    if (either.isLeft(v1)) expect.fail(v1.left.message);
    const now = new Date(btcusdt().openTime[STORED - 1]! + 2 * HOUR);

    const marks: { fit?: number; prepared?: number } = {};
    const worker = await timedRetrain(model, { ridge: observed(workerRidgeTrainer(host), marks) }, now);
    const local = await timedRetrain(model, { ridge: ridgeTrainer }, now);

    // On the worker the loop waited at most a quarter of the step at once, and turned while the worker prepared.
    expect(worker.longest, `longest wait ${worker.longest.toFixed(0)} of ${worker.duration.toFixed(0)} ms`).to.be.below(worker.duration / 4);
    expect(marks.prepared, 'the worker reported the preparation done').to.be.a('number');
    const duringPreparation = worker.turns.filter((t) => t > marks.fit! && t < marks.prepared!).length;
    expect(duringPreparation, 'timer turns while the worker built features and windows').to.be.at.least(3);
    // In process the same step is one long block (the check above tells them apart).
    expect(local.longest, `in process: longest wait ${local.longest.toFixed(0)} of ${local.duration.toFixed(0)} ms`).to.be.above(local.duration / 4);

    // Both recorded the same model: the same data (but the version) and the same file.
    const [, v2, v3] = await trained(model);
    expect(v2!.split.trainSamples).to.be.above(9000);
    expect(comparable(v2!)).to.deep.equal(comparable(v3!));
    const file = (d: ModelTrainedData) => readFile(path.join(modelDir, d.artifacts[0]!.directory, 'ridge.json'));
    expect(await file(v2!)).to.deep.equal(await file(v3!));
  });

  it('a network retraining runs its preparation on the worker too, keeps the main loop turning, and records what in-process trainers record', async () => {
    const model = 'net-step';
    const v1 = await trainModel(deps, {
      model,
      trainer: networkTrainer('small', { maxEpochs: 1 }),
      purpose: 'serving',
      candles: slice(btcusdt(), 0, 600),
      requestedSymbol: 'BTCUSDT',
      seed: 1,
      window: 24,
      minSamples: 100,
    });
    if (either.isLeft(v1)) expect.fail(v1.left.message);
    v1.right.model.dispose();
    const now = new Date(btcusdt().openTime[1400]! + 2 * HOUR); // ~1 400 candles: ≥ 1 000 training windows
    const marks: { fit?: number; prepared?: number } = {};
    const network = observed(workerNetworkTrainer(host, 'small', { maxEpochs: 1 }), marks);
    const worker = await timedRetrain(model, { ridge: workerRidgeTrainer(host), 'lstm-transformer/small': network }, now);
    expect(worker.longest, `longest wait ${worker.longest.toFixed(0)} of ${worker.duration.toFixed(0)} ms`).to.be.below(worker.duration / 4);
    expect(marks.prepared, 'the worker reported the preparation done').to.be.a('number');

    await timedRetrain(model, { ridge: ridgeTrainer, 'lstm-transformer/small': networkTrainer('small', { maxEpochs: 1 }) }, now);
    const [, v2, v3] = await trained(model);
    expect(v2!.split.trainSamples).to.be.at.least(1000);
    // Same code, backend and seed on the same data: the same statistics, metrics and files, bit for bit.
    expect(comparable(v2!)).to.deep.equal(comparable(v3!));
    for (const [i, f] of [
      [0, 'weights.bin'],
      [1, 'ridge.json'],
    ] as const)
      expect(await readFile(path.join(modelDir, v2!.artifacts[i]!.directory, f)), f).to.deep.equal(
        await readFile(path.join(modelDir, v3!.artifacts[i]!.directory, f)),
      );
  });

  it('records what the code recorded before the fit moved to the worker (sha256 of the event data and files)', async () => {
    // Figures from commit 80a04ca (the preparation on the main thread), trainModel with in-process trainers on this
    // input, ids and clock. The ridge is plain float64 JavaScript (any machine); the network's figures hold for the
    // WASM backend this machine runs, trained as the second fit of a new worker (model.json numbers the layers a
    // thread has built: see comparable above).
    const golden = {
      ridge: {
        event: 'd9eba69d4e03f2bdd350d463c0028691f73d915a59747b9f949b1489d6514a2a',
        model: 'd5700b344b01fed4308d64669cc24319db3230d605963d2b0c2c2e96fb526cb6',
      },
      net: {
        event: '106a891b853b40eb0a49dd5004855d1e84da7592ec08886a211ab41296d4babe',
        model: '008b16e8892e4eea94e775bc61414fd198c343d980a02a791132d9cb1e70e506',
      },
    };
    const fg = await fearGreed();
    const fresh = new NetworkWorker();
    try {
      for (const [name, trainer] of [
        ['ridge', workerRidgeTrainer(fresh)],
        ['net', workerNetworkTrainer(fresh, 'small', { maxEpochs: 1 })],
      ] as const) {
        if (name === 'net' && backend.name !== 'wasm') continue;
        const r = await trainModel(
          { ...deps, modelDir: path.join(modelDir, 'golden') },
          {
            model: `btc-${name}`,
            trainer,
            purpose: 'serving',
            candles: slice(btcusdt(), 0, 1400),
            requestedSymbol: 'BTCUSDT',
            fearGreed: fg,
            seed: 5,
            window: 24,
            minSamples: 100,
          },
        );
        if (either.isLeft(r)) expect.fail(r.left.message);
        expect(createHash('sha256').update(JSON.stringify(r.right.trained)).digest('hex'), `${name} event`).to.equal(golden[name].event);
        expect(r.right.trained.artifacts.map((a) => a.sha256)).to.deep.equal(name === 'ridge' ? [golden.ridge.model] : [golden.net.model, golden.ridge.model]);
        r.right.model.dispose();
      }
    } finally {
      await fresh.close();
    }
  });
});
