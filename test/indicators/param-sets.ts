// Parameter settings the indicator tests run every catalog indicator with: the usual one, and the catalog's corners.
import { INDICATORS, type IndicatorName } from '../../domain/indicators/catalog.js';
import type { IndicatorParams } from '../../domain/indicators/params.js';

export const TYPICAL: Readonly<Record<IndicatorName, IndicatorParams>> = {
  sma: { period: 20 },
  ema: { period: 20 },
  wma: { period: 20 },
  dema: { period: 20 },
  tema: { period: 20 },
  rsi: { period: 14 },
  macd: { short: 12, long: 26, signal: 9 },
  bbands: { period: 20, stddev: 2 },
  atr: { period: 14 },
  adx: { period: 14 },
  stoch: { k: 14, kslow: 3, d: 3 },
  obv: {},
  cci: { period: 20 },
  mfi: { period: 14 },
  willr: { period: 14 },
  roc: { period: 10 },
  vwma: { period: 20 },
  vwap: { period: 24 },
  stddev: { period: 20 },
};

/** The typical setting, then every combination of each parameter's min, typical and max (macd kept to short ≤ long). */
export const paramGrid = (name: IndicatorName): IndicatorParams[] => {
  const typical = TYPICAL[name];
  let grid: Record<string, number>[] = [{}];
  for (const [param, range] of Object.entries(INDICATORS[name].params)) {
    const values = [...new Set([range.min, typical[param]!, range.max])];
    grid = grid.flatMap((g) => values.map((v) => ({ ...g, [param]: v })));
  }
  const rest = grid.filter((g) => name !== 'macd' || g['short']! <= g['long']!);
  const key = (p: IndicatorParams) => JSON.stringify(p);
  return [typical, ...rest.filter((g) => key(g) !== key(typical))];
};
