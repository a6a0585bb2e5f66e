// `tsx bench/backtest-pool.ts`: the backtest workloads on the worker-thread pool, all cores.
// The pool is started and the candles preloaded (shared with the workers) BEFORE any timing: in production the pool
// lives as long as the process. Candles come from the candle store when DATABASE_URL points at a database holding
// them, else from ../shared/data's CSVs (parsed before timing, a stand-in for the store). Every timed run starts with
// the workers' indicator caches emptied, so indicators are computed inside the timing ("end to end").
//   light: 500 random genomes × BTCUSDT, ETHUSDT, BNBUSDT × the last 2,160 1h candles (90 days) = 3.24M strategy-bars
//   heavy: 500 random genomes × the 19 pairs listed since 2021-04 × their whole 1h history ≈ 228M strategy-bars
// Env: BACKTEST_POOL_SIZE (default os.availableParallelism()), BENCH_HEAVY=0 to skip the heavy workload,
// BENCH_HEAVY_GENOMES (default 500).
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { BacktestJob, BacktestJobOutcome } from '../application/ports/backtest-jobs.js';
import { randomGenomes } from '../domain/backtest/random-genome.js';
import { seriesRange, type CandleSeries, type Interval } from '../domain/market/candles.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { WorkerPool } from '../infrastructure/backtest/worker-pool.js';
import { loadCandles } from '../test/indicators/real-candles.js';
import { HOURLY_PAIRS_SINCE_2021_04 } from '../test/support/shared-data.js';

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const LIGHT: readonly string[] = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
const HEAVY: readonly string[] = HOURLY_PAIRS_SINCE_2021_04;
const LIGHT_BARS = 2160;
const HOUR = 3_600_000;

// --- data: the whole hourly history of every pair, loaded once before timing
const full = new Map<string, CandleSeries>();
let source = 'CSV (../shared/data, parsed before timing)';
const databaseUrl = process.env['DATABASE_URL'];
if (databaseUrl !== undefined && databaseUrl !== '') {
  const store = new PostgresCandleStore({ connectionString: databaseUrl });
  try {
    for (const s of HEAVY) {
      const series = await store.readSeries({ exchange: 'binance', symbol: s, interval: '1h' });
      if (series.length === 0) throw new Error(`no binance:${s}:1h candles stored`);
      full.set(s, series);
    }
    source = `PostgreSQL candle store (${databaseUrl.replace(/\/\/[^@]*@/, '//…@')})`;
  } catch (e) {
    full.clear();
    console.log(`candle store not usable (${e instanceof Error ? e.message : String(e)}): falling back to CSV`);
  }
  await (store as unknown as { close?: () => Promise<void> }).close?.();
}
const t0 = performance.now();
if (full.size === 0) for (const s of HEAVY) full.set(s, loadCandles(`binance_${s}_1h.csv.gz`, s));
const loadMs = performance.now() - t0;

/** The last `bars` candles as views (the light workload's indicators run over the 90-day window, as in bench/backtest.ts). */
const tail = (s: CandleSeries, bars: number): CandleSeries => seriesRange(s, Math.max(0, s.length - bars), s.length);

let mode: 'light' | 'heavy' = 'light';
const loadSeries = async (exchange: string, symbol: string, interval: Interval): Promise<CandleSeries> => {
  const s = full.get(symbol);
  if (s === undefined || exchange !== 'binance' || interval !== '1h') throw new Error(`no data for ${exchange}:${symbol}:${interval}`);
  return mode === 'light' ? tail(s, LIGHT_BARS) : s;
};

const size = Number(process.env['BACKTEST_POOL_SIZE'] ?? availableParallelism());
const tStart = performance.now();
const pool = new WorkerPool({ size, loadSeries });
await pool.ready();
const startMs = performance.now() - tStart;

// Bulk runs ask for metrics only (as the daily cycle does); BENCH_DETAIL=full ships every trade and equity curve back.
const DETAIL = process.env['BENCH_DETAIL'] === 'full' ? ('full' as const) : ('summary' as const);
const jobsFor = (prefix: string, genomes: ReturnType<typeof randomGenomes>, symbols: readonly string[], from: number, to: number): BacktestJob[] =>
  genomes.map((genome, i) => ({ jobId: `${prefix}-${i}`, genome, exchange: 'binance', symbols, interval: '1h', period: { from, to }, detail: DETAIL }));

