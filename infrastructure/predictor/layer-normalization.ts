// Layer normalisation over the last axis, (x − mean) / √(variance + ε) · γ + β, with broadcasting. Replaces
// tf.layers.layerNormalization, which tiles γ, β and the moments to the input's full shape: the gradient of Tile in
// tfjs-core is one slice + add per repetition, i.e. batch × steps × 2 kernel calls per training step (3,072 for a
// batch of 64 × 24 steps; measured in doc/predictor.md). Broadcasting gives the same values with a handful of kernels.
import * as tf from '@tensorflow/tfjs';

export interface LayerNormArgs {
  readonly epsilon?: number;
  readonly name?: string;
}

export class LayerNorm extends tf.layers.Layer {
  static readonly className = 'PredictorLayerNorm';
  readonly epsilon: number;
  private gamma: tf.LayerVariable | undefined;
  private beta: tf.LayerVariable | undefined;

  constructor(args: LayerNormArgs = {}) {
    super(args.name === undefined ? {} : { name: args.name });
    this.epsilon = args.epsilon ?? 1e-3; // tf.layers.layerNormalization's default
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = shape[shape.length - 1];
    if (width == null) throw new RangeError('LayerNorm needs a known last dimension');
    this.gamma = this.addWeight('gamma', [width], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [width], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const { mean, variance } = tf.moments(x, -1, true);
      const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalised, this.gamma!.read()), this.beta!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(LayerNorm);
