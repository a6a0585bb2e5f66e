// `npm run bench:api-load`: how the API answers while heavy work runs. The platform's API (createApi with every
// route, the backtest routes on the worker-thread pool) runs on a throw-away database with the real BTCUSDT and
// ETHUSDT 1h candles; one client asks GET /health again and again, one request after the other, and the latency of
// each answer is kept per phase:
//   idle                 nothing else runs
//   grid on the pool     the largest allowed grid (MAX_GRID_CELLS cells) over both symbols' whole history, POSTed
//   grid in process      the same job run on this event loop (how the API ran grids before), for comparison
//   walk-forward (pool)  MAX_WALK_FORWARD_WINDOWS windows of 24 + 24 bars with a 25-cell grid, POSTed (stored size)
//   cycle on the pool    a daily learning cycle of BENCH_CYCLE_N genomes (default 100) with the pool's backtests
//   cycle in process     the same size of cycle (the next day) with the in-process backtests, for comparison
// Prints, per phase, the answers, their p50/p90/p99/max latency, the phase's wall time, and the stored size of each
// job's BacktestCompleted. Env: BENCH_DATABASE_URL or DATABASE_URL (the server; default the local one),
// BENCH_CYCLE_N, BENCH_SKIP (comma list of phase names' first word: grid, walk, cycle).
import { either } from 'fp-ts';
import { performance } from 'node:perf_hooks';
import { backtestOutcomeRecorder, recordBacktestRequested } from '../application/backtest/record-outcome.js';
import { runBacktestInProcess } from '../application/backtest/run-in-process.js';
import { inProcessWindowBacktests } from '../application/learning/in-process-window-backtests.js';
import { runDailyCycle } from '../application/learning/daily-cycle.js';
import type { BacktestJob } from '../application/ports/backtest-jobs.js';
import { openBacktesting } from '../apps/backtesting.js';
import { cycleBacktests, learningCycleDeps } from '../apps/learning-schedule.js';
import { configOrExit, openPlatform } from '../apps/platform.js';
import { openBus, startApi } from '../apps/services.js';
import { createTestKey } from '../test/support/api-keys.js';
import { backtestStream } from '../domain/backtest/events.js';
import { MAX_BACKTESTS_PER_JOB, MAX_GRID_CELLS, MAX_WALK_FORWARD_WINDOWS } from '../domain/backtest/limits.js';
import type { Actor } from '../domain/primitives/codecs.js';
import { smaCrossoverGenome } from '../domain/strategy/templates.js';
import { dataFingerprint } from '../infrastructure/backtest/job-runner.js';
import { runJob } from '../infrastructure/backtest/run-job.js';
import { dropDatabase, ensureDatabase, withDatabaseName } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { PostgresCheckpointStore } from '../infrastructure/db/postgres-checkpoint-store.js';
import { importCandleFiles } from '../infrastructure/market-data/candle-file-import.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { sharedDataFile } from '../test/support/shared-data.js';

const server = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = withDatabaseName(server, `mt_bench_api_${process.pid}`);
const cycleN = Number(process.env['BENCH_CYCLE_N'] ?? '100');
const skip = new Set((process.env['BENCH_SKIP'] ?? '').split(',').filter(Boolean));
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];
const PERIOD = { from: '2021-05-01T00:00:00.000Z', to: '2023-12-01T00:00:00.000Z' };

const largestGrid = (cells: number) => {
  let slow = 25;
  while (cells % slow !== 0) slow--;
  return { 'fast.period': Array.from({ length: cells / slow }, (_, i) => 2 + i), 'slow.period': Array.from({ length: slow }, (_, i) => 30 + 4 * i) };
};

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')} ms` : '–');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

await dropDatabase(url).catch(() => undefined);
await ensureDatabase(url);
await migrate(url);
const candles = new PostgresCandleStore({ connectionString: url, source: 'bench' });
for await (const r of importCandleFiles(
  candles,
  SYMBOLS.map((s) => sharedDataFile(`binance_${s}_1h.csv.gz`)),
))
  if (r.error) throw new Error(`${r.file}: ${r.error}`);
