// Which TensorFlow.js backend runs the network: tfjs-node (native libtensorflow, an optional dependency that does
// not install everywhere) when it imports, else WASM (XNNPACK; SIMD when the engine validates it), else pure-JS cpu.
// In Node the WASM backend is single-threaded: tfjs-backend-wasm 4.22 forces WASM_HAS_MULTITHREAD_SUPPORT to false
// under Node (tfjs issue 3830: its pthreads need browser Web Workers), so setThreadsCount has no effect here.
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installWasmMatMulFix } from './wasm-matmul.js';
import { installWasmSliceFix } from './wasm-slice.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface SelectedBackend {
  readonly name: BackendName;
  /** WASM only: whether the SIMD binary was loaded. */
  readonly simd: boolean;
  /** WASM only: whether the threaded binary was loaded (never under Node, see above). */
  readonly threads: boolean;
}

const require = createRequire(import.meta.url);

// A variable specifier keeps TypeScript from resolving a package that is (usually) absent.
const TFJS_NODE = '@tensorflow/tfjs-node';

const tryTfjsNode = async (): Promise<boolean> => {
  try {
    await import(TFJS_NODE);
    return await tf.setBackend('tensorflow');
  } catch {
    return false;
  }
};

let wasmRegistered = false;
const tryWasm = async (): Promise<boolean> => {
  try {
    if (!wasmRegistered) {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The .wasm binaries sit next to the package's main file; in Node they are read from disk through this prefix.
      const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
      wasm.setWasmPaths(dir + path.sep);
      installWasmMatMulFix();
      installWasmSliceFix();
      wasmRegistered = true;
    }
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
};

const describe = async (name: BackendName): Promise<SelectedBackend> => {
  await tf.ready();
  if (name !== 'wasm') return { name, simd: false, threads: false };
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return { name, simd, threads };
};

/**
 * Makes the best available backend the active one (or the one asked for, when it loads) and says which it is.
 * `prefer` lets a bench or a test pin a backend; a preferred backend that fails to load falls through the order.
 */
export const selectBackend = async (prefer?: BackendName): Promise<SelectedBackend> => {
  const order: BackendName[] = ['tensorflow', 'wasm', 'cpu'];
  const tries = prefer === undefined ? order : [prefer, ...order.filter((n) => n !== prefer)];
  for (const name of tries) {
    const ok = name === 'tensorflow' ? await tryTfjsNode() : name === 'wasm' ? await tryWasm() : await tf.setBackend('cpu');
    if (ok) return describe(name);
  }
  throw new Error('no TensorFlow.js backend could be initialised (tensorflow, wasm and cpu all failed)');
};

/** Whether the native backend can be loaded here (decides the default profile). */
export const tfjsNodeAvailable = async (): Promise<boolean> => {
  try {
    await import(TFJS_NODE);
    return true;
  } catch {
    return false;
  }
};
