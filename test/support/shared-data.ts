// Where the real market data lives for tests and benchmarks: ../shared/data beside the project
// (override with SHARED_DATA_DIR). It is read from there, never copied into the project.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
export const SHARED_DATA_DIR = process.env['SHARED_DATA_DIR'] ?? path.resolve(projectRoot, '../shared/data');

export const sharedDataFile = (name: string): string => {
  const file = path.join(SHARED_DATA_DIR, name);
  if (!existsSync(file)) throw new Error(`real data file ${file} not found (set SHARED_DATA_DIR to the folder with ../shared/data's files)`);
  return file;
};

/** The 19 Binance USDT pairs of ../shared/data with hourly candles since 2021-04 (its README, item 1): one list for every benchmark. */
export const HOURLY_PAIRS_SINCE_2021_04 = [
  'BTCUSDT',
  'ETHUSDT',
  'BNBUSDT',
  'SOLUSDT',
  'XRPUSDT',
  'ADAUSDT',
  'DOGEUSDT',
  'AVAXUSDT',
  'LINKUSDT',
  'DOTUSDT',
  'MATICUSDT',
  'LTCUSDT',
  'TRXUSDT',
  'ATOMUSDT',
  'UNIUSDT',
  'NEARUSDT',
  'BCHUSDT',
  'ETCUSDT',
  'FILUSDT',
] as const;
