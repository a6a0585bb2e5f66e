// The network served end to end, as the pipeline runs it: trained on real BTCUSDT 1h (small profile, one epoch, a
// few hundred windows) on the worker thread, saved, loaded through the served-model holder, and forecasting through
// the predictor step into PredictionMade — each forecast equal to the saved network's predict() on the window this
// test builds itself from the stored normalisation. Then the retrain step trains v2 on the worker while the main
// event loop keeps turning, and v2 serves; a training that fails on the worker is recorded and v2 keeps serving.
import { expect } from 'chai';
import path from 'node:path';
import { either } from 'fp-ts';
import type { EventStore } from '../../application/ports/event-store.js';
import { createPredictorStep, createRetrainStep } from '../../application/prediction/predictor-steps.js';
import { ModelHolder } from '../../application/prediction/served-model.js';
import { trainModel, type TrainingDeps } from '../../application/prediction/train-model.js';
import { modelStream, predictionsStream, type ModelTrainedData, type PredictionMadeData } from '../../domain/prediction/events.js';
import { buildFeatures } from '../../domain/prediction/features.js';
import { normalCdf } from '../../domain/prediction/metrics.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { type PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { type PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { selectBackend } from '../../infrastructure/predictor/backend.js';
import { networkTrainer } from '../../infrastructure/predictor/network.js';
import { NetworkWorker, workerNetworkTrainer } from '../../infrastructure/predictor/worker-trainer.js';
import { btcusdt, memoryLog, slice, HOUR } from './support.js';
import { workerTrainingFixture, type WorkerTrainingFixture } from './worker-training-fixture.js';

const STORED = 1400; // BTCUSDT from 2021-04-04: no gap in these hours
const MODEL = 'btc-net';

