// The risk stream's command side for the gate: every command goes through the one command handler
// (application/commands/handle-command.ts) with the risk decider, and a gate opens from its account's stream.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { RiskCommand } from '../../domain/risk/commands.js';
import { riskDecider, type RiskError } from '../../domain/risk/decide.js';
import { riskStream, type RiskEvent } from '../../domain/risk/events.js';
import type { RiskState } from '../../domain/risk/state.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { handleCommand, loadStream, type CommandDeps, type CommandError, type Handled } from '../commands/handle-command.js';
import type { EventDecodeFailed } from '../events/decode-event.js';
import { AccountRiskGate, type RiskGateOptions } from './risk-gate.js';

export const GATE_ACTOR = 'system:risk-gate' as Actor;

/** Who a command is from: the operator it names, else the gate. */
const actorOf = (command: RiskCommand): Actor => ('decidedBy' in command.data ? command.data.decidedBy : GATE_ACTOR);

/**
 * A refusal is keyed by its order (a retried placement of the same order is the same refusal); a kill switch by its
 * trigger and time; an operator's command by nothing (each is a decision of its own).
 */
const idempotencyKeyOf = (command: RiskCommand): string | undefined => {
  if (command.type === 'RecordOrderRefusal') return `risk-refusal:${command.account}:${command.data.order.clientOrderId}`;
  if (command.type === 'EngageKillSwitch' && command.data.trigger !== 'manual')
    return `risk-trip:${command.account}:${command.data.trigger}:${command.data.time}`;
  return undefined;
};

export const recordRiskCommand =
  (deps: CommandDeps) =>
  (command: RiskCommand): Promise<Either<CommandError<RiskError>, Handled<RiskState>>> => {
    const key = idempotencyKeyOf(command);
    return handleCommand(deps, riskDecider, riskStream(command.account), command, { actor: actorOf(command), ...(key ? { idempotencyKey: key } : {}) });
  };

export const loadRiskState = async (deps: CommandDeps, account: string): Promise<Either<EventDecodeFailed, RiskState>> => {
  const loaded = await loadStream<RiskEvent, RiskState>(deps.store, riskStream(account), riskDecider);
  return either.isLeft(loaded) ? loaded : either.right(loaded.right.state);
};

/** A gate for `account` with its stream's limits and kill switches, recording through the one command handler. */
export const openRiskGate = async (
  deps: CommandDeps,
  options: Omit<RiskGateOptions, 'state' | 'record'>,
): Promise<Either<EventDecodeFailed, AccountRiskGate>> => {
  const state = await loadRiskState(deps, options.account);
  if (either.isLeft(state)) return state;
  return either.right(new AccountRiskGate({ ...options, state: state.right, record: recordRiskCommand(deps) }));
};
