// The ridge baseline (domain/prediction/ridge.ts) behind the Forecaster port: trained in closed form, saved as one
// JSON file whose sha256 a load verifies before trusting it, and decoded with a codec when read back.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { either } from 'fp-ts';
import * as t from 'io-ts';
import type { Forecaster, ForecasterLoadError, ForecasterTrainer, SavedForecaster } from '../../application/ports/forecaster.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { lastStep, predictRidge, trainRidge, type RidgeModel } from '../../domain/prediction/ridge.js';
import type { WindowedData } from '../../domain/prediction/windowed-data.js';
import { bytesSha256 } from './model-files.js';

export const RIDGE_KIND = 'ridge';
export const RIDGE_FILE = 'ridge.json';

const FiniteNumber = t.refinement(t.number, Number.isFinite, 'FiniteNumber');
const RidgeFile = t.type({
  kind: t.literal(RIDGE_KIND),
  window: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1, 'Window'),
  features: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 1024, 'Features'),
  lambda: FiniteNumber,
  intercept: FiniteNumber,
  weights: t.array(FiniteNumber),
});

/** The fitted parts of the ridge forecasters made here (a worker sends them to the main thread, which rebuilds it). */
const fittedParts = new WeakMap<Forecaster, { readonly model: RidgeModel; readonly window: number; readonly features: number }>();
export const ridgeParts = (f: Forecaster) => fittedParts.get(f);

export const ridgeForecaster = (model: RidgeModel, window: number, features: number): Forecaster => {
  const f: Forecaster = {
    kind: RIDGE_KIND,
    profile: 'default',
    window,
    features,
    history: [],
    predict: async (data: WindowedData) => {
      if (data.window !== window || data.features !== features)
        throw new RangeError(`ridge expects ${window}×${features} windows, got ${data.window}×${data.features}`);
      return Float32Array.from(predictRidge(model, lastStep(data), features));
    },
    save: async (dir: string): Promise<SavedForecaster> => {
      await mkdir(dir, { recursive: true });
      const bytes = Buffer.from(JSON.stringify({ kind: RIDGE_KIND, window, features, ...model }));
      await writeFile(path.join(dir, RIDGE_FILE), bytes);
      return { files: [RIDGE_FILE], sha256: bytesSha256(bytes) };
    },
    dispose: () => undefined,
  };
  fittedParts.set(f, { model, window, features });
  return f;
};

export const ridgeTrainer: ForecasterTrainer = {
  kind: RIDGE_KIND,
  profile: 'default',
  train: async (train) => ridgeForecaster(trainRidge(train), train.window, train.features),
  load: async (dir, expected) => {
    const fail = (code: ForecasterLoadError['code'], message: string) => either.left<ForecasterLoadError, Forecaster>({ code, message });
    const file = path.join(dir, RIDGE_FILE);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      return fail('MISSING', `${file}: ${(e as Error).message}`);
    }
    const sha = bytesSha256(bytes);
    if (sha !== expected.sha256) return fail('CORRUPT', `${file}: sha256 ${sha} is not the recorded ${expected.sha256}`);
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      return fail('CORRUPT', `${file}: not JSON (${(e as Error).message})`);
    }
    const decoded = RidgeFile.decode(json);
    if (either.isLeft(decoded)) return fail('CORRUPT', `${file}: ${formatFieldErrors(fieldErrors(decoded.left))}`);
    const m = decoded.right;
    if (m.window !== expected.window || m.features !== expected.features || m.weights.length !== m.features)
      return fail(
        'SHAPE_MISMATCH',
        `${file}: a ${m.window}×${m.features} model with ${m.weights.length} weights, expected ${expected.window}×${expected.features}`,
      );
    return either.right(ridgeForecaster({ lambda: m.lambda, intercept: m.intercept, weights: m.weights }, m.window, m.features));
  },
};
