// The strategy lifecycle rules: Generated → Backtested → Filtered → Paper → Live → Retired,
// Live → Paper on deactivation, and any state but Retired → Retired.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { StrategyCommand, StrategyCommandType } from './commands.js';
import type { StrategyEvent } from './events.js';
import { describeState, type StrategyState } from './state.js';

export interface IllegalTransition {
  readonly kind: 'IllegalTransition';
  readonly state: string;
  readonly command: StrategyCommandType;
  readonly message: string;
}

export type StrategyError = IllegalTransition;
type Decision = Either<StrategyError, readonly StrategyEvent[]>;

const illegal = (state: StrategyState, command: StrategyCommandType, why?: string): Decision =>
  either.left({
    kind: 'IllegalTransition',
    state: describeState(state),
    command,
    message: `${command} is not allowed when the strategy is ${describeState(state)}${why ? `: ${why}` : ''}`,
  });

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
      return emit({ type: 'StrategyActivated', data: { ...command.data, strategyId } });
    case 'DeactivateStrategy':
      if (state.status !== 'Live') return illegal(state, command.type);
      return emit({ type: 'StrategyDeactivated', data: { ...command.data, strategyId } });
    case 'RetireStrategy':
      if (state.status === 'Initial' || state.status === 'Retired') return illegal(state, command.type);
      return emit({ type: 'StrategyRetired', data: { ...command.data, strategyId, fromState: describeState(state) } });
    default: {
      const unknown: never = command;
      throw new Error(`decide: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};
