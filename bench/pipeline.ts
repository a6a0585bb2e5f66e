// `npm run bench:pipeline` (issue 11, Speed; doc/pipeline.md): three figures.
// 1. A 60-day replay on the real data: `npm start -- --replay 2023-09-01 2023-10-31` (override with
//    BENCH_REPLAY_FROM / BENCH_REPLAY_TO) as a child process, on a fresh database copied from one that holds the
//    19 hourly pairs of ../shared/data (imported once, kept as `<db>_candles` for the next runs), with the cycle's
//    genomes at the platform's default (cycle.genomes = 500) or at BENCH_GENOMES when given (set through the settings
//    stream, recorded as operator:bench). Prints the replay's wall time, events and events/s (and its summary).
// 2. A daily cycle's stage times at N = 500: the cycle step's owner measures it — `cycleStageTimes` below.
// 3. `npm run replay -- --all` on 1M events: the rebuild's owner adds bench/rebuild-all.ts; run here when it exists.
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mt_bench_pipeline).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { changeSetting } from '../application/settings/settings-recorder.js';
import type { SettingsCommand } from '../domain/settings/commands.js';
import { SETTINGS } from '../domain/settings/definitions.js';
import { uuidIds } from '../infrastructure/clock/uuid-ids.js';
import { systemClock } from '../infrastructure/clock/system-clock.js';
import { loadConfig } from '../infrastructure/config/config.js';
import { dropDatabase, ensureDatabase, withDatabaseName } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createEventStore } from '../infrastructure/event-store/create-event-store.js';
import { importCandleFiles } from '../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { HOURLY_PAIRS_SINCE_2021_04, sharedDataFile } from '../test/support/shared-data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASE = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/mt_bench_pipeline';
const FROM = process.env['BENCH_REPLAY_FROM'] ?? '2023-09-01';
const TO = process.env['BENCH_REPLAY_TO'] ?? '2023-10-31';
/** cycle.genomes for the replay: BENCH_GENOMES, else the setting's default (500, what `npm start` runs with). */
const GENOMES_ASKED = process.env['BENCH_GENOMES'] === undefined ? undefined : Number(process.env['BENCH_GENOMES']);
const GENOMES = GENOMES_ASKED ?? SETTINGS['cycle.genomes'].default;

const dbName = (url: string) => new URL(url).pathname.slice(1);

/** A migrated database with every hourly pair of ../shared/data, imported the first time only. */
const candlesDatabase = async (): Promise<string> => {
  const url = withDatabaseName(BASE, `${dbName(BASE)}_candles`);
  await ensureDatabase(url);
  await migrate(url);
  const candles = new PostgresCandleStore({ connectionString: url });
  try {
    const stored = new Set((await candles.listSeries()).filter((s) => s.interval === '1h').map((s) => s.symbol));
    const missing = HOURLY_PAIRS_SINCE_2021_04.filter((p) => !stored.has(p));
    if (missing.length > 0) {
      process.stderr.write(`importing ${missing.length} hourly pairs from ../shared/data into ${dbName(url)} (once)…\n`);
      for await (const r of importCandleFiles(
        candles,
        missing.map((p) => sharedDataFile(`binance_${p}_1h.csv.gz`)),
        { concurrency: 2 },
      ))
        if (r.error !== undefined) throw new Error(`${r.file}: ${r.error}`);
    }
  } finally {
    await candles.close();
  }
  return url;
};

/** A fresh copy of the candles database for one replay (so every run starts from nothing but candles). */
const runDatabase = async (template: string): Promise<string> => {
  const url = withDatabaseName(BASE, `${dbName(BASE)}_run`);
  await dropDatabase(url);
  const admin = new pg.Client({ connectionString: withDatabaseName(BASE, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName(template)]);
    await admin.query(`CREATE DATABASE "${dbName(url)}" TEMPLATE "${dbName(template)}"`);
  } finally {
    await admin.end();
  }
  if (GENOMES_ASKED === undefined) return url;
  const config = loadConfig({ DATABASE_URL: url });
  if (config._tag === 'Left') throw new Error(config.left);
  const store = await createEventStore(config.right, url);
  try {
    const command = {
      type: 'ChangeSetting',
      data: { name: 'cycle.genomes', value: GENOMES_ASKED, decidedBy: 'operator:bench', reason: `bench:pipeline: ${GENOMES} genomes a day` },
    } as SettingsCommand;
    const changed = await changeSetting({ store, clock: systemClock, ids: uuidIds })(command);
    if (changed._tag === 'Left') throw new Error(`cycle.genomes: ${JSON.stringify(changed.left)}`);
  } finally {
    await store.close();
  }
  return url;
};

