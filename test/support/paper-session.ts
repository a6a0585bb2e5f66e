// A paper session assembled for tests and benchmarks: strategy runners → a DirectRouter (risk gate, here allowAll
// unless given) → the paper exchange, candles replayed from series in memory. One account per runner.
import type { RiskGate } from '../../application/ports/risk-gate.js';
import { DirectRouter } from '../../application/trading/direct-router.js';
import { StrategyRunner } from '../../application/trading/runner.js';
import { replay } from '../../application/trading/runner-replay.js';
import { replayedSignals, type SignalSource } from '../../application/trading/runner-signals.js';
import { bindStrategy, type CompiledGenome } from '../../domain/backtest/compile.js';
import type { FillConfig } from '../../domain/execution/fill-model.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { PaperExchange } from '../../infrastructure/exchange/paper/paper-exchange.js';
import { allowAll } from './allow-all-gate.js';

export interface SessionStrategy {
  readonly compiled: CompiledGenome;
  readonly series: CandleSeries;
  /** Bar indices of the series to replay: [from, to). */
  readonly from: number;
  readonly to: number;
  /** Default: the replayed signal columns of the series. */
  readonly signals?: SignalSource;
}

/** Rules that let every fractional quantity and price through (the backtest's own sizing), for a symbol. */
export const fractionalMarket = (symbol: string): MarketRules =>
  ({ symbol, base: symbol.replace(/USDT$|USDC$/, ''), quote: 'USDT', amountStep: 1e-8, priceTick: 1e-8 }) as MarketRules;

export const paperSession = (
  strategies: readonly SessionStrategy[],
  cache: IndicatorCache,
  options: { readonly fill: FillConfig; readonly initialCapital: number; readonly gate?: RiskGate },
): { readonly runners: StrategyRunner[]; readonly exchange: PaperExchange; run(): void } => {
  const symbols = [...new Set(strategies.map((s) => s.series.key.symbol))];
  const exchange = new PaperExchange({
    markets: symbols.map(fractionalMarket),
    fill: options.fill,
    initialCapital: options.initialCapital,
    precision: 'fractional',
  });
  const router = new DirectRouter(options.gate ?? allowAll, exchange);
  exchange.subscribe({ onFill: (a, o, f) => router.onVenueFill(a, o, f), onOrderEnded: (a, o, r) => router.onVenueOrderEnded(a, o, r) });
  const runners = strategies.map((s, n) => {
    const runner = new StrategyRunner({
      account: `acct-${n}`,
      exchange: 'paper',
      symbol: s.series.key.symbol,
      compiled: s.compiled,
      fill: options.fill,
      initialCapital: options.initialCapital,
      router,
      signals: s.signals ?? replayedSignals(bindStrategy(s.compiled, s.series, cache), s.from, s.to),
      orderIdPrefix: `s${n}`,
    });
    router.listen(`acct-${n}`, runner);
    return runner;
  });
  // One strand per symbol: the venue's book sees each candle once, whoever trades it.
  const strands = symbols.map((symbol) => {
    const mine = strategies.flatMap((s, n) => (s.series.key.symbol === symbol ? [{ s, n }] : []));
    const { series, from, to } = mine[0]!.s;
    if (mine.some(({ s }) => s.series !== series || s.from !== from || s.to !== to))
      throw new Error(`paperSession: strategies on ${symbol} must replay one stretch of one series`);
    return { symbol, series, from, to, runners: mine.map(({ n }) => runners[n]!) };
  });
  return { runners, exchange, run: () => replay(exchange, strands) };
};
