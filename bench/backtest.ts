// `tsx bench/backtest.ts` (to be wired as `npm run bench:backtest`), single-threaded:
// 1. the reference loop: a plain SMA(10)/SMA(30) crossover with fees, next-open fills and per-bar equity and
//    drawdown over Float64Arrays, in bars/s, on real BTCUSDT 1h;
// 2. the engine's simulation of the same SMA genome (indicators precomputed), as a ratio to it;
// 3. the light workload: 500 seeded random genomes × BTCUSDT, ETHUSDT, BNBUSDT × the last 2,160 1h candles.
// Candles are parsed from ../shared/data's CSVs BEFORE any timing (a stand-in for the database / binary cache).
import { performance } from 'node:perf_hooks';
import { bindStrategy, compileGenome } from '../domain/backtest/compile.js';
import { simulate } from '../domain/backtest/engine.js';
import { fillConfig } from '../domain/backtest/fill-model.js';
import { computeMetrics } from '../domain/backtest/metrics/index.js';
import { randomGenomes } from '../domain/backtest/random-genome.js';
import { IndicatorCache } from '../domain/indicators/cache.js';
import { INTERVAL_MS, type CandleSeries } from '../domain/market/candles.js';
import { smaCrossoverGenome } from '../domain/strategy/templates.js';
import { loadCandles, truncate } from '../test/indicators/real-candles.js';

const budgetMs = Number(process.env['BENCH_BACKTEST_MS'] ?? 1000);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** Runs fn repeatedly for about budgetMs after a warm-up; returns calls per second. */
const perSecond = (fn: () => void): number => {
  for (let i = 0; i < 20; i++) fn();
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budgetMs) {
    fn();
    calls++;
    t = performance.now();
  }
  return (calls * 1000) / (t - t0);
};

// --- data, before any timing
const symbols = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] as const;
const full: Record<string, CandleSeries> = Object.fromEntries(symbols.map((s) => [s, loadCandles(`binance_${s}_1h.csv.gz`, s)]));
const btc = full['BTCUSDT']!;
const n = btc.length;

// --- 1. the reference loop
const smaInto = (xs: Float64Array, period: number, out: Float64Array) => {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i]!;
    if (i >= period) sum -= xs[i - period]!;
    out[i] = i >= period - 1 ? sum / period : NaN;
  }
};
const fastSma = new Float64Array(n);
const slowSma = new Float64Array(n);
smaInto(btc.close, 10, fastSma);
smaInto(btc.close, 30, slowSma);
const refEquity = new Float64Array(n);
const refDrawdown = new Float64Array(n);
let refFinal = 0;
const referenceLoop = () => {
  const open = btc.open;
  const close = btc.close;
  const fee = 0.001;
  let cash = 10_000;
  let qty = 0;
  let pending = 0; // +1 buy, −1 sell at the next open
  let peak = 0;
  let maxDd = 0;
  for (let t = 0; t < n; t++) {
    if (pending === 1) {
      qty = cash / (open[t]! * (1 + fee));
      cash = 0;
    } else if (pending === -1) {
      cash = qty * open[t]! * (1 - fee);
      qty = 0;
    }
    pending = 0;
    const eq = cash + qty * close[t]!;
    refEquity[t] = eq;
    if (eq > peak) peak = eq;
    const dd = (peak - eq) / peak;
    refDrawdown[t] = dd;
    if (dd > maxDd) maxDd = dd;
    if (t > 0) {
      const up = fastSma[t - 1]! <= slowSma[t - 1]! && fastSma[t]! > slowSma[t]!;
      const down = fastSma[t - 1]! >= slowSma[t - 1]! && fastSma[t]! < slowSma[t]!;
      if (qty === 0 && up) pending = 1;
      else if (qty > 0 && down) pending = -1;
    }
  }
  refFinal = qty > 0 ? qty * close[n - 1]! * (1 - fee) : cash;
};
const refRate = perSecond(referenceLoop) * n;

