// The look-ahead check: a strategy's signals (and every operand behind them) at bar t must depend only on bars
// 0..t. It recomputes everything on the series truncated after bar k−1, for many k, with a fresh indicator
// cache, and reports every bar below k whose signal or operand value differs from the full-series run. An
// indicator or gene that peeks at later candles changes its past values when the future is cut off.
// External operand data is cut at the same instant, the close of bar k−1: daily values published later, other
// symbols' bars opening later and forecasts made later are removed (operand-data.ts truncateOperandData), so an
// alignment that lets a bar see any of them changes that bar's value and is reported.
import { IndicatorCache } from '../indicators/cache.js';
import { seriesRange, type CandleSeries } from '../market/candles.js';
import { INTERVAL_MS } from '../market/candles.js';
import { HONEST_ALIGNER, truncateOperandData, type OperandAligner, type OperandData } from './operand-data.js';
import { bindStrategy, fillSignals, type BoundSet, type CompiledGenome } from './compile.js';

export interface LookAheadFinding {
  /** The series was cut to its first `truncatedAt` bars. */
  readonly truncatedAt: number;
  readonly bar: number;
  /** 'entry' / 'exit' for a signal; otherwise which operand (e.g. `entry.conditions[0].left`). */
  readonly what: string;
  readonly full: number;
  readonly truncated: number;
}

export interface LookAheadReport {
  readonly passed: boolean;
  readonly cutPoints: number;
  readonly findings: readonly LookAheadFinding[];
}

/** The first k bars, as views (no copies). */
export const truncateSeries = (s: CandleSeries, k: number): CandleSeries => seriesRange(s, 0, k);

/** `count` cut points spread over [minBars, n], plus the first bars after the warm-up region. */
export const cutPoints = (n: number, count: number, minBars = 2): number[] => {
  const points = new Set<number>();
  for (let j = 0; j < count; j++) points.add(Math.round(minBars + ((n - minBars) * (j + 1)) / count));
  for (let k = minBars; k < Math.min(n, minBars + 5); k++) points.add(k);
  return [...points].filter((k) => k >= minBars && k <= n).sort((a, b) => a - b);
};

const same = (a: number, b: number): boolean => a === b || (a !== a && b !== b);

/** Checks `compiled` on `series` at `count` cut points (default 40). Reports up to `maxFindings` differences. */
export const checkLookAhead = (
  compiled: CompiledGenome,
  series: CandleSeries,
  options: {
    readonly count?: number;
    readonly maxFindings?: number;
    /** A fresh cache per computation (default `new IndicatorCache()`); tests inject a leaky indicator here. */
    readonly newCache?: () => IndicatorCache;
    /** The external data the genome's operands read, cut with the candles. */
    readonly data?: OperandData;
    /** How external values reach the bars (default the honest rules); tests plant a leaky one here. */
    readonly align?: OperandAligner;
  } = {},
): LookAheadReport => {
  const maxFindings = options.maxFindings ?? 50;
  const newCache = options.newCache ?? (() => new IndicatorCache());
  const n = series.length;
  const align = options.align ?? HONEST_ALIGNER;
  const intervalMs = INTERVAL_MS[series.key.interval];
  const full = bindStrategy(compiled, series, newCache(), options.data, align);
  const fullEntry = new Uint8Array(n);
  const fullExit = new Uint8Array(n);
  fillSignals(full.entry, 0, n, fullEntry);
  fillSignals(full.exit, 0, n, fullExit);
  const findings: LookAheadFinding[] = [];
  const points = cutPoints(n, options.count ?? 40);
  const report = (f: LookAheadFinding) => {
    if (findings.length < maxFindings) findings.push(f);
  };
  const compareOperands = (k: number, side: string, a: BoundSet, b: BoundSet) => {
    for (let c = 0; c < a.count; c++) {
      const pairs: [string, Float64Array | null, Float64Array | null][] = [
        [`${side}.conditions[${c}].left`, a.left[c]!, b.left[c]!],
        [`${side}.conditions[${c}].right`, a.right[c]!, b.right[c]!],
      ];
      for (const [what, fa, fb] of pairs) {
        if (fa === null || fb === null) continue;
        for (let t = 0; t < k; t++) if (!same(fa[t]!, fb[t]!)) report({ truncatedAt: k, bar: t, what, full: fa[t]!, truncated: fb[t]! });
      }
    }
  };
  for (const k of points) {
    const data = options.data === undefined ? undefined : truncateOperandData(options.data, series.openTime[k - 1]!, intervalMs);
    const cut = bindStrategy(compiled, truncateSeries(series, k), newCache(), data, align);
    const entry = new Uint8Array(k);
    const exit = new Uint8Array(k);
    fillSignals(cut.entry, 0, k, entry);
    fillSignals(cut.exit, 0, k, exit);
    for (let t = 0; t < k; t++) {
      if (entry[t] !== fullEntry[t]) report({ truncatedAt: k, bar: t, what: 'entry', full: fullEntry[t]!, truncated: entry[t]! });
      if (exit[t] !== fullExit[t]) report({ truncatedAt: k, bar: t, what: 'exit', full: fullExit[t]!, truncated: exit[t]! });
    }
    compareOperands(k, 'entry', full.entry, cut.entry);
    compareOperands(k, 'exit', full.exit, cut.exit);
  }
  return { passed: findings.length === 0, cutPoints: points.length, findings };
};
