// Model files on disk: the sha256 a SavedForecaster promises (over the files' bytes in order), and where models live
// (MODEL_DIR, default <DATA_DIR>/models).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const filesSha256 = async (dir: string, files: readonly string[]): Promise<string> => {
  const hash = createHash('sha256');
  for (const f of files) hash.update(await readFile(path.join(dir, f)));
  return hash.digest('hex');
};

export const bytesSha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** MODEL_DIR when set, else `models` under the platform's data directory. */
export const modelDirectory = (env: Record<string, string | undefined>, dataDir: string): string => {
  const set = env['MODEL_DIR'];
  return path.resolve(set !== undefined && set !== '' ? set : path.join(dataDir, 'models'));
};
