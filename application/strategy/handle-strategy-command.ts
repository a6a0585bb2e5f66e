// The command side of a strategy: the strategy decider through the one command handler (application/commands),
// with what a strategy adds: a command other than GenerateStrategy needs an existing strategy, and a refusal says
// the current revision.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { decide, type DecisionRefused, type IllegalTransition, type StrategyError } from '../../domain/strategy/decide.js';
import { strategyStream, type StrategyEvent } from '../../domain/strategy/events.js';
import { describeState, evolve, initialState, type StrategyState } from '../../domain/strategy/state.js';
import {
  handleCommand,
  handleCommands,
  loadStream,
  type CommandContext,
  type CommandDeps,
  type CommandHooks,
  type CommandStep,
  type Handled,
  type LoadedStream,
} from '../commands/handle-command.js';
import type { EventDecodeFailed } from '../events/decode-event.js';
import type { EventRejected, PartialDuplicate, WrongExpectedRevision } from '../ports/event-store.js';

export type { CommandContext } from '../commands/handle-command.js';

export interface StrategyNotFound {
  readonly kind: 'StrategyNotFound';
  readonly strategyId: string;
}

export type StrategyCommandError =
  | StrategyNotFound
  | (IllegalTransition & { readonly currentRevision: number })
  | (DecisionRefused & { readonly currentRevision: number })
  | WrongExpectedRevision
  | PartialDuplicate
  | EventRejected
  | EventDecodeFailed;

export interface CommandAccepted {
  readonly strategyId: string;
  /** Revision of the stream's last event after the command. */
  readonly revision: number;
  readonly state: string;
  readonly events: readonly { readonly eventId: string; readonly type: string }[];
}

export type StrategyCommandDeps = CommandDeps;

const strategyDecider = { decide, evolve, initialState };

export type LoadedStrategy = LoadedStream<StrategyEvent, StrategyState>;

export const loadStrategy = (store: CommandDeps['store'], strategyId: string): Promise<Either<EventDecodeFailed, LoadedStrategy>> =>
  loadStream<StrategyEvent, StrategyState>(store, strategyStream(strategyId), strategyDecider);

/** What a strategy adds to the handler: a command other than GenerateStrategy needs the strategy; a refusal says its revision. */
const strategyHooks: CommandHooks<StrategyCommand, StrategyEvent, StrategyState, StrategyError, StrategyCommandError> = {
  refuse: (loaded, command) =>
    command.type !== 'GenerateStrategy' && loaded.revision === undefined ? { kind: 'StrategyNotFound', strategyId: command.strategyId } : undefined,
  refused: (error, loaded) => ({ ...error, currentRevision: loaded.revision === undefined ? -1 : Number(loaded.revision) }),
};

const accepted = (strategyId: string, handled: Handled<StrategyState>): CommandAccepted => ({
  strategyId,
  revision: handled.revision,
  state: describeState(handled.state),
  events: handled.events,
});

export const handleStrategyCommand = async (
  deps: StrategyCommandDeps,
  command: StrategyCommand,
  ctx: CommandContext,
): Promise<Either<StrategyCommandError, CommandAccepted>> => {
  const handled = await handleCommand(deps, strategyDecider, strategyStream(command.strategyId), command, ctx, strategyHooks);
  return either.map((h: Handled<StrategyState>) => accepted(command.strategyId, h))(handled);
};

/**
 * Commands on one strategy decided in order and appended at once (handleCommands: one read — none with `loaded` —
 * one append, all or nothing), e.g. the learning cycle's generate → record backtest → filter of each strategy.
 */
export const handleStrategyCommands = async (
  deps: StrategyCommandDeps,
  strategyId: StrategyCommand['strategyId'],
  steps: readonly CommandStep<StrategyCommand>[],
  loaded?: LoadedStrategy,
): Promise<Either<StrategyCommandError, CommandAccepted>> => {
  if (steps.some((s) => s.command.strategyId !== strategyId)) throw new Error(`handleStrategyCommands: every command must be for strategy ${strategyId}`);
  const handled = await handleCommands(deps, strategyDecider, strategyStream(strategyId), steps, strategyHooks, loaded);
  return either.map((h: Handled<StrategyState>) => accepted(strategyId, h))(handled);
};
