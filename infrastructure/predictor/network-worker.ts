// The predictor network's worker thread: trains, loads and runs LSTM-Transformer networks (network.ts) off the main
// thread, so a 15-second training batch never blocks the event loop that serves the API and the pipeline
// (doc/predictor.md, "What runs where"). It also runs a retraining's whole fit (application/prediction/fit-models.ts:
// features, split, windows, the ridge baseline, the model, the validation forecasts) from the candles, so none of
// that runs on the main thread either. It keeps the networks it made by handle until told to dispose of them, and
// sends a trained network back as artifacts (topology, weights, metadata) for the main thread to save.
// Protocol (from NetworkWorker, worker-trainer.ts): train | fit | load | predict | artifacts | dispose | abort.
// Replies: epoch (training progress) | prepared (a fit's windows and ridge are ready) | done | failed (an error's
// name and message: the caller rethrows it).
import { parentPort, workerData } from 'node:worker_threads';
import { either } from 'fp-ts';
import type { Forecaster, ForecasterLoadError, TrainingProgress } from '../../application/ports/forecaster.js';
import { fitModels, type FitFailure, type FitRequest, type Fitted } from '../../application/prediction/fit-models.js';
import type { RidgeModel } from '../../domain/prediction/ridge.js';
import type { WindowedData } from '../../domain/prediction/windowed-data.js';
import { ridgeParts, ridgeTrainer } from '../prediction/ridge-forecaster.js';
import { selectBackend } from './backend.js';
import type { NetworkArtifacts } from './model-files.js';
import { networkArtifacts, networkTrainer, type NetworkOptions } from './network.js';
import type { ProfileName } from './profiles.js';

/** What the main thread needs to know of a model that lives in the worker. */
export interface ForecasterInfo {
  readonly handle: number;
  readonly kind: string;
  readonly profile: string;
  readonly window: number;
  readonly features: number;
  readonly history: readonly TrainingProgress[];
}

export type ToWorker =
  | {
      readonly type: 'train';
      readonly seq: number;
      readonly profile: ProfileName;
      readonly options: NetworkOptions;
      readonly train: WindowedData;
      readonly validation: WindowedData;
      readonly seed: number;
    }
  | {
      readonly type: 'fit';
      readonly seq: number;
      /** The model trained besides the ridge baseline: the ridge alone, or the network of a profile. */
      readonly model: FitModel;
      readonly request: Omit<FitRequest, 'onEpoch' | 'onPrepared'>;
    }
  | {
      readonly type: 'load';
      readonly seq: number;
      readonly profile: ProfileName;
      readonly dir: string;
      readonly expected: { readonly window: number; readonly features: number; readonly sha256: string };
    }
  | { readonly type: 'predict'; readonly seq: number; readonly handle: number; readonly data: WindowedData }
  | { readonly type: 'artifacts'; readonly seq: number; readonly handle: number }
  | { readonly type: 'dispose'; readonly handle: number }
  | { readonly type: 'abort'; readonly seq: number };

export type FitModel = { readonly kind: 'ridge' } | { readonly kind: 'network'; readonly profile: ProfileName; readonly options: NetworkOptions };

/** A fit's result as it crosses to the main thread: the network by handle, the ridge by its fitted parts. */
export type FitReply =
  | { readonly ok: false; readonly failure: FitFailure }
  | ({
      readonly ok: true;
      readonly network?: ForecasterInfo;
      readonly ridge: { readonly model: RidgeModel; readonly window: number; readonly features: number };
    } & Omit<Fitted, 'model' | 'ridge'>);

export type LoadReply = { readonly ok: true; readonly info: ForecasterInfo } | { readonly ok: false; readonly error: ForecasterLoadError };

export type FromWorker =
  | { readonly type: 'epoch'; readonly seq: number; readonly progress: TrainingProgress }
  | { readonly type: 'prepared'; readonly seq: number }
  | { readonly type: 'done'; readonly seq: number; readonly result: ForecasterInfo | FitReply | LoadReply | Float32Array | NetworkArtifacts }
  | { readonly type: 'failed'; readonly seq: number; readonly name: string; readonly message: string };