describe('the network served end to end (worker thread, holder, predictor and retrain steps) on real BTCUSDT 1h', function () {
  this.timeout(300_000);
  let fixture: WorkerTrainingFixture;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let daily: PostgresDailySeriesStore;
  let modelDir: string;
  let host: NetworkWorker;
  let deps: TrainingDeps;
  let holder: ModelHolder;
  // Every ModelTrained's trainedAt: before the candles, so the retrain step finds the model due.
  const clock = simulatedClock(new Date('2021-01-01T00:00:00Z'));
  const network = () => workerNetworkTrainer(host, 'small', { maxEpochs: 1 });
  const trainers = () => ({ ridge: ridgeTrainer, 'lstm-transformer/small': network() });
  const trained = async (): Promise<ModelTrainedData[]> =>
    (await store.readStream(modelStream(MODEL))).filter((r) => r.type === 'ModelTrained').map((r) => r.data as ModelTrainedData);

  before(async () => {
    await selectBackend();
    fixture = await workerTrainingFixture('prediction_network_serving', STORED, clock);
    ({ store, candles, daily, modelDir, host, deps } = fixture);
    holder = new ModelHolder({ store, modelDir, trainers: trainers(), log: memoryLog() }, MODEL);
  });
  after(async () => {
    holder.dispose();
    await fixture.close();
  });

  it("records PredictionMade equal to the saved network's predict() on windows built independently", async () => {
    const r = await trainModel(deps, {
      model: MODEL,
      trainer: network(),
      purpose: 'serving',
      candles: slice(btcusdt(), 0, 600),
      requestedSymbol: 'BTCUSDT',
      seed: 1,
      window: 24,
      minSamples: 100,
    });
    if (either.isLeft(r)) expect.fail(r.left.message);
    r.right.model.dispose();
    r.right.ridge.dispose();
    const [v1] = await trained();
    expect([v1!.kind, v1!.profile, v1!.window, v1!.artifacts.map((a) => a.role)]).to.deep.equal(['lstm-transformer', 'small', 24, ['model', 'baseline']]);

    const step = createPredictorStep({ store, clock, ids: uuidIds, holder, candles, daily });
    const now = new Date(btcusdt().openTime[1000]! + 5 * 60_000); // 5 minutes into the hour opening at candle 1000
    const out = await step.tick(now);
    expect(out.appended).to.equal(24);
    const made = (await store.readStream(predictionsStream(MODEL))).map((e) => e.data as PredictionMadeData);
    const lastHour = btcusdt().openTime[1000]!;
    expect(made.map((p) => Date.parse(p.forHour))).to.deep.equal(Array.from({ length: 24 }, (_, i) => lastHour - (23 - i) * HOUR));

    // Independently: the features of the 400 + 24 hours before the first forecast up to the last one (the documented
    // warm-up), each forecast's 24 rows ending at the candle before its hour, normalised with the recorded statistics,
    // through the network loaded in this thread from the recorded files.
    const c = btcusdt();
    const first = Array.from(c.openTime).indexOf(lastHour - 23 * HOUR);
    const m = buildFeatures(slice(c, first - 424, 1000));
    const F = m.names.length;
    const x = new Float32Array(24 * 24 * F);
    for (let s = 0; s < 24; s++)
      for (let k = 0; k < 24; k++) {
        const row = 424 + s - 24 + k; // the window of hour first + s ends at row 424 + s − 1
        for (let j = 0; j < F; j++) x[(s * 24 + k) * F + j] = (m.values[row * F + j]! - v1!.normalisation.mean[j]!) / v1!.normalisation.std[j]!;
      }
    const artifact = v1!.artifacts.find((a) => a.role === 'model')!;
    const loaded = await networkTrainer('small').load(path.join(modelDir, artifact.directory), { window: 24, features: F, sha256: artifact.sha256 });
    if (either.isLeft(loaded)) expect.fail(loaded.left.message);
    const expected = await loaded.right.predict({ samples: 24, window: 24, features: F, x });
    loaded.right.dispose();
    expect(made.map((p) => p.expectedReturn)).to.deep.equal(Array.from(expected));
    expect(made.every((p) => p.modelVersion === 1 && p.kind === 'lstm-transformer')).to.equal(true);
    for (const p of made) expect(p.upProbability).to.be.closeTo(normalCdf(p.expectedReturn / v1!.residualStd.model), 1e-12);
    // Not all equal: the network reads its windows (a constant output would pass a weaker check).
    expect(new Set(made.map((p) => p.expectedReturn)).size).to.be.above(1);
  });

  it('retrains on the worker while the main event loop keeps turning; the new version serves', async () => {
    // The fit (features, windows, ridge and the network's training, all on the worker), timed in timer turns (not
    // in milliseconds): a trainer that counts the turns between the start and the end of its fit.
    let ticks = 0;
    let duringTraining: number | undefined;
    const inner = network();
    const counting = {
      ...inner,
      fit: async (...args: Parameters<typeof inner.fit>) => {
        const from = ticks;
        const f = await inner.fit(...args);
        duringTraining = ticks - from;
        return f;
      },
    };
    const retrain = createRetrainStep({
      ...deps,
      holder,
      candles,
      daily,
      trainers: { ridge: ridgeTrainer, 'lstm-transformer/small': counting },
      retrainEveryMs: 86_400_000,
    });
    const timer = setInterval(() => ticks++, 1);
    let out;
    try {
      out = await retrain.tick(new Date(btcusdt().openTime[STORED - 1]! + 2 * HOUR));
    } finally {
      clearInterval(timer);
    }
    expect(out.notes.join(' ')).to.match(/v2 trained; it serves from the next tick/);
    const [, v2] = await trained();
    expect(v2!.split.trainSamples).to.be.at.least(1000);
    // One epoch of ≥ 1000 windows is ≥ 4 batches of 256 and one validation batch: in this thread the loop would turn
    // about once per batch; with the training on the worker it turns all along.
    const batches = Math.ceil(v2!.split.trainSamples / 256) + 1;
    expect(duringTraining, 'timer turns during the fit on the worker').to.be.above(10 * batches);
    expect((await holder.served(new Date(btcusdt().openTime[STORED - 1]! + 2 * HOUR)))?.trained.version).to.equal(2);
  });

  it('a training that fails on the worker (the worker dies) is recorded as ModelTrainingFailed, and the served version keeps forecasting', async () => {
    const crashing = new NetworkWorker({ testExitOnTrain: true });
    try {
      const retrain = createRetrainStep({
        ...deps,
        holder,
        candles,
        daily,
        trainers: { ridge: ridgeTrainer, 'lstm-transformer/small': workerNetworkTrainer(crashing, 'small', { maxEpochs: 1 }) },
        retrainEveryMs: 86_400_000,
      });
      const out = await retrain.tick(new Date(btcusdt().openTime[STORED - 1]! + 3 * HOUR));
      expect(out.notes.join(' ')).to.match(/failed \(TRAINING_FAILED: .*network worker stopped \(exit code 3\).*\); v2 keeps serving/);
      const failed = (await store.readStream(modelStream(MODEL))).filter((r) => r.type === 'ModelTrainingFailed');
      expect(failed.map((r) => (r.data as { code: string }).code)).to.deep.equal(['TRAINING_FAILED']);
      expect((await trained()).length).to.equal(2);
      // v2 still serves through the (other) worker: the next hour is forecast by it (the hour after its last training
      // candle: the hour of that candle is not v2's to forecast, it was trained on its return).
      const step = createPredictorStep({ store, clock, ids: uuidIds, holder, candles, daily, catchUpHours: 1 });
      expect((await step.tick(new Date(btcusdt().openTime[STORED - 1]! + HOUR + 5 * 60_000))).appended).to.equal(1);
      const last = (await store.readStream(predictionsStream(MODEL))).at(-1)!.data as PredictionMadeData;
      expect([last.forHour, last.modelVersion]).to.deep.equal([new Date(btcusdt().openTime[STORED - 1]! + HOUR).toISOString(), 2]);
    } finally {
      await crashing.close();
    }
  });
});
