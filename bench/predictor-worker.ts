// `npx tsx bench/predictor-worker.ts`: the main thread's event-loop delay (perf_hooks.monitorEventLoopDelay) while
// the small network trains one epoch of 512 synthetic windows (24 × 23), in this thread and on the worker thread
// (worker-trainer.ts) — what the pipeline's retrain step costs the API and the other steps in each case.
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { selectBackend } from '../infrastructure/predictor/backend.js';
import { networkTrainer } from '../infrastructure/predictor/network.js';
import { NetworkWorker, workerNetworkTrainer } from '../infrastructure/predictor/worker-trainer.js';
import { toyData } from '../test/predictor/network-fixtures.js';

const backend = await selectBackend();
const train = toyData(512, 24, 23, 1);
const validation = toyData(128, 24, 23, 2);
const host = new NetworkWorker();
process.stdout.write(`backend ${backend.name}; load average ${loadavg()[0]!.toFixed(1)}\n`);
const runs = [
  ['in process', networkTrainer('small', { maxEpochs: 1 })],
  ['worker thread', workerNetworkTrainer(host, 'small', { maxEpochs: 1 })],
] as const;
for (const [name, trainer] of runs) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const t0 = Date.now();
  const model = await trainer.train(train, validation, { seed: 1 });
  delay.disable();
  const ms = (ns: number) => (ns / 1e6).toFixed(0);
  process.stdout.write(
    `${name}: ${Date.now() - t0} ms training (worker: including its start); event-loop delay max ${ms(delay.max)} ms, ` +
      `p99 ${ms(delay.percentile(99))} ms, mean ${ms(delay.mean)} ms\n`,
  );
  model.dispose();
}
await host.close();
