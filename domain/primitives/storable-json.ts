// What a JSON value must be to be stored and read back unchanged: PostgreSQL's jsonb refuses the character U+0000 and
// a lone UTF-16 surrogate in any string or key (the append would fail, or worse, another store might keep what this
// one cannot), and a value nested deeper than a reader is willing to walk is a hazard for every reader after.
// Iterative, so a hostile depth cannot overflow the stack of the check itself.
import type { FieldError } from './decode-errors.js';

/** How deep a stored value may nest (objects and arrays). */
export const MAX_STORED_DEPTH = 64;
const MAX_PROBLEMS = 20;

const at = (path: string, key: string | number) => (path === '' ? String(key) : `${path}.${key}`);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const stringProblem = (s: string): string | undefined => {
  if (s.includes('\u0000')) return 'contains the character U+0000, which cannot be stored';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate, which cannot be stored';
  return undefined;
};

/** Problems of a value parsed from JSON (objects, arrays, strings, numbers, booleans, null). */
export const storableJsonProblems = (value: unknown, maxDepth = MAX_STORED_DEPTH): FieldError[] => {
  const problems: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const p = stringProblem(v);
      if (p) problems.push({ path: path || '(root)', message: p });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) problems.push({ path: path || '(root)', message: `${v} is not a JSON number` });
    } else if (v !== null && typeof v === 'object') {
      if (depth >= maxDepth) {
        problems.push({ path: path || '(root)', message: `nested deeper than ${maxDepth} levels` });
        continue;
      }
      if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: at(path, i), depth: depth + 1 });
      else
        for (const k of Object.keys(v)) {
          const p = stringProblem(k);
          if (p) problems.push({ path: at(path, k), message: `the key ${p}` });
          stack.push({ value: (v as Record<string, unknown>)[k], path: at(path, k), depth: depth + 1 });
        }
    }
  }
  return problems;
};
