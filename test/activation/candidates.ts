// Four candidates whose activation scores were worked out by hand (policy.unit.test.ts and pins-manual.unit.test.ts
// share them), and the policy run on them with the defaults.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { DEFAULT_ACTIVATION_SETTINGS, decideActivation, type PolicyDecision, type PolicyInput } from '../../domain/activation/policy.js';
import type { CandidateFigures } from '../../domain/activation/score.js';

export const HOUR = 3_600_000;
export const NOW = Date.UTC(2026, 0, 10, 12);
export const A = 'aaaaaaaa-0000-4000-8000-000000000001';
export const B = 'bbbbbbbb-0000-4000-8000-000000000002';
export const C = 'cccccccc-0000-4000-8000-000000000003';
export const D = 'dddddddd-0000-4000-8000-000000000004';

// Scores by hand (weights .5 / .25 / .15 / .10; Sharpe 3 = full part; drawdown 50% = nothing; regime trend_low_vol):
// A: perf 1.5/3 = .5, backtest (held-out) 1.2/3 = .4, regime match 1, risk 1 − .1/.5 = .8 → .25 + .1 + .15 + .08 = .58
// B: perf (0.6·10 + 2.4·20)/30 = 1.8 → .6, backtest .9/3 = .3, regime mismatch 0, risk 1 − .2/.5 = .6 → .3 + .075 + 0 + .06 = .435
// C: perf missing 0, backtest 4.5/3 → 1 (capped), regime unknown .5, risk missing 0 → 0 + .25 + .075 + 0 = .325
// D: perf 3.6/3 → 1, backtest 3/3 = 1, regime match 1, risk 1 − .05/.5 = .9 → .5 + .25 + .15 + .09 = .99
export const figures: Record<string, CandidateFigures> = {
  A: { strategyId: A, paper: { sharpe: 1.5, days: 7 }, backtest: { sharpe: 2, outOfSampleSharpe: 1.2 }, regime: 'trend_low_vol', maxDrawdown: 0.1 },
  B: {
    strategyId: B,
    paper: { sharpe: 0.6, days: 10 },
    live: { sharpe: 2.4, days: 20 },
    backtest: { sharpe: 0.9 },
    regime: 'range_high_vol',
    maxDrawdown: 0.2,
  },
  C: { strategyId: C, backtest: { sharpe: 4.5 } },
  D: { strategyId: D, paper: { sharpe: 3.6, days: 7 }, backtest: { sharpe: 1, outOfSampleSharpe: 3 }, regime: 'trend_low_vol', maxDrawdown: 0.05 },
};

export const input = (over: Partial<PolicyInput>): PolicyInput => ({
  candidates: Object.values(figures),
  live: [],
  now: NOW,
  currentRegime: 'trend_low_vol',
  settings: DEFAULT_ACTIVATION_SETTINGS,
  ...over,
});

export const run = (i: PolicyInput): PolicyDecision => {
  const d = decideActivation(i);
  if (either.isLeft(d)) return expect.fail(d.left.message);
  return d.right;
};