/** Figure 1: the replay, as `npm start -- --replay` runs it. */
export const replayFigure = async (): Promise<string> => {
  const template = await candlesDatabase();
  const url = await runDatabase(template);
  process.stderr.write(`replay ${FROM} → ${TO} on ${dbName(url)} (cycle.genomes = ${GENOMES})…\n`);
  const t0 = performance.now();
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'AMQP_URL'));
  const child = spawn('node', ['--import', 'tsx', 'apps/main.ts', '--replay', FROM, TO], {
    cwd: ROOT,
    env: { ...base, DATABASE_URL: url, LOG_LEVEL: 'warn', MARKET_DATA_SOURCE: 'none' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`the replay exited ${code}:\n${out}`);
  // stdout holds the summary (pretty JSON, from `{` alone on its line to `}` alone on its line) among log lines.
  const begin = out.indexOf('{\n  "replay"');
  const json = out.slice(begin, out.indexOf('\n}\n', begin) + 2);
  const summary = (JSON.parse(json) as { replay: { wallSeconds: number; eventsAppended: number; eventsPerSecond: number } }).replay;
  process.stdout.write(`${json}\n`);
  process.stdout.write(
    `60-day replay ${FROM} → ${TO} (cycle.genomes = ${GENOMES}): ${summary.wallSeconds.toFixed(1)} s replaying (${wall.toFixed(1)} s with the process start), ` +
      `${summary.eventsAppended} events, ${summary.eventsPerSecond} events/s\n`,
  );
  return url;
};

/**
 * After the replay: `npm run replay -- --all --check` rebuilds every read model from the log and compares each table
 * with what the replay's projector built (the issue: "afterwards rebuilds identical read models").
 */
export const rebuildCheck = async (url: string): Promise<void> => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'AMQP_URL'));
  const run = spawnSync('node', ['--import', 'tsx', 'apps/cli/replay.ts', '--all', '--check'], {
    cwd: ROOT,
    env: { ...base, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out = run.stdout.toString('utf8');
  const total = out.split('\n').find((l) => l.startsWith('total:'));
  process.stdout.write(
    `npm run replay -- --all --check after the replay: ${run.status === 0 ? 'identical read models' : `DIFFERENT (exit ${run.status})`}; ${total ?? ''}\n`,
  );
  if (run.status !== 0) process.stdout.write(out);
};

/**
 * Figure 2: a daily cycle at N = 500 on the replayed database (its selected pairs, its learner), the morning after the
 * replay ends, as `npm run cycle` runs it (its backtests on a worker pool of its own): each stage's time as the cycle
 * recorded it (CycleStageCompleted.elapsedMs, on the system clock here).
 */
export const cycleStageTimes = async (url: string): Promise<void> => {
  const asOf = `${TO}T03:00:00Z`;
  process.stderr.write(`daily cycle at N = 500 as of ${asOf} on ${dbName(url)}…\n`);
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'AMQP_URL'));
  const run = spawnSync('node', ['--import', 'tsx', 'apps/cli/cycle.ts', '--as-of', asOf, '--n', '500'], {
    cwd: ROOT,
    env: { ...base, DATABASE_URL: url, LOG_LEVEL: 'warn', MARKET_DATA_SOURCE: 'none' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`npm run cycle exited ${run.status}:\n${run.stdout.toString('utf8')}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const rows = await client.query<{ stage: string; elapsed: number; counts: unknown }>(
      `SELECT data->>'stage' AS stage, (data->>'elapsedMs')::float AS elapsed, data->'counts' AS counts FROM events
        WHERE stream_name = $1 AND event_type = 'CycleStageCompleted' ORDER BY stream_revision`,
      [`cycle-${TO}`],
    );
    const total = rows.rows.reduce((sum, r) => sum + r.elapsed, 0);
    process.stdout.write(`daily cycle at N = 500 as of ${asOf} (${(total / 1000).toFixed(1)} s over its stages):\n`);
    for (const r of rows.rows) process.stdout.write(`  ${r.stage.padEnd(9)} ${(r.elapsed / 1000).toFixed(1).padStart(6)} s  ${JSON.stringify(r.counts)}\n`);
  } finally {
    await client.end();
  }
};

/** Figure 3: `npm run replay -- --all` on 1M events, by bench/rebuild-all.ts when it exists. */
export const rebuildAllFigure = (): void => {
  const file = fileURLToPath(new URL('./rebuild-all.ts', import.meta.url));
  if (!existsSync(file)) {
    process.stdout.write('npm run replay -- --all on 1M events: not measured (bench/rebuild-all.ts is not there)\n');
    return;
  }
  const run = spawnSync('npx', ['tsx', file], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`bench/rebuild-all.ts exited ${run.status}`);
};

// BENCH_SKIP=cycle,rebuild leaves those figures out (the rebuild seeds 1M events: minutes).
const skip = new Set((process.env['BENCH_SKIP'] ?? '').split(',').map((x) => x.trim()));
const replayed = await replayFigure();
await rebuildCheck(replayed);
if (!skip.has('cycle')) await cycleStageTimes(replayed);
if (!skip.has('rebuild')) rebuildAllFigure();
