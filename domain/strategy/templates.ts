// Hand-written genomes: the SMA crossover every engine is checked against, and the example the API documents.
import type { Genome } from './genome.js';

export const smaCrossoverGenome = (fast = 10, slow = 30, symbols: string[] = ['BTCUSDT'], timeframe: Genome['timeframe'] = '1h'): Genome =>
  ({
    strategyType: 'momentum',
    direction: 'long_only',
    indicators: [
      { id: 'fast', name: 'sma', params: { period: fast } },
      { id: 'slow', name: 'sma', params: { period: slow } },
    ],
    entry: { mode: 'all', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_above', right: { indicator: 'slow' } }] },
    exit: { mode: 'any', conditions: [{ left: { indicator: 'fast' }, op: 'crosses_below', right: { indicator: 'slow' } }] },
    exitRules: {},
    risk: { positionSize: 1, riskPerTrade: 0.02 },
    timeframe,
    symbols,
    lineage: { generation: 0, parentIds: [], origin: 'manual' },
  }) as unknown as Genome;

/** A richer example: RSI mean reversion with a Bollinger filter and every exit rule. */
export const rsiMeanReversionGenome = (): Genome =>
  ({
    strategyType: 'mean_reversion',
    direction: 'long_only',
    indicators: [
      { id: 'rsi14', name: 'rsi', params: { period: 14 } },
      { id: 'bb', name: 'bbands', params: { period: 20, stddev: 2 } },
    ],
    entry: {
      mode: 'all',
      conditions: [
        { left: { indicator: 'rsi14' }, op: 'lt', right: { value: 30 } },
        { left: { price: 'close' }, op: 'lt', right: { indicator: 'bb', output: 'lower' } },
      ],
    },
    exit: { mode: 'any', conditions: [{ left: { indicator: 'rsi14' }, op: 'gt', right: { value: 55 } }] },
    exitRules: { takeProfit: 0.04, stopLoss: 0.02, trailingStop: 0.015 },
    risk: { positionSize: 0.25, riskPerTrade: 0.01, maxOpenPositions: 2 },
    timeframe: '1h',
    symbols: ['BTCUSDT', 'ETHUSDT'],
    lineage: { generation: 0, parentIds: [], origin: 'manual' },
  }) as unknown as Genome;
