// The LSTM-Transformer forecaster behind the ForecasterTrainer port: builds the profile's network for the data's
// window × features, trains it (Adam on MSE, seeded batch order and dropout, early stopping that restores the best
// weights, learning-rate reduction on plateau, AbortSignal checked between batches, the event loop yielded between
// batches), predicts in tidy batches, saves/loads through model-files.ts.
//
// MSE rather than Huber: the evaluation reports RMSE next to the ridge baseline (also least squares), so both
// minimise what they are judged on; hourly returns' fat tails are tamed by scaling, not by the loss.
// Targets are divided by the training targets' standard deviation inside the network (returns are ~1e-2, far from
// the unit scale the initialisers assume) and multiplied back on the way out; losses are reported in return².
import * as tf from '@tensorflow/tfjs';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type {
  Forecaster,
  ForecasterLoadError,
  ForecasterTrainer,
  SavedForecaster,
  TrainOptions,
  TrainingProgress,
} from '../../application/ports/forecaster.js';
import type { WindowedData } from '../../domain/prediction/windowed-data.js';
import { buildNetwork } from './model.js';
import { captureArtifacts, loadModel, saveModel, type NetworkArtifacts, type NetworkMetadata } from './model-files.js';
import { PROFILES, type NetworkProfile, type ProfileName } from './profiles.js';
import { earlyStopping, learningRateOnPlateau } from './training-schedule.js';

export const NETWORK_KIND = 'lstm-transformer';
const PREDICT_BATCH = 512;

/** Input the network cannot use: the message names the problem. Training and prediction reject with it. */
export class ForecasterInputError extends Error {
  override readonly name = 'ForecasterInputError';
}

const checkData = (what: string, d: WindowedData, needTargets: boolean): void => {
  const fail = (why: string) => {
    throw new ForecasterInputError(`${what}: ${why}`);
  };
  for (const k of ['samples', 'window', 'features'] as const) if (!Number.isSafeInteger(d[k]) || d[k] < 1) fail(`${k} must be a positive integer, got ${d[k]}`);
  if (d.x.length !== d.samples * d.window * d.features)
    fail(`x holds ${d.x.length} values, expected samples × window × features = ${d.samples} × ${d.window} × ${d.features}`);
  const bad = d.x.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const perSample = d.window * d.features;
    fail(
      `x is not finite (${d.x[bad]}) at sample ${Math.floor(bad / perSample)}, step ${Math.floor((bad % perSample) / d.features)}, feature ${bad % d.features}`,
    );
  }
  if (needTargets) {
    if (d.y === undefined) return fail('targets (y) are missing');
    if (d.y.length !== d.samples) fail(`y holds ${d.y.length} targets for ${d.samples} samples`);
    const badY = d.y.findIndex((v) => !Number.isFinite(v));
    if (badY >= 0) fail(`target ${badY} is not finite (${d.y[badY]})`);
  }
};

/** Seeded uniform [0, 1) (mulberry32): the batch order of a run is a function of its seed. */
const seededUniform = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const permutation = (n: number, next: () => number): Uint32Array => {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const tmp = p[i]!;
    p[i] = p[j]!;
    p[j] = tmp;
  }
  return p;
};

/** The rows `idx` of `d` as an input batch [n, window, features]. */
const gather = (d: WindowedData, idx: ArrayLike<number>): tf.Tensor3D => {
  const per = d.window * d.features;
  const out = new Float32Array(idx.length * per);
  for (let i = 0; i < idx.length; i++) out.set(d.x.subarray(idx[i]! * per, (idx[i]! + 1) * per), i * per);
  return tf.tensor3d(out, [idx.length, d.window, d.features]);
};

const range = (from: number, to: number): Uint32Array => Uint32Array.from({ length: to - from }, (_, i) => from + i);

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const abortError = (signal: AbortSignal): Error => (signal.reason instanceof Error ? signal.reason : new DOMException('training aborted', 'AbortError'));

