// The command side of a strategy: the strategy decider through the one command handler (application/commands),
// with what a strategy adds: a command other than GenerateStrategy needs an existing strategy, and a refusal says
// the current revision.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { decide, type DecisionRefused, type IllegalTransition, type StrategyError } from '../../domain/strategy/decide.js';
import { strategyStream, type StrategyEvent } from '../../domain/strategy/events.js';
import { describeState, evolve, initialState, type StrategyState } from '../../domain/strategy/state.js';
import { handleCommand, loadStream, type CommandContext, type CommandDeps, type LoadedStream } from '../commands/handle-command.js';
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

export const handleStrategyCommand = async (
  deps: StrategyCommandDeps,
  command: StrategyCommand,
  ctx: CommandContext,
): Promise<Either<StrategyCommandError, CommandAccepted>> => {
  const handled = await handleCommand<StrategyCommand, StrategyEvent, StrategyState, StrategyError, StrategyCommandError>(
    deps,
    strategyDecider,
    strategyStream(command.strategyId),
    command,
    ctx,
    {
      refuse: (loaded) =>
        command.type !== 'GenerateStrategy' && loaded.revision === undefined ? { kind: 'StrategyNotFound', strategyId: command.strategyId } : undefined,
      refused: (error, loaded) => ({ ...error, currentRevision: loaded.revision === undefined ? -1 : Number(loaded.revision) }),
    },
  );
  if (either.isLeft(handled)) return handled;
  return either.right({
    strategyId: command.strategyId,
    revision: handled.right.revision,
    state: describeState(handled.right.state),
    events: handled.right.events,
  });
};
