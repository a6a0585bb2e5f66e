// The predictor's two pipeline steps wired to the platform (apps/pipeline.ts adds them): the model named by
// PREDICTOR_MODEL (default btc-1h) loaded from MODEL_DIR (default <DATA_DIR>/models), forecasts every closed hour,
// retrained every PREDICTOR_RETRAIN_EVERY_DAYS days (default 7). Bad values are refused with the variable named.
// A network model trains, loads and predicts on a worker thread (infrastructure/predictor/worker-trainer.ts).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { CandleStore } from '../../application/ports/candle-store.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { IdGenerator } from '../../application/ports/ids.js';
import type { PipelineStep } from '../../application/pipeline/step.js';
import { createPredictorStep, createRetrainStep } from '../../application/prediction/predictor-steps.js';
import { ModelHolder } from '../../application/prediction/served-model.js';
import { ModelName } from '../../domain/prediction/events.js';
import { PostgresDailySeriesStore } from '../market-data/daily-series-store.js';
import { NetworkWorker } from '../predictor/worker-trainer.js';
import { candleFingerprint } from './candle-fingerprint.js';
import { modelDirectory } from './model-files.js';
import { ridgeTrainer } from './ridge-forecaster.js';
import { loadingTrainers } from './trainers.js';

export interface PredictorConfig {
  readonly model: string;
  readonly modelDir: string;
  readonly retrainEveryMs: number;
}

export const predictorConfig = (env: Record<string, string | undefined>, dataDir: string): Either<string, PredictorConfig> => {
  const model = env['PREDICTOR_MODEL'] || 'btc-1h';
  if (!ModelName.is(model)) return either.left(`PREDICTOR_MODEL="${String(model)}" must be lower-case letters, digits and dashes`);
  const days = env['PREDICTOR_RETRAIN_EVERY_DAYS'] || '7';
  if (!/^[1-9]\d{0,2}$/.test(days)) return either.left(`PREDICTOR_RETRAIN_EVERY_DAYS="${days}" is not a whole number of days (1–999)`);
  return either.right({ model, modelDir: modelDirectory(env, dataDir), retrainEveryMs: Number(days) * 86_400_000 });
};

export interface PredictorWiring {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly databaseUrl: string;
  readonly candles: Pick<CandleStore, 'readSeries'>;
  readonly log: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

/** The `predictor` and `retrain` steps; the first closes the model, its worker and its connections when the loop stops. */
export const predictorSteps = (w: PredictorWiring, config: PredictorConfig): PipelineStep[] => {
  const worker = new NetworkWorker();
  const trainers = loadingTrainers(worker);
  const holder = new ModelHolder({ store: w.store, modelDir: config.modelDir, trainers, log: w.log }, config.model);
  const daily = new PostgresDailySeriesStore({ connectionString: w.databaseUrl });
  const predictor = createPredictorStep({ store: w.store, clock: w.clock, ids: w.ids, holder, candles: w.candles, daily });
  const retrain = createRetrainStep({
    store: w.store,
    clock: w.clock,
    ids: w.ids,
    modelDir: config.modelDir,
    ridge: ridgeTrainer,
    fingerprint: candleFingerprint,
    holder,
    candles: w.candles,
    daily,
    trainers,
    retrainEveryMs: config.retrainEveryMs,
  });
  const close = async () => {
    holder.dispose();
    await worker.close();
    await daily.close();
  };
  return [Object.assign(predictor, { close }), retrain];
};
