// Whether a gzip file can be trusted before any of it is stored. gzip checks its data (CRC-32, length) only at the
// end of each member: a file damaged in the middle decompresses to wrong bytes — rows with wrong prices — long
// before the error shows. A file cut short is different: every byte decoded from an undamaged prefix is right, so
// what it holds up to the cut can be imported. One pass over the file, nothing kept (decompressing is cheap next to
// storing the rows).
import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

export type GzipCheck =
  /** Decodes to the end and passes its checks. */
  | { readonly kind: 'whole' }
  /** Ends before its data does (`unexpected end of file`): what decodes is right, the rest is missing. */
  | { readonly kind: 'cut'; readonly message: string }
  /** Whole data that passed its checks, then bytes that are not gzip (`incorrect header check` after the data). */
  | { readonly kind: 'trailing'; readonly message: string }
  /** Fails its check or does not decode (or cannot be read): none of its rows can be trusted. */
  | { readonly kind: 'damaged'; readonly message: string };

export const checkGzipFile = async (file: string): Promise<GzipCheck> => {
  let decoded = 0;
  try {
    await pipeline(
      createReadStream(file),
      createGunzip(),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          decoded += chunk.length;
          done();
        },
      }),
    );
    return { kind: 'whole' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_BUF_ERROR') return { kind: 'cut', message: e.message };
    // A header is only checked at the start of a member: after decoded data, the member before it ended and passed.
    if (e.code === 'Z_DATA_ERROR' && /header check/.test(e.message) && decoded > 0) return { kind: 'trailing', message: e.message };
    return { kind: 'damaged', message: e.message };
  }
};
