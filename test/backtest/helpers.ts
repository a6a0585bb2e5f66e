// Hand-made bars and genomes for the backtest tests.
import { emptySeries, type CandleSeries } from '../../domain/market/candles.js';
import type { Genome } from '../../domain/strategy/genome.js';

export const H = 3_600_000;
export const T0 = Date.UTC(2023, 0, 1);

/** Bars from [open, high, low, close] rows, hourly from T0 (or at the given open times). */
export const bars = (rows: readonly (readonly [number, number, number, number])[], times?: readonly number[], symbol = 'TESTUSDT'): CandleSeries => {
  const s = emptySeries({ exchange: 'test', symbol, interval: '1h' }, rows.length);
  rows.forEach(([o, h, l, c], i) => {
    s.openTime[i] = times?.[i] ?? T0 + i * H;
    s.open[i] = o;
    s.high[i] = h;
    s.low[i] = l;
    s.close[i] = c;
    s.volume[i] = 1;
  });
  return s;
};

/** Flat bars at a price: open = high = low = close. */
export const flat = (prices: readonly number[]): [number, number, number, number][] => prices.map((p) => [p, p, p, p]);

/** A genome that enters when close > `above` and exits when close < `below` (no indicators). */
export const thresholdGenome = (above: number, below: number, extra: Partial<Record<keyof Genome, unknown>> = {}): unknown => ({
  strategyType: 'momentum',
  direction: 'long_only',
  indicators: [],
  entry: { mode: 'all', conditions: [{ left: { price: 'close' }, op: 'gt', right: { value: above } }] },
  exit: { mode: 'any', conditions: [{ left: { price: 'close' }, op: 'lt', right: { value: below } }] },
  exitRules: {},
  risk: { positionSize: 1, riskPerTrade: 0.02 },
  timeframe: '1h',
  symbols: ['TESTUSDT'],
  lineage: { generation: 0, parentIds: [], origin: 'manual' },
  ...extra,
});
