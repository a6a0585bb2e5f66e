// A measured fix for the WASM backend's Slice and Unpack kernels (doc/predictor.md, "Why training is slow here"):
// tfjs-backend-wasm 4.22 reads the whole input out of the WASM heap (readSync: a fresh copy) for every slice, and
// Unpack is one slice per output, so unstacking a sequence of T steps copies the whole sequence T times. The RNN
// layers unstack their input every forward pass and the gradient's every backward pass. These kernels copy only
// the sliced elements through views on the heap. Same values; 'wasm' backend only.
import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Info = tf.TensorInfo & { shape: number[] };
interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
}

const originals: tf.KernelConfig[] = [];
let installed = false;

/** Copies the box [begin, begin + size) of x into a new output: one contiguous run per innermost row. */
const sliceView = (backend: WasmHeap, x: Info, begin: number[], size: number[]): Info => {
  const out = backend.makeOutput(size, x.dtype);
  // Views only after makeOutput: allocating may grow the heap, which detaches earlier views.
  const from = backend.typedArrayFromHeap(x);
  const to = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (rank === 0 || to.length === 0) {
    if (to.length > 0) to[0] = from[0]!;
    return out;
  }
  const strides = tf.util.computeStrides(x.shape).concat(1);
  const run = size[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < to.length; o += run) {
    let offset = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) offset += (begin[d]! + index[d]!) * strides[d]!;
    to.set(from.subarray(offset, offset + run), o);
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
};

const slice = (args: KernelArgs): Info => {
  const x = (args.inputs as { x: Info }).x;
  const attrs = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs.begin, attrs.size) as [number[], number[]];
  return sliceView(args.backend as unknown as WasmHeap, x, begin, size);
};

const unpack = (args: KernelArgs): Info[] => {
  const value = (args.inputs as { value: Info }).value;
  const rank = value.shape.length;
  const attrs = args.attrs as unknown as { axis: number };
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  const size = value.shape.slice();
  size[axis] = 1;
  const outShape = value.shape.filter((_, i) => i !== axis);
  return Array.from({ length: value.shape[axis]! }, (_, i) => {
    const begin = new Array<number>(rank).fill(0);
    begin[axis] = i;
    const out = sliceView(args.backend as unknown as WasmHeap, value, begin, size);
    return { dataId: out.dataId, dtype: out.dtype, shape: outShape };
  });
};

const replace = (kernelName: string, kernelFunc: (args: KernelArgs) => Info | Info[]): void => {
  const original = tf.getKernel(kernelName, 'wasm');
  if (original === undefined) return;
  originals.push(original);
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({
    ...original,
    // Strings keep the original path (their bytes do not live on the heap).
    kernelFunc: (args: KernelArgs) => {
      const x = Object.values(args.inputs)[0];
      return x?.dtype === 'string' ? original.kernelFunc(args) : kernelFunc(args);
    },
  });
};

/** Installs the replacements once; call after the WASM backend's kernels are registered (its module imported). */
export const installWasmSliceFix = (): void => {
  if (installed) return;
  installed = true;
  replace('Slice', slice);
  replace('Unpack', unpack);
};

/** Puts the original kernels back (the benchmark measures both). */
export const uninstallWasmSliceFix = (): void => {
  for (const k of originals.splice(0)) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  installed = false;
};
