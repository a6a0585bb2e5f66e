// A paper account against the backtest engine over the same candles: the engine's fast loops run over the account's
// window (the same warm-up, settings and capital), and the two are compared bit for bit — every trade field, every
// exit reason, the equity at every close and the final cash (Object.is, so -0 ≠ 0 and NaN = NaN). `npm run paper --
// --compare` prints the verdict; a session whose risk limits bind differs, and says where first.
import { bindStrategy } from '../../domain/backtest/compile.js';
import { simulate } from '../../domain/backtest/engine.js';
import { EXIT_REASON_NAMES } from '../../domain/execution/fill-model.js';
import { fillConfigOf, type RunSettings } from '../../domain/execution/run-settings.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { PaperAccountRun } from './paper-run.js';

export interface PathResult {
  readonly trades: readonly object[];
  readonly exitReasons: readonly string[];
  readonly equity: Float64Array;
  readonly cash: number;
}

/** The backtest engine over the account's window. */
export const backtestOfAccount = (run: PaperAccountRun, settings: RunSettings): PathResult => {
  const sim = simulate(bindStrategy(run.compiled, run.series, new IndicatorCache()), run.from, run.to, settings.initialCapital, fillConfigOf(settings));
  return { trades: sim.trades, exitReasons: sim.exitReasons.map((r) => EXIT_REASON_NAMES[r]), equity: sim.equity, cash: sim.finalEquity };
};

/** The account as the paper session ran it. */
export const paperOfAccount = (run: PaperAccountRun): PathResult => ({
  trades: run.trades,
  exitReasons: run.exitReasons.map((r) => EXIT_REASON_NAMES[r]),
  equity: run.equity,
  cash: run.cash,
});

/** The first difference between the backtest (a) and the paper session (b), or undefined when identical. */
export const firstDifference = (a: PathResult, b: PathResult): string | undefined => {
  if (a.trades.length !== b.trades.length) return `trade count: backtest ${a.trades.length}, paper ${b.trades.length}`;
  for (let i = 0; i < a.trades.length; i++) {
    const x = a.trades[i] as Record<string, unknown>;
    const y = b.trades[i] as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.join() !== Object.keys(y).join()) return `trade ${i}: fields ${keys.join()} vs ${Object.keys(y).join()}`;
    for (const k of keys) if (!Object.is(x[k], y[k])) return `trade ${i}.${k}: backtest ${String(x[k])}, paper ${String(y[k])}`;
    if (a.exitReasons[i] !== b.exitReasons[i]) return `trade ${i} exit reason: backtest ${a.exitReasons[i]}, paper ${b.exitReasons[i]}`;
  }
  if (a.equity.length !== b.equity.length) return `equity points: backtest ${a.equity.length}, paper ${b.equity.length}`;
  for (let i = 0; i < a.equity.length; i++)
    if (!Object.is(a.equity[i], b.equity[i])) return `equity at close ${i}: backtest ${a.equity[i]}, paper ${b.equity[i]}`;
  if (!Object.is(a.cash, b.cash)) return `final cash: backtest ${a.cash}, paper ${b.cash}`;
  return undefined;
};
