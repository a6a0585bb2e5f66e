// The strategy lifecycle rules: Generated → Backtested → Filtered → Paper → Live → Retired,
// Live → Paper on deactivation, and any state but Retired → Retired.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { beatsByMargin, MAX_ACTIVE_STRATEGIES_RANGE, REPLACEMENT_MARGIN_RANGE } from '../activation/policy.js';
import { SCORE_TOLERANCE, weightedSum } from '../activation/score.js';
import type { PolicyActivationDecision, StrategyCommand, StrategyCommandType } from './commands.js';
import type { ActivationDecision, StrategyEvent } from './events.js';
import { describeState, type StrategyState } from './state.js';

export interface IllegalTransition {
  readonly kind: 'IllegalTransition';
  readonly state: string;
  readonly command: StrategyCommandType;
  readonly message: string;
}

/** An activation whose decision breaks the limit or does not match itself; `rule` names what was broken. */
export type DecisionRefused = { readonly kind: 'DecisionRefused'; readonly message: string } & (
  | { readonly rule: 'MaximumOutOfRange'; readonly maxActiveStrategies: number; readonly min: number; readonly max: number }
  | { readonly rule: 'OverMaximum'; readonly activeAfter: number; readonly maxActiveStrategies: number }
  | { readonly rule: 'NotInDecision'; readonly strategyId: string; readonly activations: readonly string[] }
  | { readonly rule: 'ScoreMismatch'; readonly score: number; readonly weightedSum: number; readonly unweightedParts: readonly string[] }
  | { readonly rule: 'MarginOutOfRange'; readonly replacementMargin: number; readonly min: number; readonly max: number }
  | {
      readonly rule: 'WithinMargin';
      readonly activated: string;
      readonly activatedScore: number;
      readonly deactivated: string;
      readonly deactivatedScore: number;
      readonly replacementMargin: number;
    }
);

export type StrategyError = IllegalTransition | DecisionRefused;
type Decision = Either<StrategyError, readonly StrategyEvent[]>;

const illegal = (state: StrategyState, command: StrategyCommandType, why?: string): Decision =>
  either.left({
    kind: 'IllegalTransition',
    state: describeState(state),
    command,
    message: `${command} is not allowed when the strategy is ${describeState(state)}${why ? `: ${why}` : ''}`,
  });

const refused = (r: DecisionRefused): Decision => either.left(r);

/** The replacement margin a decision was taken with; one recorded before the margin existed has none: 0. */
export const recordedMargin = (d: ActivationDecision): number => d.thresholds['replacementMargin'] ?? 0;

const checkMarginRange = (d: ActivationDecision): Decision | undefined => {
  const margin = recordedMargin(d);
  const { min, max } = REPLACEMENT_MARGIN_RANGE;
  if (margin >= min && margin <= max) return undefined;
  return refused({
    kind: 'DecisionRefused',
    rule: 'MarginOutOfRange',
    replacementMargin: margin,
    min,
    max,
    message: `the replacement margin of ${margin} is outside ${min}–${max}`,
  });
};

/**
 * The recorded margin in its range, then the automation's hysteresis: a live strategy the decision takes off, unless it breached, is replaced only by a
 * candidate whose score beats its own by the recorded margin (with 0, a decision recorded before the margin: ranks
 * no lower). `own` is the strategy the decision is recorded for (its score is the decision's, checked against its
 * parts); the others' scores are the weighed candidates'. An operator's decision is theirs: a manual activation
 * makes room whatever the scores.
 */
const checkReplacements = (
  own: string,
  d: ActivationDecision,
  decidedBy: string,
  pairs: readonly (readonly [activated: string, deactivated: string])[],
): Decision | undefined => {
  const outOfRange = checkMarginRange(d);
  if (outOfRange !== undefined || decidedBy.startsWith('operator:')) return outOfRange;
  const margin = recordedMargin(d);
  const weighed = new Map(d.candidates.map((c) => [c.strategyId as string, c]));
  const scoreOf = (id: string) => (id === own ? d.score : weighed.get(id)?.score);
  for (const [activated, deactivated] of pairs) {
    const a = scoreOf(activated);
    const x = scoreOf(deactivated);
    // Only what the decision weighed can be judged; a breached strategy goes whatever its score.
    if (a === undefined || x === undefined || weighed.get(deactivated)?.breached === true) continue;
    if (!beatsByMargin(a, x, margin))
      return refused({
        kind: 'DecisionRefused',
        rule: 'WithinMargin',
        activated,
        activatedScore: a,
        deactivated,
        deactivatedScore: x,
        replacementMargin: margin,
        message: `${activated} (score ${a}) does not beat ${deactivated} (score ${x}) by the replacement margin of ${margin}: it may not replace it`,
      });
  }
  return undefined;
};

