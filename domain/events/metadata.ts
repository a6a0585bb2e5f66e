// Metadata every stored event carries, so each fact can be traced to who caused it and when.
import * as t from 'io-ts';
import { Actor, IsoTimestamp, NonNegativeInt, Uuid } from '../primitives/codecs.js';

export const EventMetadata = t.intersection(
  [
    t.type({
      correlationId: t.string,
      causationId: t.string,
      actor: Actor,
      schemaVersion: NonNegativeInt,
      occurredAt: IsoTimestamp,
    }),
    t.partial({ idempotencyKey: t.string }),
  ],
  'EventMetadata',
);
export type EventMetadata = t.TypeOf<typeof EventMetadata>;

export const EventIdCodec = Uuid;
