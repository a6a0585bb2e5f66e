// Computes each (series, indicator, parameters) once and hands the same arrays to every caller: the many
// strategies of one backtest run that all use SMA(20) on BTCUSDT 1h share one computation.
//
// - Key: series identity + indicatorKey (canonical parameters, so {period: 20} from two genomes is one entry).
//   By default a series is identified by its CandleSeries object (a WeakMap gives each object an id), so load a
//   series once per run and pass that object around. `identify: contentIdentity` instead treats two loads of the
//   same candles as one series (exchange:symbol:interval, length, first and last open time) — cheaper across
//   reloads, but a corrected candle inside an unchanged range would be served stale: clear() after corrections.
// - Concurrency: the promise is stored before the computation starts, so callers arriving while it runs share it.
//   A failed computation is dropped, so the next caller tries again.
// - Bound: at most `maxValues` cached numbers (outputs × candles; default 2^25 ≈ 256 MiB); beyond it the least
//   recently used entries are dropped (callers that hold their arrays keep them). clear() empties everything:
//   call it when a backtest run ends. The cache never copies: results are shared, so never write into them.
import { seriesKeyString, type CandleSeries } from '../market/candles.js';
import { INDICATORS, type IndicatorName } from './catalog.js';
import { computeIndicatorSync, type ComputeOptions, type IndicatorResult } from './compute.js';
import { canonicalParams, indicatorKey, type IndicatorParams } from './params.js';

export type ComputeFn = (series: CandleSeries, name: IndicatorName, params: IndicatorParams) => IndicatorResult;

export interface IndicatorCacheOptions extends ComputeOptions {
  /** Upper bound on the numbers held, summed over entries as outputs × candles. Default 2^25. */
  readonly maxValues?: number;
  /** Which series count as the same. Default: the same CandleSeries object. */
  readonly identify?: (series: CandleSeries) => string;
  /** How a miss is computed. Default: computeIndicatorSync with this cache's `fast` option. */
  readonly compute?: ComputeFn;
}

export interface IndicatorCacheStats {
  readonly entries: number;
  readonly values: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

/** Two loads of the same candles are the same series (see the module comment for the trade-off). */
export const contentIdentity = (s: CandleSeries): string =>
  `${seriesKeyString(s.key)}|${s.length}|${s.length > 0 ? s.openTime[0] : ''}|${s.length > 0 ? s.openTime[s.length - 1] : ''}`;

interface Entry {
  readonly values: number;
  promise: Promise<IndicatorResult>;
  result?: IndicatorResult;
}

export class IndicatorCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = recency order (hits are re-inserted)
  private readonly ids = new WeakMap<CandleSeries, string>();
  private nextId = 0;
  private values = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private readonly maxValues: number;
  private readonly identify: (series: CandleSeries) => string;
  private readonly compute: ComputeFn;

  constructor(options: IndicatorCacheOptions = {}) {
    this.maxValues = options.maxValues ?? 2 ** 25;
    this.identify = options.identify ?? ((s) => this.objectId(s));
    const fast = options.fast;
    this.compute = options.compute ?? ((s, n, p) => computeIndicatorSync(s, n, p, fast === undefined ? {} : { fast }));
  }

  /** The indicator over the series, computed on the first request only. */
  get(series: CandleSeries, name: IndicatorName, params: IndicatorParams): Promise<IndicatorResult> {
    let key: string;
    let p: IndicatorParams;
    try {
      p = canonicalParams(name, params);
      key = this.keyOf(series, name, p);
    } catch (e) {
      return Promise.reject(e);
    }
    const hit = this.lookup(key);
    if (hit !== undefined) return hit.promise;
    const entry: Entry = { values: this.sizeOf(series, name), promise: Promise.resolve(undefined as never) };
    // Started on the next microtask so the entry is in place before any work: same-tick callers share it.
    entry.promise = Promise.resolve().then(() => entry.result ?? (entry.result = this.compute(series, name, p)));
    entry.promise.catch(() => this.drop(key, entry));
    this.insert(key, entry);
    return entry.promise;
  }

  /** The same, synchronously: for a worker that computes everything before its per-bar loop. */
  getSync(series: CandleSeries, name: IndicatorName, params: IndicatorParams): IndicatorResult {
    const p = canonicalParams(name, params);
    const key = this.keyOf(series, name, p);
    const hit = this.lookup(key);
    if (hit !== undefined) {
      // In flight from get(): compute now; the pending promise then resolves to this same result.
      if (hit.result === undefined) hit.result = this.compute(series, name, p);
      return hit.result;
    }
    const result = this.compute(series, name, p);
    this.insert(key, { values: this.sizeOf(series, name), promise: Promise.resolve(result), result });
    return result;
  }

  clear(): void {
    this.entries.clear();
    this.values = 0;
  }

  stats(): IndicatorCacheStats {
    return { entries: this.entries.size, values: this.values, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }

  private objectId(s: CandleSeries): string {
    let id = this.ids.get(s);
    if (id === undefined) this.ids.set(s, (id = `#${this.nextId++}`));
    return id;
  }

  private keyOf(series: CandleSeries, name: IndicatorName, p: IndicatorParams): string {
    return `${this.identify(series)}|${indicatorKey(name, p)}`;
  }

  private sizeOf(series: CandleSeries, name: IndicatorName): number {
    return INDICATORS[name].outputs.length * series.length;
  }

  private lookup(key: string): Entry | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key); // move to the most recent end
    this.entries.set(key, hit);
    return hit;
  }

  private insert(key: string, entry: Entry): void {
    this.entries.set(key, entry);
    this.values += entry.values;
    for (const [oldKey, old] of this.entries) {
      if (this.values <= this.maxValues || oldKey === key) break;
      this.entries.delete(oldKey);
      this.values -= old.values;
      this.evictions++;
    }
  }

  private drop(key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    this.values -= entry.values;
  }
}
