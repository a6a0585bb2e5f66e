// `npm run bench:marketdata`: candle import and read throughput of the PostgreSQL candle store, on the real
// hourly files of ../shared/data (SHARED_DATA_DIR). Runs on a throw-away database on the server in
// BENCH_DATABASE_URL / DATABASE_URL (default: local PostgreSQL), dropped at the end.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { candleCsvReader } from '../domain/market/candle-csv.js';
import { ensureDatabase, dropDatabase, withDatabaseName } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { importCandleFiles, type CandleFileReport } from '../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { lineBatches } from '../infrastructure/market-data/text-lines.js';

const server = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = withDatabaseName(server, `mt_bench_marketdata_${process.pid}`);
const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.env['SHARED_DATA_DIR'] ?? path.resolve(root, '../shared/data');
const readRounds = Number(process.env['BENCH_READ_ROUNDS'] ?? 5);
const files = readdirSync(dataDir)
  .filter((f) => /_1h\.csv\.gz$/.test(f))
  .sort()
  .map((f) => path.join(dataDir, f));

const perSecond = (n: number, ms: number, unit: string) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} ${unit}/s`;
const line = (label: string, n: number, ms: number, unit: string) =>
  console.log(`${label.padEnd(50)} ${n.toLocaleString('en-US').padStart(9)} ${unit} in ${(ms / 1000).toFixed(2).padStart(6)} s = ${perSecond(n, ms, unit)}`);

/** Gunzip + line split + io-ts row decode, without the database: the parsing share of an import. */
const parseOnly = async () => {
  const t0 = performance.now();
  let rows = 0;
  for (const file of files) {
    const reader = candleCsvReader('1h');
    for await (const lines of lineBatches(file)) for (const text of lines) if (reader.readLine(text).kind === 'candle') rows++;
  }
  line('parse only (gunzip, lines, io-ts rows), no database', rows, performance.now() - t0, 'rows');
};

const importAll = async (store: PostgresCandleStore, label: string, concurrency = 1) => {
  const t0 = performance.now();
  const reports: CandleFileReport[] = [];
  for await (const r of importCandleFiles(store, files, { concurrency })) reports.push(r);
  const ms = performance.now() - t0;
  const sum = (k: 'rowsRead' | 'inserted' | 'unchanged') => reports.reduce((n, r) => n + r[k], 0);
  if (sum('inserted') + sum('unchanged') !== sum('rowsRead')) throw new Error(`${label}: rows went missing`);
  line(label, sum('rowsRead'), ms, 'rows');
};

const readAll = async (store: PostgresCandleStore) => {
  const series = await store.listSeries();
  const times: number[] = [];
  let candles = 0;
  for (let round = 1; round <= readRounds; round++) {
    const t0 = performance.now();
    candles = 0;
    for (const s of series) candles += (await store.readSeries(s)).length;
    const ms = performance.now() - t0;
    times.push(ms);
    line(`read all ${series.length} series into typed arrays, round ${round}`, candles, ms, 'candles');
  }
  const sorted = [...times].sort((a, b) => a - b);
  line(`read, median of ${readRounds} rounds`, candles, sorted[Math.floor(sorted.length / 2)]!, 'candles');
  // Four readers at once, as parallel backtest workers would.
  const t0 = performance.now();
  const got = await Promise.all(series.map((s) => store.readSeries(s)));
  line(
    'read all series, 4 connections in parallel',
    got.reduce((n, s) => n + s.length, 0),
    performance.now() - t0,
    'candles',
  );
};

const main = async () => {
  console.log(`MasterTrade market data benchmark — PostgreSQL at ${new URL(server).host}, ${os.cpus().length} cores, ${new Date().toISOString()}`);
  console.log(`${files.length} hourly files from ${dataDir}`);
  await dropDatabase(url).catch(() => undefined);
  await ensureDatabase(url);
  await migrate(url);
  const store = new PostgresCandleStore({ connectionString: url, poolSize: 4, source: 'bench' });
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    await parseOnly();
    await importAll(store, 'import, 1 file at a time');
    await importAll(store, 're-import (all unchanged), 1 file at a time');
    await sql.query('TRUNCATE candles');
    await importAll(store, 'import, 2 files at a time (as npm run import)', 2);
    await importAll(store, 're-import (all unchanged), 2 files at a time', 2);
    await sql.query('VACUUM ANALYZE candles');
    await readAll(store);
  } finally {
    await sql.end();
    await store.close();
    await dropDatabase(url);
  }
};

await main();
