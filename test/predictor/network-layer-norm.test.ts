// The broadcasting layer normalisation that replaces tf.layers.layerNormalization: values against a plain-array
// reference, and gradients against tf.layers.layerNormalization's own (same function, different kernels).
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../infrastructure/predictor/backend.js';
import { LayerNorm } from '../../infrastructure/predictor/layer-normalization.js';

describe('predictor network: layer normalisation', () => {
  before(async () => {
    await selectBackend();
  });

  it('normalises each step over its features, then scales by γ and shifts by β', () => {
    const x = [
      [
        [1, 2, 3, 6],
        [0, 0, 0, 4],
      ],
    ];
    const gamma = [1, 2, 0.5, -1];
    const beta = [0, 0.1, -0.2, 0.3];
    const layer = new LayerNorm({ epsilon: 1e-3 });
    layer.build([null, 2, 4]);
    layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta)]);
    const got = tf.tidy(() => (layer.apply(tf.tensor3d(x)) as tf.Tensor).arraySync()) as number[][][];
    x[0]!.forEach((row, t) => {
      const mean = row.reduce((s, v) => s + v, 0) / row.length;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
      row.forEach((v, j) => expect(got[0]![t]![j]).to.be.closeTo(((v - mean) / Math.sqrt(variance + 1e-3)) * gamma[j]! + beta[j]!, 1e-5));
    });
  });

  it('has the same gradients as tf.layers.layerNormalization', () => {
    const x = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 2);
    const target = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 3);
    const ours = new LayerNorm();
    const theirs = tf.layers.layerNormalization({ epsilon: 1e-3 });
    ours.build([null, 5, 6]);
    theirs.build([null, 5, 6]);
    const weights = [tf.randomNormal([6], 1, 0.2, 'float32', 4), tf.randomNormal([6], 0, 0.2, 'float32', 5)];
    ours.setWeights(weights);
    theirs.setWeights(weights);
    const grads = (layer: tf.layers.Layer) =>
      tf
        .grads((input: tf.Tensor) => tf.losses.meanSquaredError(target, layer.apply(input) as tf.Tensor))([x])[0]!
        .arraySync() as number[][][];
    const a = grads(ours).flat(2);
    const b = grads(theirs).flat(2);
    a.forEach((v, i) => expect(v).to.be.closeTo(b[i]!, 1e-5));
  });
});
