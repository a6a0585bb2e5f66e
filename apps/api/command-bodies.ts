// The HTTP bodies of the strategy commands: io-ts codecs, and how each becomes a domain command.
import * as t from 'io-ts';
import { Actor, IdString, Reason } from '../../domain/primitives/codecs.js';
import { ActivationDecision, BacktestResult, FilterVerdict } from '../../domain/strategy/events.js';
import { Genome } from '../../domain/strategy/genome.js';
import { PolicyActivationDecision, type StrategyCommand } from '../../domain/strategy/commands.js';
import type { Uuid } from '../../domain/primitives/codecs.js';

const Revision = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Revision');
// The correlation id goes into every event's metadata: the same bound as there.
const Envelope = t.partial({ expectedRevision: Revision, correlationId: IdString });
const SystemCommand = t.intersection([Envelope, t.partial({ actor: Actor })]);
const OperatorCommand = t.intersection([Envelope, t.type({ actor: Actor, reason: Reason })]);

export const GenerateBody = t.intersection([t.type({ genome: Genome }), t.partial({ actor: Actor, correlationId: IdString })]);

interface LifecycleRoute<C extends t.Mixed> {
  readonly codec: C;
  /** Operator commands must say who and why. */
  readonly operator: boolean;
  readonly toCommand: (strategyId: Uuid, body: t.TypeOf<C>) => StrategyCommand;
}

const route = <C extends t.Mixed>(r: LifecycleRoute<C>) => r;

/** `POST /api/strategies/:id/<name>` for each lifecycle command. */
export const LIFECYCLE_ROUTES = {
  'record-backtest': route({
    codec: t.intersection([SystemCommand, t.type({ result: BacktestResult })]),
    operator: false,
    toCommand: (strategyId, b) => ({ type: 'RecordBacktest', strategyId, data: { result: b.result } }),
  }),
  filter: route({
    codec: t.intersection([SystemCommand, t.type({ verdict: FilterVerdict })]),
    operator: false,
    toCommand: (strategyId, b) => ({ type: 'FilterStrategy', strategyId, data: { verdict: b.verdict } }),
  }),
  'start-paper': route({
    codec: OperatorCommand,
    operator: true,
    toCommand: (strategyId, b) => ({ type: 'StartPaperTrading', strategyId, data: { decidedBy: b.actor, reason: b.reason } }),
  }),
  activate: route({
    codec: t.intersection([OperatorCommand, t.type({ decision: PolicyActivationDecision })]),
    operator: true,
    toCommand: (strategyId, b) => ({ type: 'ActivateStrategy', strategyId, data: { decidedBy: b.actor, reason: b.reason, decision: b.decision } }),
  }),
  deactivate: route({
    codec: t.intersection([OperatorCommand, t.partial({ decision: ActivationDecision })]),
    operator: true,
    toCommand: (strategyId, b) => ({
      type: 'DeactivateStrategy',
      strategyId,
      data: { decidedBy: b.actor, reason: b.reason, ...(b.decision ? { decision: b.decision } : {}) },
    }),
  }),
  retire: route({
    codec: OperatorCommand,
    operator: true,
    toCommand: (strategyId, b) => ({ type: 'RetireStrategy', strategyId, data: { decidedBy: b.actor, reason: b.reason } }),
  }),
  // The automation neither deactivates nor retires a pinned strategy (doc/operator.md).
  pin: route({
    codec: OperatorCommand,
    operator: true,
    toCommand: (strategyId, b) => ({ type: 'PinStrategy', strategyId, data: { decidedBy: b.actor, reason: b.reason } }),
  }),
  unpin: route({
    codec: OperatorCommand,
    operator: true,
    toCommand: (strategyId, b) => ({ type: 'UnpinStrategy', strategyId, data: { decidedBy: b.actor, reason: b.reason } }),
  }),
} as const;

export type LifecycleRouteName = keyof typeof LIFECYCLE_ROUTES;
export const LIFECYCLE_ROUTE_NAMES = Object.keys(LIFECYCLE_ROUTES) as LifecycleRouteName[];
