// The network trained, loaded and run on a worker thread (worker-trainer.ts): the main thread's event loop keeps
// turning while a model trains; the model trained there equals the one trained in process with the same seed (same
// predictions, same files); errors in the worker reach the caller with their name; a worker that dies fails what it
// was doing and the next request runs in a new worker, where a model loaded from files is loaded again.
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { selectBackend } from '../../infrastructure/predictor/backend.js';
import { ForecasterInputError, networkTrainer } from '../../infrastructure/predictor/network.js';
import { NetworkWorker, NetworkWorkerStoppedError, workerNetworkTrainer } from '../../infrastructure/predictor/worker-trainer.js';
import { toyData } from './network-fixtures.js';

describe('predictor network on a worker thread', function () {
  this.timeout(180_000);
  const options = { maxEpochs: 2, batchSize: 64 };
  const train = toyData(128, 6, 4, 1);
  const validation = toyData(32, 6, 4, 2);
  let host: NetworkWorker;
  let root: string;

  before(async () => {
    await selectBackend();
    host = new NetworkWorker();
    root = await mkdtemp(path.join(tmpdir(), 'network-worker-'));
  });
  after(async () => {
    await host.close();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the main event loop turning while it trains, and trains what the same seed trains in process', async () => {
    // A timer chain: each turn of the main loop can fire one link. In process, the training loop yields once per
    // batch and once per prediction batch (a handful of turns here); on the worker the main loop is free.
    let ticks = 0;
    let ticksBeforeFirstEpoch: number | undefined;
    const timer = setInterval(() => ticks++, 1);
    let remote;
    try {
      remote = await workerNetworkTrainer(host, 'small', options).train(train, validation, {
        seed: 11,
        onEpoch: () => (ticksBeforeFirstEpoch ??= ticks),
      });
    } finally {
      clearInterval(timer);
    }
    const yieldsInProcess = 2 * (Math.ceil(train.samples / options.batchSize) + 1); // per epoch: batches + validation
    // The main loop turned many more times than an in-process training would let it, already during the first epoch.
    expect(ticksBeforeFirstEpoch, 'timer turns before the first epoch ended').to.be.above(10 * yieldsInProcess);

    const local = await networkTrainer('small', options).train(train, validation, { seed: 11 });
    expect(remote.history).to.deep.equal(local.history);
    const [pr, pl] = [await remote.predict(validation), await local.predict(validation)];
    // Same code, same backend (WASM), same seed, same data: the same float32 results, bit for bit.
    expect(Array.from(pr)).to.deep.equal(Array.from(pl));
    const a = await remote.save(path.join(root, 'remote'));
    const b = await local.save(path.join(root, 'local'));
    // The weights bit for bit (model.json differs only by layer names: tfjs numbers them per thread, by build order).
    expect(await readFile(path.join(root, 'remote', 'weights.bin'))).to.deep.equal(await readFile(path.join(root, 'local', 'weights.bin')));
    // What the worker saved loads in process (and vice versa) with the same predictions.
    const back = await networkTrainer('small').load(path.join(root, 'remote'), { window: 6, features: 4, sha256: a.sha256 });
    if (back._tag === 'Left') expect.fail(back.left.message);
    expect(Array.from(await back.right.predict(validation))).to.deep.equal(Array.from(pl));
    const served = await workerNetworkTrainer(host, 'small').load(path.join(root, 'local'), { window: 6, features: 4, sha256: b.sha256 });
    if (served._tag === 'Left') expect.fail(served.left.message);
    expect(Array.from(await served.right.predict(validation))).to.deep.equal(Array.from(pl));
    [remote, local, back.right, served.right].forEach((m) => m.dispose());
  });

  it('refuses what the worker refuses, with its error', async () => {
    const flat = { ...train, y: new Float32Array(train.samples).fill(0.01) };
    const err = await workerNetworkTrainer(host, 'small', options)
      .train(flat, validation, { seed: 1 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(ForecasterInputError);
    expect((err as Error).message).to.match(/every target is the same value/);
    const missing = await workerNetworkTrainer(host, 'small').load(path.join(root, 'nowhere'), { window: 6, features: 4, sha256: 'x' });
    expect(missing._tag === 'Left' && missing.left.code).to.equal('MISSING');
  });

  it('an AbortSignal stops the training on the worker after the epoch it fired in', async () => {
    const controller = new AbortController();
    const epochs: number[] = [];
    const err = await workerNetworkTrainer(host, 'small', { maxEpochs: 50, batchSize: 64 })
      .train(train, validation, {
        seed: 1,
        signal: controller.signal,
        onEpoch: (p) => {
          epochs.push(p.epoch);
          controller.abort();
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as Error | undefined)?.name).to.equal('AbortError');
    // The abort travels as a message: the worker may finish the batch or epoch in hand, never the 50 epochs.
    expect(epochs.length).to.be.within(1, 2);
  });

  it('a worker that dies fails its training; the next request starts a new worker, where a loaded model loads again', async () => {
    const crashing = new NetworkWorker({ testExitOnTrain: true });
    try {
      const local = await networkTrainer('small', { maxEpochs: 1 }).train(train, validation, { seed: 3 });
      const saved = await local.save(path.join(root, 'crash'));
      const loaded = await workerNetworkTrainer(crashing, 'small').load(path.join(root, 'crash'), { window: 6, features: 4, sha256: saved.sha256 });
      if (loaded._tag === 'Left') expect.fail(loaded.left.message);
      const before = crashing.generation();
      const err = await workerNetworkTrainer(crashing, 'small', options)
        .train(train, validation, { seed: 1 })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).to.be.instanceOf(NetworkWorkerStoppedError);
      expect((err as Error).message).to.match(/exit code 3/);
      // The served model still forecasts: in a new worker, from its files.
      expect(Array.from(await loaded.right.predict(validation))).to.deep.equal(Array.from(await local.predict(validation)));
      expect(crashing.generation()).to.equal(before + 1);
      loaded.right.dispose();
      local.dispose();
    } finally {
      await crashing.close();
    }
  });
});
