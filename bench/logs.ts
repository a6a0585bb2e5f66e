// `npm run bench:logs`: what the PostgreSQL tee costs a hot path. The same logger (pino, lines to /dev/null in place
// of stdout) three ways: without the tee, with the tee counting only (LOG_STORE=off), with the tee storing into the
// logs table. Two measures each: the most records/s a loop can log (yielding every 1000 records so flushes run), and
// the event-loop delay p99 (perf_hooks monitorEventLoopDelay) while logging a steady BENCH_LOG_RATE records/s.
// Runs on a throw-away database on the server in BENCH_DATABASE_URL / DATABASE_URL (default: local PostgreSQL).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { dropDatabase, ensureDatabase, withDatabaseName } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { LogTee } from '../infrastructure/logging/log-tee.js';

const server = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = withDatabaseName(server, `mt_bench_logs_${process.pid}`);
const N = Number(process.env['BENCH_LOG_RECORDS'] ?? '200000');
const RATE = Number(process.env['BENCH_LOG_RATE'] ?? '5000');
const SECONDS = Number(process.env['BENCH_LOG_SECONDS'] ?? '4');

const tick = () => new Promise((r) => setImmediate(r));

const throughput = async (log: pino.Logger) => {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    log.info({ strategyId: 'a1b2c3', symbol: 'BTCUSDT', i, price: 42_000 + (i % 100) }, 'order filled');
    if (i % 1000 === 999) await tick();
  }
  return (N / (performance.now() - t0)) * 1000;
};

/** Logs RATE records/s in 10 ms slices for SECONDS; the event loop's delay p99 meanwhile, in ms. */
const steadyDelay = async (log: pino.Logger) => {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const perSlice = Math.max(1, Math.round(RATE / 100));
  const end = performance.now() + SECONDS * 1000;
  let i = 0;
  while (performance.now() < end) {
    for (let k = 0; k < perSlice; k++, i++) log.info({ strategyId: 'a1b2c3', symbol: 'BTCUSDT', i }, 'tick handled');
    await new Promise((r) => setTimeout(r, 10));
  }
  h.disable();
  return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

await ensureDatabase(url);
await migrate(url);
const rows = new pg.Pool({ connectionString: url, max: 1 });
try {
  const modes: [string, () => { log: pino.Logger; tee?: LogTee }][] = [
    ['stdout only', () => ({ log: createLogger('info', 'bench', { destination: pino.destination('/dev/null') }) })],
    [
      'stdout + tee, counting only (LOG_STORE=off)',
      () => {
        const tee = new LogTee({ service: 'bench', store: false });
        return { log: createLogger('info', 'bench', { tee, destination: pino.destination('/dev/null') }), tee };
      },
    ],
    [
      'stdout + tee storing into PostgreSQL',
      () => {
        const tee = new LogTee({ service: 'bench', store: true });
        tee.startStoring({ connectionString: url });
        return { log: createLogger('info', 'bench', { tee, destination: pino.destination('/dev/null') }), tee };
      },
    ],
  ];
  console.log(`bench:logs — ${fmt(RATE)} records/s for ${SECONDS} s (event-loop delay), then ${fmt(N)} records flat out (records/s)`);
  // A warm-up round (JIT, connections), not printed.
  for (const [, make] of modes) {
    const { log, tee } = make();
    for (let i = 0; i < 20_000; i++) log.info({ i }, 'warm-up');
    await tee?.close();
  }
  for (const [label, make] of modes) {
    await rows.query('TRUNCATE logs');
    const { log, tee } = make();
    // The steady rate first, on a fresh logger; then the flat-out loop (which overruns the buffer when storing).
    const delay = await steadyDelay(log);
    await tee?.flush();
    const steadyStored = tee?.stats.stored ?? 0;
    const opsPerSecond = await throughput(log);
    await tee?.flush();
    await tee?.close();
    const s = tee?.stats;
    const stored = Number((await rows.query<{ n: string }>('SELECT count(*) AS n FROM logs')).rows[0]!.n);
    console.log(
      `${label.padEnd(46)} ${fmt(opsPerSecond).padStart(9)} records/s   event-loop delay p99 ${delay.p99.toFixed(2)} ms (max ${delay.max.toFixed(2)} ms)` +
        (s && s.batches > 0
          ? `\n${''.padEnd(46)} steady: all ${fmt(steadyStored)} stored; flat out: stored ${fmt(stored - steadyStored)}, dropped ${fmt(s.droppedLow + s.droppedHigh)}; ${fmt(s.batches)} INSERTs in all`
          : ''),
    );
  }
} finally {
  await rows.end();
  await dropDatabase(url);
}
