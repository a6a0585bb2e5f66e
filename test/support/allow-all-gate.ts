// A risk gate that allows every order: for tests and benchmarks of the runner and the paper exchange on their own,
// until the real gate (application/trading/risk-gate.ts) is wired in. Its name says what it does.
import { right } from 'fp-ts/lib/Either.js';
import type { RiskGate } from '../../application/ports/risk-gate.js';

export const allowAll: RiskGate = { check: () => right(undefined) };
