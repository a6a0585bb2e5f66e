// The up-front checks of POST /api/backtests: the pure plan checks first (no I/O), then what the candle store holds
// (domain/backtest/request-limits.ts). A request that fails any of them is answered 400 before anything is stored.
import type { CandleCoverage } from '../../application/ports/candle-coverage.js';
import type { Clock } from '../../application/ports/clock.js';
import type { BacktestLimits } from '../../domain/backtest/limits.js';
import { coverageProblems, planProblems, type BacktestRequestPlan } from '../../domain/backtest/request-limits.js';
import type { FieldError } from '../../domain/primitives/decode-errors.js';

export interface BacktestLimitDeps {
  readonly candles: CandleCoverage;
  readonly clock: Clock;
  readonly limits: BacktestLimits;
  readonly genomeMaxSymbols: number;
}

export const backtestRequestProblems = async (deps: BacktestLimitDeps, plan: BacktestRequestPlan): Promise<FieldError[]> => {
  const planned = planProblems(plan, deps.clock.now().getTime(), deps.limits, deps.genomeMaxSymbols);
  if (planned.length > 0) return planned;
  const exchangeKnown = await deps.candles.hasExchange(plan.exchange);
  if (!exchangeKnown) return coverageProblems(plan, { exchangeKnown, series: {} }, deps.limits);
  const series = Object.fromEntries(
    await Promise.all(
      plan.symbols.map(
        async (symbol) => [symbol, await deps.candles.coverage({ exchange: plan.exchange, symbol, interval: plan.interval }, plan.period)] as const,
      ),
    ),
  );
  return coverageProblems(plan, { exchangeKnown, series }, deps.limits);
};

/**
 * Symbols per genome (GENOME_MAX_SYMBOLS), read off the raw body at `path` before any codec looks at the elements:
 * a genome with 50,000 symbols is one problem, not 50,000.
 */
export const symbolCountProblem = (raw: unknown, path: readonly string[], max: number): FieldError | undefined => {
  let node = raw;
  for (const key of path)
    node = typeof node === 'object' && node !== null && !Array.isArray(node) && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  return Array.isArray(node) && node.length > max
    ? { path: path.join('.'), message: `${node.length} symbols, at most ${max} per genome (GENOME_MAX_SYMBOLS)` }
    : undefined;
};
