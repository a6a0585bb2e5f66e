// A binary file cache of columnar candles (a CandleSeries), so a benchmark or a worker does not parse CSV (or
// query the database) every time it starts. The file is a small header, the series key as JSON, then the eight
// Float64Array columns' raw bytes, little-endian, each 8-byte aligned. Reading is one fs.readFile and eight
// Float64Array views over the bytes read: no per-value parsing, no copy (unless the buffer Node returns is not
// 8-byte aligned, then one copy).
//
// Layout (all integers little-endian):
//   0  8 bytes  magic "MTCANDL1"
//   8  u32      format version (1)
//   12 u32      candle count n
//   16 u32      key JSON length k (UTF-8 bytes)
//   20 u32      checksum of everything after the header (key and columns): FNV-1a over 32-bit words
//   24 k bytes  key JSON {exchange, symbol, interval}, zero-padded to a multiple of 8
//   .. 8 × n × 8 bytes: openTime, open, high, low, close, volume, quoteVolume, trades
// A file that is shorter or longer than its header says, has another magic or version, or fails the
// checksum is refused with a CandleCacheError; readOrBuildCandleCache then rebuilds it from the source.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { INTERVALS, type CandleSeries, type Interval, type SeriesKey } from '../../domain/market/candles.js';

const MAGIC = 'MTCANDL1';
const VERSION = 1;
const HEADER_BYTES = 24;
const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const;

export type CandleCacheErrorCode = 'TRUNCATED' | 'BAD_MAGIC' | 'BAD_VERSION' | 'BAD_SIZE' | 'BAD_CHECKSUM' | 'BAD_KEY';

export class CandleCacheError extends Error {
  override readonly name = 'CandleCacheError';
  constructor(
    readonly code: CandleCacheErrorCode,
    readonly file: string,
    detail: string,
  ) {
    super(`${code}: candle cache ${file}: ${detail}`);
  }
}

if (endianness() !== 'LE') throw new Error('candle-binary-cache: the file format is little-endian; this host is big-endian');

const pad8 = (x: number): number => (x + 7) & ~7;

/** FNV-1a over 32-bit words (the byte length is a multiple of 4 here). Catches flipped bytes and misplaced blocks. */
const checksum = (bytes: Uint8Array): number => {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
};

/** The file's bytes for `series`. */
export const encodeCandleCache = (series: CandleSeries): Uint8Array => {
  const n = series.length;
  const key = Buffer.from(JSON.stringify({ exchange: series.key.exchange, symbol: series.key.symbol, interval: series.key.interval }), 'utf8');
  const keyBytes = pad8(key.length);
  const total = HEADER_BYTES + keyBytes + COLUMNS.length * n * 8;
  const bytes = new Uint8Array(total); // zero-filled: the key's padding is 0
  const view = new DataView(bytes.buffer);
  bytes.set(Buffer.from(MAGIC, 'latin1'), 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, n, true);
  view.setUint32(16, key.length, true);
  bytes.set(key, HEADER_BYTES);
  let at = HEADER_BYTES + keyBytes;
  for (const c of COLUMNS) {
    const col = series[c];
    if (col.length !== n) throw new RangeError(`${series.key.symbol}: column ${c} has ${col.length} values, the series ${n}`);
    bytes.set(new Uint8Array(col.buffer, col.byteOffset, n * 8), at);
    at += n * 8;
  }
  view.setUint32(20, checksum(bytes.subarray(HEADER_BYTES)), true);
  return bytes;
};

/** The series in `bytes` (as read from `file`, for the error messages); its columns are views of the bytes. */
export const decodeCandleCache = (bytes: Uint8Array, file = '(buffer)'): CandleSeries => {
  if (bytes.byteLength < HEADER_BYTES) throw new CandleCacheError('TRUNCATED', file, `${bytes.byteLength} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes); // Float64Array views need 8-byte alignment
  const magic = Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1');
  if (magic !== MAGIC) throw new CandleCacheError('BAD_MAGIC', file, `starts with ${JSON.stringify(magic)}, not ${MAGIC}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw new CandleCacheError('BAD_VERSION', file, `format version ${version}, this reader knows ${VERSION}`);
  const n = view.getUint32(12, true);
  const keyLength = view.getUint32(16, true);
  const expected = HEADER_BYTES + pad8(keyLength) + COLUMNS.length * n * 8;
  if (bytes.byteLength < expected)
    throw new CandleCacheError('TRUNCATED', file, `${bytes.byteLength} bytes, the header announces ${n} candles (${expected} bytes)`);
  if (bytes.byteLength > expected) throw new CandleCacheError('BAD_SIZE', file, `${bytes.byteLength} bytes, the header announces ${expected}`);
  const sum = checksum(bytes.subarray(HEADER_BYTES));
  if (sum !== view.getUint32(20, true)) throw new CandleCacheError('BAD_CHECKSUM', file, 'the checksum does not match the contents (corrupt file)');
  let key: SeriesKey;
  try {
    const k = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + HEADER_BYTES, keyLength).toString('utf8')) as Record<string, unknown>;
    if (typeof k['exchange'] !== 'string' || typeof k['symbol'] !== 'string' || !INTERVALS.includes(k['interval'] as Interval)) throw new Error('bad fields');
    key = { exchange: k['exchange'], symbol: k['symbol'], interval: k['interval'] as Interval };
  } catch (e) {
    throw new CandleCacheError('BAD_KEY', file, `the series key is not valid (${(e as Error).message})`);
  }
  let at = bytes.byteOffset + HEADER_BYTES + pad8(keyLength);
  const columns = {} as Record<(typeof COLUMNS)[number], Float64Array>;
  for (const c of COLUMNS) {
    columns[c] = new Float64Array(bytes.buffer, at, n);
    at += n * 8;
  }
  return { key, length: n, ...columns };
};

/** Writes the cache file (through a temporary file and a rename, so a reader never sees half a file). */
export const writeCandleCache = async (file: string, series: CandleSeries): Promise<void> => {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, encodeCandleCache(series));
  await rename(tmp, file);
};

/** Reads a cache file: one readFile, views over its bytes. A CandleCacheError when the file is damaged. */
export const readCandleCache = async (file: string): Promise<CandleSeries> => decodeCandleCache(await readFile(file), file);

/**
 * The cached series, or (no file, or a damaged one) the series from `build` (e.g. parsing the CSV), written to
 * the cache for next time. `source` says which happened.
 */
export const readOrBuildCandleCache = async (
  file: string,
  build: () => CandleSeries | Promise<CandleSeries>,
): Promise<{ series: CandleSeries; source: 'cache' | 'built'; rebuiltBecause?: string }> => {
  let reason: string | undefined;
  try {
    return { series: await readCandleCache(file), source: 'cache' };
  } catch (e) {
    if (e instanceof CandleCacheError) reason = e.message;
    else if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const series = await build();
  await writeCandleCache(file, series);
  return { series, source: 'built', ...(reason === undefined ? {} : { rebuiltBecause: reason }) };
};
