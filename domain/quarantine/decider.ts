// Deciding on quarantines: an event is quarantined at most once at a time, only when it does not decode (a
// quarantine is a way past a broken event, not a way to hide a readable one), and only a quarantined event can have
// its quarantine lifted.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { FieldError } from '../primitives/decode-errors.js';
import type { Reason } from '../primitives/codecs.js';
import { MAX_DECODE_ERRORS, type QuarantineEvent, type QuarantinedEventRef } from './events.js';

export type QuarantineCommand =
  | {
      readonly type: 'QuarantineEvent';
      /** The event, found in the log. */
      readonly event: QuarantinedEventRef;
      /** Why it does not decode, as the current code reads it (empty: it decodes). */
      readonly decodeErrors: readonly FieldError[];
      readonly reason: Reason;
    }
  | { readonly type: 'LiftQuarantine'; readonly eventId: string; readonly reason: Reason };

export interface QuarantineEntry {
  readonly event: QuarantinedEventRef;
  readonly reason: string;
  readonly decodeErrors: readonly FieldError[];
}

/** Event id → its quarantine, for the events quarantined now. */
export type QuarantineState = ReadonlyMap<string, QuarantineEntry>;

export type QuarantineError =
  | { readonly kind: 'AlreadyQuarantined'; readonly eventId: string; readonly message: string }
  | { readonly kind: 'EventDecodes'; readonly eventId: string; readonly message: string }
  | { readonly kind: 'NotQuarantined'; readonly eventId: string; readonly message: string };

export const initialState = (): QuarantineState => new Map();

export const evolve = (state: QuarantineState, event: QuarantineEvent): QuarantineState => {
  const next = new Map(state);
  switch (event.type) {
    case 'EventQuarantined':
      next.set(event.data.event.eventId, { event: event.data.event, reason: event.data.reason, decodeErrors: event.data.decodeErrors });
      return next;
    case 'EventQuarantineLifted':
      next.delete(event.data.eventId);
      return next;
    default: {
      const unknown: never = event;
      throw new Error(`evolve: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

const clip = (s: string, max = 2000) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export const decide = (command: QuarantineCommand, state: QuarantineState): Either<QuarantineError, readonly QuarantineEvent[]> => {
  switch (command.type) {
    case 'QuarantineEvent': {
      const { eventId } = command.event;
      if (state.has(eventId))
        return either.left({ kind: 'AlreadyQuarantined', eventId, message: `event ${eventId} is already quarantined: ${state.get(eventId)!.reason}` });
      if (command.decodeErrors.length === 0)
        return either.left({ kind: 'EventDecodes', eventId, message: `event ${eventId} decodes: quarantine is only for events that do not` });
      return either.right([
        {
          type: 'EventQuarantined',
          data: {
            event: command.event,
            reason: command.reason,
            decodeErrors: command.decodeErrors.slice(0, MAX_DECODE_ERRORS).map((e) => ({ path: clip(e.path), message: clip(e.message) })),
          },
        },
      ] as QuarantineEvent[]);
    }
    case 'LiftQuarantine': {
      if (!state.has(command.eventId))
        return either.left({ kind: 'NotQuarantined', eventId: command.eventId, message: `event ${command.eventId} is not quarantined` });
      return either.right([{ type: 'EventQuarantineLifted', data: { eventId: command.eventId, reason: command.reason } }] as QuarantineEvent[]);
    }
    default: {
      const unknown: never = command;
      throw new Error(`decide: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};
