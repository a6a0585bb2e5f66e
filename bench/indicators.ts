// `tsx bench/indicators.ts` (to be wired as `npm run bench:indicators`): candles per second for every catalog
// indicator, through tulind and through the TypeScript fast path, on real BTCUSDT 1h candles; then the fixed cost
// of one call on a short series. BENCH_INDICATOR_MS sets the time spent per measurement (default 300 ms).
import { performance } from 'node:perf_hooks';
import { INDICATORS, INDICATOR_NAMES, type PriceInput } from '../domain/indicators/catalog.js';
import { computeIndicatorSync, type ComputeOptions } from '../domain/indicators/compute.js';
import { FAST_INDICATORS } from '../domain/indicators/fast/registry.js';
import { TULIND_BINDINGS, callTulind, tulindOptions } from '../domain/indicators/tulind.js';
import type { CandleSeries } from '../domain/market/candles.js';
import { TYPICAL } from '../test/indicators/param-sets.js';
import { btcusdt1h, truncate } from '../test/indicators/real-candles.js';

const budgetMs = Number(process.env['BENCH_INDICATOR_MS'] ?? 300);

/** Runs `fn` for about budgetMs after a warm-up and returns calls per second. */
const perSecond = (fn: () => void): number => {
  for (let i = 0; i < 5; i++) fn();
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budgetMs) {
    for (let i = 0; i < 4; i++) fn();
    calls += 4;
    t = performance.now();
  }
  return (calls * 1000) / (t - t0);
};

const fmt = (x: number): string => (Number.isFinite(x) ? `${(x / 1e6).toFixed(1)} M` : '—').padStart(9);
const fmtCalls = (x: number): string => (Number.isFinite(x) ? `${Math.round(x).toLocaleString('en-US')}` : '—').padStart(10);

const btc = btcusdt1h();
const n = btc.length;
const TULIND: ComputeOptions = { fast: false };
const FAST: ComputeOptions = { fast: true };

const rawTulindCall = (s: CandleSeries, name: keyof typeof TULIND_BINDINGS): (() => void) => {
  const b = TULIND_BINDINGS[name]!;
  const inputs = (INDICATORS[name].inputs as readonly PriceInput[]).map((f) => Array.from(s[f]));
  const options = tulindOptions(b, TYPICAL[name]);
  return () => void callTulind(b.fn, inputs, options);
};

console.log(`Indicators on binance BTCUSDT 1h (${n.toLocaleString('en-US')} candles), typical parameters; candles per second (M = million)`);
console.log('indicator  parameters                         tulind raw  tulind via compute  fast path   fast ÷ tulind');
for (const name of INDICATOR_NAMES) {
  const params = TYPICAL[name];
  const hasTulind = TULIND_BINDINGS[name] !== undefined;
  const raw = hasTulind ? perSecond(rawTulindCall(btc, name)) * n : NaN;
  const viaTulind = hasTulind ? perSecond(() => computeIndicatorSync(btc, name, params, TULIND)) * n : NaN;
  const fast = FAST_INDICATORS[name] !== undefined ? perSecond(() => computeIndicatorSync(btc, name, params, FAST)) * n : NaN;
  const ratio = Number.isFinite(viaTulind) && Number.isFinite(fast) ? `${(fast / viaTulind).toFixed(1)}×` : '—';
  console.log(`${name.padEnd(10)} ${JSON.stringify(params).padEnd(34)} ${fmt(raw)}  ${fmt(viaTulind).padStart(18)}  ${fmt(fast)}   ${ratio.padStart(8)}`);
}
console.log('(tulind raw = the native call on number[] inputs prepared beforehand; via compute = what callers get: the copy of');
console.log(' every input Float64Array into number[], the call, the copy back into aligned Float64Arrays)');

const short = truncate(btc, 100);
console.log('\nFixed cost per call on a 100-candle series (calls per second):');
console.log('indicator  tulind via compute   fast path');
for (const name of ['sma', 'ema', 'rsi', 'bbands', 'atr', 'macd'] as const) {
  const viaTulind = perSecond(() => computeIndicatorSync(short, name, TYPICAL[name], TULIND));
  const fast = perSecond(() => computeIndicatorSync(short, name, TYPICAL[name], FAST));
  console.log(`${name.padEnd(10)} ${fmtCalls(viaTulind).padStart(18)}  ${fmtCalls(fast).padStart(10)}`);
}
