// The network's training loop and prediction: the plateau and early-stopping rules on hand-made loss sequences,
// repeatability from the seed, the AbortSignal, bad input named, no tensor leak across predictions, and the WASM
// matMul fix giving the same products as a plain reference.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../infrastructure/predictor/backend.js';
import { ForecasterInputError, networkTrainer } from '../../infrastructure/predictor/network.js';
import { earlyStopping, learningRateOnPlateau } from '../../infrastructure/predictor/training-schedule.js';
import { toyData } from './network-fixtures.js';

describe('predictor network: training schedule', () => {
  it('reduces the learning rate after `patience` epochs without improvement, down to the floor', () => {
    const p = learningRateOnPlateau(1e-3, 2, 0.5, 3e-4);
    // improve, improve, flat, flat (→ 5e-4), flat, flat (→ 3e-4 floor), better (no change), flat, flat (floor stays)
    const rates = [1.0, 0.9, 0.9, 0.95, 0.9, 0.91, 0.5, 0.6, 0.7].map((l) => p.observe(l));
    expect(rates).to.deep.equal([1e-3, 1e-3, 1e-3, 5e-4, 5e-4, 3e-4, 3e-4, 3e-4, 3e-4]);
  });

  it('stops after `patience` epochs without a better validation loss and remembers the best epoch', () => {
    const s = earlyStopping(3);
    const verdicts = [0.5, 0.4, 0.45, 0.41, 0.39, 0.4, 0.42, 0.5].map((l, i) => s.observe(i + 1, l));
    expect(verdicts.map((v) => v.improved)).to.deep.equal([true, true, false, false, true, false, false, false]);
    expect(verdicts.map((v) => v.stop)).to.deep.equal([false, false, false, false, false, false, false, true]);
    expect([s.bestEpoch, s.bestLoss]).to.deep.equal([5, 0.39]);
  });

  it('never counts a NaN loss as an improvement', () => {
    const s = earlyStopping(2);
    s.observe(1, 0.3);
    expect(s.observe(2, Number.NaN)).to.deep.equal({ improved: false, stop: false });
    expect(s.observe(3, Number.NaN)).to.deep.equal({ improved: false, stop: true });
  });
});

