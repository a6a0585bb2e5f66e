// Hostile JSON for property tests of every boundary: values that break naive code (NaN, infinities, -0, huge and tiny
// numbers, epoch milliseconds before 1970 and after 9999, U+0000 and lone surrogates, 90 KB strings, 50,000-item
// lists, deep nesting, BigInt, Dates), and mutations of a valid example that put one of them anywhere.
import fc from 'fast-check';

export type Json = unknown;
export type Path = readonly (string | number)[];

const clone = <T>(x: T): T => structuredClone(x);
/** Every place in a JSON value: the root, each key, each element. */
export const pathsOf = (value: Json, path: Path = []): Path[] => {
  const out: Path[] = [path];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...path, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...path, k]));
  return out;
};
export const getAt = (value: Json, path: Path): Json => path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k], value);
/** A copy with the node at `path` replaced (the root itself when the path is empty). */
export const setAt = (value: Json, path: Path, replacement: Json): Json => {
  if (path.length === 0) return replacement;
  const copy = clone(value) as Record<string | number, Json>;
  (getAt(copy, path.slice(0, -1)) as Record<string | number, Json>)[path[path.length - 1]!] = replacement;
  return copy;
};
export const nested = (depth: number): Json => {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

export const HOSTILE: readonly Json[] = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  -1,
  5e-324,
  -315_619_200_000, // 1960-01-01 in epoch ms
  253_402_300_800_000, // 10000-01-01 in epoch ms
  8.64e15,
  '',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '1960-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '+010000-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '2023-02-29T00:00:00.000Z',
  'x'.repeat(90_000),
  'Z'.repeat(201),
  null,
  true,
  [],
  {},
  undefined,
  10n,
  new Date('1960-01-01T00:00:00.000Z'),
  Array.from({ length: 50_000 }, (_, i) => `SYM${String(i).padStart(5, '0')}`),
  Array.from({ length: 2_000 }, () => ({ a: 'b' })),
  nested(70),
  nested(10),
];

export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

export type Mutation = { kind: 'replace'; value: Json } | { kind: 'remove' } | { kind: 'add-key'; key: string; value: Json };
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: hostileValue.map((value): Mutation => ({ kind: 'replace', value })) },
  { weight: 1, arbitrary: fc.constant<Mutation>({ kind: 'remove' }) },
  { weight: 2, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), hostileValue).map(([key, value]): Mutation => ({ kind: 'add-key', key, value })) },
);

export const apply = (value: Json, path: Path, m: Mutation): Json => {
  if (m.kind === 'replace') return setAt(value, path, m.value);
  if (m.kind === 'remove') {
    if (path.length === 0) return undefined;
    const copy = clone(value) as Record<string | number, Json>;
    const parent = getAt(copy, path.slice(0, -1));
    const key = path[path.length - 1]!;
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key as string];
    return copy;
  }
  const target = getAt(value, path);
  if (target === null || typeof target !== 'object' || Array.isArray(target)) return setAt(value, path, m.value);
  return setAt(value, path, { ...target, [m.key]: m.value });
};
