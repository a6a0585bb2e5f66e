// Saving and loading the network: a round trip keeps every prediction; a missing file, bytes that changed since the
// save (sha256), a truncated weights file, a model.json that is not a saved network, and a model of another shape
// are each refused with their code, and nothing is loaded.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { copyFile, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Forecaster } from '../../application/ports/forecaster.js';
import { selectBackend } from '../../infrastructure/predictor/backend.js';
import { networkTrainer } from '../../infrastructure/predictor/network.js';
import { toyData } from './network-fixtures.js';

const sha256 = async (dir: string): Promise<string> => {
  const h = createHash('sha256');
  for (const f of ['model.json', 'weights.bin']) h.update(await readFile(path.join(dir, f)));
  return h.digest('hex');
};

describe('predictor network: saving and loading', function () {
  this.timeout(120_000);
  const trainer = networkTrainer('small', { maxEpochs: 1 });
  const data = toyData(48, 4, 3, 1);
  const validation = toyData(16, 4, 3, 2);
  let root: string;
  let model: Forecaster;
  let dir: string;
  let sha: string;

  before(async () => {
    await selectBackend();
    root = await mkdtemp(path.join(tmpdir(), 'network-files-'));
    model = await trainer.train(data, validation, { seed: 5 });
    dir = path.join(root, 'saved');
    const saved = await model.save(dir);
    expect(saved.files).to.deep.equal(['model.json', 'weights.bin']);
    sha = saved.sha256;
  });
  after(async () => {
    model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  const copyOf = async (name: string): Promise<string> => {
    const to = path.join(root, name);
    await rm(to, { recursive: true, force: true });
    await model.save(to);
    return to;
  };

  it('records the sha256 of model.json then weights.bin', async () => {
    expect(sha).to.equal(await sha256(dir));
  });

  it('loads back with identical predictions, window, features, profile and history', async () => {
    const loaded = await trainer.load(dir, { window: 4, features: 3, sha256: sha });
    if (loaded._tag === 'Left') throw new Error(loaded.left.message);
    const again = loaded.right;
    expect([again.kind, again.profile, again.window, again.features]).to.deep.equal([model.kind, 'small', 4, 3]);
    expect(again.history).to.deep.equal(model.history);
    expect(Array.from(await again.predict(validation))).to.deep.equal(Array.from(await model.predict(validation)));
    again.dispose();
  });

  it('MISSING: no directory, or weights.bin gone', async () => {
    const none = await trainer.load(path.join(root, 'nothing-here'), { window: 4, features: 3, sha256: sha });
    expect(none._tag === 'Left' && none.left.code).to.equal('MISSING');
    const d = await copyOf('no-weights');
    await unlink(path.join(d, 'weights.bin'));
    const r = await trainer.load(d, { window: 4, features: 3, sha256: sha });
    expect(r._tag === 'Left' && r.left.code).to.equal('MISSING');
    expect(r._tag === 'Left' && r.left.message).to.contain('weights.bin');
  });

  it('CORRUPT: a truncated weights file (sha256 differs)', async () => {
    const d = await copyOf('truncated');
    await truncate(path.join(d, 'weights.bin'), 100);
    const r = await trainer.load(d, { window: 4, features: 3, sha256: sha });
    expect(r._tag === 'Left' && r.left.code).to.equal('CORRUPT');
    expect(r._tag === 'Left' && r.left.message).to.contain('sha256');
  });

  it('CORRUPT: a truncated weights file even when its sha256 was recorded after the damage', async () => {
    const d = await copyOf('truncated-recorded');
    await truncate(path.join(d, 'weights.bin'), 100);
    const r = await trainer.load(d, { window: 4, features: 3, sha256: await sha256(d) });
    expect(r._tag === 'Left' && r.left.code).to.equal('CORRUPT');
    expect(r._tag === 'Left' && r.left.message).to.match(/weights\.bin .* has 100 bytes, the manifest needs \d+/);
  });

  it('CORRUPT: a model.json that is not JSON, or not a saved network', async () => {
    const d = await copyOf('garbage');
    await writeFile(path.join(d, 'model.json'), '{"modelTopology": ');
    const notJson = await trainer.load(d, { window: 4, features: 3, sha256: await sha256(d) });
    expect(notJson._tag === 'Left' && notJson.left.code).to.equal('CORRUPT');
    await writeFile(path.join(d, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
    const notNetwork = await trainer.load(d, { window: 4, features: 3, sha256: await sha256(d) });
    expect(notNetwork._tag === 'Left' && notNetwork.left.code).to.equal('CORRUPT');
    expect(notNetwork._tag === 'Left' && notNetwork.left.message).to.contain('weightsManifest');
  });

  it('SHAPE_MISMATCH: the caller expects another window or feature count', async () => {
    const w = await trainer.load(dir, { window: 5, features: 3, sha256: sha });
    expect(w._tag === 'Left' && w.left.code).to.equal('SHAPE_MISMATCH');
    const f = await trainer.load(dir, { window: 4, features: 4, sha256: sha });
    expect(f._tag === 'Left' && f.left.code).to.equal('SHAPE_MISMATCH');
  });

  it("SHAPE_MISMATCH: another shape's model.json beside these weights, even with its metadata edited to match", async () => {
    // The recurrent and attention weights do not depend on the window: a window-6 topology accepts these weights.
    const other = await trainer.train(toyData(16, 6, 3, 3), toyData(8, 6, 3, 4), { seed: 5 });
    const otherDir = await (async () => {
      const to = path.join(root, 'other-shape');
      await other.save(to);
      return to;
    })();
    other.dispose();
    const d = await copyOf('mixed');
    await copyFile(path.join(otherDir, 'model.json'), path.join(d, 'model.json'));
    const asIs = await trainer.load(d, { window: 4, features: 3, sha256: await sha256(d) });
    expect(asIs._tag === 'Left' && asIs.left.code).to.equal('SHAPE_MISMATCH');
    const json = JSON.parse(await readFile(path.join(d, 'model.json'), 'utf8')) as { userDefinedMetadata: { network: { window: number } } };
    json.userDefinedMetadata.network.window = 4;
    await writeFile(path.join(d, 'model.json'), JSON.stringify(json));
    const edited = await trainer.load(d, { window: 4, features: 3, sha256: await sha256(d) });
    expect(edited._tag === 'Left' && edited.left.code).to.equal('SHAPE_MISMATCH');
    expect(edited._tag === 'Left' && edited.left.message).to.contain('takes input [null, 6, 3]');
  });

  it('SHAPE_MISMATCH: a model of another profile', async () => {
    const r = await networkTrainer('full').load(dir, { window: 4, features: 3, sha256: sha });
    expect(r._tag === 'Left' && r.left.code).to.equal('SHAPE_MISMATCH');
    expect(r._tag === 'Left' && r.left.message).to.contain('small profile');
  });

  it('leaves no tensors behind after refused loads', async () => {
    const before = tf.memory().numTensors;
    await trainer.load(dir, { window: 5, features: 3, sha256: sha });
    await networkTrainer('full').load(dir, { window: 4, features: 3, sha256: sha });
    expect(tf.memory().numTensors).to.equal(before);
  });
});