describe('predictor network: training and prediction', function () {
  this.timeout(120_000);
  const trainer = networkTrainer('small', { maxEpochs: 2, batchSize: 16 });
  const train = toyData(48, 4, 3, 1);
  const validation = toyData(16, 4, 3, 2);

  before(async () => {
    await selectBackend();
  });

  it('repeats exactly with the same seed, and differs with another', async () => {
    const a = await trainer.train(train, validation, { seed: 42 });
    const b = await trainer.train(train, validation, { seed: 42 });
    const c = await trainer.train(train, validation, { seed: 43 });
    const [pa, pb, pc] = await Promise.all([a, b, c].map((m) => m.predict(validation)));
    expect(Array.from(pb!)).to.deep.equal(Array.from(pa!));
    expect(Array.from(pc!)).to.not.deep.equal(Array.from(pa!));
    expect(b.history).to.deep.equal(a.history);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('reports each epoch (loss, validation loss, rate) and keeps it as history', async () => {
    const seen: number[] = [];
    const m = await trainer.train(train, validation, { seed: 1, onEpoch: (p) => seen.push(p.epoch) });
    expect(seen).to.deep.equal([1, 2]);
    expect(m.history.map((h) => h.epoch)).to.deep.equal([1, 2]);
    for (const h of m.history) {
      expect(h.loss).to.be.greaterThan(0);
      expect(h.valLoss).to.be.greaterThan(0);
      expect(h.learningRate).to.equal(trainer.network.learningRate);
    }
    expect([m.kind, m.profile, m.window, m.features]).to.deep.equal(['lstm-transformer', 'small', 4, 3]);
    m.dispose();
  });

  it("returns the best epoch's weights, not the last epoch's", async () => {
    // A high rate makes the validation loss go up again in epoch 4 (seed 1); the returned network must be epoch 3's.
    const m = await networkTrainer('small', { maxEpochs: 4, batchSize: 16, learningRate: 0.03 }).train(train, validation, { seed: 1 });
    const losses = m.history.map((h) => h.valLoss);
    const best = Math.min(...losses);
    expect(losses.indexOf(best), `validation losses ${losses.join(', ')}`).to.be.lessThan(losses.length - 1);
    const p = await m.predict(validation);
    const mse = p.reduce((s, v, i) => s + (v - validation.y![i]!) ** 2, 0) / p.length;
    expect(mse).to.be.closeTo(best, best * 1e-4);
    expect(Math.abs(mse - losses[losses.length - 1]!)).to.be.greaterThan(best * 1e-2);
    m.dispose();
  });

  it('stops at the next batch when the signal aborts, and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const epochs: number[] = [];
    const run = networkTrainer('small', { maxEpochs: 50, batchSize: 16 }).train(train, validation, {
      seed: 1,
      signal: controller.signal,
      onEpoch: (p) => {
        epochs.push(p.epoch);
        controller.abort(new Error('operator stopped training'));
      },
    });
    let error: unknown;
    await run.catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('operator stopped training');
    expect(epochs).to.deep.equal([1]);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('refuses to start with an already aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    let error: unknown;
    await trainer.train(train, validation, { seed: 1, signal: controller.signal }).catch((e: unknown) => (error = e));
    expect((error as Error).name).to.equal('AbortError');
  });

  it('names bad input: non-finite feature, wrong length, missing or constant targets, mismatched windows', async () => {
    const nan = { ...train, x: Float32Array.from(train.x) };
    nan.x[2 * 12 + 1 * 3 + 2] = Number.NaN; // sample 2, step 1, feature 2
    const cases: [Parameters<typeof trainer.train>[0], Parameters<typeof trainer.train>[1], RegExp][] = [
      [nan, validation, /training data: x is not finite \(NaN\) at sample 2, step 1, feature 2/],
      [{ ...train, samples: 47 }, validation, /training data: x holds 576 values, expected samples × window × features = 47 × 4 × 3/],
      [{ ...train, y: undefined }, validation, /training data: targets \(y\) are missing/],
      [{ ...train, y: new Float32Array(48).fill(0.01) }, validation, /every target is the same value/],
      [train, toyData(16, 5, 3, 2), /validation windows are 5 × 3, training windows 4 × 3/],
      [{ ...train, y: Float32Array.from(train.y!, (v, i) => (i === 7 ? Infinity : v)) }, validation, /target 7 is not finite/],
    ];
    for (const [t, v, message] of cases) {
      let error: unknown;
      await trainer.train(t, v, { seed: 1 }).catch((e: unknown) => (error = e));
      expect(error, String(message)).to.be.instanceOf(ForecasterInputError);
      expect((error as Error).message).to.match(message);
    }
  });

  it('predicts without leaking tensors, and refuses windows of another shape', async () => {
    const m = await trainer.train(train, validation, { seed: 3 });
    await m.predict(validation);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await m.predict(toyData(600, 4, 3, 9)); // more than one prediction batch
    expect(tf.memory().numTensors).to.equal(before);
    let error: unknown;
    await m.predict(toyData(4, 5, 3, 1)).catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('prediction input has 5 steps × 3 features, the model reads 4 × 3');
    m.dispose();
    expect(tf.memory().numTensors).to.be.lessThan(before);
  });
});

describe('predictor network: WASM matMul with transposed operands', () => {
  it('gives the products of a plain reference for every transpose combination', async () => {
    const backend = await selectBackend('wasm');
    if (backend.name !== 'wasm') return; // nothing to check where WASM does not load
    const a = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const b = [
      [0.5, -1],
      [2, 0],
      [1, 1],
    ];
    const want = [
      [1 * 0.5 + 2 * 2 + 3 * 1, -1 + 0 + 3],
      [4 * 0.5 + 5 * 2 + 6 * 1, -4 + 0 + 6],
    ];
    const t = (m: number[][]) => m[0]!.map((_, j) => m.map((r) => r[j]!));
    const cases: [number[][], number[][], boolean, boolean][] = [
      [a, b, false, false],
      [t(a), b, true, false],
      [a, t(b), false, true],
      [t(a), t(b), true, true],
    ];
    for (const [x, y, ta, tb] of cases) {
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(x), tf.tensor2d(y), ta, tb).arraySync());
      expect(got, `transposeA=${ta} transposeB=${tb}`).to.deep.equal(want);
      // The fused kernel (matMul + bias + activation) too.
      const fused = tf.tidy(() =>
        tf.fused.matMul({ a: tf.tensor2d(x), b: tf.tensor2d(y), transposeA: ta, transposeB: tb, bias: tf.tensor1d([1, 1]), activation: 'relu' }).arraySync(),
      );
      expect(fused).to.deep.equal(want.map((r) => r.map((v) => Math.max(0, v + 1))));
    }
  });
});

describe('predictor network: WASM slice and unstack', () => {
  it('give the elements of a plain reference for every box and axis', async () => {
    const backend = await selectBackend('wasm');
    if (backend.name !== 'wasm') return;
    const shape = [3, 4, 5];
    const values = Array.from({ length: 60 }, (_, i) => i * 1.5 - 7);
    const at = (i: number, j: number, k: number) => values[i * 20 + j * 5 + k]!;
    const x = tf.tensor3d(values, shape as [number, number, number]);
    const boxes: [number[], number[]][] = [
      [
        [0, 0, 0],
        [3, 4, 5],
      ],
      [
        [1, 2, 3],
        [2, 2, 2],
      ],
      [
        [0, 1, 0],
        [3, 1, 5],
      ],
      [
        [2, 0, 4],
        [1, 4, 1],
      ],
    ];
    for (const [b, s] of boxes) {
      const want: number[] = [];
      for (let i = b[0]!; i < b[0]! + s[0]!; i++)
        for (let j = b[1]!; j < b[1]! + s[1]!; j++) for (let k = b[2]!; k < b[2]! + s[2]!; k++) want.push(at(i, j, k));
      expect(Array.from(tf.tidy(() => tf.slice(x, b, s).dataSync())), `box ${b.join(',')} size ${s.join(',')}`).to.deep.equal(want);
    }
    for (const axis of [0, 1, 2]) {
      const parts = tf.unstack(x, axis);
      expect(parts.length).to.equal(shape[axis]);
      parts.forEach((p, n) => {
        const want: number[] = [];
        for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 5; k++) if ([i, j, k][axis] === n) want.push(at(i, j, k));
        expect(p.shape).to.deep.equal(shape.filter((_, d) => d !== axis));
        expect(Array.from(p.dataSync()), `axis ${axis} part ${n}`).to.deep.equal(want);
        p.dispose();
      });
    }
    x.dispose();
  });
});
