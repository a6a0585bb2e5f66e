// Multi-head scaled dot-product self-attention over a sequence [batch, steps, model], as a tfjs-layers layer:
// tfjs-layers 4.22 exports none. Queries, keys and values are linear projections of the same input; each of the
// `numHeads` heads attends over all steps with softmax(QKᵀ/√d_head)·V, the heads are concatenated and projected
// back to the model width, so the output has the input's shape (a residual can be added around it).
// Registered with tf.serialization so a saved model (model.json) loads back with this class.
import * as tf from '@tensorflow/tfjs';

export interface MultiHeadSelfAttentionArgs {
  readonly numHeads: number;
  /** Seeds the glorot-uniform projections (repeatable runs). */
  readonly seed?: number;
  readonly name?: string;
}

const PROJECTIONS = ['query', 'key', 'value', 'output'] as const;

export class MultiHeadSelfAttention extends tf.layers.Layer {
  static readonly className = 'MultiHeadSelfAttention';
  readonly numHeads: number;
  readonly seed: number | undefined;
  private kernels: tf.LayerVariable[] = [];
  private biases: tf.LayerVariable[] = [];

  constructor(args: MultiHeadSelfAttentionArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    if (!Number.isInteger(args.numHeads) || args.numHeads < 1) throw new RangeError(`numHeads must be a positive integer, got ${args.numHeads}`);
    this.numHeads = args.numHeads;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const width = shape[shape.length - 1];
    if (shape.length !== 3 || width == null) throw new RangeError(`MultiHeadSelfAttention expects [batch, steps, model], got [${shape.join(', ')}]`);
    if (width % this.numHeads !== 0) throw new RangeError(`model width ${width} is not divisible by ${this.numHeads} heads`);
    this.kernels = PROJECTIONS.map((p, i) =>
      this.addWeight(`${p}_kernel`, [width, width], 'float32', tf.initializers.glorotUniform(this.seed === undefined ? {} : { seed: this.seed + i })),
    );
    this.biases = PROJECTIONS.map((p) => this.addWeight(`${p}_bias`, [width], 'float32', tf.initializers.zeros()));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [batch, steps, width] = x.shape;
      const heads = this.numHeads;
      const headWidth = width / heads;
      const flat = x.reshape<tf.Tensor2D>([batch * steps, width]);
      const project = (i: number, t: tf.Tensor2D): tf.Tensor2D => tf.add<tf.Tensor2D>(tf.matMul(t, this.kernels[i]!.read()), this.biases[i]!.read());
      // [batch·steps, width] → [batch, heads, steps, headWidth]
      const split = (t: tf.Tensor2D): tf.Tensor4D => t.reshape([batch, steps, heads, headWidth]).transpose([0, 2, 1, 3]);
      const q = split(project(0, flat));
      const k = split(project(1, flat));
      const v = split(project(2, flat));
      const scores = tf.matMul(q, k, false, true).div(Math.sqrt(headWidth));
      const attended = tf.matMul(tf.softmax(scores, -1), v); // [batch, heads, steps, headWidth]
      const merged = attended.transpose([0, 2, 1, 3]).reshape<tf.Tensor2D>([batch * steps, width]);
      return project(3, merged).reshape([batch, steps, width]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), numHeads: this.numHeads };
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}

tf.serialization.registerClass(MultiHeadSelfAttention);
