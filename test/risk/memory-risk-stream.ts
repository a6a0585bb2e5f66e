// The risk stream in memory for the gate's unit tests: each recorded command is decided by the real risk decider
// against the events so far, as the one command handler would (without a store).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { RiskCommand } from '../../domain/risk/commands.js';
import { decideRisk } from '../../domain/risk/decide.js';
import type { RiskEvent } from '../../domain/risk/events.js';
import { evolveRisk, initialRiskState } from '../../domain/risk/state.js';

export const memoryRiskStream = () => {
  const events: RiskEvent[] = [];
  const commands: RiskCommand[] = [];
  const record = async (command: RiskCommand): Promise<Either<unknown, unknown>> => {
    commands.push(command);
    const decided = decideRisk(command, events.reduce(evolveRisk, initialRiskState()));
    if (either.isRight(decided)) events.push(...decided.right);
    return decided;
  };
  return { events, commands, record };
};
