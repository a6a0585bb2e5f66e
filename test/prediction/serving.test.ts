// The model stream, loading (and refusing) saved models, the hourly predictor step, the predictions read model and
// the API, on real BTCUSDT candles and a real PostgreSQL.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { decodeEvent } from '../../application/events/decode-event.js';
import { createPredictorStep, createRetrainStep } from '../../application/prediction/predictor-steps.js';
import { ModelHolder } from '../../application/prediction/served-model.js';
import { trainModel, type TrainingDeps } from '../../application/prediction/train-model.js';
import { modelStream, predictionsStream, type ModelTrainedData, type PredictionMadeData } from '../../domain/prediction/events.js';
import { normalCdf } from '../../domain/prediction/metrics.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { candleFingerprint } from '../../infrastructure/prediction/candle-fingerprint.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { predictionRoutes } from '../../apps/api/prediction-routes.js';
import { predictionsProjection } from '../../projections/predictions/projection.js';
import { predictionSource } from '../../projections/predictions/queries.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { allVisible } from '../projections/support.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { memoryLog as projectionLog } from '../projections/support.js';
import { btcusdt, memoryLog, slice, HOUR } from './support.js';
import { candlesOf } from '../support/candle-rows.js';

const STORED = 5000;

describe('predictor serving on real BTCUSDT 1h and PostgreSQL', function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let store: EventStore;
  let candles: PostgresCandleStore;
  let daily: PostgresDailySeriesStore;
  let pool: DatabasePool;
  let modelDir: string;
  let deps: TrainingDeps;
  const series = () => slice(btcusdt(), 0, STORED);
  // v1–v4 are trained at the close of the last stored candle: before the hourly ticks below (at AFTER), which they serve.
  const clock = simulatedClock(new Date('2021-10-30T15:00:00Z'));
  const AFTER = new Date('2021-10-30T15:05:00Z');
  const log = memoryLog();
  const loadDeps = () => ({ store, modelDir, trainers: { ridge: ridgeTrainer }, log });
  const train = (rows: number) =>
    trainModel(deps, { model: 'btc-1h', trainer: ridgeTrainer, purpose: 'serving', candles: slice(btcusdt(), 0, rows), requestedSymbol: 'BTCUSDC', seed: 1 });
  const trainedEvents = async (): Promise<ModelTrainedData[]> =>
    (await store.readStream(modelStream('btc-1h'))).filter((r) => r.type === 'ModelTrained').map((r) => r.data as ModelTrainedData);

  before(async () => {
    db = await freshDatabase('prediction_serving');
    store = checkedPostgresStore({ connectionString: db.url });
    candles = new PostgresCandleStore({ connectionString: db.url, poolSize: 2 });
    daily = new PostgresDailySeriesStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url, 2);
    modelDir = await mkdtemp(path.join(tmpdir(), 'models-'));
    deps = { store, clock, ids: uuidIds, modelDir, ridge: ridgeTrainer, fingerprint: candleFingerprint };
    await candles.writeCandles({ exchange: 'binance', symbol: 'BTCUSDT', interval: '1h' }, candlesOf(series()));
  });
  after(async () => {
    await candles.close();
    await daily.close();
    await pool.end();
    await store.close();
    await rm(modelDir, { recursive: true, force: true });
    await db.drop();
  });

  it('records ModelTrained with the data fingerprint, features, normalisation, split, held-out metrics and files', async () => {
    const r = await train(4000);
    if (either.isLeft(r)) expect.fail(r.left.message);
    const [recorded] = await store.readStream(modelStream('btc-1h'));
    expect(either.isRight(decodeEvent(recorded!))).to.equal(true);
    const d = recorded!.data as ModelTrainedData;
    expect(d.version).to.equal(1);
    expect(d.kind).to.equal('ridge');
    expect(d.data).to.include({ symbol: 'BTCUSDT', requestedSymbol: 'BTCUSDC', rows: 4000 });
    expect(d.data.lastCandle).to.equal(new Date(btcusdt().openTime[3999]!).toISOString());
    // The sha256 recomputed independently: each candle as 6 little-endian float64 through a DataView.
    const c = slice(btcusdt(), 0, 4000);
    const buf = Buffer.alloc(c.length * 48);
    for (let i = 0; i < c.length; i++) [c.openTime, c.open, c.high, c.low, c.close, c.volume].forEach((f, j) => buf.writeDoubleLE(f[i]!, i * 48 + j * 8));
    expect(d.data.sha256).to.equal(createHash('sha256').update(buf).digest('hex'));
    expect(d.features).to.have.length(d.normalisation.mean.length);
    expect(d.split.trainSamples).to.equal(Math.floor((d.split.trainSamples + d.split.validationSamples) * 0.8));
    // Persistence's MAE is the mean |return| of the held-out hours: recomputed from the closes.
    const boundaryRow = Array.from(c.openTime).indexOf(Date.parse(d.split.boundary));
    let sum = 0;
    let n = 0;
    for (let h = boundaryRow; h < c.length; h++)
      if (c.openTime[h]! - c.openTime[h - 1]! === HOUR) {
        sum += Math.abs(c.close[h]! / c.close[h - 1]! - 1);
        n++;
      }
    expect(d.validation.persistence.samples).to.equal(n);
    expect(d.validation.persistence.mae).to.be.closeTo(sum / n, 1e-9);
    expect(d.artifacts).to.have.length(1);
  });

  it('loads the newest version that verifies; a corrupt, missing or mismatched model is logged and the previous one serves', async () => {
    expect(either.isRight(await train(4500))).to.equal(true); // v2
    const serving = new ModelHolder(loadDeps(), 'btc-1h');
    expect((await serving.served(AFTER))?.trained.version).to.equal(2);

    const [v1, v2] = await trainedEvents();
    const v2File = path.join(modelDir, v2!.artifacts[0]!.directory, 'ridge.json');
    await writeFile(v2File, '{"kind":"ridge","window":60,"features":23,"lambda":0,"intercept":1e9,"weights":[]}');
    const afterCorrupt = new ModelHolder(loadDeps(), 'btc-1h');
    expect((await afterCorrupt.served(AFTER))?.trained.version).to.equal(1);
    expect(log.lines.some((l) => l.level === 'warn' && /v2 cannot serve: .*CORRUPT.*sha256/.test(l.msg ?? ''))).to.equal(true);

    await rm(v2File);
    const afterMissing = new ModelHolder(loadDeps(), 'btc-1h');
    expect((await afterMissing.served(AFTER))?.trained.version).to.equal(1);
    expect(log.lines.some((l) => /v2 cannot serve: .*MISSING/.test(l.msg ?? ''))).to.equal(true);

    // v3: v1's files recorded with another window; v4: with another feature set. Neither may serve.
    const append = async (data: ModelTrainedData) => {
      const id = uuidIds.newId();
      const meta = { correlationId: id, causationId: id, actor: 'system:test', schemaVersion: 1, occurredAt: clock.now().toISOString() };
      const r = await store.appendToStream(modelStream('btc-1h'), [{ eventId: id, type: 'ModelTrained', data, metadata: meta as never }]);
      expect(either.isRight(r)).to.equal(true);
    };
    await append({ ...v1!, version: 3 as never, window: 30 as never });
    await append({ ...v1!, version: 4 as never, features: [...v1!.features].reverse() });
    const holder = new ModelHolder(loadDeps(), 'btc-1h');
    expect((await holder.served(AFTER))?.trained.version).to.equal(1);
    const failures = await new ModelHolder(loadDeps(), 'btc-1h').reload(AFTER);
    expect(failures.map((f) => f.version)).to.deep.equal([4, 3, 2]);
    expect(failures[0]!.message).to.match(/feature set/);
    expect(failures[1]!.message).to.match(/SHAPE_MISMATCH/);

    // A reload that finds nothing better keeps v1 serving.
    expect((await holder.reload(AFTER)).map((f) => f.version)).to.deep.equal([4, 3, 2]);
    expect((await holder.served(AFTER))?.trained.version).to.equal(1);
  });

  describe('hourly predictions', () => {
    const lastStoredOpen = () => series().openTime[STORED - 1]!;
    // The tick five minutes after the hour following the last stored candle: that candle closed, its hour is due.
    const tickAt = () => new Date(lastStoredOpen() + HOUR + 5 * 60_000);
    let made: PredictionMadeData[];
    let server: Server;
    let base: string;

    before(async () => {
      const app = express();
      app.use(predictionRoutes({ db: pool }));
      server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => new Promise<void>((r) => server.close(() => r())));

    it('forecasts each closed hour once: a repeated tick, or a tick after a restart, appends nothing', async () => {
      const holder = new ModelHolder(loadDeps(), 'btc-1h');
      const step = createPredictorStep({ store, clock, ids: uuidIds, holder, candles, daily, catchUpHours: 24 });
      const first = await step.tick(tickAt());
      expect(first.appended).to.equal(24);
      // The repeated tick neither forecasts nor appends again (before: 24 forecasts the store turned away one by one).
      const appends: string[] = [];
      const counting = { ...store, appendToStream: (...a: Parameters<EventStore['appendToStream']>) => (appends.push(a[0]), store.appendToStream(...a)) };
      const same = createPredictorStep({ store: counting, clock, ids: uuidIds, holder, candles, daily, catchUpHours: 24 });
      await same.tick(tickAt()); // a fresh step: its first tick covers its window once (all 24 already there)
      const before = appends.length;
      expect((await same.tick(tickAt())).appended).to.equal(0);
      expect(appends.length, 'appends on a repeated tick').to.equal(before);
      expect((await step.tick(tickAt())).appended).to.equal(0);
      const restarted = createPredictorStep({ store, clock, ids: uuidIds, holder: new ModelHolder(loadDeps(), 'btc-1h'), candles, daily, catchUpHours: 48 });
      expect((await restarted.tick(tickAt())).appended).to.equal(24); // only the 24 older hours it reaches further back
      expect((await restarted.tick(tickAt())).appended).to.equal(0);
      made = (await store.readStream(predictionsStream('btc-1h')))
        .map((r) => r.data as PredictionMadeData)
        .sort((a, b) => Date.parse(a.forHour) - Date.parse(b.forHour));
      expect(made).to.have.length(48);
      expect(new Set(made.map((p) => p.forHour)).size).to.equal(48);
      const served = (await holder.served(tickAt()))!.trained;
      for (const p of made) {
        expect(p.madeAt).to.equal(p.forHour);
        expect(Date.parse(p.forHour)).to.be.at.most(lastStoredOpen() + HOUR);
        expect(p.modelVersion).to.equal(served.version);
        expect(p.upProbability).to.be.closeTo(normalCdf(p.expectedReturn / served.residualStd.model), 1e-12);
        expect(p.baselines.persistence).to.equal(0);
        expect(p.baselines.ridge).to.equal(p.expectedReturn); // the served model is the ridge itself
      }
    });

    it('projects them with realised returns from the candles; the API serves them with the errors over the range', async () => {
      const runner = new ProjectionRunner({ pool, store, projections: [predictionsProjection], log: projectionLog() });
      // On the shared server an older transaction elsewhere can hide the events just written: wait until all show.
      await allVisible(pool, store);
      await runner.catchUp();
      await runner.stop();
      const c = series();
      const realised = (hour: number) => {
        const i = Array.from(c.openTime).indexOf(hour);
        return i > 0 ? c.close[i]! / c.close[i - 1]! - 1 : null;
      };
      const from = new Date(Date.parse(made[0]!.forHour) - 10 * HOUR).toISOString();
      const to = new Date(lastStoredOpen() + 2 * HOUR).toISOString();
      const res = await fetch(`${base}/api/predictions?from=${from}&to=${to}`);
      expect(res.status).to.equal(200);
      const body = (await res.json()) as {
        predictions: { forHour: string; realisedReturn: number | null; expectedReturn: number }[];
        errors: { hoursWithOutcome: number; model: { mae: number; rmse: number; directionalAccuracy: number }; persistence: { mae: number } };
        next: string | null;
      };
      expect(body.predictions).to.have.length(48);
      expect(body.next).to.equal(null);
      let abs = 0;
      let sq = 0;
      let hits = 0;
      let absP = 0;
      let n = 0;
      for (const p of body.predictions) {
        const r = realised(Date.parse(p.forHour));
        if (r === null) {
          expect(p.realisedReturn).to.equal(null);
          continue;
        }
        expect(p.realisedReturn).to.be.closeTo(r, 1e-12);
        abs += Math.abs(p.expectedReturn - r);
        sq += (p.expectedReturn - r) ** 2;
        absP += Math.abs(r);
        if (p.expectedReturn > 0 === r > 0) hits++;
        n++;
      }
      expect(n).to.equal(47); // the newest hour's candle is not stored yet
      expect(body.errors.hoursWithOutcome).to.equal(47);
      expect(body.errors.model.mae).to.be.closeTo(abs / n, 1e-12);
      expect(body.errors.model.rmse).to.be.closeTo(Math.sqrt(sq / n), 1e-12);
      expect(body.errors.model.directionalAccuracy).to.be.closeTo(hits / n, 1e-12);
      expect(body.errors.persistence.mae).to.be.closeTo(absP / n, 1e-12);

      const page = (await (await fetch(`${base}/api/predictions?from=${from}&to=${to}&limit=10`)).json()) as { predictions: unknown[]; next: string };
      expect(page.predictions).to.have.length(10);
      expect(page.next).to.equal(new Date(Date.parse(made[0]!.forHour) + 10 * HOUR).toISOString());

      const latest = (await (await fetch(`${base}/api/predictions/latest`)).json()) as { forHour: string; realisedReturn: null };
      expect(latest.forHour).to.equal(new Date(lastStoredOpen() + HOUR).toISOString());
      expect(latest.realisedReturn).to.equal(null);

      const source = await predictionSource(pool).series('btc-1h', Date.parse(made[0]!.madeAt), lastStoredOpen() + HOUR);
      expect(source.madeAt.length).to.equal(47); // [from, to): the newest (made at to) excluded
      for (let i = 1; i < source.madeAt.length; i++) expect(source.madeAt[i]).to.be.greaterThan(source.madeAt[i - 1]!);
    });

    it('answers bad queries with 400 and the field path, an unknown model with 404', async () => {
      const bad = async (q: string, pathRe: RegExp) => {
        const res = await fetch(`${base}/api/predictions${q}`);
        expect(res.status, q).to.equal(400);
        const body = (await res.json()) as { errors: { path: string }[] };
        expect(body.errors.map((e) => e.path).join(','), q).to.match(pathRe);
      };
      await bad('?to=2021-10-01', /query\.from/);
      await bad('?from=yesterday&to=2021-10-01', /query\.from/);
      await bad('?from=2021-10-01&to=2021-09-30', /query\.to/);
      await bad('?from=2021-01-01&to=2021-12-31', /query\.to/); // > 92 days
      await bad('?from=2021-10-01&to=2021-10-02&limit=0', /query\.limit/);
      await bad('?from=2021-10-01&to=2021-10-02&limit=99999', /query\.limit/);
      await bad('?from=2021-10-01&to=2021-10-02&model=BTC_1H', /query\.model/);
      await bad('?from=2021-10-01&to=2021-10-02&sort=desc', /query\.sort/);
      await bad(`?from=${'2'.repeat(5000)}&to=2021-10-02`, /query\.from/);
      await bad('/latest?model=a/b', /query\.model/);
      const none = await fetch(`${base}/api/predictions/latest?model=eth-1h`);
      expect(none.status).to.equal(404);
    });
  });

  // After the hourly forecasts: a version trained later on the same candles would serve their ticks too (servesAt),
  // and forecast only the hours after its data.
  describe('retraining', () => {
    it('a retraining that fails records ModelTrainingFailed and the model in service keeps serving', async () => {
      const holder = new ModelHolder(loadDeps(), 'btc-1h');
      const before = (await holder.served(AFTER))!.trained.version;
      const step = createRetrainStep({
        ...deps,
        holder,
        candles,
        daily,
        trainers: { ridge: ridgeTrainer },
        retrainEveryMs: 7 * 24 * HOUR,
        historyMs: 20 * 24 * HOUR, // 480 hours: too little to train on
      });
      clock.set(new Date('2021-11-20T00:05:00Z'));
      const out = await step.tick(clock.now());
      expect(out.appended).to.equal(1);
      expect(out.notes[0]).to.match(/failed \(TOO_LITTLE_HISTORY.*keeps serving/);
      const last = (await store.readStream(modelStream('btc-1h'))).at(-1)!;
      expect(last.type).to.equal('ModelTrainingFailed');
      expect((await holder.served(clock.now()))!.trained.version).to.equal(before);
      // Not retried within a day.
      expect((await step.tick(new Date('2021-11-20T05:05:00Z'))).appended).to.equal(0);
    });

    it('a retraining that succeeds records the next version, which then serves', async () => {
      const holder = new ModelHolder(loadDeps(), 'btc-1h');
      const before = (await holder.served(clock.now()))!.trained.version;
      const step = createRetrainStep({ ...deps, holder, candles, daily, trainers: { ridge: ridgeTrainer }, retrainEveryMs: 7 * 24 * HOUR });
      clock.set(new Date('2021-11-21T06:05:00Z'));
      const out = await step.tick(clock.now());
      expect(out.appended).to.equal(1);
      const newest = (await trainedEvents()).at(-1)!;
      expect(newest.version).to.be.greaterThan(before);
      expect(newest.data.lastCandle).to.equal(new Date(series().openTime[STORED - 1]!).toISOString());
      // It serves from the next tick (trained at this one).
      expect((await holder.served(clock.now()))!.trained.version).to.equal(before);
      expect((await holder.served(new Date(clock.now().getTime() + HOUR)))!.trained.version).to.equal(newest.version);
      // Not due again until a week after it.
      expect((await step.tick(new Date('2021-11-27T06:05:00Z'))).appended).to.equal(0);
    });
  });
});
