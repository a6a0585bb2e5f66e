// Reading an event back means decoding it: an unknown type or data its codec refuses is a loud, typed error.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { UnknownRecord } from 'io-ts';
import type * as t from 'io-ts';
import { EVENT_CATALOG } from '../../domain/events/catalog.js';
import { EventMetadata } from '../../domain/events/metadata.js';
import { Genome } from '../../domain/strategy/genome.js';
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

// The fast path of decoding (every event of a replay goes through here).
//
// io-ts's decode builds a context array per property and an Either per value, even when it accepts the value
// unchanged. For a codec built only from the combinators below, `accepts` (compiled once per codec from its
// structure, checking what io-ts's `validate` checks: leaves through their own `is`, refinements through their
// predicate) holds exactly when `decode(u)` succeeds, and then `decode(u)` returns `u` itself. By induction: each of these combinators
// returns its input unchanged when its parts do; t.type only copies when a part's output differs or when a key is
// missing and its codec accepts undefined, and none of these parts accepts undefined (so a hole in an array is
// refused too, as validate refuses it); t.record is only admitted with a string domain, where every own key is
// checked, as validate does. So: `accepts` first, and `decode` (for the result, or the field errors of a refused
// value) only when it says no. A codec holding anything else (a custom type not listed below, t.exact or t.strict,
// which strip keys, t.unknown, a transformation, ...) always goes through `decode`.
type Check = (u: unknown) => boolean;
interface CodecNode {
  readonly _tag?: string;
  readonly props?: Record<string, CodecNode>;
  readonly types?: readonly CodecNode[];
  readonly type?: CodecNode;
  readonly domain?: CodecNode;
  readonly codomain?: CodecNode;
  readonly predicate?: (u: unknown) => boolean;
  is(u: unknown): boolean;
}
const LEAF_TAGS = new Set(['StringType', 'NumberType', 'BooleanType', 'NullType', 'LiteralType', 'KeyofType']);
const isRecord = (u: unknown): u is Record<string, unknown> => UnknownRecord.is(u);
/** JSON never yields holes; anything with one (or an inherited enumerable key, looked at too) is refused. */
const hasNoHoles = (u: unknown): boolean => {
  if (u === null || typeof u !== 'object') return true;
  if (Array.isArray(u)) {
    for (let i = 0; i < u.length; i++) if (!(i in u) || !hasNoHoles(u[i])) return false;
    return true;
  }
  for (const k in u) if (!hasNoHoles((u as Record<string, unknown>)[k])) return false;
  return true;
};
/**
 * Custom types known to behave like the combinators above. Genome's `is` is `GenomeShape.is(u) && no problems`
 * and its validate is `GenomeShape.validate(u)`, then success of that same value when there are no problems, where
 * GenomeShape (domain/strategy/genome.ts) is made only of t.type, t.partial, t.intersection, t.union, t.array,
 * t.keyof, t.record(t.string, …) and brands/refinements of t.string and t.number. Those `is` agree with validate
 * except on holes (t.array's `is` uses Array#every, which skips them), hence hasNoHoles first.
 */
const CUSTOM_CHECKS = new Map<unknown, Check>([[Genome, (u) => hasNoHoles(u) && Genome.is(u)]]);
const compiled = new Map<unknown, Check | null>();
const compile = (codec: CodecNode): Check | null => {
  if (compiled.has(codec)) return compiled.get(codec)!;
  compiled.set(codec, null); // a recursive codec is not admitted
  const all = (codecs: readonly CodecNode[] | undefined): Check[] | null => {
    if (!codecs || codecs.length === 0) return null;
    const checks = codecs.map(compile);
    return checks.every((c): c is Check => c !== null) ? checks : null;
  };
  let check: Check | null = CUSTOM_CHECKS.get(codec) ?? null;
  if (!check && codec._tag !== undefined && LEAF_TAGS.has(codec._tag)) check = (u) => codec.is(u);
  else if (!check)
    switch (codec._tag) {
      case 'InterfaceType':
      case 'PartialType': {
        const keys = Object.keys(codec.props ?? {});
        const checks = all(keys.map((k) => codec.props![k]!));
        if (!checks && keys.length > 0) break;
        const n = keys.length;
        const required = codec._tag === 'InterfaceType';
        check = (u) => {
          if (!isRecord(u)) return false;
          for (let i = 0; i < n; i++) {
            const v = u[keys[i]!];
            if (v === undefined) {
              if (required) return false; // t.type: refused whether missing or present (no part accepts undefined)
            } else if (!checks![i]!(v)) return false;
          }
          return true;
        };
        break;
      }
      case 'IntersectionType': {
        const checks = all(codec.types);
        if (checks) check = (u) => checks.every((c) => c(u));
        break;
      }
      case 'UnionType': {
        const checks = all(codec.types);
        if (checks) check = (u) => checks.some((c) => c(u));
        break;
      }
      case 'ArrayType': {
        const item = codec.type ? compile(codec.type) : null;
        if (item)
          check = (u) => {
            if (!Array.isArray(u)) return false;
            for (let i = 0; i < u.length; i++) if (!item(u[i])) return false;
            return true;
          };
        break;
      }
      case 'RefinementType': {
        const base = codec.type ? compile(codec.type) : null;
        const predicate = codec.predicate;
        if (base && predicate) check = (u) => base(u) && predicate(u);
        break;
      }
      case 'DictionaryType': {
        const value = codec.domain?._tag === 'StringType' && codec.codomain ? compile(codec.codomain) : null;
        if (value)
          check = (u) => {
            if (!isRecord(u)) return false;
            for (const k in u) if (Object.hasOwn(u, k) && !value(u[k])) return false;
            return true;
          };
        break;
      }
      default:
        break;
    }
  compiled.set(codec, check);
  return check;
};
const decodeFast = <A>(codec: t.Type<A, unknown, unknown>, accepts: Check | null | undefined, u: unknown): t.Validation<A> =>
  accepts && accepts(u) ? either.right(u as A) : codec.decode(u);

const DATA_CHECKS: Readonly<Record<string, Check | null>> = Object.fromEntries(
  Object.entries(EVENT_CATALOG).map(([type, codec]) => [type, compile(codec as unknown as CodecNode)]),
);
const METADATA_CHECK = compile(EventMetadata as unknown as CodecNode);

export const decodeEvent = <T extends { readonly type: string; readonly data: unknown }>(r: RecordedEvent): Either<EventDecodeFailed, DecodedEvent<T>> => {
  const codec = EVENT_CATALOG[r.type];
  if (!codec) return either.left(failed(r, [{ path: 'type', message: `unknown event type "${r.type}"` }]));
  const data = decodeFast(codec, DATA_CHECKS[r.type], r.data);
  if (either.isLeft(data))
    return either.left(
      failed(
        r,
        fieldErrors(data.left).map((e) => ({ ...e, path: `data.${e.path}` })),
      ),
    );
  const metadata = decodeFast(EventMetadata, METADATA_CHECK, r.metadata);
  if (either.isLeft(metadata))
    return either.left(
      failed(
        r,
        fieldErrors(metadata.left).map((e) => ({ ...e, path: `metadata.${e.path}` })),
      ),
    );
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
