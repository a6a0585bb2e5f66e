// Text files read as lines, plain or gzip (by the .gz ending), streamed: never a whole file in one string.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/**
 * The file's lines, a chunk's worth at a time (gunzipped when it ends in .gz). Splitting decoded chunks
 * ourselves measured faster than node:readline, which hands out one line per await.
 */
export async function* lineBatches(file: string): AsyncGenerator<string[]> {
  const raw = createReadStream(file);
  const input: Readable = /\.gz$/i.test(file) ? raw.pipe(createGunzip()) : raw;
  // A read error must end the iteration with that error, not hang it.
  if (input !== raw) raw.on('error', (e) => input.destroy(e));
  input.setEncoding('utf8'); // decodes across chunk boundaries, multi-byte characters included
  try {
    let rest = '';
    for await (const chunk of input as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      yield lines;
    }
    if (rest !== '') yield [rest];
  } finally {
    input.destroy();
  }
}
