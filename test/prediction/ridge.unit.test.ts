import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { either } from 'fp-ts';
import { fitRidge, predictRidge } from '../../domain/prediction/ridge.js';
import { confidenceOf, forecastMetrics, normalCdf, residualStd, upProbability } from '../../domain/prediction/metrics.js';
import type { WindowedData } from '../../domain/prediction/windowed-data.js';
import { ridgeTrainer } from '../../infrastructure/prediction/ridge-forecaster.js';

describe('the ridge baseline', () => {
  // Hand-made: y = 2 + 3·x1 − x2 exactly, on 6 points.
  const X = [
    [1, 0],
    [0, 1],
    [1, 1],
    [2, 1],
    [3, 5],
    [-1, 2],
  ];
  const y = X.map(([a, b]) => 2 + 3 * a! - b!);
  const x = Float64Array.from(X.flat());

  it('recovers the exact coefficients without a penalty (ordinary least squares)', () => {
    const m = fitRidge(x, y, 2, 0);
    expect(m.intercept).to.be.closeTo(2, 1e-6);
    expect(m.weights[0]).to.be.closeTo(3, 1e-6);
    expect(m.weights[1]).to.be.closeTo(-1, 1e-6);
  });

  it('matches the 2×2 ridge normal equations solved by hand (Cramer) on centred data', () => {
    const n = X.length;
    const lambda = 0.5;
    const ma = X.reduce((s, r) => s + r[0]!, 0) / n;
    const mb = X.reduce((s, r) => s + r[1]!, 0) / n;
    const my = y.reduce((s, v) => s + v, 0) / n;
    let saa = 0, sab = 0, sbb = 0, say = 0, sby = 0; // prettier-ignore
    X.forEach(([a, b], i) => {
      const da = a! - ma, db = b! - mb, dy = y[i]! - my; // prettier-ignore
      saa += da * da;
      sab += da * db;
      sbb += db * db;
      say += da * dy;
      sby += db * dy; // prettier-ignore
    });
    const k = lambda * n; // the penalty is λ·n (per-sample λ)
    const det = (saa + k) * (sbb + k) - sab * sab;
    const w1 = (say * (sbb + k) - sab * sby) / det;
    const w2 = ((saa + k) * sby - sab * say) / det;
    const m = fitRidge(x, y, 2, lambda);
    expect(m.weights[0]).to.be.closeTo(w1, 1e-9);
    expect(m.weights[1]).to.be.closeTo(w2, 1e-9);
    expect(m.intercept).to.be.closeTo(my - w1 * ma - w2 * mb, 1e-9);
    const p = predictRidge(m, Float64Array.from([1, 1]), 2);
    expect(p[0]).to.be.closeTo(m.intercept + w1 + w2, 1e-12);
  });

  describe('saved and loaded as JSON with its sha256', () => {
    let dir: string;
    const data = (samples: number): WindowedData => {
      const window = 3;
      const features = 2;
      const xs = new Float32Array(samples * window * features);
      const ys = new Float32Array(samples);
      for (let s = 0; s < samples; s++) {
        for (let k = 0; k < window * features; k++) xs[s * window * features + k] = Math.sin(s * 0.7 + k);
        const last = (s * window + window - 1) * features;
        ys[s] = 0.001 * xs[last]! - 0.002 * xs[last + 1]!;
      }
      return { samples, window, features, x: xs, y: ys };
    };
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'ridge-'));
    });
    after(async () => rm(dir, { recursive: true, force: true }));

    it('predicts the same after a load, learns the planted relation, and refuses a corrupt, missing or mis-shaped file', async () => {
      const d = data(400);
      const f = await ridgeTrainer.train(d, d, { seed: 1 });
      const before = await f.predict(d);
      expect(Math.abs(before[10]! - d.y![10]!)).to.be.lessThan(1e-4);
      const saved = await f.save(dir);
      const loaded = await ridgeTrainer.load(dir, { window: 3, features: 2, sha256: saved.sha256 });
      if (either.isLeft(loaded)) expect.fail(loaded.left.message);
      expect(Array.from(await loaded.right.predict(d))).to.deep.equal(Array.from(before));

      const mismatch = await ridgeTrainer.load(dir, { window: 4, features: 2, sha256: saved.sha256 });
      expect(either.isLeft(mismatch) && mismatch.left.code).to.equal('SHAPE_MISMATCH');

      const file = path.join(dir, saved.files[0]!);
      const bytes = await readFile(file);
      await writeFile(file, Buffer.concat([bytes.subarray(0, bytes.length - 3), Buffer.from('9]}')]));
      const corrupt = await ridgeTrainer.load(dir, { window: 3, features: 2, sha256: saved.sha256 });
      expect(either.isLeft(corrupt) && corrupt.left.code).to.equal('CORRUPT');

      const missing = await ridgeTrainer.load(path.join(dir, 'nowhere'), { window: 3, features: 2, sha256: saved.sha256 });
      expect(either.isLeft(missing) && missing.left.code).to.equal('MISSING');
    });
  });
});

describe('forecast metrics and confidence', () => {
  it('scores a hand-made case: MAE, RMSE, directional accuracy', () => {
    const m = forecastMetrics([0.01, -0.02, 0, 0.03], [0.02, -0.01, 0.01, -0.01]);
    expect(m.mae).to.be.closeTo((0.01 + 0.01 + 0.01 + 0.04) / 4, 1e-15);
    expect(m.rmse).to.be.closeTo(Math.sqrt((1e-4 + 1e-4 + 1e-4 + 16e-4) / 4), 1e-15);
    // up/up ✓, down/down ✓, 0 (not up)/up ✗, up/down ✗
    expect(m.directionalAccuracy).to.equal(0.5);
  });

  it('Φ matches published values, and up-probability is Φ(expected/σ)', () => {
    expect(normalCdf(0)).to.be.closeTo(0.5, 1e-9);
    expect(normalCdf(1)).to.be.closeTo(0.8413447461, 2e-7);
    expect(normalCdf(-1.96)).to.be.closeTo(0.0249978951, 2e-7);
    expect(upProbability(0.002, 0.002)).to.be.closeTo(0.8413447461, 2e-7);
    expect(confidenceOf(0.8413447461)).to.be.closeTo(0.6826894922, 1e-9);
    expect(residualStd([0, 0, 0, 0], [1, -1, 1, -1])).to.equal(1);
  });
});
