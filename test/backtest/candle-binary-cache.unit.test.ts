import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CandleSeries } from '../../domain/market/candles.js';
import {
  CandleCacheError,
  decodeCandleCache,
  encodeCandleCache,
  readCandleCache,
  readOrBuildCandleCache,
  writeCandleCache,
} from '../../infrastructure/market-data/candle-binary-cache.js';
import { loadCandles } from '../indicators/real-candles.js';

const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const;

/** Every value bit-identical (NaN where NaN), same key and length. */
const expectSameSeries = (a: CandleSeries, b: CandleSeries): void => {
  expect(a.key).to.deep.equal(b.key);
  expect(a.length).to.equal(b.length);
  for (const c of COLUMNS) {
    expect(a[c].length, c).to.equal(b[c].length);
    const x = new Uint8Array(a[c].buffer, a[c].byteOffset, a[c].byteLength);
    const y = new Uint8Array(b[c].buffer, b[c].byteOffset, b[c].byteLength);
    expect(Buffer.compare(x, y), `column ${c} differs`).to.equal(0);
  }
};

const rejects = async (p: Promise<unknown>): Promise<CandleCacheError> => {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(CandleCacheError);
    return e as CandleCacheError;
  }
  return expect.fail('expected a CandleCacheError');
};

describe('candle binary cache', () => {
  let dir: string;
  let eth: CandleSeries;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'candle-cache-'));
    eth = loadCandles('binance_ETHUSDT_1h.csv.gz', 'ETHUSDT');
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips the parsed CSV exactly (every column, bit for bit, NaN columns included)', async () => {
    const file = path.join(dir, 'ETHUSDT-1h.bin');
    await writeCandleCache(file, eth);
    const back = await readCandleCache(file);
    expectSameSeries(back, eth);
    expect(back.length).to.equal(23_988);
    expect(Number.isNaN(back.trades[0]!)).to.equal(true);
    // 24-byte header + the key padded to 8 + 8 columns of float64
    const key = JSON.stringify(eth.key);
    expect((await stat(file)).size).to.equal(24 + ((key.length + 7) & ~7) + 8 * 8 * eth.length);
    // the columns are views over one buffer read once, not per-value copies
    expect(back.open.buffer).to.equal(back.close.buffer);
  });

  it('round-trips a window (subarray views with an offset) and an empty series', () => {
    const from = 1000;
    const w: CandleSeries = {
      key: eth.key,
      length: 50,
      ...Object.fromEntries(COLUMNS.map((c) => [c, eth[c].subarray(from, from + 50)])),
    } as CandleSeries;
    expectSameSeries(decodeCandleCache(encodeCandleCache(w)), w);
    const empty = { key: eth.key, length: 0, ...Object.fromEntries(COLUMNS.map((c) => [c, new Float64Array(0)])) } as CandleSeries;
    expectSameSeries(decodeCandleCache(encodeCandleCache(empty)), empty);
  });

  it('decodes from an unaligned buffer (copies once)', () => {
    const bytes = encodeCandleCache(eth);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expectSameSeries(decodeCandleCache(shifted.subarray(3)), eth);
  });

  it('refuses a truncated file with a clear error', async () => {
    const file = path.join(dir, 'truncated.bin');
    const bytes = encodeCandleCache(eth);
    await writeFile(file, bytes.subarray(0, bytes.length - 100));
    const e = await rejects(readCandleCache(file));
    expect(e.code).to.equal('TRUNCATED');
    expect(e.message)
      .to.match(/truncated\.bin/)
      .and.to.match(/23988 candles/);
    await writeFile(file, bytes.subarray(0, 10));
    expect((await rejects(readCandleCache(file))).code).to.equal('TRUNCATED');
  });

  it('refuses a corrupt file: a flipped byte, extra bytes, another magic or version', async () => {
    const file = path.join(dir, 'corrupt.bin');
    const good = encodeCandleCache(eth);
    const flipped = Uint8Array.from(good);
    flipped[good.length - 5000] = flipped[good.length - 5000]! ^ 0x10;
    await writeFile(file, flipped);
    const e = await rejects(readCandleCache(file));
    expect(e.code).to.equal('BAD_CHECKSUM');
    expect(e.message).to.contain('corrupt');

    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    await writeFile(file, longer);
    expect((await rejects(readCandleCache(file))).code).to.equal('BAD_SIZE');

    const magic = Uint8Array.from(good);
    magic[0] = 0x58;
    await writeFile(file, magic);
    expect((await rejects(readCandleCache(file))).code).to.equal('BAD_MAGIC');

    const version = Uint8Array.from(good);
    version[8] = 2;
    await writeFile(file, version);
    expect((await rejects(readCandleCache(file))).code).to.equal('BAD_VERSION');
  });

  it('readOrBuild builds once, reads afterwards, and rebuilds a damaged file', async () => {
    const file = path.join(dir, 'sub', 'ETHUSDT.bin');
    let builds = 0;
    const build = () => {
      builds++;
      return eth;
    };
    const first = await readOrBuildCandleCache(file, build);
    expect(first.source).to.equal('built');
    const second = await readOrBuildCandleCache(file, build);
    expect(second.source).to.equal('cache');
    expectSameSeries(second.series, eth);
    expect(builds).to.equal(1);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 8));
    const third = await readOrBuildCandleCache(file, build);
    expect(third.source).to.equal('built');
    expect(third.rebuiltBecause).to.match(/TRUNCATED/);
    expect(builds).to.equal(2);
    expectSameSeries(await readCandleCache(file), eth);
  });
});
