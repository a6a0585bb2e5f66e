// The policy's decision as one strategy's activation or deactivation records it: that strategy's score, parts and
// inputs, the whole change, and every candidate weighed. Decoded through the event's codec here, so what the
// policy hands the decider is something the store can read back (ids must be UUIDs, at most 1000 candidates).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { fieldErrors, type FieldError } from '../primitives/decode-errors.js';
import { PolicyActivationDecision } from '../strategy/commands.js';
import { SCORE_SCALES } from './score.js';
import type { PolicyDecision } from './policy.js';

export const decisionRecord = (d: PolicyDecision, strategyId: string): Either<readonly FieldError[], PolicyActivationDecision> => {
  const own = d.weighed.find((w) => w.strategyId === strategyId);
  if (own === undefined) return either.left([{ path: 'strategyId', message: `${strategyId} was not weighed by this decision` }]);
  const decoded = PolicyActivationDecision.decode({
    score: own.score,
    scoreParts: own.parts,
    weights: d.settings.weights,
    inputs: own.inputs,
    missing: own.missing,
    candidates: d.weighed.map((w) => ({ strategyId: w.strategyId, score: w.score, parts: w.parts, live: w.live, breached: w.breached })),
    thresholds: {
      ...SCORE_SCALES,
      minIntervalMs: d.settings.minIntervalMs,
      minActiveStrategies: d.minActiveStrategies,
      replacementMargin: d.settings.replacementMargin,
    },
    maxActiveStrategies: d.settings.maxActiveStrategies,
    activeStrategies: d.liveBefore.length,
    activations: d.activate.map((w) => w.strategyId),
    deactivations: d.deactivate.map((w) => w.strategyId),
    decidedAt: d.decidedAt,
    ...(d.lastChangeAt !== undefined ? { lastChangeAt: d.lastChangeAt } : {}),
    held: d.held,
    ...(d.currentRegime !== undefined ? { currentRegime: d.currentRegime } : {}),
  });
  return either.isLeft(decoded) ? either.left(fieldErrors(decoded.left)) : either.right(decoded.right);
};
