// The small profile on real data: BTCUSDT 1h from ../shared/data (decoded by the project's candle CSV reader), a
// few hand-made features over 24-hour windows, chronological 80/20 split. Shows that training lowers the
// validation loss below the untrained network's, and that the returned network is the best epoch's (early
// stopping restores its weights): its validation MSE, computed here from its predictions, is the history's minimum.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseCandleCsv } from '../../domain/market/candle-csv.js';
import type { WindowedData } from '../../domain/prediction/windowed-data.js';
import { selectBackend } from '../../infrastructure/predictor/backend.js';
import { buildNetwork } from '../../infrastructure/predictor/model.js';
import { networkTrainer } from '../../infrastructure/predictor/network.js';
import { PROFILES } from '../../infrastructure/predictor/profiles.js';
import { sharedDataFile } from '../support/shared-data.js';
import * as tf from '@tensorflow/tfjs';

const HOURS = 1000;
const WINDOW = PROFILES.small.window;

/** Per hour: log return, log high/low range, log close/open, log volume change, distance to the 24 h mean. */
const hourlyFeatures = (): { features: number[][]; nextReturn: number[] } => {
  const text = gunzipSync(readFileSync(sharedDataFile('binance_BTCUSDT_1h.csv.gz'))).toString('utf8');
  const parsed = parseCandleCsv(text.trimEnd().split('\n'), '1h');
  if (parsed.fileError !== undefined || parsed.rejected.length > 0) throw new Error('BTCUSDT 1h does not read cleanly');
  const c = parsed.candles.slice(-HOURS - 25);
  const features: number[][] = [];
  const nextReturn: number[] = [];
  for (let i = 24; i < c.length - 1; i++) {
    const k = c[i]!;
    const prev = c[i - 1]!;
    const mean = c.slice(i - 23, i + 1).reduce((s, x) => s + x.close, 0) / 24;
    features.push([
      Math.log(k.close / prev.close),
      Math.log(k.high / k.low),
      Math.log(k.close / k.open),
      Math.log((k.volume + 1) / (prev.volume + 1)),
      k.close / mean - 1,
    ]);
    nextReturn.push(Math.log(c[i + 1]!.close / k.close));
  }
  return { features, nextReturn };
};

/** Windows ending at hours [from, to), features standardised with `stats`. */
const windows = (f: number[][], y: number[], from: number, to: number, stats: { mean: number[]; std: number[] }): WindowedData => {
  const nf = f[0]!.length;
  const samples = to - from;
  const x = new Float32Array(samples * WINDOW * nf);
  for (let s = 0; s < samples; s++)
    for (let t = 0; t < WINDOW; t++) {
      const row = f[from + s - WINDOW + 1 + t]!;
      for (let j = 0; j < nf; j++) x[(s * WINDOW + t) * nf + j] = (row[j]! - stats.mean[j]!) / stats.std[j]!;
    }
  return { samples, window: WINDOW, features: nf, x, y: Float32Array.from(y.slice(from, to)) };
};

const mse = (p: Float32Array, y: Float32Array): number => p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / y.length;

describe('predictor network: small profile on BTCUSDT 1h', function () {
  this.timeout(180_000);

  it('lowers the validation loss below the untrained network and returns the best epoch', async () => {
    await selectBackend();
    const { features, nextReturn } = hourlyFeatures();
    const first = WINDOW - 1;
    const split = first + Math.floor((features.length - first) * 0.8);
    // Normalisation statistics from the training part only.
    const trainRows = features.slice(0, split);
    const mean = trainRows[0]!.map((_, j) => trainRows.reduce((s, r) => s + r[j]!, 0) / trainRows.length);
    const std = mean.map((m, j) => Math.sqrt(trainRows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / trainRows.length));
    const train = windows(features, nextReturn, first, split, { mean, std });
    const validation = windows(features, nextReturn, split, features.length, { mean, std });

    // The untrained network (same seed, same construction) and its output scale: the loss training starts from.
    const yStd = Math.sqrt(
      mse(
        train.y!.map(() => 0),
        train.y!,
      ) -
        (train.y!.reduce((s, v) => s + v, 0) / train.samples) ** 2,
    );
    const untrained = buildNetwork(PROFILES.small, WINDOW, 5, 7);
    const raw = tf.tidy(() => (untrained.predict(tf.tensor3d(validation.x, [validation.samples, WINDOW, 5])) as tf.Tensor).dataSync());
    untrained.dispose();
    const initialLoss = mse(
      Float32Array.from(raw, (v) => v * yStd),
      validation.y!,
    );

    const model = await networkTrainer('small', { maxEpochs: 4, batchSize: 128 }).train(train, validation, { seed: 7 });
    const losses = model.history.map((h) => h.valLoss);
    const best = Math.min(...losses);
    expect(best).to.be.lessThan(initialLoss);
    const finalLoss = mse(await model.predict(validation), validation.y!);
    expect(finalLoss).to.be.closeTo(best, best * 1e-4);
    console.log(
      `      initial ${initialLoss.toExponential(3)}, epochs ${losses.map((l) => l.toExponential(3)).join(' ')}, returned ${finalLoss.toExponential(3)}`,
    );
    model.dispose();
  });
});
