// Metadata every stored event carries, so each fact can be traced to who caused it and when.
import * as t from 'io-ts';
import { Actor, IdString, IsoTimestamp, NonNegativeInt, Uuid, boundedNonEmptyString } from '../primitives/codecs.js';

export const EventMetadata = t.intersection(
  [
    t.type({
      correlationId: IdString,
      causationId: IdString,
      actor: Actor,
      schemaVersion: NonNegativeInt,
      occurredAt: IsoTimestamp,
    }),
    t.partial({ idempotencyKey: boundedNonEmptyString(400, 'IdempotencyKey') }),
  ],
  'EventMetadata',
);
export type EventMetadata = t.TypeOf<typeof EventMetadata>;

export const EventIdCodec = Uuid;
