// An operator's activation (doc/operator.md): the policy's weighing with the operator's strategy forced in, so the
// decider's checks and the audit (score, parts, every candidate weighed) hold for a manual decision as for an
// automatic one. The minimum interval does not hold an operator back; the maximum does: at it, the lowest-ranked
// live strategy that is not pinned makes room.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { decideActivation, type Deactivation, type PolicyDecision, type PolicyInput, type PolicyInputInvalid } from './policy.js';

export interface ManualActivationRefused {
  readonly kind: 'ManualActivationRefused';
  readonly strategyId: string;
  readonly message: string;
}

export const manualActivation = (input: PolicyInput, strategyId: string): Either<PolicyInputInvalid | ManualActivationRefused, PolicyDecision> => {
  const refused = (message: string) => either.left<ManualActivationRefused>({ kind: 'ManualActivationRefused', strategyId, message });
  if (input.live.includes(strategyId)) return refused(`${strategyId} is already live`);
  const known = input.candidates.some((c) => c.strategyId === strategyId);
  // The policy's own weighing, free of the interval (an operator is not held by it) and with the operator's
  // strategy among the candidates even if the policy would not have listed it.
  const weighedBy = decideActivation({
    ...input,
    candidates: known ? input.candidates : [...input.candidates, { strategyId }],
    lastChangeAt: undefined,
  });
  if (either.isLeft(weighedBy)) return weighedBy;
  const d = weighedBy.right;
  const own = d.weighed.find((w) => w.strategyId === strategyId)!;
  const live = d.weighed.filter((w) => w.live);
  const max = input.settings.maxActiveStrategies;
  let deactivate: Deactivation[] = [];
  if (live.length >= max) {
    const unpinned = live.filter((w) => !w.pinned);
    const excess = live.length + 1 - max;
    if (unpinned.length < excess)
      return refused(
        `${live.length} strategies are live (the maximum is ${max}) and ${live.length - unpinned.length} of them are pinned: unpin one or raise maxActiveStrategies`,
      );
    // Weighed is best first: the last ones are the lowest-ranked.
    deactivate = unpinned.slice(-excess).map((w) => ({ ...w, cause: 'outranked' as const }));
  }
  const leaving = new Set(deactivate.map((x) => x.strategyId));
  return either.right({
    ...d,
    ...(input.lastChangeAt !== undefined ? { lastChangeAt: input.lastChangeAt } : {}),
    held: false,
    activate: [own],
    deactivate,
    liveAfter: [...live.filter((w) => !leaving.has(w.strategyId)).map((w) => w.strategyId), strategyId],
  });
};
