// The network's ForecasterTrainer with the work done on a worker thread (network-worker.ts): training, loading and
// prediction run there, so the main thread's event loop (the API, the pipeline) keeps turning while a model trains.
// A trained model comes back as artifacts when saved and is written by model-files.ts, byte for byte what an
// in-process save writes. Errors in the worker reject with the worker's error (name and message kept), and a worker
// that dies rejects what it was doing; the next request starts a new worker, and a model loaded from files is
// loaded again there (a trained model not yet saved is lost with its worker).
// The pipeline's retraining runs its whole fit there (fitRemote: features, windows, the ridge baseline), not only the
// network's epochs. One NetworkWorker serves every profile; it holds the process open only while a request is pending.
import { Worker } from 'node:worker_threads';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { Forecaster, ForecasterLoadError, TrainOptions, TrainingProgress } from '../../application/ports/forecaster.js';
import type { FitFailure, FitRequest, Fitted, FittingTrainer } from '../../application/prediction/fit-models.js';
import type { WindowedData } from '../../domain/prediction/windowed-data.js';
import { ridgeForecaster, ridgeTrainer } from '../prediction/ridge-forecaster.js';
import { writeArtifacts, type NetworkArtifacts } from './model-files.js';
import { ForecasterInputError, NETWORK_KIND, type NetworkOptions, type NetworkTrainer } from './network.js';
import type { FitModel, FitReply, ForecasterInfo, FromWorker, LoadReply, NetworkWorkerData, ToWorker } from './network-worker.js';
import { PROFILES, type ProfileName } from './profiles.js';

const ENTRY = new URL('./network-worker.ts', import.meta.url).href;
// The backtest pool's bootstrap: registers tsx in the thread, then imports workerData.entry.
const BOOTSTRAP = new URL('../backtest/backtest-worker-bootstrap.mjs', import.meta.url);

/** A request without its sequence number (NetworkWorker numbers them). */
type Request = ToWorker extends infer T ? (T extends { seq: number } ? Omit<T, 'seq'> : never) : never;

/** What a request hears before its reply: a training's epochs, a fit's end of preparation. */
export interface Progress {
  readonly onEpoch?: (p: TrainingProgress) => void;
  readonly onPrepared?: () => void;
}

interface Pending extends Progress {
  readonly resolve: (r: unknown) => void;
  readonly reject: (e: Error) => void;
}

export class NetworkWorkerStoppedError extends Error {
  override readonly name = 'NetworkWorkerStoppedError';
}

export interface NetworkWorkerOptions {
  /** Test hook: the worker exits as if it had crashed when asked to train. Never set in production. */
  readonly testExitOnTrain?: boolean;
}

/** One worker thread for the network, started at the first request and again after it died. */
export class NetworkWorker {
  private worker: Worker | undefined;
  /** Counts the workers started: a model handle is valid only in the worker (generation) that made it. */
  private started = 0;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private closed = false;

  constructor(private readonly options: NetworkWorkerOptions = {}) {}

  /** The worker now in use (its number), starting one if none runs (none once closed). */
  generation(): number {
    if (!this.closed) this.current();
    return this.started;
  }

  request<T>(msg: Request, progress: Progress = {}): { readonly seq: number; readonly result: Promise<T> } {
    const seq = ++this.seq;
    const result = new Promise<T>((resolve, reject) => {
      if (this.closed) return reject(new NetworkWorkerStoppedError('the network worker is closed'));
      const worker = this.current();
      this.pending.set(seq, { resolve: resolve as (r: unknown) => void, reject, ...progress });
      // A pending request keeps the process alive; an idle worker does not.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...msg, seq });
    });
    return { seq, result };
  }

  /** A message that expects no reply (dispose, abort); dropped when no worker runs (nothing to dispose there). */
  tell(msg: Extract<ToWorker, { type: 'dispose' | 'abort' }>, generation?: number): void {
    if (this.worker !== undefined && (generation === undefined || generation === this.started)) this.worker.postMessage(msg);
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new NetworkWorkerStoppedError('the network worker is closed'));
    if (w !== undefined) await w.terminate();
  }

  private current(): Worker {
    if (this.worker !== undefined) return this.worker;
    const data: NetworkWorkerData = { entry: ENTRY, ...(this.options.testExitOnTrain === true ? { exitOnTrain: true } : {}) };
    const worker = new Worker(BOOTSTRAP, { workerData: data, name: 'predictor-network' });
    this.started++;
    let lastError: string | undefined;
    worker.unref();
    worker.on('message', (msg: FromWorker) => {
      const p = this.pending.get(msg.seq);
      if (p === undefined) return;
      if (msg.type === 'epoch') return p.onEpoch?.(msg.progress);
      if (msg.type === 'prepared') return p.onPrepared?.();
      this.settled(msg.seq);
      if (msg.type === 'done') return p.resolve(msg.result);
      const err = msg.name === 'ForecasterInputError' ? new ForecasterInputError(msg.message) : new Error(msg.message);
      if (!(err instanceof ForecasterInputError)) err.name = msg.name;
      p.reject(err);
    });
    worker.on('error', (e) => {
      lastError = `${e.name}: ${e.message}`;
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new NetworkWorkerStoppedError(`the predictor's network worker stopped (exit code ${code}${lastError ? `, ${lastError}` : ''})`));
    });
    this.worker = worker;
    return worker;
  }

  private settled(seq: number): void {
    this.pending.delete(seq);
    if (this.pending.size === 0) this.worker?.unref();
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}

