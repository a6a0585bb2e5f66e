// The predictor on a replay's clock (doc/predictor.md, "Serving"): a model trained "today" on data up to a late date
// does not forecast the hours of a replay over an earlier month — the step says why instead — and the retrain step
// trains a version at the simulated clock on the candles closed by then, whose forecasts follow; later retrainings go
// by the simulated clock; a tick at the live clock still serves the newest training. Real BTCUSDC 1h, real PostgreSQL,
// ridge models.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { either } from 'fp-ts';
import type { EventStore } from '../../application/ports/event-store.js';
import type { PipelineStep } from '../../application/pipeline/step.js';
import { createPredictorStep, createRetrainStep } from '../../application/prediction/predictor-steps.js';
import { ModelHolder } from '../../application/prediction/served-model.js';
import { trainModel, type TrainingDeps } from '../../application/prediction/train-model.js';
import { modelStream, predictionsStream, type ModelTrainedData, type PredictionMadeData } from '../../domain/prediction/events.js';
import { walkForwardViolations } from '../../domain/prediction/walk-forward-check.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { candleFingerprint } from '../../infrastructure/prediction/candle-fingerprint.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { candlesOf } from '../support/candle-rows.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { btcusdc, memoryLog, slice, HOUR } from './support.js';

const STORED = 8000; // BTCUSDC from 2023-03-12T06:00Z to 2024-02-08T14:00Z (rows 0–7999; one hour missing: 2023-03-24T13:00)
const DAY = 24 * HOUR;
const MODEL = 'btc-1h';
const iso = (ms: number) => new Date(ms).toISOString();
/** The replay's first tick: 00:05 on 2023-09-01 (PIPELINE_TICK_MINUTE 5). */
const T = Date.parse('2023-09-01T00:05:00Z');

