// The console's fixture: a database filled by a real replay of ../shared/data (the same `npm start -- --replay` the
// crash test runs, with a small cycle), so every view has cycles, strategies in paper and live, decisions, orders,
// and hourly forecasts of a ridge predictor trained (by the real CLI) strictly before the replayed range.
// Built once per suite (and once by `npm run ui:screenshots`).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeSetting } from '../../../application/settings/settings-recorder.js';
import type { SettingsCommand } from '../../../domain/settings/commands.js';
import { uuidIds } from '../../../infrastructure/clock/uuid-ids.js';
import { systemClock } from '../../../infrastructure/clock/system-clock.js';
import { createEventStore } from '../../../infrastructure/event-store/create-event-store.js';
import { importCandleFiles } from '../../../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../../../infrastructure/market-data/postgres-candle-store.js';
import { loadConfig } from '../../../infrastructure/config/config.js';
import { freshDatabase, type TestDatabase } from '../../support/database.js';
import { sharedDataFile } from '../../support/shared-data.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const FIXTURE_PAIRS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];
/** The replayed range: long enough for paper days, a paper verdict and an activation (test/pipeline/crash.test.ts). */
export const FIXTURE_RANGE = { from: '2023-09-01', to: '2023-09-16' } as const;

const importCandles = async (url: string): Promise<void> => {
  const candles = new PostgresCandleStore({ connectionString: url });
  try {
    for await (const r of importCandleFiles(
      candles,
      FIXTURE_PAIRS.map((p) => sharedDataFile(`binance_${p}_1h.csv.gz`)),
    ))
      if (r.error !== undefined) throw new Error(`import of ${r.file}: ${JSON.stringify(r.error)}`);
  } finally {
    await candles.close();
  }
};

const smallCycle = async (url: string, genomes: number): Promise<void> => {
  const config = loadConfig({ DATABASE_URL: url });
  if (config._tag === 'Left') throw new Error(config.left);
  const store = await createEventStore(config.right, url);
  try {
    const command = {
      type: 'ChangeSetting',
      data: { name: 'cycle.genomes', value: genomes, decidedBy: 'operator:console-fixture', reason: 'a short replay for the console tests' },
    } as SettingsCommand;
    const changed = await changeSetting({ store, clock: systemClock, ids: uuidIds })(command);
    if (changed._tag === 'Left') throw new Error(`cycle.genomes: ${JSON.stringify(changed.left)}`);
  } finally {
    await store.close();
  }
};

/** The daily series the Markets view shows (sentiment and indices), imported by the real CLI. */
export const FIXTURE_DAILY_FILES = ['fear_greed_index_daily.csv.gz', 'vix_daily.csv.gz', 'sp500_daily.csv.gz', 'nasdaq_composite_daily.csv.gz'];

/**
 * The predictor the replay serves (PREDICTOR_MODEL's default), trained on the BTCUSDT candles that open before
 * `trainedTo`: a day before the replay, because the replay's first tick also forecasts the 24 hours before it.
 */
export const FIXTURE_MODEL = { name: 'btc-1h', kind: 'ridge', symbol: 'BTCUSDT', trainedTo: '2023-08-31' } as const;

const run = (url: string, dataDir: string, args: readonly string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'AMQP_URL' && k !== 'MODEL_DIR'));
    const child = spawn('node', ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env: { ...env, DATABASE_URL: url, DATA_DIR: dataDir, LOG_LEVEL: 'warn', MARKET_DATA_SOURCE: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-20_000)));
    child.stderr.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-20_000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`))));
  });

/**
 * A fresh database holding a replay of FIXTURE_RANGE over FIXTURE_PAIRS with `genomes` genomes a cycle, and the
 * predictor's forecasts for every replayed hour. The child processes get a DATA_DIR of their own (the model files),
 * never the repository's .data; it is removed with the database, or when the process exits (the shared fixture is
 * dropped by the root hook, which knows only databases).
 */
export const replayFixture = async (label = 'ui', genomes = 40): Promise<TestDatabase> => {
  const db = await freshDatabase(label);
  const dataDir = mkdtempSync(path.join(tmpdir(), `mt-${label}-data-`));
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDataDir);
  await importCandles(db.url);
  await run(db.url, dataDir, ['apps/cli/import-sentiment.ts', ...FIXTURE_DAILY_FILES.map(sharedDataFile)]);
  // Trained on candles that closed before the first hour the replay forecasts: every recorded forecast is out of sample.
  await run(db.url, dataDir, [
    'apps/cli/train-predictor.ts',
    ...['--model', FIXTURE_MODEL.kind, '--symbol', FIXTURE_MODEL.symbol, '--name', FIXTURE_MODEL.name, '--to', FIXTURE_MODEL.trainedTo],
  ]);
  await smallCycle(db.url, genomes);
  await run(db.url, dataDir, ['apps/main.ts', '--replay', FIXTURE_RANGE.from, FIXTURE_RANGE.to]);
  return {
    ...db,
    drop: async () => {
      await db.drop();
      removeDataDir();
    },
  };
};

let shared: Promise<TestDatabase> | undefined;
/**
 * One replayed database for every console suite of a mocha run (the replay takes one to two minutes); dropped with the
 * other test databases by the root hook. Suites that change it (overrides, appended events) assert on what they did.
 */
export const sharedReplayFixture = (): Promise<TestDatabase> => (shared ??= replayFixture('ui'));