/** The typed array alone in its buffer: a view of a larger buffer would send the whole buffer to the worker. */
const compact = (a: Float32Array): Float32Array => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice());
const portable = (d: WindowedData): WindowedData => ({
  samples: d.samples,
  window: d.window,
  features: d.features,
  x: compact(d.x),
  ...(d.y === undefined ? {} : { y: compact(d.y) }),
});

type Origin = { readonly dir: string; readonly expected: Extract<ToWorker, { type: 'load' }>['expected'] };

/** A Forecaster whose network lives in the worker. */
const remoteForecaster = (host: NetworkWorker, profile: ProfileName, info: ForecasterInfo, generation: number, origin?: Origin): Forecaster => {
  let handle = info.handle;
  let made = generation;
  let from = origin;
  let disposed = false;
  /** The handle in the running worker: a model loaded from files is loaded again after the worker was replaced. */
  const live = async (): Promise<number> => {
    if (disposed) throw new Error('predict on a disposed forecaster');
    if (made === host.generation()) return handle;
    if (from === undefined) throw new NetworkWorkerStoppedError('the network worker that held this model stopped before it was saved');
    const again = await loadRemote(host, profile, from.dir, from.expected);
    if (either.isLeft(again)) throw new Error(`reloading ${from.dir} in a new network worker: ${again.left.code}: ${again.left.message}`);
    ({ handle, made } = again.right);
    return handle;
  };
  return {
    kind: info.kind,
    profile: info.profile,
    window: info.window,
    features: info.features,
    history: info.history,
    predict: async (data) => host.request<Float32Array>({ type: 'predict', handle: await live(), data: portable(data) }).result,
    async save(dir) {
      const artifacts = await host.request<NetworkArtifacts>({ type: 'artifacts', handle: await live() }).result;
      const saved = await writeArtifacts(dir, artifacts);
      from = { dir, expected: { window: info.window, features: info.features, sha256: saved.sha256 } };
      return saved;
    },
    dispose() {
      if (!disposed) host.tell({ type: 'dispose', handle }, made);
      disposed = true;
    },
  };
};

const loadRemote = async (
  host: NetworkWorker,
  profile: ProfileName,
  dir: string,
  expected: Origin['expected'],
): Promise<Either<ForecasterLoadError, { handle: number; made: number; info: ForecasterInfo }>> => {
  const made = host.generation();
  const r = await host.request<LoadReply>({ type: 'load', profile, dir, expected }).result;
  return r.ok ? either.right({ handle: r.info.handle, made, info: r.info }) : either.left(r.error);
};

/**
 * A retraining's whole fit (application/prediction/fit-models.ts) on the worker: the candles go there, and only the
 * models (the network by handle, the ridge's weights), the statistics and the validation forecasts come back. The
 * worker runs the same code on the same data as the main thread would, so the result is the same bit for bit.
 */
const fitRemote = async (host: NetworkWorker, model: FitModel, name: string, req: FitRequest): Promise<Either<FitFailure, Fitted>> => {
  const { onEpoch, onPrepared, ...request } = req;
  const generation = host.generation();
  let reply: FitReply;
  try {
    reply = await host.request<FitReply>({ type: 'fit', model, request }, { ...(onEpoch ? { onEpoch } : {}), ...(onPrepared ? { onPrepared } : {}) }).result;
  } catch (e) {
    // The worker died, or a bug threw there: a failed training either way; the version in service keeps serving.
    return either.left({ code: 'TRAINING_FAILED', message: `${name}: ${(e as Error).message}` });
  }
  if (!reply.ok) return either.left(reply.failure);
  const { ok: _ok, network, ridge: parts, ...rest } = reply;
  const ridge = ridgeForecaster(parts.model, parts.window, parts.features);
  const trained = network === undefined || model.kind !== 'network' ? ridge : remoteForecaster(host, model.profile, network, generation);
  return either.right({ ...rest, model: trained, ridge });
};

/** The ridge trainer whose fit (features, windows and all) runs on `host`'s worker thread; it loads in this thread. */
export const workerRidgeTrainer = (host: NetworkWorker): FittingTrainer => ({
  ...ridgeTrainer,
  fit: (req) => fitRemote(host, { kind: 'ridge' }, `${ridgeTrainer.kind}/${ridgeTrainer.profile}`, req),
});

/**
 * The network trainer of `profileName` whose training, loading and prediction run on `host`'s worker thread, and
 * whose fit (trainModel's features, windows and ridge baseline) runs there too.
 */
export const workerNetworkTrainer = (host: NetworkWorker, profileName: ProfileName, options: NetworkOptions = {}): NetworkTrainer & FittingTrainer => ({
  kind: NETWORK_KIND,
  profile: profileName,
  network: PROFILES[profileName],
  fit: (req) => fitRemote(host, { kind: 'network', profile: profileName, options }, `${NETWORK_KIND}/${profileName}`, req),
  async train(train, validation, trainOptions: TrainOptions) {
    const { signal, onEpoch, seed } = trainOptions;
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('training aborted', 'AbortError');
    const generation = host.generation();
    const { seq, result } = host.request<ForecasterInfo>(
      { type: 'train', profile: profileName, options, train: portable(train), validation: portable(validation), seed },
      onEpoch ? { onEpoch } : {},
    );
    const abort = () => host.tell({ type: 'abort', seq }, generation);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      return remoteForecaster(host, profileName, await result, generation);
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  },
  async load(dir, expected) {
    const r = await loadRemote(host, profileName, dir, expected);
    return either.map((ok: { handle: number; made: number; info: ForecasterInfo }) => remoteForecaster(host, profileName, ok.info, ok.made, { dir, expected }))(
      r,
    );
  },
});
