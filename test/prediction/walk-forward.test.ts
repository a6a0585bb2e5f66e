// Walk-forward predictions over history never come from a model trained on the hours they predict: proven over the
// recorded events with an independent reading of each model's data fingerprint, and a planted leak is caught.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { either } from 'fp-ts';
import type { EventStore } from '../../application/ports/event-store.js';
import { walkForward } from '../../application/prediction/walk-forward.js';
import type { TrainingDeps } from '../../application/prediction/train-model.js';
import { modelStream, predictionsStream, type ModelTrainedData, type PredictionMadeData } from '../../domain/prediction/events.js';
import { walkForwardViolations } from '../../domain/prediction/walk-forward-check.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { candleFingerprint } from '../../infrastructure/prediction/candle-fingerprint.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { btcusdc, fearGreed, HOUR } from './support.js';

const DAY = 24 * HOUR;

describe('walk-forward predictions on real BTCUSDC 1h', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let store: EventStore;
  let modelDir: string;
  let deps: TrainingDeps;
  const from = Date.parse('2023-09-01T00:00:00Z');
  const to = Date.parse('2023-09-22T00:00:00Z');

  before(async () => {
    db = await freshDatabase('prediction_walk_forward');
    store = checkedPostgresStore({ connectionString: db.url });
    modelDir = await mkdtemp(path.join(tmpdir(), 'wf-models-'));
    deps = { store, clock: simulatedClock(new Date('2025-09-01T00:00:00Z')), ids: uuidIds, modelDir, ridge: ridgeTrainer, fingerprint: candleFingerprint };
  });
  after(async () => {
    await store.close();
    await rm(modelDir, { recursive: true, force: true });
    await db.drop();
  });

  const recorded = async (model: string) => ({
    models: (await store.readStream(modelStream(model))).filter((r) => r.type === 'ModelTrained').map((r) => r.data as ModelTrainedData),
    predictions: (await store.readStream(predictionsStream(model))).map((r) => r.data as PredictionMadeData),
  });

  it('forecasts every hour of the window once, each from a model whose training candles all closed before it was made', async () => {
    const r = await walkForward(deps, {
      model: 'btc-1h',
      trainer: ridgeTrainer,
      candles: btcusdc(),
      requestedSymbol: 'BTCUSDC',
      fearGreed: await fearGreed(),
      from,
      to,
      retrainEveryMs: 7 * DAY,
      seed: 1,
    });
    if (either.isLeft(r)) expect.fail(r.left.message);
    expect(r.right.periods).to.equal(3);
    const { models, predictions } = await recorded('btc-1h');
    expect(models.map((m) => m.purpose)).to.deep.equal(['walk-forward', 'walk-forward', 'walk-forward']);
    // Every hour of the three weeks (BTCUSDC has no gap in September 2023), once.
    expect(predictions).to.have.length(21 * 24);
    expect(new Set(predictions.map((p) => p.forHour)).size).to.equal(21 * 24);
    // Independently of the checker: the last candle each model was trained on closed by the time of each forecast.
    const byVersion = new Map(models.map((m) => [m.version, m]));
    for (const p of predictions) {
      const m = byVersion.get(p.modelVersion)!;
      expect(Date.parse(m.data.lastCandle) + HOUR, `${p.forHour} from v${p.modelVersion}`).to.be.at.most(Date.parse(p.madeAt));
      expect(Date.parse(p.madeAt)).to.be.at.least(from);
      expect(Date.parse(p.madeAt)).to.be.below(to);
      // and from the model of its own period (retrained every 7 days from `from`)
      expect(p.modelVersion).to.equal(1 + Math.floor((Date.parse(p.madeAt) - from) / (7 * DAY)));
    }
    expect(walkForwardViolations(models, predictions)).to.deep.equal([]);
  });

  it('catches a planted variant that trains each period on the period itself', async () => {
    const r = await walkForward(deps, {
      model: 'btc-1h-leaky',
      trainer: ridgeTrainer,
      candles: btcusdc(),
      requestedSymbol: 'BTCUSDC',
      from,
      to,
      retrainEveryMs: 7 * DAY,
      seed: 1,
      trainingEnd: (_boundary, periodEnd) => periodEnd,
    });
    if (either.isLeft(r)) expect.fail(r.left.message);
    const { models, predictions } = await recorded('btc-1h-leaky');
    const violations = walkForwardViolations(models, predictions);
    // Each period's model saw its period through its last candle (opening periodEnd − 1h, closing after every forecast
    // of the period was made): every forecast is flagged.
    expect(predictions).to.have.length(21 * 24);
    expect(violations.length).to.equal(predictions.length);
    expect(violations[0]!.message).to.match(/trained on candles up to .* after the prediction/);
  });

  it('a recorded hour is not recorded again by a second run', async () => {
    const again = await walkForward(deps, {
      model: 'btc-1h',
      trainer: ridgeTrainer,
      candles: btcusdc(),
      requestedSymbol: 'BTCUSDC',
      from,
      to,
      retrainEveryMs: 7 * DAY,
      seed: 1,
    });
    if (either.isLeft(again)) expect.fail(again.left.message);
    expect(again.right.appended).to.equal(0);
    expect((await recorded('btc-1h')).predictions).to.have.length(21 * 24);
  });
});
