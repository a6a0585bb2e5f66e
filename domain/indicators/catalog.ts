// The indicators a genome may use, their parameters with legal ranges, their inputs and their outputs.
// Names follow tulind (the reference implementation; vwap is ours); a genome is only valid if it stays inside this table.

export type PriceInput = 'open' | 'high' | 'low' | 'close' | 'volume';

export interface ParamSpec {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

export interface IndicatorSpec {
  readonly description: string;
  readonly inputs: readonly PriceInput[];
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly outputs: readonly string[];
}

const period = (min = 2, max = 500): ParamSpec => ({ min, max, integer: true });

export const INDICATORS = {
  sma: { description: 'Simple moving average', inputs: ['close'], params: { period: period() }, outputs: ['value'] },
  ema: { description: 'Exponential moving average', inputs: ['close'], params: { period: period() }, outputs: ['value'] },
  wma: { description: 'Weighted moving average', inputs: ['close'], params: { period: period() }, outputs: ['value'] },
  dema: { description: 'Double exponential moving average', inputs: ['close'], params: { period: period() }, outputs: ['value'] },
  tema: { description: 'Triple exponential moving average', inputs: ['close'], params: { period: period() }, outputs: ['value'] },
  rsi: { description: 'Relative strength index', inputs: ['close'], params: { period: period(2, 100) }, outputs: ['value'] },
  macd: {
    description: 'Moving average convergence/divergence',
    inputs: ['close'],
    params: { short: period(2, 100), long: period(3, 200), signal: period(2, 100) },
    outputs: ['macd', 'signal', 'histogram'],
  },
  bbands: {
    description: 'Bollinger bands',
    inputs: ['close'],
    params: { period: period(2, 200), stddev: { min: 0.5, max: 5, integer: false } },
    outputs: ['lower', 'middle', 'upper'],
  },
  atr: { description: 'Average true range', inputs: ['high', 'low', 'close'], params: { period: period(2, 100) }, outputs: ['value'] },
  adx: { description: 'Average directional movement index', inputs: ['high', 'low', 'close'], params: { period: period(2, 100) }, outputs: ['value'] },
  stoch: {
    description: 'Stochastic oscillator',
    inputs: ['high', 'low', 'close'],
    params: { k: period(2, 100), kslow: period(1, 50), d: period(1, 50) },
    outputs: ['k', 'd'],
  },
  obv: { description: 'On-balance volume', inputs: ['close', 'volume'], params: {}, outputs: ['value'] },
  cci: { description: 'Commodity channel index', inputs: ['high', 'low', 'close'], params: { period: period(2, 200) }, outputs: ['value'] },
  mfi: { description: 'Money flow index', inputs: ['high', 'low', 'close', 'volume'], params: { period: period(2, 100) }, outputs: ['value'] },
  willr: { description: 'Williams %R', inputs: ['high', 'low', 'close'], params: { period: period(2, 100) }, outputs: ['value'] },
  roc: { description: 'Rate of change', inputs: ['close'], params: { period: period(1, 200) }, outputs: ['value'] },
  vwma: { description: 'Volume-weighted moving average', inputs: ['close', 'volume'], params: { period: period() }, outputs: ['value'] },
  // Not in tulind: implemented in fast/volume.ts. Rolling (not session-anchored): crypto trades around the clock.
  vwap: {
    description: 'Rolling volume-weighted average price of the typical price (high+low+close)/3',
    inputs: ['high', 'low', 'close', 'volume'],
    params: { period: period() },
    outputs: ['value'],
  },
  stddev: { description: 'Standard deviation over a period', inputs: ['close'], params: { period: period(2, 200) }, outputs: ['value'] },
} as const satisfies Record<string, IndicatorSpec>;

export type IndicatorName = keyof typeof INDICATORS;
export const INDICATOR_NAMES = Object.keys(INDICATORS) as IndicatorName[];

export const indicatorSpec = (name: IndicatorName): IndicatorSpec => INDICATORS[name];