await candles.close();

const platform = await openPlatform(configOrExit({ DATABASE_URL: url, AMQP_URL: '', LOG_LEVEL: 'silent', MARKET_DATA_SOURCE: 'none', PORT: '0' }), 'bench');
const backtesting = openBacktesting(platform);
await backtesting.pool!.ready();
const bus = openBus(platform, 'bench');
const checkpoints = new PostgresCheckpointStore({ connectionString: url });
// Limits far above the bench's polling: it measures the API under work, not its rate limits.
const api = await startApi(platform, bus, checkpoints, backtesting, {}, { perIp: 1e9, perKey: 1e9, windowMs: 60_000 });
const base = `http://127.0.0.1:${api.port}`;
// A real admin key (what an operator's script would send): every route but /health needs one.
const apiKey = await createTestKey(platform.store, platform.pool, { name: 'bench', role: 'admin' });
const call = async (method: string, path: string, body?: unknown, retried = false): Promise<{ status: number; body: Record<string, unknown> }> => {
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...apiKey.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch (err) {
    // A keep-alive connection the server closed (its idle timeout fires late after the in-process phase blocked the
    // event loop) while the next request was on its way: that request is sent again, once.
    const reset = (err as { cause?: { code?: string } }).cause?.code === 'ECONNRESET';
    if (!reset || retried) throw err;
    return call(method, path, body, true);
  }
};

const rows: string[][] = [];
/** Polls /health while `work` runs; one request after the other. */
const phase = async (name: string, work: () => Promise<string>) => {
  let running = true;
  const latencies: number[] = [];
  const poller = (async () => {
    while (running) {
      const t0 = performance.now();
      await call('GET', '/health');
      latencies.push(performance.now() - t0);
    }
  })();
  const t0 = performance.now();
  let note: string;
  try {
    note = await work();
  } finally {
    // A phase that fails stops its poller first, so its own error is the one reported.
    running = false;
    await poller.catch(() => undefined);
  }
  const wall = performance.now() - t0;
  const sorted = [...latencies].sort((a, b) => a - b);
  const row = [
    name,
    String(latencies.length),
    ms(quantile(sorted, 0.5)),
    ms(quantile(sorted, 0.9)),
    ms(quantile(sorted, 0.99)),
    ms(sorted.at(-1) ?? NaN),
    `${(wall / 1000).toFixed(1)} s`,
    note,
  ];
  rows.push(row);
  console.log(row.join(' | '));
};

const storedSize = async (jobId: string) => {
  const e = (await platform.store.readStream(backtestStream(jobId))).find((x) => x.type === 'BacktestCompleted' || x.type === 'BacktestFailed');
  return e === undefined
    ? 'not recorded'
    : `${e.type === 'BacktestFailed' ? `FAILED ${(e.data as { code: string }).code}` : 'BacktestCompleted'} ${kb(JSON.stringify(e.data).length)}`;
};
const posted = async (body: unknown) => {
  const r = await call('POST', '/api/backtests', body);
  if (r.status !== 202) throw new Error(`POST /api/backtests: ${r.status} ${JSON.stringify(r.body)}`);
  const jobId = r.body['jobId'] as string;
  for (;;) {
    const s = await call('GET', `/api/backtests/${jobId}`);
    if (s.body['status'] !== 'requested') return storedSize(jobId);
    await new Promise((res) => setTimeout(res, 50));
  }
};

