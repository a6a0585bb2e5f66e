// Load → decide → append for the alert decider (domain/alerts/decide.ts), on the stream of a de-duplication key. The
// evaluator, the dispatcher and the API can write to one stream at the same moment: a lost race is decided again on
// the fresh stream (a few times), never a silent overwrite.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { alertDecider, type AlertCommand, type AlertError, type AlertState } from '../../domain/alerts/decide.js';
import { ALERT_CATEGORY } from '../../domain/alerts/events.js';
import { handleCommand, type CommandContext, type CommandDeps, type CommandError, type Handled } from '../commands/handle-command.js';
import type { IdGenerator } from '../ports/ids.js';

export const alertStream = (ids: IdGenerator, dedupKey: string): string => `${ALERT_CATEGORY}-${ids.idFor(`alert-stream:${dedupKey}`)}`;

const ATTEMPTS = 4;

export const handleAlertCommand = async (
  deps: CommandDeps,
  dedupKey: string,
  command: AlertCommand,
  ctx: CommandContext,
): Promise<Either<CommandError<AlertError>, Handled<AlertState>>> => {
  for (let attempt = 1; ; attempt++) {
    const result = await handleCommand(deps, alertDecider, alertStream(deps.ids, dedupKey), command, ctx);
    if (either.isRight(result) || result.left.kind !== 'WrongExpectedRevision' || attempt >= ATTEMPTS) return result;
  }
};
