// A walk-forward backfill resumed after an interruption trains no period twice and records no forecast twice: a
// period whose hours are all recorded is skipped without training; a period whose model was recorded but whose
// forecasts were not reuses that model. Through walkForward (with a counting trainer) and through the CLI.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { either } from 'fp-ts';
import type { EventStore } from '../../application/ports/event-store.js';
import type { ForecasterTrainer } from '../../application/ports/forecaster.js';
import { walkForward, type WalkForwardRequest } from '../../application/prediction/walk-forward.js';
import type { TrainingDeps } from '../../application/prediction/train-model.js';
import { modelStream, predictionsStream, type ModelTrainedData, type PredictionMadeData } from '../../domain/prediction/events.js';
import { simulatedClock } from '../../infrastructure/clock/simulated-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { candleFingerprint } from '../../infrastructure/prediction/candle-fingerprint.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { sharedDataFile } from '../support/shared-data.js';
import { btcusdc, HOUR } from './support.js';

const DAY = 24 * HOUR;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('walk-forward backfill resumed', function () {
  this.timeout(300_000);
  let db: TestDatabase;
  let store: EventStore;
  let modelDir: string;
  const from = Date.parse('2023-09-01T00:00:00Z');
  const to = Date.parse('2023-09-22T00:00:00Z');
  /** One entry per train() call (one per period trained). */
  const trainCalls: number[] = [];
  const counting: ForecasterTrainer = {
    ...ridgeTrainer,
    train: (train, validation, options) => {
      trainCalls.push(1);
      return ridgeTrainer.train(train, validation, options);
    },
  };
  const deps = (s: EventStore): TrainingDeps => ({
    store: s,
    clock: simulatedClock(new Date('2025-09-01T00:00:00Z')),
    ids: uuidIds,
    modelDir,
    ridge: counting,
    fingerprint: candleFingerprint,
  });
  const request = (model: string, until: number): WalkForwardRequest => ({
    model,
    trainer: counting,
    candles: btcusdc(),
    requestedSymbol: 'BTCUSDC',
    from,
    to: until,
    retrainEveryMs: 7 * DAY,
    seed: 1,
  });
  const recorded = async (model: string) => ({
    models: (await store.readStream(modelStream(model))).filter((r) => r.type === 'ModelTrained').map((r) => r.data as ModelTrainedData),
    predictions: (await store.readStream(predictionsStream(model))).map((r) => r.data as PredictionMadeData),
  });
  /** No two models trained for one period (the period is known by the last candle its model trained on). */
  const expectOneModelPerPeriod = (models: readonly ModelTrainedData[]) => {
    const periods = models.map((m) => m.data.lastCandle);
    expect(periods).to.have.length(3);
    expect(new Set(periods).size).to.equal(3);
    // The three boundaries' last closed candles: 1h before each boundary.
    expect([...periods].sort()).to.deep.equal([0, 1, 2].map((k) => new Date(from + k * 7 * DAY - HOUR).toISOString()));
  };
  const expectEveryHourOnce = (predictions: readonly PredictionMadeData[]) => {
    expect(predictions).to.have.length(21 * 24);
    expect(new Set(predictions.map((p) => p.forHour)).size).to.equal(21 * 24);
  };

  before(async () => {
    db = await freshDatabase('prediction_walk_forward_resume');
    store = checkedPostgresStore({ connectionString: db.url });
    modelDir = await mkdtemp(path.join(tmpdir(), 'wf-resume-'));
  });
  after(async () => {
    await store.close();
    await rm(modelDir, { recursive: true, force: true });
    await db.drop();
  });

  it('over a longer range after a sub-range: the periods already forecast are skipped, not trained', async () => {
    trainCalls.length = 0;
    const first = await walkForward(deps(store), request('resume-a', from + 14 * DAY));
    if (either.isLeft(first)) expect.fail(first.left.message);
    expect([first.right.periods, first.right.skipped, trainCalls.length]).to.deep.equal([2, 0, 2]);

    const second = await walkForward(deps(store), request('resume-a', to));
    if (either.isLeft(second)) expect.fail(second.left.message);
    expect([second.right.periods, second.right.skipped, second.right.reused], 'periods, skipped, reused').to.deep.equal([1, 2, 0]);
    expect(trainCalls, 'train() calls over both runs').to.have.length(3);
    expect(second.right.appended).to.equal(7 * 24);
    const { models, predictions } = await recorded('resume-a');
    expectOneModelPerPeriod(models);
    expectEveryHourOnce(predictions);
  });

  it("interrupted after a period's model was recorded and before its forecasts were: the rerun reuses that model", async () => {
    trainCalls.length = 0;
    // A store that fails to record the second period's forecasts (as if the process died there).
    const secondPeriod = from + 7 * DAY;
    const failing = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'appendToStream') return Reflect.get(target, prop, receiver) as unknown;
        return (stream: string, events: readonly { readonly data: unknown }[], options: unknown) => {
          if (stream === predictionsStream('resume-b') && events.some((e) => Date.parse((e.data as PredictionMadeData).forHour) >= secondPeriod))
            return Promise.reject(new Error('interrupted'));
          return target.appendToStream(stream, events as never, options as never);
        };
      },
    });
    const interrupted = await walkForward(deps(failing), request('resume-b', to)).then(
      () => 'finished',
      (e: unknown) => (e as Error).message,
    );
    expect(interrupted).to.equal('interrupted');
    expect(trainCalls).to.have.length(2);
    const between = await recorded('resume-b');
    expect([between.models.length, between.predictions.length]).to.deep.equal([2, 7 * 24]);

    const resumed = await walkForward(deps(store), request('resume-b', to));
    if (either.isLeft(resumed)) expect.fail(resumed.left.message);
    expect([resumed.right.periods, resumed.right.skipped, resumed.right.reused], 'periods, skipped, reused').to.deep.equal([2, 1, 1]);
    expect(trainCalls, 'train() calls over both runs').to.have.length(3);
    const { models, predictions } = await recorded('resume-b');
    expectOneModelPerPeriod(models);
    expectEveryHourOnce(predictions);
    // The second period's forecasts come from the model recorded before the interruption (v2).
    expect(
      new Set(predictions.filter((p) => Date.parse(p.forHour) >= secondPeriod && Date.parse(p.forHour) < secondPeriod + 7 * DAY).map((p) => p.modelVersion)),
    ).to.deep.equal(new Set([2]));
  });

  it('npm run predictions:backfill resumed over a longer range trains only the new period', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'wf-resume-cli-'));
    const env = { ...process.env, DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    const backfill = (until: string) =>
      run(
        `${ROOT}node_modules/.bin/tsx`,
        [
          'apps/cli/predictions-backfill.ts',
          '--from',
          '2023-09-01',
          '--to',
          until,
          '--file',
          sharedDataFile('binance_BTCUSDC_1h.csv.gz'),
          '--name',
          'resume-cli',
        ],
        { cwd: ROOT, env },
      );
    try {
      const first = await backfill('2023-09-15');
      expect(first.stdout).to.match(
        /2 periods, 336 hours forecast, 336 new PredictionMade .*\(models v1–v2, walk-forward\); 0 periods already forecast, skipped/,
      );
      const second = await backfill('2023-09-22');
      expect(second.stdout).to.match(/from 2023-09-01T00:00:00.000Z: all 168 hours already forecast, skipped/);
      expect(second.stdout).to.match(
        /1 periods, 168 hours forecast, 168 new PredictionMade .*\(models v3–v3, walk-forward\); 2 periods already forecast, skipped/,
      );
      const { models, predictions } = await recorded('resume-cli');
      expectOneModelPerPeriod(models);
      expectEveryHourOnce(predictions);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