console.log(`API load: ${SYMBOLS.join(', ')} 1h, ${backtesting.pool!.size} backtest workers, MAX_GRID_CELLS ${MAX_GRID_CELLS}, cycle N ${cycleN}`);
console.log('phase | /health answers | p50 | p90 | p99 | max | wall | stored');
try {
  await phase('idle', async () => {
    await new Promise((r) => setTimeout(r, 3000));
    return '';
  });
  const gridBody = { genome: smaCrossoverGenome(10, 30), symbols: SYMBOLS, period: PERIOD, gridSearch: { grid: largestGrid(MAX_GRID_CELLS) } };
  if (!skip.has('grid')) {
    await phase(`grid on the pool (${MAX_GRID_CELLS} cells)`, () => posted(gridBody));
    await phase(`grid in process (${MAX_GRID_CELLS} cells)`, async () => {
      const job: BacktestJob = {
        jobId: platform.ids.newId(),
        genome: { ...gridBody.genome, symbols: SYMBOLS } as BacktestJob['genome'],
        exchange: 'binance',
        symbols: SYMBOLS,
        interval: '1h',
        period: { from: Date.parse(PERIOD.from), to: Date.parse(PERIOD.to) },
      };
      const analysis = { kind: 'grid_search' as const, gridSearch: gridBody.gridSearch };
      const deps = { store: platform.store, clock: platform.clock, ids: platform.ids };
      await recordBacktestRequested(deps, job, { requestedBy: 'system:bench' as Actor, analysis });
      await backtestOutcomeRecorder(deps)({ ...job, analysis }, await runBacktestInProcess({ candles: backtesting.candles, runJob }, job, analysis));
      return storedSize(job.jobId);
    });
  }
  // The largest allowed walk-forward: MAX_WALK_FORWARD_WINDOWS windows, each with as many in-sample grid cells as
  // MAX_BACKTESTS_PER_JOB leaves (cells + 1 out-of-sample run per window).
  const wfCells = Math.floor(MAX_BACKTESTS_PER_JOB / MAX_WALK_FORWARD_WINDOWS) - 1;
  if (!skip.has('walk'))
    await phase(`walk-forward on the pool (${MAX_WALK_FORWARD_WINDOWS} windows × ${wfCells} cells)`, () =>
      posted({
        genome: smaCrossoverGenome(10, 30),
        symbols: SYMBOLS,
        period: {
          from: '2022-01-01T00:00:00.000Z',
          to: new Date(Date.parse('2022-01-01T00:00:00.000Z') + (MAX_WALK_FORWARD_WINDOWS * 24 + 24) * 3_600_000).toISOString(),
        },
        walkForward: { inSample: 24, outOfSample: 24, grid: { 'fast.period': Array.from({ length: wfCells }, (_, i) => 2 + i) } },
      }),
    );
  if (!skip.has('cycle')) {
    const cycleCandles = new PostgresCandleStore({ connectionString: url });
    const options = { n: cycleN, symbols: SYMBOLS, timeframes: ['1h', '4h'] as const };
    await phase(`cycle on the pool (N = ${cycleN})`, async () => {
      const r = await runDailyCycle(learningCycleDeps(platform, cycleCandles, cycleBacktests(platform, cycleCandles, backtesting.pool)), {
        ...options,
        asOf: new Date('2023-06-01T03:00:00.000Z'),
      });
      if (either.isLeft(r)) throw new Error(r.left.message);
      return `${r.right.appended} events appended`;
    });
    await phase(`cycle in process (N = ${cycleN})`, async () => {
      const r = await runDailyCycle(learningCycleDeps(platform, cycleCandles, inProcessWindowBacktests(dataFingerprint)), {
        ...options,
        asOf: new Date('2023-06-02T03:00:00.000Z'),
      });
      if (either.isLeft(r)) throw new Error(r.left.message);
      return `${r.right.appended} events appended`;
    });
    await cycleCandles.close();
  }
} finally {
  await api.stop();
  await backtesting.close();
  await bus.close();
  await checkpoints.close();
  await platform.close();
  await dropDatabase(url);
}
console.log('');
console.log('| phase | /health answers | p50 | p90 | p99 | max | wall | stored |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
process.exit(0);
