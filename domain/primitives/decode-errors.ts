// Turns io-ts errors into `{ path, message }` pairs a person (or an HTTP client) can act on.
import type * as t from 'io-ts';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

const describe = (value: unknown): string => {
  if (value === undefined) return 'undefined';
  try {
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    // JSON cannot show it: a bigint (with its n, or "got 1" would read like a valid number), a cycle, a function.
    return typeof value === 'bigint' ? `${value}n` : `a ${typeof value} JSON cannot represent`;
  }
};

export const fieldErrors = (errors: t.Errors): FieldError[] => {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    // Union and intersection members show up in the context under numeric keys; they are not part of the path.
    const keys = e.context.filter((c, i) => i > 0 && c.key !== '' && !isMemberIndex(e.context[i - 1]?.type)).map((c) => c.key);
    const path = keys.join('.') || '(root)';
    const last = e.context[e.context.length - 1];
    const message = e.message ?? `expected ${last?.type.name ?? 'value'}, got ${describe(e.value)}`;
    const key = `${path}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ path, message });
    }
  }
  return out;
};

// Refinements (brands), exact and readonly codecs validate in their parent's context without adding a key,
// so the codec that appended the member index may sit under one of them: look through to it.
const WRAPPERS = new Set(['RefinementType', 'ExactType', 'ReadonlyType']);
const isMemberIndex = (parent: unknown): boolean => {
  let codec = parent as { _tag?: string; type?: unknown } | undefined;
  while (codec?._tag !== undefined && WRAPPERS.has(codec._tag)) codec = codec.type as typeof codec;
  const tag = codec?._tag;
  return tag === 'UnionType' || tag === 'IntersectionType';
};

export const formatFieldErrors = (errors: readonly FieldError[]): string => errors.map((e) => `${e.path}: ${e.message}`).join('; ');
