// The LSTM-Transformer network: [window × features] → BiLSTM stack → multi-head self-attention with a residual and
// layer normalisation → mean over steps → dense (ReLU) → dropout → dense (ReLU) → 1 (the next hour's return).
// Every initialiser and the dropout are seeded, so the same seed builds the same network and trains the same way.
import * as tf from '@tensorflow/tfjs';
import { LayerNorm } from './layer-normalization.js';
import { MultiHeadSelfAttention } from './multi-head-attention.js';
import type { NetworkProfile } from './profiles.js';

export type NetworkShape = Pick<NetworkProfile, 'lstmLayers' | 'lstmUnits' | 'heads' | 'dense' | 'dropout'>;

/** `stockLayerNorm` builds tfjs-layers' own layer normalisation instead of ours: for the benchmark's comparison only. */
export const buildNetwork = (shape: NetworkShape, window: number, features: number, seed: number, stockLayerNorm = false): tf.LayersModel => {
  let next = seed;
  const glorot = () => tf.initializers.glorotUniform({ seed: next++ });
  const input = tf.input({ shape: [window, features], name: 'window' });
  let h: tf.SymbolicTensor = input;
  for (let i = 0; i < shape.lstmLayers; i++) {
    // glorotUniform recurrent weights: the default orthogonal initialiser takes minutes to build at 128 units.
    // Every layer returns the whole sequence: the attention after the stack reads all steps.
    const lstm = tf.layers.lstm({
      units: shape.lstmUnits,
      returnSequences: true,
      kernelInitializer: glorot(),
      recurrentInitializer: glorot(),
    });
    h = tf.layers.bidirectional({ layer: lstm, mergeMode: 'concat', name: `bilstm_${i + 1}` }).apply(h) as tf.SymbolicTensor;
  }
  const attended = new MultiHeadSelfAttention({ numHeads: shape.heads, seed: next, name: 'self_attention' }).apply(h) as tf.SymbolicTensor;
  next += 4;
  h = tf.layers.add({ name: 'residual' }).apply([h, attended]) as tf.SymbolicTensor;
  h = (stockLayerNorm ? tf.layers.layerNormalization({ name: 'attention_norm' }) : new LayerNorm({ name: 'attention_norm' })).apply(h) as tf.SymbolicTensor;
  // Mean over steps, not the last step: at the last step the backward LSTM half has read one input only, while
  // every step of the attended sequence carries both directions' full context.
  h = tf.layers.globalAveragePooling1d({ name: 'mean_over_steps' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: shape.dense[0], activation: 'relu', kernelInitializer: glorot(), name: 'dense_1' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dropout({ rate: shape.dropout, seed: next++, name: 'dropout' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.dense({ units: shape.dense[1], activation: 'relu', kernelInitializer: glorot(), name: 'dense_2' }).apply(h) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, kernelInitializer: glorot(), name: 'next_return' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'lstm_transformer' });
};
