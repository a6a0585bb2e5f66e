// The two paths a strategy can take over candles — the backtest engine's fast loops, and the paper exchange driven bar
// by bar by the strategy runner — and a bit-for-bit comparison of what they produce.
import { expect } from 'chai';
import { bindStrategy, type CompiledGenome } from '../../domain/backtest/compile.js';
import { simulate, type Simulation } from '../../domain/backtest/engine.js';
import { EXIT_REASON_NAMES, type FillConfig } from '../../domain/execution/fill-model.js';
import type { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { paperSession } from './paper-session.js';

export interface PathResult {
  readonly trades: Simulation['trades'];
  readonly exitReasons: readonly string[];
  readonly equity: Float64Array;
  readonly cash: number;
}

export const enginePath = (
  compiled: CompiledGenome,
  s: CandleSeries,
  from: number,
  to: number,
  cfg: FillConfig,
  capital: number,
  cache: IndicatorCache,
): PathResult => {
  const sim = simulate(bindStrategy(compiled, s, cache), from, to, capital, cfg);
  return { trades: sim.trades, exitReasons: sim.exitReasons.map((r) => EXIT_REASON_NAMES[r]), equity: sim.equity, cash: sim.finalEquity };
};

export const paperPath = (
  compiled: CompiledGenome,
  s: CandleSeries,
  from: number,
  to: number,
  cfg: FillConfig,
  capital: number,
  cache: IndicatorCache,
): PathResult => {
  const session = paperSession([{ compiled, series: s, from, to }], cache, { fill: cfg, initialCapital: capital });
  session.run();
  const r = session.runners[0]!;
  expect(r.refusals, 'orders refused or rejected on the paper path').to.deep.equal([]);
  // The venue's books and the runner's agree, bit for bit.
  expect(Object.is(session.exchange.cash('acct-0'), r.balance), 'paper exchange cash = runner cash').to.equal(true);
  return { trades: r.trades, exitReasons: r.exitReasons.map((x) => EXIT_REASON_NAMES[x]), equity: r.equity.slice(), cash: r.balance };
};

/** The first difference between the two paths (every number compared with Object.is), or undefined. */
export const firstDifference = (a: PathResult, b: PathResult): string | undefined => {
  if (a.trades.length !== b.trades.length) return `trade count ${a.trades.length} vs ${b.trades.length}`;
  for (let i = 0; i < a.trades.length; i++) {
    const x = a.trades[i]! as unknown as Record<string, unknown>;
    const y = b.trades[i]! as unknown as Record<string, unknown>;
    const keys = Object.keys(x);
    if (keys.join() !== Object.keys(y).join()) return `trade ${i}: fields ${keys.join()} vs ${Object.keys(y).join()}`;
    for (const k of keys) if (!Object.is(x[k], y[k])) return `trade ${i}.${k}: ${String(x[k])} vs ${String(y[k])}`;
    if (a.exitReasons[i] !== b.exitReasons[i]) return `trade ${i} exit reason: ${a.exitReasons[i]} vs ${b.exitReasons[i]}`;
  }
  if (a.equity.length !== b.equity.length) return `equity length ${a.equity.length} vs ${b.equity.length}`;
  for (let i = 0; i < a.equity.length; i++) if (!Object.is(a.equity[i], b.equity[i])) return `equity at close ${i}: ${a.equity[i]} vs ${b.equity[i]}`;
  if (!Object.is(a.cash, b.cash)) return `final cash ${a.cash} vs ${b.cash}`;
  return undefined;
};
