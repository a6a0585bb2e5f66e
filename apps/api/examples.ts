// Example bodies for every command, shown in /openapi.json and checked by the tests to decode.
import { rsiMeanReversionGenome } from '../../domain/strategy/templates.js';
import type { LifecycleRouteName } from './command-bodies.js';

export const exampleGenerate = { genome: rsiMeanReversionGenome(), actor: 'operator:alice' };

const decision = {
  score: 1.42,
  scoreParts: { sharpe: 0.9, paperReturn: 0.32, drawdownPenalty: -0.1, consistency: 0.3 },
  candidates: [
    { strategyId: '0b6f1c7e-8a55-4d3c-9a55-2f9d1e6b7c10', score: 1.42 },
    { strategyId: '5d2e8f11-0c4b-4f7a-8e6d-3a9b2c1d0e4f', score: 1.17 },
  ],
  thresholds: { minScore: 1.0, minPaperDays: 7, maxDrawdown: 0.15 },
  maxActiveStrategies: 5,
  activeStrategies: 3,
};

export const exampleCommands: Record<LifecycleRouteName, unknown> = {
  'record-backtest': {
    expectedRevision: 0,
    actor: 'worker:backtest-1',
    result: {
      metrics: { totalReturn: 0.184, sharpe: 1.35, sortino: 1.9, maxDrawdown: 0.082, winRate: 0.56, trades: 41 },
      outOfSampleMetrics: { totalReturn: 0.041, sharpe: 0.88, maxDrawdown: 0.051, trades: 9 },
      window: { start: '2023-09-01T00:00:00.000Z', end: '2023-11-30T00:00:00.000Z' },
      timeframe: '1h',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      dataFingerprint: 'sha256:3f0a9c…',
      engineVersion: '1.0.0',
    },
  },
  filter: {
    expectedRevision: 1,
    actor: 'system:filter',
    verdict: {
      outcome: 'passed',
      reasons: ['out-of-sample Sharpe 0.88 >= 0.5', 'max drawdown 8.2% <= 20%'],
      thresholds: { minSharpe: 0.5, maxDrawdown: 0.2 },
      score: 0.88,
    },
  },
  'start-paper': { expectedRevision: 2, actor: 'system:scheduler', reason: 'passed the daily filter; paper slot free' },
  activate: { expectedRevision: 3, actor: 'operator:alice', reason: 'best paper score after 14 days', decision },
  deactivate: { expectedRevision: 4, actor: 'system:activation-policy', reason: 'drawdown 16% breached the 15% limit', decision: { ...decision, score: 0.4 } },
  retire: { actor: 'operator:alice', reason: 'edge gone after the regime change' },
};

export const exampleBacktest = {
  genome: rsiMeanReversionGenome(),
  symbols: ['BTCUSDT', 'ETHUSDT'],
  interval: '1h',
  period: { from: '2023-09-01T00:00:00.000Z', to: '2023-12-01T00:00:00.000Z' },
  settings: { takerFee: 0.001, makerFee: 0.0005, slippage: 0.0002, initialCapital: 25_000, sizing: { mode: 'lot', lotSize: 0.001 } },
  actor: 'operator:alice',
};

/** An equity daily series: tickers on nasdaq, zero fees, whole shares; bars per year derived (252). */
export const exampleEquityBacktest = {
  genome: { ...rsiMeanReversionGenome(), symbols: ['GOOG'], timeframe: '1d' },
  exchange: 'nasdaq',
  period: { from: '2010-01-01T00:00:00.000Z', to: '2013-01-01T00:00:00.000Z' },
  settings: { takerFee: 0, makerFee: 0, initialCapital: 50_000, sizing: { mode: 'whole' } },
};
