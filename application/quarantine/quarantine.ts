// Quarantining an event of the log that no longer decodes (an operator's command, `npm run quarantine`), and reading
// the quarantine back for the projections, the replay and /health. The event itself is never touched: the decision is
// a fact on stream `quarantine`, and every projection passes over a quarantined event, live and on a rebuild alike.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { decide, evolve, initialState, type QuarantineCommand, type QuarantineError, type QuarantineState } from '../../domain/quarantine/decider.js';
import { QUARANTINE_STREAM, type QuarantineEvent, type QuarantinedEventRef } from '../../domain/quarantine/events.js';
import type { FieldError } from '../../domain/primitives/decode-errors.js';
import { handleCommand, loadStream, type CommandContext, type CommandDeps, type CommandError, type Handled } from '../commands/handle-command.js';
import { decodeEvent } from '../events/decode-event.js';
import type { EventStore, RecordedEvent } from '../ports/event-store.js';

export type { QuarantineEntry, QuarantineState } from '../../domain/quarantine/decider.js';

const quarantineDecider = { decide, evolve, initialState };

/** The events quarantined now (event id → entry). The quarantine stream is ours alone: it failing to decode is a bug. */
export const loadQuarantine = async (store: Pick<EventStore, 'readStream'>): Promise<QuarantineState> => {
  const loaded = await loadStream<QuarantineEvent, QuarantineState>(store as EventStore, QUARANTINE_STREAM, quarantineDecider);
  if (either.isLeft(loaded)) throw new Error(`the quarantine stream does not decode: ${loaded.left.message}`);
  return loaded.right.state;
};

export interface EventNotFound {
  readonly kind: 'EventNotFound';
  readonly message: string;
}

export type QuarantineCommandError = CommandError<QuarantineError> | EventNotFound;

/** The event at `streamName@revision` and, if it does not decode, why. */
export const inspectEvent = async (
  store: EventStore,
  streamName: string,
  revision: bigint,
): Promise<Either<EventNotFound, { readonly recorded: RecordedEvent; readonly ref: QuarantinedEventRef; readonly decodeErrors: readonly FieldError[] }>> => {
  const [recorded] = await store.readStream(streamName, { fromRevision: revision, maxCount: 1 });
  if (recorded === undefined || recorded.revision !== revision) return either.left({ kind: 'EventNotFound', message: `no event at ${streamName}@${revision}` });
  const decoded = decodeEvent(recorded);
  const ref: QuarantinedEventRef = {
    eventId: recorded.eventId as QuarantinedEventRef['eventId'],
    streamName: recorded.streamName,
    revision: Number(recorded.revision) as QuarantinedEventRef['revision'],
    eventType: recorded.type.length <= 200 ? recorded.type : `${recorded.type.slice(0, 199)}…`,
    position: { commit: recorded.position.commit.toString(), prepare: recorded.position.prepare.toString() },
  };
  return either.right({ recorded, ref, decodeErrors: either.isLeft(decoded) ? decoded.left.errors : [] });
};

/** Quarantines the event at `streamName@revision` (refused when it decodes or is quarantined already). */
export const quarantineEvent = async (
  deps: CommandDeps,
  target: { readonly streamName: string; readonly revision: bigint },
  reason: string,
  ctx: CommandContext,
): Promise<Either<QuarantineCommandError, Handled<QuarantineState> & { readonly event: QuarantinedEventRef }>> => {
  const found = await inspectEvent(deps.store, target.streamName, target.revision);
  if (either.isLeft(found)) return found;
  const command: QuarantineCommand = { type: 'QuarantineEvent', event: found.right.ref, decodeErrors: found.right.decodeErrors, reason: reason as never };
  const handled = await handleCommand(deps, quarantineDecider, QUARANTINE_STREAM, command, ctx);
  return either.map((h: Handled<QuarantineState>) => ({ ...h, event: found.right.ref }))(handled);
};

/** Lifts the quarantine of an event (projections read it again once rebuilt). */
export const liftQuarantine = (
  deps: CommandDeps,
  eventId: string,
  reason: string,
  ctx: CommandContext,
): Promise<Either<QuarantineCommandError, Handled<QuarantineState>>> =>
  handleCommand(deps, quarantineDecider, QUARANTINE_STREAM, { type: 'LiftQuarantine', eventId, reason: reason as never } satisfies QuarantineCommand, ctx);
