// The quarantine of events that no longer decode: an operator records, as a fact of its own, that an event of the log
// is to be passed over by every projection, and why. History is never edited: the event stays where it is, and a
// quarantine can be lifted (after a fixed release reads it again) by another fact.
import * as t from 'io-ts';
import { boundedArray, boundedNonEmptyString, NonNegativeInt, Reason, Text, Uuid } from '../primitives/codecs.js';

/** One stream holds every quarantine decision. */
export const QUARANTINE_STREAM = 'quarantine';

const Decimal = t.refinement(t.string, (s) => /^\d{1,20}$/.test(s), 'Decimal');

/** Which event: where it is in its stream and in the log, and what type it claims to be. */
export const QuarantinedEventRef = t.type(
  {
    eventId: Uuid,
    streamName: boundedNonEmptyString(300, 'StreamName'),
    revision: NonNegativeInt,
    eventType: boundedNonEmptyString(200, 'EventType'),
    position: t.type({ commit: Decimal, prepare: Decimal }),
  },
  'QuarantinedEventRef',
);
export type QuarantinedEventRef = t.TypeOf<typeof QuarantinedEventRef>;

export const DecodeErrorCodec = t.type({ path: Text, message: Text });
export const MAX_DECODE_ERRORS = 50;

export const QuarantineEventData = {
  /** Projections pass over this event from now on (and on every rebuild). `decodeErrors`: why it did not decode. */
  EventQuarantined: t.type({ event: QuarantinedEventRef, reason: Reason, decodeErrors: boundedArray(DecodeErrorCodec, MAX_DECODE_ERRORS) }),
  /** Projections read this event again (rebuild them to take it in). */
  EventQuarantineLifted: t.type({ eventId: Uuid, reason: Reason }),
} as const;

export type QuarantineEventType = keyof typeof QuarantineEventData;
export type QuarantineEvent = {
  [K in QuarantineEventType]: { readonly type: K; readonly data: t.TypeOf<(typeof QuarantineEventData)[K]> };
}[QuarantineEventType];
