// A risk gate that allows every order: for tests and benchmarks of the runner and the paper exchange on their own,
// until the real gate (application/trading/risk-gate.ts) is wired in. Its name says what it does.
import { right } from 'fp-ts/lib/Either.js';
import type { RiskGate } from '../../application/ports/risk-gate.js';
import type { RiskLimits } from '../../domain/risk/limits.js';

export const allowAll: RiskGate = { check: () => right(undefined) };

/** Risk limits no order of a test comes near (the engine a test compares with knows no risk gate). */
export const LOOSE_RISK_LIMITS = {
  maxPositionNotional: 1e12,
  maxSymbolExposure: 10,
  maxPortfolioExposure: 10,
  maxOpenPositions: 10,
  dailyLossLimit: 0.99,
  maxDrawdown: 0.99,
} as unknown as RiskLimits;