/** Predictions in the network's scaled units, PREDICT_BATCH samples at a time, every intermediate tensor disposed. */
const predictScaled = async (model: tf.LayersModel, d: WindowedData): Promise<Float32Array> => {
  const out = new Float32Array(d.samples);
  for (let from = 0; from < d.samples; from += PREDICT_BATCH) {
    const to = Math.min(d.samples, from + PREDICT_BATCH);
    const y = tf.tidy(() => model.predict(gather(d, range(from, to))) as tf.Tensor);
    out.set(await y.data(), from);
    y.dispose();
    await yieldToEventLoop();
  }
  return out;
};

const meanSquared = (pred: Float32Array, y: Float32Array, scale: number): number => {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const e = pred[i]! - y[i]! / scale;
    s += e * e;
  }
  return (s / y.length) * scale * scale;
};

interface NetworkState {
  readonly model: tf.LayersModel;
  readonly metadata: NetworkMetadata;
}

/** The tfjs model behind each network Forecaster this module made (for networkArtifacts). */
const states = new WeakMap<Forecaster, NetworkState>();

/** A network forecaster's topology, weights and metadata in memory: what a worker thread sends back to be saved. */
export const networkArtifacts = (f: Forecaster): Promise<NetworkArtifacts> => {
  const state = states.get(f);
  if (state === undefined) throw new Error('networkArtifacts: not a network forecaster made by network.ts');
  return captureArtifacts(state.model, state.metadata);
};

const forecaster = (state: NetworkState): Forecaster => {
  const { model, metadata } = state;
  let disposed = false;
  const f: Forecaster = {
    kind: metadata.kind,
    profile: metadata.profile,
    window: metadata.window,
    features: metadata.features,
    history: metadata.history,
    async predict(data) {
      if (disposed) throw new Error('predict on a disposed forecaster');
      checkData('prediction input', data, false);
      if (data.window !== metadata.window || data.features !== metadata.features)
        throw new ForecasterInputError(
          `prediction input has ${data.window} steps × ${data.features} features, the model reads ${metadata.window} × ${metadata.features}`,
        );
      const scaled = await predictScaled(model, data);
      for (let i = 0; i < scaled.length; i++) scaled[i] = scaled[i]! * metadata.targetScale;
      return scaled;
    },
    save: (dir): Promise<SavedForecaster> => saveModel(model, dir, metadata),
    dispose() {
      if (!disposed) model.dispose();
      disposed = true;
    },
  };
  states.set(f, state);
  return f;
};

const standardDeviation = (y: Float32Array): number => {
  let m = 0;
  for (const v of y) m += v;
  m /= y.length;
  let s = 0;
  for (const v of y) s += (v - m) * (v - m);
  return Math.sqrt(s / y.length);
};