/** The policy's decision must hold together before the strategy goes live on it. */
const checkDecision = (strategyId: string, d: PolicyActivationDecision, decidedBy: string): Decision | undefined => {
  const { min, max } = MAX_ACTIVE_STRATEGIES_RANGE;
  const limit = d.maxActiveStrategies;
  if (limit < min || limit > max)
    return refused({
      kind: 'DecisionRefused',
      rule: 'MaximumOutOfRange',
      maxActiveStrategies: limit,
      min,
      max,
      message: `the maximum of ${limit} active strategies is outside ${min}–${max}`,
    });
  const activeAfter = d.activeStrategies - d.deactivations.length + d.activations.length;
  if (activeAfter > limit)
    return refused({
      kind: 'DecisionRefused',
      rule: 'OverMaximum',
      activeAfter,
      maxActiveStrategies: limit,
      message: `the decision leaves ${activeAfter} active (${d.activeStrategies} − ${d.deactivations.length} + ${d.activations.length}), over the maximum of ${limit}`,
    });
  if (!d.activations.includes(strategyId as (typeof d.activations)[number]))
    return refused({
      kind: 'DecisionRefused',
      rule: 'NotInDecision',
      strategyId,
      activations: d.activations,
      message: `${strategyId} is not among the decision's ${d.activations.length} activations`,
    });
  const unweightedParts = [...Object.keys(d.scoreParts).filter((p) => !(p in d.weights)), ...Object.keys(d.weights).filter((p) => !(p in d.scoreParts))];
  const sum = weightedSum(d.weights, d.scoreParts);
  if (unweightedParts.length > 0 || !(Math.abs(d.score - sum) <= SCORE_TOLERANCE))
    return refused({
      kind: 'DecisionRefused',
      rule: 'ScoreMismatch',
      score: d.score,
      weightedSum: sum,
      unweightedParts,
      message:
        unweightedParts.length > 0
          ? `the parts and the weights do not name the same parts: ${unweightedParts.join(', ')}`
          : `the score ${d.score} is not the parts' weighted sum ${sum}`,
    });
  return checkReplacements(
    strategyId,
    d,
    decidedBy,
    d.deactivations.map((x) => [strategyId, x]),
  );
};

/** A deactivation the automation decided to make room for others is held to the same margin as their activations. */
const checkDeactivation = (strategyId: string, d: ActivationDecision | undefined, decidedBy: string): Decision | undefined => {
  if (d === undefined || d.activations === undefined || decidedBy.startsWith('operator:')) return undefined;
  if (!(d.deactivations ?? []).includes(strategyId as never)) return undefined;
  return checkReplacements(
    strategyId,
    d,
    decidedBy,
    d.activations.map((a) => [a, strategyId]),
  );
};

const emit = (event: StrategyEvent): Decision => either.right([event]);

export const decide = (command: StrategyCommand, state: StrategyState): Decision => {
  const strategyId = command.strategyId;
  switch (command.type) {
    case 'GenerateStrategy':
      if (state.status !== 'Initial') return illegal(state, command.type, 'the strategy already exists');
      return emit({ type: 'StrategyGenerated', data: { strategyId, genome: command.data.genome } });
    case 'RecordBacktest':
      if (state.status !== 'Generated') return illegal(state, command.type);
      return emit({ type: 'StrategyBacktested', data: { strategyId, result: command.data.result } });
    case 'FilterStrategy':
      if (state.status !== 'Backtested') return illegal(state, command.type);
      return emit({ type: 'StrategyFiltered', data: { strategyId, verdict: command.data.verdict } });
    case 'StartPaperTrading':
      if (state.status !== 'Filtered') return illegal(state, command.type);
      if (state.outcome === 'rejected') return illegal(state, command.type, 'the filter rejected it');
      return emit({ type: 'PaperTradingStarted', data: { ...command.data, strategyId } });
    case 'ActivateStrategy':
      if (state.status !== 'Paper') return illegal(state, command.type);
      if (state.evaluation === 'rejected') return illegal(state, command.type, 'its paper period was rejected');
      return (
        checkDecision(strategyId, command.data.decision, command.data.decidedBy) ?? emit({ type: 'StrategyActivated', data: { ...command.data, strategyId } })
      );
    case 'DeactivateStrategy':
      if (state.status !== 'Live') return illegal(state, command.type);
      return (
        checkDeactivation(strategyId, command.data.decision, command.data.decidedBy) ??
        emit({ type: 'StrategyDeactivated', data: { ...command.data, strategyId } })
      );
    case 'RetireStrategy':
      if (state.status === 'Initial' || state.status === 'Retired') return illegal(state, command.type);
      return emit({ type: 'StrategyRetired', data: { ...command.data, strategyId, fromState: describeState(state) } });
    case 'EvaluatePaperTrading':
      if (state.status !== 'Paper') return illegal(state, command.type);
      if (state.evaluation !== undefined) return illegal(state, command.type, `its paper period was already judged ${state.evaluation}`);
      return emit({ type: 'PaperTradingEvaluated', data: { ...command.data, strategyId } });
    case 'PinStrategy':
      if (state.status !== 'Paper' && state.status !== 'Live') return illegal(state, command.type, 'only a strategy in paper or live can be pinned');
      if (state.pinned) return illegal(state, command.type, 'it is already pinned');
      return emit({ type: 'StrategyPinned', data: { ...command.data, strategyId } });
    case 'UnpinStrategy':
      if ((state.status !== 'Paper' && state.status !== 'Live') || !state.pinned) return illegal(state, command.type, 'it is not pinned');
      return emit({ type: 'StrategyUnpinned', data: { ...command.data, strategyId } });
    default: {
      const unknown: never = command;
      throw new Error(`decide: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};
