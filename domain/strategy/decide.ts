// The strategy lifecycle rules: Generated → Backtested → Filtered → Paper → Live → Retired,
// Live → Paper on deactivation, and any state but Retired → Retired.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { MAX_ACTIVE_STRATEGIES_RANGE } from '../activation/policy.js';
import { SCORE_TOLERANCE, weightedSum } from '../activation/score.js';
import type { PolicyActivationDecision, StrategyCommand, StrategyCommandType } from './commands.js';
import type { StrategyEvent } from './events.js';
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

/** The policy's decision must hold together before the strategy goes live on it. */
const checkDecision = (strategyId: string, d: PolicyActivationDecision): Decision | undefined => {
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
  return undefined;
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
      return checkDecision(strategyId, command.data.decision) ?? emit({ type: 'StrategyActivated', data: { ...command.data, strategyId } });
    case 'DeactivateStrategy':
      if (state.status !== 'Live') return illegal(state, command.type);
      return emit({ type: 'StrategyDeactivated', data: { ...command.data, strategyId } });
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
