// `npm run bench:predictor`: training and inference samples/s of the LSTM-Transformer network per available
// backend (tfjs-node when it imports, wasm, cpu) and profile (small: one epoch; full: a short run of one batch),
// then what each slowness fix is worth: ms per training step of the small and full networks on WASM with the
// stock kernels/layers and with each fix. Synthetic normalised inputs (speed does not depend on the values).
// BENCH_PREDICTOR_BACKENDS=wasm,cpu picks backends; BENCH_PREDICTOR_QUICK=1 skips the cpu full row and the ablation.
import * as tf from '@tensorflow/tfjs';
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { selectBackend, tfjsNodeAvailable, type BackendName } from '../infrastructure/predictor/backend.js';
import { buildNetwork } from '../infrastructure/predictor/model.js';
import { networkTrainer } from '../infrastructure/predictor/network.js';
import { PROFILES, type ProfileName } from '../infrastructure/predictor/profiles.js';
import { installWasmMatMulFix, uninstallWasmMatMulFix } from '../infrastructure/predictor/wasm-matmul.js';
import { installWasmSliceFix, uninstallWasmSliceFix } from '../infrastructure/predictor/wasm-slice.js';
import { toyData } from '../test/predictor/network-fixtures.js';

const FEATURES = 20;
const quick = process.env['BENCH_PREDICTOR_QUICK'] === '1';
const RUNS: Record<ProfileName, { train: number; predict: number }> = {
  small: { train: 512, predict: 1024 },
  full: { train: 64, predict: 128 },
};

const seconds = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
};

const rate = (n: number, s: number): string => (n / s).toFixed(1).padStart(9);

const backends: BackendName[] = (process.env['BENCH_PREDICTOR_BACKENDS']?.split(',') as BackendName[] | undefined) ?? [
  ...((await tfjsNodeAvailable()) ? (['tensorflow'] as const) : []),
  'wasm',
  'cpu',
];

console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average at start ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log('');
console.log('| backend | profile | window × features | train samples | train samples/s | predict samples | predict samples/s |');
console.log('|---|---|---|---:|---:|---:|---:|');
for (const name of backends) {
  const got = await selectBackend(name);
  if (got.name !== name) {
    console.log(`| ${name} | — | not available here | | | | |`);
    continue;
  }
  const label = name === 'wasm' ? `wasm (SIMD ${got.simd ? 'on' : 'off'}, threads ${got.threads ? 'on' : 'off'})` : name;
  for (const profile of ['small', 'full'] as const) {
    if (quick && profile === 'full' && name === 'cpu') continue;
    const { window } = PROFILES[profile];
    const run = RUNS[profile];
    const trainer = networkTrainer(profile, { maxEpochs: 1, batchSize: Math.min(run.train, PROFILES[profile].batchSize) });
    const train = toyData(run.train, window, FEATURES, 1);
    const validation = toyData(8, window, FEATURES, 2);
    let model: Awaited<ReturnType<typeof trainer.train>> | undefined;
    const trainS = await seconds(async () => (model = await trainer.train(train, validation, { seed: 1 })));
    const input = toyData(run.predict, window, FEATURES, 3);
    await model!.predict(toyData(8, window, FEATURES, 4)); // first call builds the kernels
    const predictS = await seconds(() => model!.predict(input));
    model!.dispose();
    console.log(
      `| ${label} | ${profile} | ${window} × ${FEATURES} | ${run.train} | ${rate(run.train, trainS)} | ${run.predict} | ${rate(run.predict, predictS)} |`,
    );
  }
}

if (!quick) {
  // ms per training step (forward + backward + Adam update), after one warm-up step.
  const stepMs = (profile: ProfileName, batch: number, stockLayerNorm: boolean): number => {
    const { window } = PROFILES[profile];
    const model = buildNetwork(PROFILES[profile], window, FEATURES, 1, stockLayerNorm);
    const optimizer = tf.train.adam(1e-3);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.randomNormal([batch, window, FEATURES], 0, 1, 'float32', 1);
    const y = tf.randomNormal([batch, 1], 0, 1, 'float32', 2);
    const step = () =>
      tf.tidy(() => {
        optimizer.minimize(() => tf.losses.meanSquaredError<tf.Tensor, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor), false, variables);
      });
    step();
    const t0 = performance.now();
    step();
    const ms = performance.now() - t0;
    [x, y].forEach((t) => t.dispose());
    optimizer.dispose();
    model.dispose();
    return ms;
  };
  console.log('');
  console.log(
    '| backend | profile | batch | stock (tfjs-layers layerNormalization, stock kernels) | + Slice/Unpack fix | + transposed-matMul fix | + broadcasting layer norm (shipped) |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|');
  const rows: [BackendName, ProfileName, number][] = [
    ['wasm', 'small', 64],
    ['wasm', 'small', 256],
    ['wasm', 'full', 32],
    ['cpu', 'small', 64],
  ];
  for (const [name, profile, batch] of rows) {
    if ((await selectBackend(name)).name !== name) continue;
    const cells: string[] = [];
    if (name === 'wasm') {
      uninstallWasmSliceFix();
      uninstallWasmMatMulFix();
      cells.push(stepMs(profile, batch, true).toFixed(0));
      installWasmSliceFix();
      cells.push(stepMs(profile, batch, true).toFixed(0));
      installWasmMatMulFix();
      cells.push(stepMs(profile, batch, true).toFixed(0));
    } else cells.push(stepMs(profile, batch, true).toFixed(0), '—', '—');
    cells.push(stepMs(profile, batch, false).toFixed(0));
    console.log(`| ${name} | ${profile} | ${batch} | ${cells.join(' ms | ')} ms |`);
  }
}
console.log('');
console.log(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
