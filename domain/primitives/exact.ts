// Decoding that refuses what a codec does not describe. io-ts's t.type accepts a value with keys it does not know and
// keeps them, so a decoded body or event may carry anything besides its fields — and an event keeps it for good. Here
// every key of every object must be a field of the codec that decoded it; an unknown one is an error at its path.
//
// The walk follows the codec's structure (t.type, t.partial, t.intersection, t.union, t.array, t.tuple, t.record,
// refinements, brands, readonly and exact wrappers). A hand-written t.Type is opaque to it unless it names the codec
// it validates with as `shape` (see `withShape`): Genome does. `opaqueParts` lists what a codec leaves unchecked.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { fieldErrors, type FieldError } from './decode-errors.js';
import { storableJsonProblems } from './storable-json.js';

interface Node {
  readonly _tag?: string;
  readonly name: string;
  readonly props?: Record<string, Node>;
  readonly types?: readonly Node[];
  readonly type?: Node;
  readonly codomain?: Node;
  readonly shape?: Node;
  decode(u: unknown): Either<unknown, unknown>;
}

/** Gives a hand-written codec the structure the exact walk follows (the codec it validates with). */
export const withShape = <C extends t.Any>(codec: C, shape: t.Any): C & { readonly shape: t.Any } => Object.assign(codec, { shape });

const WRAPPERS = new Set(['RefinementType', 'ReadonlyType', 'ExactType', 'StrictType']);
const OBJECTS = new Set(['InterfaceType', 'PartialType', 'IntersectionType']);
const LEAVES = new Set([
  'StringType',
  'NumberType',
  'BigIntType',
  'BooleanType',
  'NullType',
  'UndefinedType',
  'VoidType',
  'LiteralType',
  'KeyofType',
  'UnknownType',
  'AnyType',
  'NeverType',
]);

const unwrap = (codec: Node): Node => {
  let c = codec;
  for (;;) {
    if (c.shape !== undefined) c = c.shape;
    else if (c._tag !== undefined && WRAPPERS.has(c._tag) && c.type !== undefined) c = c.type;
    else return c;
  }
};

const isObject = (u: unknown): u is Record<string, unknown> => u !== null && typeof u === 'object' && !Array.isArray(u);
const at = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

/** The union member a value is read as: one that decodes it with the fewest unknown keys. */
const memberOf = (union: Node, value: unknown): Node | undefined => {
  let best: Node | undefined;
  let fewest = Infinity;
  for (const m of union.types ?? []) {
    if (either.isLeft(m.decode(value))) continue;
    const n = excessIn(m, value, '').length;
    if (n < fewest) {
      best = m;
      fewest = n;
      if (n === 0) break;
    }
  }
  return best;
};

/** The keys an object codec allows for this value; 'any' for a record (every key allowed). */
const allowedKeys = (codec: Node, value: unknown, into: Set<string>): 'any' | undefined => {
  const c = unwrap(codec);
  switch (c._tag) {
    case 'InterfaceType':
    case 'PartialType':
      for (const k of Object.keys(c.props ?? {})) into.add(k);
      return undefined;
    case 'IntersectionType':
      for (const m of c.types ?? []) if (allowedKeys(m, value, into) === 'any') return 'any';
      return undefined;
    case 'UnionType': {
      const m = memberOf(c, value);
      return m === undefined ? 'any' : allowedKeys(m, value, into);
    }
    default:
      // A record, or a codec this walk cannot see into: it does not restrict keys.
      return 'any';
  }
};

const walk = (codec: Node, value: unknown, path: string, out: FieldError[], checkKeys: boolean): void => {
  const c = unwrap(codec);
  const tag = c._tag;
  if (tag !== undefined && OBJECTS.has(tag) && isObject(value) && checkKeys) {
    const allowed = new Set<string>();
    if (allowedKeys(c, value, allowed) !== 'any')
      for (const k of Object.keys(value)) if (!allowed.has(k)) out.push({ path: at(path, k), message: `unknown field "${k}" (not part of ${c.name})` });
  }
  switch (tag) {
    case 'InterfaceType':
    case 'PartialType':
      if (!isObject(value)) return;
      for (const [k, p] of Object.entries(c.props ?? {})) if (value[k] !== undefined) walk(p, value[k], at(path, k), out, true);
      return;
    case 'IntersectionType':
      for (const m of c.types ?? []) walk(m, value, path, out, false);
      return;
    case 'UnionType': {
      const m = memberOf(c, value);
      if (m !== undefined) walk(m, value, path, out, checkKeys);
      return;
    }
    case 'ArrayType':
    case 'ReadonlyArrayType':
      if (Array.isArray(value) && c.type !== undefined) value.forEach((v, i) => walk(c.type!, v, at(path, i), out, true));
      return;
    case 'TupleType':
      if (Array.isArray(value)) (c.types ?? []).forEach((m, i) => walk(m, value[i], at(path, i), out, true));
      return;
    case 'DictionaryType':
      if (isObject(value) && c.codomain !== undefined) for (const [k, v] of Object.entries(value)) walk(c.codomain, v, at(path, k), out, true);
      return;
    default:
      return;
  }
};

const excessIn = (codec: Node, value: unknown, path: string): FieldError[] => {
  const out: FieldError[] = [];
  walk(codec, value, path, out, true);
  return out;
};

/** Unknown keys in a value the codec accepts (paths as fieldErrors writes them; `(root)` never appears). */
export const unknownFields = (codec: t.Any, value: unknown): FieldError[] => excessIn(codec, value, '');

/** Decodes, then refuses unknown fields: the value and nothing but the value. */
export const decodeExact = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): Either<FieldError[], A> => {
  const decoded = codec.decode(value);
  if (either.isLeft(decoded)) return either.left(fieldErrors(decoded.left));
  const unknown = unknownFields(codec, value);
  return unknown.length > 0 ? either.left(unknown) : decoded;
};

/** The names of the parts of a codec the exact walk cannot see into (a hand-written codec without a `shape`). */
export const opaqueParts = (codec: t.Any): string[] => {
  const found = new Set<string>();
  const seen = new Set<Node>();
  const visit = (n: Node): void => {
    if (seen.has(n)) return;
    seen.add(n);
    const c = unwrap(n);
    if (c !== n) return visit(c);
    if (
      c._tag === undefined ||
      !(LEAVES.has(c._tag) || OBJECTS.has(c._tag) || ['UnionType', 'ArrayType', 'ReadonlyArrayType', 'TupleType', 'DictionaryType'].includes(c._tag))
    ) {
      found.add(c.name);
      return;
    }
    for (const p of Object.values(c.props ?? {})) visit(p);
    for (const m of c.types ?? []) visit(m);
    if (c.type !== undefined) visit(c.type);
    if (c.codomain !== undefined) visit(c.codomain);
  };
  visit(codec);
  return [...found];
};

/**
 * What every boundary whose input becomes an event decodes with: the value must be storable JSON (no U+0000, no lone
 * surrogate: see storable-json.ts) and decode exactly. Accepted here means the events made of it read back.
 */
export const decodeStorable = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): Either<FieldError[], A> => {
  const unstorable = storableJsonProblems(value);
  return unstorable.length > 0 ? either.left(unstorable) : decodeExact(codec, value);
};