describe('the predictor on a replay clock before the served model (real BTCUSDC 1h, PostgreSQL)', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let daily: PostgresDailySeriesStore;
  let modelDir: string;
  let deps: TrainingDeps;
  // "Today" for this test: the close of the last stored candle. v1 is trained then, on data up to late December 2023 (rows 0–6999).
  const late = () => btcusdc().openTime[STORED - 1]! + HOUR;
  const clock = simulatedClock(new Date(0));
  const log = memoryLog();
  const holderOf = () => new ModelHolder({ store, modelDir, trainers: { ridge: ridgeTrainer }, log }, MODEL);
  // One holder shared by the two steps, as predictorSteps wires them: the replay's process.
  let holder: ModelHolder;
  let predictor: PipelineStep;
  let retrain: PipelineStep;
  const stepsOf = (h: ModelHolder) => ({
    predictor: createPredictorStep({ store, clock, ids: uuidIds, holder: h, candles, daily }),
    retrain: createRetrainStep({ ...deps, holder: h, candles, daily, trainers: { ridge: ridgeTrainer }, retrainEveryMs: 7 * DAY }),
  });
  /** Ticks a step as the pipeline does: the clock set to the tick's time first. */
  const tick = (step: PipelineStep, at: number) => {
    clock.set(new Date(at));
    return step.tick(new Date(at));
  };
  const trained = async (): Promise<ModelTrainedData[]> =>
    (await store.readStream(modelStream(MODEL))).filter((r) => r.type === 'ModelTrained').map((r) => r.data as ModelTrainedData);
  const predictions = async (): Promise<PredictionMadeData[]> => (await store.readStream(predictionsStream(MODEL))).map((r) => r.data as PredictionMadeData);

  before(async () => {
    db = await freshDatabase('prediction_replay_serving');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, poolSize: 2 });
    daily = new PostgresDailySeriesStore({ connectionString: db.url });
    modelDir = await mkdtemp(path.join(tmpdir(), 'replay-models-'));
    deps = { store, clock, ids: uuidIds, modelDir, ridge: ridgeTrainer, fingerprint: candleFingerprint };
    await candles.writeCandles({ exchange: 'binance', symbol: 'BTCUSDC', interval: '1h' }, candlesOf(slice(btcusdc(), 0, STORED)));
    clock.set(new Date(late()));
    const v1 = await trainModel(deps, {
      model: MODEL,
      trainer: ridgeTrainer,
      purpose: 'serving',
      candles: slice(btcusdc(), 0, 7000),
      requestedSymbol: 'BTCUSDC',
      seed: 1,
    });
    if (either.isLeft(v1)) expect.fail(v1.left.message);
    holder = holderOf();
    ({ predictor, retrain } = stepsOf(holder));
  });
  after(async () => {
    holder.dispose();
    await candles.close();
    await daily.close();
    await store.close();
    await rm(modelDir, { recursive: true, force: true });
    await db.drop();
  });

  it('a model trained later than the replay clock forecasts nothing there, and the step says why, once', async () => {
    const [v1] = await trained();
    expect(v1!.data.lastCandle).to.equal('2023-12-28T22:00:00.000Z'); // row 6999: 6999 + 1 (the missing hour) hours after 2023-03-12T06:00
    const out = await tick(predictor, T);
    expect(out.appended).to.equal(0);
    expect(out.notes).to.have.length(1);
    expect(out.notes[0]).to.contain('no model serves at 2023-09-01T00:05:00.000Z');
    expect(out.notes[0]).to.contain(`v1, was trained at ${iso(late())} on candles up to 2023-12-28T22:00:00.000Z`);
    expect(out.notes[0]).to.contain('until the retrain step trains one');
    expect(await predictions()).to.deep.equal([]);
    // Said once while it lasts, not every hour.
    const fresh = createPredictorStep({ store, clock, ids: uuidIds, holder: holderOf(), candles, daily });
    expect((await tick(fresh, T)).notes).to.have.length(1);
    expect(await tick(fresh, T + HOUR)).to.deep.equal({ appended: 0, notes: [] });
  });

  it('the retrain step trains a version at the simulated clock on the candles closed by then, and it serves the hours after them', async () => {
    const out = await tick(retrain, T);
    expect(out.appended).to.equal(1);
    expect(out.notes[0]).to.equal(
      'retrain btc-1h: v2 trained on the candles closed by 2023-09-01T00:00:00.000Z (no version existed at this clock); it serves from the next tick',
    );
    const v2 = (await trained()).find((m) => m.version === 2)!;
    expect(v2.trainedAt).to.equal('2023-09-01T00:05:00.000Z');
    // The candles it was given, by hand: every stored one since the first (within 3 years), up to the one that
    // opened at 23:00 and closed at 00:00 — 173 days from 2023-03-12 to 2023-09-01, less the 6 hours before 06:00 on
    // the first day and the hour missing from the file (2023-03-24T13:00).
    const rows = 173 * 24 - 6 - 1;
    expect(v2.data).to.include({ symbol: 'BTCUSDC', firstCandle: '2023-03-12T06:00:00.000Z', lastCandle: '2023-08-31T23:00:00.000Z', rows });
    const c = btcusdc();
    expect(c.openTime[rows - 1]).to.equal(Date.parse('2023-08-31T23:00:00Z'));
    const buf = Buffer.alloc(rows * 48);
    for (let i = 0; i < rows; i++) [c.openTime, c.open, c.high, c.low, c.close, c.volume].forEach((f, j) => buf.writeDoubleLE(f[i]!, i * 48 + j * 8));
    expect(v2.data.sha256).to.equal(createHash('sha256').update(buf).digest('hex'));

    // Ticked again at the same time (a kill and a restart: fresh steps), nothing more is appended: v2, trained at this
    // tick, serves from the next one, as the uninterrupted run's predictor (ticked before the retraining) had it.
    const again = stepsOf(holderOf());
    expect((await tick(again.retrain, T)).appended).to.equal(0);
    expect((await tick(again.predictor, T)).appended).to.equal(0);

    // The next hour: v2 forecasts the hours from the close of its last candle on, not the catch-up's older ones.
    const next = await tick(predictor, T + HOUR);
    expect(next.appended).to.equal(2);
    expect(next.notes).to.include('predictor btc-1h v2: 22 hour(s) before 2023-09-01T00:00:00.000Z not forecast by it (it was trained on them)');
    const made = await predictions();
    expect(made.map((p) => [p.forHour, p.modelVersion])).to.deep.equal([
      ['2023-09-01T00:00:00.000Z', 2],
      ['2023-09-01T01:00:00.000Z', 2],
    ]);
    expect((await tick(stepsOf(holderOf()).predictor, T + HOUR)).appended).to.equal(0);
  });

  it('later retrainings go by the simulated clock: due a week after v2, not postponed by the version trained in its future', async () => {
    expect((await tick(retrain, T + 7 * DAY - HOUR)).appended).to.equal(0);
    // The pipeline's order in the hour a week later: the forecast (by v2), then the retraining, then (next hour) v3's.
    expect((await tick(predictor, T + 7 * DAY)).appended).to.equal(24);
    const out = await tick(retrain, T + 7 * DAY);
    expect(out.notes[0]).to.equal('retrain btc-1h: v3 trained; it serves from the next tick');
    const v3 = (await trained()).find((m) => m.version === 3)!;
    expect([v3.trainedAt, v3.data.lastCandle]).to.deep.equal(['2023-09-08T00:05:00.000Z', '2023-09-07T23:00:00.000Z']);
    expect((await tick(predictor, T + 7 * DAY + HOUR)).appended).to.equal(1);
    const made = await predictions();
    expect(made.at(-1)).to.include({ forHour: '2023-09-08T01:00:00.000Z', modelVersion: 3 });
    expect(
      made
        .filter((p) => p.modelVersion === 2)
        .map((p) => p.forHour)
        .at(-1),
    ).to.equal('2023-09-08T00:00:00.000Z');
    // Independently of the checker: every forecast's model closed its last training candle by the forecast's hour.
    const models = await trained();
    for (const p of made) {
      const m = models.find((x) => x.version === p.modelVersion)!;
      expect(Date.parse(m.data.lastCandle) + HOUR, p.forHour).to.be.at.most(Date.parse(p.forHour));
      expect(Date.parse(m.trainedAt), p.forHour).to.be.at.most(Date.parse(p.forHour) + 5 * 60_000);
    }
    expect(walkForwardViolations(models, made)).to.deep.equal([]);
  });

  it('at the live clock the newest training serves (v1, though the replay recorded v2 and v3 after it) and nothing is retrained', async () => {
    const live = stepsOf(holderOf());
    const at = late() + 5 * 60_000;
    const out = await tick(live.predictor, at);
    expect(out.appended).to.equal(24);
    const made = (await predictions()).filter((p) => Date.parse(p.forHour) > Date.parse('2024-01-01T00:00:00Z'));
    expect(made).to.have.length(24);
    expect(made.every((p) => p.modelVersion === 1)).to.equal(true);
    expect(made.map((p) => p.forHour).at(-1)).to.equal(iso(late()));
    expect(await tick(live.retrain, at)).to.deep.equal({ appended: 0, notes: [] });
  });
});
