// Reading an event back means decoding it: an unknown type or data its codec refuses is a loud, typed error.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { EVENT_CATALOG } from '../../domain/events/catalog.js';
import { EventMetadata } from '../../domain/events/metadata.js';
import { fieldErrors, formatFieldErrors, type FieldError } from '../../domain/primitives/decode-errors.js';
import type { RecordedEvent } from '../ports/event-store.js';

export interface EventDecodeFailed {
  readonly kind: 'EventDecodeFailed';
  readonly streamName: string;
  readonly revision: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly errors: readonly FieldError[];
  readonly message: string;
}

export interface DecodedEvent<T = { readonly type: string; readonly data: unknown }> {
  readonly event: T;
  readonly metadata: EventMetadata;
  readonly recorded: RecordedEvent;
}

const failed = (r: RecordedEvent, errors: FieldError[]): EventDecodeFailed => ({
  kind: 'EventDecodeFailed',
  streamName: r.streamName,
  revision: r.revision.toString(),
  eventId: r.eventId,
  eventType: r.type,
  errors,
  message: `event ${r.type} at ${r.streamName}@${r.revision} (${r.eventId}) does not decode: ${formatFieldErrors(errors)}`,
});

export const decodeEvent = <T extends { readonly type: string; readonly data: unknown }>(
  r: RecordedEvent,
): Either<EventDecodeFailed, DecodedEvent<T>> => {
  const codec = EVENT_CATALOG[r.type];
  if (!codec) return either.left(failed(r, [{ path: 'type', message: `unknown event type "${r.type}"` }]));
  const data = codec.decode(r.data);
  if (either.isLeft(data)) return either.left(failed(r, fieldErrors(data.left).map((e) => ({ ...e, path: `data.${e.path}` }))));
  const metadata = EventMetadata.decode(r.metadata);
  if (either.isLeft(metadata)) return either.left(failed(r, fieldErrors(metadata.left).map((e) => ({ ...e, path: `metadata.${e.path}` }))));
  return either.right({ event: { type: r.type, data: data.right } as T, metadata: metadata.right, recorded: r });
};

/** Decodes a whole stream, stopping at the first event that does not decode. */
export const decodeAll = <T extends { readonly type: string; readonly data: unknown }>(
  events: readonly RecordedEvent[],
): Either<EventDecodeFailed, DecodedEvent<T>[]> => {
  const out: DecodedEvent<T>[] = [];
  for (const r of events) {
    const d = decodeEvent<T>(r);
    if (either.isLeft(d)) return d;
    out.push(d.right);
  }
  return either.right(out);
};
