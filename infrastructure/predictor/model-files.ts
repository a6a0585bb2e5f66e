// Saving a tfjs LayersModel to a directory and loading it back without tfjs-node (whose `file://` handler is the
// only file-system one tfjs ships): a tf.io.IOHandler that writes the standard layers-model pair, model.json
// (topology + weights manifest + our metadata) and weights.bin, and a loader that refuses anything it cannot
// trust: a missing file (MISSING), bytes that differ from the recorded sha256 or that do not decode (CORRUPT),
// a model built for another window or feature count (SHAPE_MISMATCH). Errors are values; nothing is half-loaded.
import * as tf from '@tensorflow/tfjs';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ForecasterLoadError, SavedForecaster } from '../../application/ports/forecaster.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
/** The order the sha256 runs over. */
export const MODEL_FILES = [MODEL_FILE, WEIGHTS_FILE] as const;

const Progress = t.type({ epoch: t.number, loss: t.number, valLoss: t.number, learningRate: t.number });

/** What we add to model.json's userDefinedMetadata: enough to check a load against what the caller expects. */
export const NetworkMetadata = t.type({
  kind: t.string,
  profile: t.string,
  window: t.number,
  features: t.number,
  /** Targets are divided by this inside the network (network.ts). */
  targetScale: t.number,
  history: t.array(Progress),
});
export type NetworkMetadata = t.TypeOf<typeof NetworkMetadata>;

const DTYPES = t.keyof({ float32: null, int32: null, bool: null });
const ModelJson = t.type({
  modelTopology: t.UnknownRecord,
  weightsManifest: t.tuple([
    t.type({ paths: t.tuple([t.literal(WEIGHTS_FILE)]), weights: t.array(t.type({ name: t.string, shape: t.array(t.number), dtype: DTYPES })) }),
  ]),
  userDefinedMetadata: t.type({ network: NetworkMetadata }),
});

const BYTES_PER_VALUE = 4; // float32 and int32; bool weights never occur in this network

export const sha256Of = (buffers: readonly Uint8Array[]): string => {
  const hash = createHash('sha256');
  for (const b of buffers) hash.update(b);
  return hash.digest('hex');
};

const toBytes = (data: ArrayBuffer | ArrayBuffer[]): Buffer => (Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data));

/** What a saved network is made of, detached from any tfjs model: what a worker thread sends back (structured-clonable). */
export interface NetworkArtifacts {
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  readonly format?: string;
  readonly generatedBy?: string;
  readonly metadata: NetworkMetadata;
}

/** The artifacts of a model, taken in memory (no file is written). */
export const captureArtifacts = async (model: tf.LayersModel, metadata: NetworkMetadata): Promise<NetworkArtifacts> => {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = captured;
  if (a === undefined || a.modelTopology instanceof ArrayBuffer || a.modelTopology === undefined)
    throw new Error('only layers-model topologies (JSON) are saved here');
  const bytes = toBytes(a.weightData ?? new ArrayBuffer(0));
  return {
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs ?? [],
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
    ...(a.format === undefined ? {} : { format: a.format }),
    ...(a.generatedBy === undefined ? {} : { generatedBy: a.generatedBy }),
    metadata,
  };
};

/** Writes model.json + weights.bin under `dir` (each through a temporary name and a rename, so a crash mid-save never
 * leaves a half-written file under the final name) and returns their sha256. */
export const writeArtifacts = async (dir: string, a: NetworkArtifacts): Promise<SavedForecaster> => {
  const weights = Buffer.from(a.weightData);
  const json = Buffer.from(
    JSON.stringify({
      format: a.format ?? 'layers-model',
      generatedBy: a.generatedBy,
      convertedBy: null,
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs }],
      userDefinedMetadata: { network: a.metadata },
    }),
  );
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of [
    [WEIGHTS_FILE, weights],
    [MODEL_FILE, json],
  ] as const) {
    const tmp = path.join(dir, `.${name}.tmp`);
    await writeFile(tmp, bytes);
    await rename(tmp, path.join(dir, name));
  }
  const written = await Promise.all(MODEL_FILES.map((f) => readFile(path.join(dir, f))));
  return { files: [...MODEL_FILES], sha256: sha256Of(written) };
};

export const saveModel = async (model: tf.LayersModel, dir: string, metadata: NetworkMetadata): Promise<SavedForecaster> =>
  writeArtifacts(dir, await captureArtifacts(model, metadata));

export interface LoadedModel {
  readonly model: tf.LayersModel;
  readonly metadata: NetworkMetadata;
}

const readOrMissing = async (file: string): Promise<Either<ForecasterLoadError, Buffer>> => {
  try {
    return either.right(await readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return either.left({ code: 'MISSING', message: `${file} does not exist` });
    throw e; // permissions, I/O errors: not a property of the model, the operator must see them
  }
};

export const loadModel = async (
  dir: string,
  expected: { readonly window: number; readonly features: number; readonly sha256: string },
): Promise<Either<ForecasterLoadError, LoadedModel>> => {
  const files: Buffer[] = [];
  for (const name of MODEL_FILES) {
    const read = await readOrMissing(path.join(dir, name));
    if (either.isLeft(read)) return read;
    files.push(read.right);
  }
  const [jsonBytes, weights] = files as [Buffer, Buffer];
  const actual = sha256Of(files);
  if (actual !== expected.sha256.toLowerCase())
    return either.left({ code: 'CORRUPT', message: `sha256 of ${MODEL_FILES.join(' + ')} in ${dir} is ${actual}, expected ${expected.sha256}` });
  let raw: unknown;
  try {
    raw = JSON.parse(jsonBytes.toString('utf8'));
  } catch (e) {
    return either.left({ code: 'CORRUPT', message: `${MODEL_FILE} in ${dir} is not JSON: ${(e as Error).message}` });
  }
  const decoded = ModelJson.decode(raw);
  if (either.isLeft(decoded))
    return either.left({ code: 'CORRUPT', message: `${MODEL_FILE} in ${dir} is not a saved network: ${PathReporter.report(decoded).join('; ')}` });
  const manifest = decoded.right.weightsManifest[0];
  const meta = decoded.right.userDefinedMetadata.network;
  const needed = manifest.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * BYTES_PER_VALUE, 0);
  if (weights.length !== needed)
    return either.left({ code: 'CORRUPT', message: `${WEIGHTS_FILE} in ${dir} has ${weights.length} bytes, the manifest needs ${needed}` });
  if (meta.window !== expected.window || meta.features !== expected.features)
    return either.left({
      code: 'SHAPE_MISMATCH',
      message: `the model in ${dir} reads ${meta.window} steps × ${meta.features} features, expected ${expected.window} × ${expected.features}`,
    });
  let model: tf.LayersModel;
  try {
    const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length) as ArrayBuffer;
    model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: decoded.right.modelTopology, weightSpecs: manifest.weights, weightData }));
  } catch (e) {
    return either.left({ code: 'CORRUPT', message: `the model in ${dir} does not build: ${(e as Error).message}` });
  }
  // The topology itself must agree with the metadata: a hand-edited model.json could claim one shape and hold another.
  const shape = model.inputs[0]?.shape;
  if (shape?.[1] !== expected.window || shape[2] !== expected.features) {
    model.dispose();
    return either.left({
      code: 'SHAPE_MISMATCH',
      message: `the network in ${dir} takes input [${shape?.map(String).join(', ') ?? ''}], expected [null, ${expected.window}, ${expected.features}]`,
    });
  }
  return either.right({ model, metadata: meta });
};
