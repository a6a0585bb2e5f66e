// A measured fix for the WASM backend's slow training (doc/predictor.md, "Why training is slow here"): its
// BatchMatMul/_FusedMatMul kernels hand transposed operands (transposeA/transposeB, which every matMul gradient
// uses: dW = xᵀ·dy, dx = dy·Wᵀ) to a path several times slower than the plain product. These wrappers transpose
// the operand explicitly (one cheap Transpose kernel) and call the original kernel without the flags. Same
// numbers, same gradients: only the kernel is swapped, for the 'wasm' backend only.
import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Info = tf.TensorInfo & { shape: number[] };

let installed = false;
const originals: tf.KernelConfig[] = [];

const swapLastTwo = (rank: number): number[] => [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];

const wrap = (kernelName: string): void => {
  const original = tf.getKernel(kernelName, 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (original === undefined || transpose === undefined) return;
  const kernelFunc = (args: KernelArgs) => {
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    if (attrs.transposeA !== true && attrs.transposeB !== true) return original.kernelFunc(args);
    const backend = args.backend as tf.KernelBackend;
    const inputs = args.inputs as Record<string, Info>;
    const explicit = (x: Info): Info => transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm: swapLastTwo(x.shape.length) } }) as Info;
    const a = attrs.transposeA === true ? explicit(inputs['a']!) : inputs['a']!;
    const b = attrs.transposeB === true ? explicit(inputs['b']!) : inputs['b']!;
    try {
      return original.kernelFunc({ ...args, inputs: { ...inputs, a, b }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      if (a !== inputs['a']) backend.disposeData(a.dataId);
      if (b !== inputs['b']) backend.disposeData(b.dataId);
    }
  };
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc });
};

/** Installs the wrappers once; call after the WASM backend's kernels are registered (its module imported). */
export const installWasmMatMulFix = (): void => {
  if (installed) return;
  installed = true;
  wrap('BatchMatMul');
  wrap('_FusedMatMul');
};

/** Puts the original kernels back (the benchmark measures both). */
export const uninstallWasmMatMulFix = (): void => {
  for (const k of originals.splice(0)) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  installed = false;
};