// --- 2. the engine on the same genome, indicators precomputed
const smaCompiled = compileGenome(smaCrossoverGenome(10, 30, ['BTCUSDT']));
const smaBound = bindStrategy(smaCompiled, btc, new IndicatorCache());
const cfg = fillConfig();
let engineFinal = 0;
const engineRate = perSecond(() => (engineFinal = simulate(smaBound, 0, n, 10_000, cfg).finalEquity)) * n;

console.log(`backtest benchmark — single thread, Node ${process.version}`);
console.log(`reference SMA(10/30) loop, BTCUSDT 1h (${fmt(n)} bars): ${fmt(refRate)} bars/s (final equity ${refFinal.toFixed(2)})`);
console.log(`engine, same genome, simulation only:         ${fmt(engineRate)} bars/s (final equity ${engineFinal.toFixed(2)})`);
console.log(`  ratio engine / reference: ${(engineRate / refRate).toFixed(2)} (target ≥ 0.5)`);

// --- 3. the light workload
const BARS = 2160;
const windows: CandleSeries[] = symbols.map((s) => {
  const f = full[s]!;
  const from = f.length - BARS;
  const cut = truncate(f, f.length);
  // the last 2,160 candles as views: indicators are computed over the window only (warm-up inside it)
  return {
    key: cut.key,
    length: BARS,
    openTime: f.openTime.subarray(from),
    open: f.open.subarray(from),
    high: f.high.subarray(from),
    low: f.low.subarray(from),
    close: f.close.subarray(from),
    volume: f.volume.subarray(from),
    quoteVolume: f.quoteVolume.subarray(from),
    trades: f.trades.subarray(from),
  };
});
const genomes = randomGenomes(20240601, 500, symbols);

const lightRun = () => {
  const wall0 = performance.now();
  const cache = new IndicatorCache();
  let tCompile = 0;
  let tInd = 0;
  let tSim = 0;
  let tMetrics = 0;
  let trades = 0;
  let a = performance.now();
  const compiled = genomes.map((g) => compileGenome(g));
  tCompile += performance.now() - a;
  for (const c of compiled)
    for (const s of windows) {
      a = performance.now();
      const bound = bindStrategy(c, s, cache);
      const b = performance.now();
      const sim = simulate(bound, 0, s.length, 10_000, cfg);
      const d = performance.now();
      computeMetrics({ equity: sim.equity, openTime: s.openTime, barIntervalMs: INTERVAL_MS['1h'], trades: sim.trades, benchmark: s.close });
      const e = performance.now();
      tInd += b - a;
      tSim += d - b;
      tMetrics += e - d;
      trades += sim.trades.length;
    }
  return { wall: performance.now() - wall0, tCompile, tInd, tSim, tMetrics, trades, cache: cache.stats() };
};
lightRun(); // warm-up (JIT)
const runs = [lightRun(), lightRun(), lightRun()];
const best = runs.reduce((x, y) => (y.wall < x.wall ? y : x));
const strategyBars = genomes.length * symbols.length * BARS;
console.log(`light workload: ${genomes.length} genomes × ${symbols.length} symbols × ${BARS} bars = ${fmt(strategyBars)} strategy-bars (best of 3, after a warm-up run)`);
console.log(`  wall ${best.wall.toFixed(1)} ms → ${fmt((strategyBars * 1000) / best.wall)} strategy-bars/s end to end`);
console.log(`  compile ${best.tCompile.toFixed(1)} ms, indicators ${best.tInd.toFixed(1)} ms (${best.cache.entries} distinct series×indicator, ${best.cache.hits} hits), simulation ${best.tSim.toFixed(1)} ms (${fmt((strategyBars * 1000) / best.tSim)} strategy-bars/s), metrics ${best.tMetrics.toFixed(1)} ms`);
console.log(`  ${fmt(best.trades)} trades in total; walls of the 3 runs: ${runs.map((r) => r.wall.toFixed(1)).join(', ')} ms`);