export interface NetworkWorkerData {
  readonly entry: string;
  /** Test hook: the worker exits (code 3) when asked to train. Never set in production. */
  readonly exitOnTrain?: boolean;
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'entry' in workerData) {
  const port = parentPort;
  const options = workerData as NetworkWorkerData;
  const backend = selectBackend();
  const models = new Map<number, Forecaster>();
  const aborts = new Map<number, AbortController>();
  let nextHandle = 1;

  const keep = (f: Forecaster): ForecasterInfo => {
    const handle = nextHandle++;
    models.set(handle, f);
    return { handle, kind: f.kind, profile: f.profile, window: f.window, features: f.features, history: f.history };
  };
  const model = (handle: number): Forecaster => {
    const f = models.get(handle);
    if (f === undefined) throw new Error(`the network worker holds no model ${handle} (disposed)`);
    return f;
  };

  const run = async (msg: Exclude<ToWorker, { type: 'dispose' | 'abort' }>): Promise<FromWorker> => {
    await backend;
    switch (msg.type) {
      case 'train': {
        if (options.exitOnTrain === true) process.exit(3);
        const controller = new AbortController();
        aborts.set(msg.seq, controller);
        try {
          const f = await networkTrainer(msg.profile, msg.options).train(msg.train, msg.validation, {
            seed: msg.seed,
            signal: controller.signal,
            onEpoch: (progress) => port.postMessage({ type: 'epoch', seq: msg.seq, progress } satisfies FromWorker),
          });
          return { type: 'done', seq: msg.seq, result: keep(f) };
        } finally {
          aborts.delete(msg.seq);
        }
      }
      case 'fit': {
        if (options.exitOnTrain === true) process.exit(3);
        const trainer = msg.model.kind === 'ridge' ? ridgeTrainer : networkTrainer(msg.model.profile, msg.model.options);
        const r = await fitModels(trainer, ridgeTrainer, {
          ...msg.request,
          onEpoch: (progress) => port.postMessage({ type: 'epoch', seq: msg.seq, progress } satisfies FromWorker),
          onPrepared: () => port.postMessage({ type: 'prepared', seq: msg.seq } satisfies FromWorker),
        });
        if (either.isLeft(r)) return { type: 'done', seq: msg.seq, result: { ok: false, failure: r.left } };
        const { model, ridge, ...rest } = r.right;
        const parts = ridgeParts(ridge);
        if (parts === undefined) throw new Error("the fit's baseline is not a ridge forecaster");
        const result: FitReply = { ok: true, ...rest, ridge: parts, ...(model === ridge ? {} : { network: keep(model) }) };
        return { type: 'done', seq: msg.seq, result };
      }
      case 'load': {
        const r = await networkTrainer(msg.profile).load(msg.dir, msg.expected);
        return { type: 'done', seq: msg.seq, result: either.isLeft(r) ? { ok: false, error: r.left } : { ok: true, info: keep(r.right) } };
      }
      case 'predict':
        return { type: 'done', seq: msg.seq, result: await model(msg.handle).predict(msg.data) };
      case 'artifacts':
        return { type: 'done', seq: msg.seq, result: await networkArtifacts(model(msg.handle)) };
    }
  };

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'dispose') {
      models.get(msg.handle)?.dispose();
      models.delete(msg.handle);
      return;
    }
    if (msg.type === 'abort') {
      aborts.get(msg.seq)?.abort(new DOMException('training aborted', 'AbortError'));
      return;
    }
    run(msg).then(
      (reply) => {
        // Large results move, they are not copied.
        const r = reply.type === 'done' ? reply.result : undefined;
        const transfer = r instanceof Float32Array ? [r.buffer] : r !== undefined && 'weightData' in r ? [r.weightData] : [];
        port.postMessage(reply, transfer as ArrayBuffer[]);
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ type: 'failed', seq: msg.seq, name: err.name, message: err.message } satisfies FromWorker);
      },
    );
  });
}