const trainNetwork = async (
  profile: NetworkProfile,
  overrides: NetworkOptions,
  train: WindowedData,
  validation: WindowedData,
  options: TrainOptions,
): Promise<Forecaster> => {
  checkData('training data', train, true);
  checkData('validation data', validation, true);
  if (validation.window !== train.window || validation.features !== train.features)
    throw new ForecasterInputError(
      `validation windows are ${validation.window} × ${validation.features}, training windows ${train.window} × ${train.features}`,
    );
  if (train.samples < 2) throw new ForecasterInputError(`training data: ${train.samples} sample(s), at least 2 are needed`);
  const targetScale = standardDeviation(train.y!);
  if (!(targetScale > 0)) throw new ForecasterInputError('training data: every target is the same value, nothing to learn');
  if (!Number.isSafeInteger(options.seed)) throw new ForecasterInputError(`seed must be an integer, got ${options.seed}`);

  const maxEpochs = overrides.maxEpochs ?? profile.maxEpochs;
  const batchSize = overrides.batchSize ?? profile.batchSize;
  const learningRate = overrides.learningRate ?? profile.learningRate;
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);

  const model = buildNetwork(profile, train.window, train.features, options.seed);
  const optimizer = tf.train.adam(learningRate);
  // tfjs's Adam reads its rate on every step; the field is protected in the typings only.
  const setRate = (r: number) => ((optimizer as unknown as { learningRate: number }).learningRate = r);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const dropout = model.layers.find((l) => l.name === 'dropout') as unknown as { seed: number } | undefined;
  const yTrain = tf.tidy(() => tf.tensor1d(train.y!).div(targetScale));
  const next = seededUniform(options.seed);
  const plateau = learningRateOnPlateau(learningRate, profile.plateauPatience, profile.plateauFactor, profile.minLearningRate);
  const stopping = earlyStopping(profile.patience);
  const history: TrainingProgress[] = [];
  let best: tf.Tensor[] | undefined;
  let step = 0;
  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const rate = plateau.rate;
      setRate(rate);
      const order = permutation(train.samples, next);
      let lossSum = 0;
      for (let from = 0; from < train.samples; from += batchSize) {
        if (signal?.aborted) throw abortError(signal);
        const idx = order.subarray(from, Math.min(train.samples, from + batchSize));
        // A fixed dropout seed would draw the same mask every batch: one seed per step keeps it random yet repeatable.
        if (dropout !== undefined) dropout.seed = options.seed * 7919 + ++step;
        const cost = tf.tidy((): tf.Scalar => {
          const xb = gather(train, idx);
          const yb = tf.gather(yTrain, tf.tensor1d(Array.from(idx), 'int32')).reshape([idx.length, 1]);
          const c = optimizer.minimize(
            () => tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(yb, model.apply(xb, { training: true }) as tf.Tensor),
            true,
            variables,
          );
          if (c === null) throw new Error('optimizer returned no cost');
          return c;
        });
        lossSum += (await cost.data())[0]! * idx.length;
        cost.dispose();
        await yieldToEventLoop();
      }
      if (signal?.aborted) throw abortError(signal);
      const valLoss = meanSquared(await predictScaled(model, validation), validation.y!, targetScale);
      const progress: TrainingProgress = { epoch, loss: (lossSum / train.samples) * targetScale * targetScale, valLoss, learningRate: rate };
      history.push(progress);
      options.onEpoch?.(progress);
      const verdict = stopping.observe(epoch, valLoss);
      if (verdict.improved) {
        best?.forEach((t) => t.dispose());
        best = model.getWeights().map((w) => w.clone());
      }
      if (verdict.stop) break;
      plateau.observe(valLoss);
    }
    if (best !== undefined) model.setWeights(best);
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    best?.forEach((t) => t.dispose());
    yTrain.dispose();
    optimizer.dispose();
  }
  return forecaster({
    model,
    metadata: { kind: NETWORK_KIND, profile: profile.name, window: train.window, features: train.features, history, targetScale },
  });
};

export interface NetworkOptions {
  /** Caps the profile's epochs (tests, benches). */
  readonly maxEpochs?: number;
  readonly batchSize?: number;
  /** Replaces the profile's initial learning rate (experiments, tests). */
  readonly learningRate?: number;
}

export type NetworkTrainer = ForecasterTrainer & { readonly network: NetworkProfile };

export const networkTrainer = (profileName: ProfileName, options: NetworkOptions = {}): NetworkTrainer => {
  const profile: NetworkProfile = PROFILES[profileName];
  return {
    kind: NETWORK_KIND,
    profile: profile.name,
    network: profile,
    train: (train, validation, trainOptions) => trainNetwork(profile, options, train, validation, trainOptions),
    async load(dir, expected): Promise<Either<ForecasterLoadError, Forecaster>> {
      const loaded = await loadModel(dir, expected);
      if (either.isLeft(loaded)) return loaded;
      const { model, metadata } = loaded.right;
      if (metadata.kind !== NETWORK_KIND || metadata.profile !== profile.name || !(metadata.targetScale > 0)) {
        model.dispose();
        return either.left({
          code: 'SHAPE_MISMATCH',
          message: `the model in ${dir} is a ${metadata.kind} (${metadata.profile} profile), expected a ${NETWORK_KIND} (${profile.name} profile)`,
        });
      }
      return either.right(forecaster({ model, metadata }));
    },
  };
};
