// The custom multi-head self-attention layer: shape, values against a plain-array reference of scaled dot-product
// multi-head attention on hand-made tensors, and a save → load round trip through the file-system handler.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { selectBackend } from '../../infrastructure/predictor/backend.js';
import { MultiHeadSelfAttention } from '../../infrastructure/predictor/multi-head-attention.js';
import { loadModel, saveModel } from '../../infrastructure/predictor/model-files.js';

type Matrix = number[][];

const matmul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const addRow = (a: Matrix, r: number[]): Matrix => a.map((row) => row.map((v, j) => v + r[j]!));
const columns = (a: Matrix, from: number, to: number): Matrix => a.map((row) => row.slice(from, to));
const softmaxRows = (a: Matrix): Matrix =>
  a.map((row) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((x, y) => x + y, 0);
    return e.map((v) => v / s);
  });
const transpose = (a: Matrix): Matrix => a[0]!.map((_, j) => a.map((row) => row[j]!));

/** softmax(Q_h K_hᵀ / √d_h) V_h for each head, heads side by side, then the output projection. */
const referenceAttention = (
  x: Matrix,
  w: { q: Matrix; k: Matrix; v: Matrix; o: Matrix; bq: number[]; bk: number[]; bv: number[]; bo: number[] },
  heads: number,
): Matrix => {
  const q = addRow(matmul(x, w.q), w.bq);
  const k = addRow(matmul(x, w.k), w.bk);
  const v = addRow(matmul(x, w.v), w.bv);
  const width = x[0]!.length;
  const d = width / heads;
  const perHead: Matrix[] = [];
  for (let h = 0; h < heads; h++) {
    const qh = columns(q, h * d, (h + 1) * d);
    const kh = columns(k, h * d, (h + 1) * d);
    const vh = columns(v, h * d, (h + 1) * d);
    const scores = matmul(qh, transpose(kh)).map((row) => row.map((s) => s / Math.sqrt(d)));
    perHead.push(matmul(softmaxRows(scores), vh));
  }
  const concat = x.map((_, t) => perHead.flatMap((m) => m[t]!));
  return addRow(matmul(concat, w.o), w.bo);
};

// Hand-made weights: small distinct values so every head, every projection and every bias matters.
const handMatrix = (rows: number, cols: number, salt: number): Matrix =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => Math.sin(salt + 1.3 * i + 0.7 * j) * 0.5));
const handVector = (n: number, salt: number): number[] => Array.from({ length: n }, (_, i) => Math.cos(salt + i) * 0.1);

describe('predictor network: multi-head self-attention layer', () => {
  before(async () => {
    await selectBackend();
  });

  it('keeps the input shape [batch, steps, width]', () => {
    const layer = new MultiHeadSelfAttention({ numHeads: 4, seed: 1 });
    const out = tf.tidy(() => layer.apply(tf.ones([3, 5, 8])) as tf.Tensor);
    expect(out.shape).to.deep.equal([3, 5, 8]);
    out.dispose();
    const sym = layer.apply(tf.input({ shape: [7, 8] })) as tf.SymbolicTensor;
    expect(sym.shape).to.deep.equal([null, 7, 8]);
  });

  it('refuses a width the heads do not divide', () => {
    const layer = new MultiHeadSelfAttention({ numHeads: 3 });
    expect(() => layer.apply(tf.input({ shape: [4, 8] }))).to.throw(/not divisible by 3 heads/);
  });

  it('computes the same values as a plain scaled dot-product multi-head attention', () => {
    const width = 4;
    const heads = 2;
    const w = {
      q: handMatrix(width, width, 1),
      k: handMatrix(width, width, 2),
      v: handMatrix(width, width, 3),
      o: handMatrix(width, width, 4),
      bq: handVector(width, 5),
      bk: handVector(width, 6),
      bv: handVector(width, 7),
      bo: handVector(width, 8),
    };
    const batch: Matrix[] = [
      [
        [1, 0, -1, 0.5],
        [0.2, 0.3, 0.1, -0.4],
        [-1, 2, 0, 1],
      ],
      [
        [0, 0, 0, 0],
        [3, -1, 0.5, 0.25],
        [0.1, 0.1, 0.1, 0.1],
      ],
    ];
    const layer = new MultiHeadSelfAttention({ numHeads: heads });
    layer.build([null, 3, width]);
    // Weight order: the four kernels (query, key, value, output), then their four biases.
    layer.setWeights([...[w.q, w.k, w.v, w.o].map((m): tf.Tensor => tf.tensor2d(m)), ...[w.bq, w.bk, w.bv, w.bo].map((b) => tf.tensor1d(b))]);
    const got = tf.tidy(() => (layer.apply(tf.tensor3d(batch)) as tf.Tensor).arraySync()) as number[][][];
    batch.forEach((x, b) => {
      const want = referenceAttention(x, w, heads);
      want.forEach((row, t) => row.forEach((v, j) => expect(got[b]![t]![j]).to.be.closeTo(v, 1e-5, `batch ${b} step ${t} column ${j}`)));
    });
    // A single head must give something else on the same weights: the head split is really exercised.
    const oneHead = referenceAttention(batch[1]!, w, 1);
    expect(Math.abs(oneHead[1]![0]! - got[1]![1]![0]!)).to.be.greaterThan(1e-3);
  });

  it('saves and loads back (registered class) with identical predictions', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'attention-'));
    try {
      const input = tf.input({ shape: [6, 4] });
      const h = new MultiHeadSelfAttention({ numHeads: 2, seed: 3 }).apply(input) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: out });
      const x = tf.randomNormal([5, 6, 4], 0, 1, 'float32', 11);
      const before = (model.predict(x) as tf.Tensor).dataSync();
      const meta = { kind: 'test', profile: 'test', window: 6, features: 4, targetScale: 1, history: [] };
      const saved = await saveModel(model, dir, meta);
      const loaded = await loadModel(dir, { window: 6, features: 4, sha256: saved.sha256 });
      if (loaded._tag === 'Left') throw new Error(loaded.left.message);
      expect(loaded.right.model.layers.some((l) => l instanceof MultiHeadSelfAttention)).to.equal(true);
      const after = (loaded.right.model.predict(x) as tf.Tensor).dataSync();
      expect(Array.from(after)).to.deep.equal(Array.from(before));
      model.dispose();
      loaded.right.model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