interface Timed {
  wall: number;
  outcomes: BacktestJobOutcome[];
}
const timedRun = async (jobs: BacktestJob[]): Promise<Timed> => {
  pool.clearIndicatorCaches();
  const a = performance.now();
  const outcomes = await pool.runMany(jobs);
  return { wall: performance.now() - a, outcomes };
};
const summary = (outcomes: BacktestJobOutcome[]) => {
  const failed = outcomes.filter((o) => !o.ok);
  const trades = outcomes.reduce((n, o) => n + (o.ok ? o.result.trades.length : 0), 0);
  const bars = outcomes.reduce((n, o) => n + (o.ok ? o.result.window.bars : 0), 0);
  return { failed, trades, bars };
};

console.log(`backtest benchmark — worker pool, ${pool.size} worker threads (availableParallelism ${availableParallelism()}), Node ${process.version}`);
console.log(`candles from ${source}: ${full.size} series in ${loadMs.toFixed(0)} ms; pool started in ${startMs.toFixed(0)} ms (not timed below)`);

// --- light
{
  mode = 'light';
  const keys = LIGHT.map((symbol) => ({ exchange: 'binance', symbol, interval: '1h' as const }));
  await pool.preload(keys);
  const win = LIGHT.map((s) => tail(full.get(s)!, LIGHT_BARS));
  // [earliest first open, latest last open + 1h): every symbol simulates all of its 2,160 candles
  const from = Math.min(...win.map((s) => s.openTime[0]!));
  const to = Math.max(...win.map((s) => s.openTime[s.length - 1]!)) + HOUR;
  const genomes = randomGenomes(20240601, 500, LIGHT);
  const jobs = jobsFor('light', genomes, LIGHT, from, to);
  await timedRun(jobs); // warm-up (JIT in the workers)
  const runs: Timed[] = [];
  for (let i = 0; i < 5; i++) runs.push(await timedRun(jobs));
  const best = runs.reduce((x, y) => (y.wall < x.wall ? y : x));
  const { failed, trades, bars } = summary(best.outcomes);
  console.log(
    `light: ${jobs.length} genomes × ${LIGHT.length} symbols × ${LIGHT_BARS} bars = ${fmt(bars)} strategy-bars (best of 5 after a warm-up; indicator caches emptied before each)`,
  );
  console.log(
    `  wall ${best.wall.toFixed(1)} ms → ${fmt((bars * 1000) / best.wall)} strategy-bars/s end to end (target < 1,000 ms); runs: ${runs.map((r) => r.wall.toFixed(0)).join(', ')} ms`,
  );
  console.log(
    `  ${fmt(trades)} trades, ${failed.length} failed jobs${failed.length > 0 ? ` (first: ${JSON.stringify(failed[0])})` : ''}; jobs per worker since start: ${pool.stats().jobsDone.join(', ')}`,
  );
}

// --- heavy
if (process.env['BENCH_HEAVY'] !== '0') {
  mode = 'heavy';
  pool.invalidate();
  pool.clearIndicatorCaches();
  const keys = HEAVY.map((symbol) => ({ exchange: 'binance', symbol, interval: '1h' as const }));
  await pool.preload(keys);
  const count = Number(process.env['BENCH_HEAVY_GENOMES'] ?? 500);
  const genomes = randomGenomes(20240602, count, HEAVY);
  const jobs = jobsFor('heavy', genomes, HEAVY, 0, Number.MAX_SAFE_INTEGER);
  await timedRun(jobsFor('heavy-warm', genomes.slice(0, 4), HEAVY, 0, Number.MAX_SAFE_INTEGER)); // warm-up
  // ~10M trades in all: each outcome is summarised as it arrives and dropped (as a recorder would store and drop
  // it), not held — holding every trade list at once exhausts the main thread's heap.
  pool.clearIndicatorCaches();
  const a = performance.now();
  let trades = 0;
  let bars = 0;
  const failed: BacktestJobOutcome[] = [];
  await Promise.all(
    jobs.map((j) =>
      pool.run(j).then((o) => {
        if (o.ok) {
          trades += o.result.trades.length;
          bars += o.result.window.bars;
        } else failed.push(o);
      }),
    ),
  );
  const run = { wall: performance.now() - a };
  console.log(
    `heavy: ${jobs.length} genomes × ${HEAVY.length} pairs × whole 1h history = ${fmt(bars)} strategy-bars (one run, indicator caches emptied before it)`,
  );
  console.log(`  wall ${(run.wall / 1000).toFixed(2)} s → ${fmt((bars * 1000) / run.wall)} strategy-bars/s end to end (target < 30 s)`);
  console.log(
    `  ${fmt(trades)} trades, ${failed.length} failed jobs${failed.length > 0 ? ` (first: ${JSON.stringify(failed[0])})` : ''}; jobs per worker since start: ${pool.stats().jobsDone.join(', ')}`,
  );
}

await pool.close();
