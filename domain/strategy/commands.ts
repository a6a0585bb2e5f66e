// What can be asked of a strategy. Commands are intentions; decide() turns them into events or refuses.
import * as t from 'io-ts';
import { Actor, Reason, type Uuid } from '../primitives/codecs.js';
import { Genome } from './genome.js';
import { ActivationDecision, BacktestResult, FilterVerdict, PaperEvaluation, PolicyFields } from './events.js';

const Operator = { decidedBy: Actor, reason: Reason };

/** An activation must carry the policy's whole decision: the decider checks the strategy against it. */
export const PolicyActivationDecision = t.intersection([ActivationDecision, t.type(PolicyFields)], 'PolicyActivationDecision');
export type PolicyActivationDecision = t.TypeOf<typeof PolicyActivationDecision>;

/** The body of each lifecycle command as it arrives from outside (HTTP, CLI, queue). */
export const StrategyCommandData = {
  GenerateStrategy: t.type({ genome: Genome }),
  RecordBacktest: t.type({ result: BacktestResult }),
  FilterStrategy: t.type({ verdict: FilterVerdict }),
  StartPaperTrading: t.type(Operator),
  ActivateStrategy: t.type({ ...Operator, decision: PolicyActivationDecision }),
  DeactivateStrategy: t.intersection([t.type(Operator), t.partial({ decision: ActivationDecision })]),
  RetireStrategy: t.type(Operator),
  EvaluatePaperTrading: t.type({ ...Operator, evaluation: PaperEvaluation }),
  PinStrategy: t.type(Operator),
  UnpinStrategy: t.type(Operator),
} as const;

export type StrategyCommandType = keyof typeof StrategyCommandData;
export type StrategyCommandOf<K extends StrategyCommandType> = {
  readonly type: K;
  readonly strategyId: Uuid;
  readonly data: t.TypeOf<(typeof StrategyCommandData)[K]>;
};
export type StrategyCommand = { [K in StrategyCommandType]: StrategyCommandOf<K> }[StrategyCommandType];
export const STRATEGY_COMMAND_TYPES = Object.keys(StrategyCommandData) as StrategyCommandType[];
