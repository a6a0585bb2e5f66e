// The check every event passes before it is appended: nothing is stored that cannot be read back as it was given.
// The event is written to JSON (what the store keeps), read back from that JSON, and decoded there the way a reader
// will decode it: its type must be in the catalog, its data and metadata must satisfy their codecs with no field the
// codecs do not know, every string must be storable, and the whole must fit the size limit. A value JSON would turn
// into something else (NaN into null, a Date into a string, undefined dropped) is judged by what it turns into.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { EVENT_CATALOG } from '../../domain/events/catalog.js';
import { EventMetadata } from '../../domain/events/metadata.js';
import { Uuid } from '../../domain/primitives/codecs.js';
import { formatFieldErrors, type FieldError } from '../../domain/primitives/decode-errors.js';
import { decodeExact } from '../../domain/primitives/exact.js';
import { storableJsonProblems } from '../../domain/primitives/storable-json.js';
import type { EventRejected, NewEvent } from '../ports/event-store.js';

/** The largest event (its data and metadata as UTF-8 JSON). Results larger than this are summarised before storing. */
export const MAX_EVENT_BYTES = 4 * 1024 * 1024;
/** The longest stream name. */
export const MAX_STREAM_NAME = 300;

export interface EventCheckOptions {
  readonly maxEventBytes?: number;
}

const utf8Length = (s: string): number => {
  // Every UTF-16 unit is at most 3 UTF-8 bytes: the exact count is only needed near the limit.
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
};

const prefixed = (prefix: string, errors: readonly FieldError[]): FieldError[] =>
  errors.map((e) => ({ path: e.path === '(root)' ? prefix : `${prefix}.${e.path}`, message: e.message }));

const rejected = (streamName: string, e: Pick<NewEvent, 'eventId' | 'type'>, errors: FieldError[]): EventRejected => ({
  kind: 'EventRejected',
  streamName,
  eventId: String(e.eventId),
  eventType: String(e.type),
  errors,
  message: `event ${String(e.type)} (${String(e.eventId)}) for ${streamName} would not read back: ${formatFieldErrors(errors.slice(0, 10))}`,
});

/** Problems of a stream name (a text column: no U+0000, bounded). */
const streamNameProblems = (streamName: unknown): FieldError[] => {
  if (typeof streamName !== 'string' || streamName.length === 0 || streamName.length > MAX_STREAM_NAME)
    return [{ path: 'streamName', message: `must be 1 to ${MAX_STREAM_NAME} characters` }];
  return storableJsonProblems(streamName).map((p) => ({ ...p, path: 'streamName' }));
};

export const checkNewEvent = (streamName: string, e: NewEvent, options: EventCheckOptions = {}): Either<EventRejected, NewEvent> => {
  const maxBytes = options.maxEventBytes ?? MAX_EVENT_BYTES;
  const fail = (errors: FieldError[]) => either.left(rejected(streamName, e, errors));
  const named = streamNameProblems(streamName);
  if (named.length > 0) return fail(named);
  if (!Uuid.is(e.eventId)) return fail([{ path: 'eventId', message: 'must be a UUID' }]);
  const codec = EVENT_CATALOG[e.type];
  if (codec === undefined) return fail([{ path: 'type', message: `unknown event type "${String(e.type)}"` }]);
  let json: string | undefined;
  try {
    json = JSON.stringify({ data: e.data, metadata: e.metadata });
  } catch (err) {
    return fail([{ path: '(root)', message: `cannot be written as JSON: ${err instanceof Error ? err.message : String(err)}` }]);
  }
  if (json === undefined) return fail([{ path: '(root)', message: 'cannot be written as JSON' }]);
  if (json.length > maxBytes || (json.length * 3 > maxBytes && utf8Length(json) > maxBytes))
    return fail([{ path: 'data', message: `is larger than ${maxBytes} bytes as JSON (${utf8Length(json)} bytes)` }]);
  const stored = JSON.parse(json) as { data?: unknown; metadata?: unknown };
  const storable = storableJsonProblems(stored);
  if (storable.length > 0) return fail(storable);
  const data = decodeExact(codec as Parameters<typeof decodeExact>[0], stored.data);
  const metadata = decodeExact(EventMetadata as Parameters<typeof decodeExact>[0], stored.metadata);
  const errors = [...(either.isLeft(data) ? prefixed('data', data.left) : []), ...(either.isLeft(metadata) ? prefixed('metadata', metadata.left) : [])];
  return errors.length > 0 ? fail(errors) : either.right(e);
};
