// The scan every JSON body passes before it is parsed: for any JSON text it agrees with the depth of the parsed value
// (measured by a plain recursive walk), whatever the strings hold (brackets, quotes, escapes, unicode).
// Once parsed, a body's strings must be storable: storableJsonProblems finds exactly those PostgreSQL cannot store (a
// NUL, an unpaired surrogate) in any key or value, checked against a plain code-unit walk.
import { expect } from 'chai';
import fc from 'fast-check';
import { jsonTextProblem } from '../../apps/api/http-limits.js';
import { storableJsonProblems } from '../../domain/primitives/storable-json.js';

/** Arrays and objects nested in one another: [] is 1, [[]] and {"a":[]} are 2, a scalar is 0. */
const depthOf = (v: unknown): number =>
  typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf)) : 0;

/** A NUL or a surrogate code unit without its pair, checked code unit by code unit. */
const unstorable = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
};

describe('JSON body scan', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const storable = ['[', ']', '{', '}', '"', '\\', 'a', 'é', '😀', '\u2028', '\u0001', '\ud83d\ude00'];

  it('agrees with the depth of the parsed value for any JSON, strings with brackets, quotes, escapes and unicode included', () => {
    const text = fc.string({ unit: fc.constantFrom(...storable) });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', maxDepth: 12 },
        text,
        fc.integer(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(text, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 14 }), fc.boolean(), (v, max, pretty) => {
        const json = JSON.stringify(v, null, pretty ? 2 : undefined);
        expect(jsonTextProblem(bytes(json), max), json).to.equal(depthOf(JSON.parse(json)) > max ? 'too-deep' : undefined);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('stops at the first bracket past the limit of 200,000 unclosed ones', () => {
    expect(jsonTextProblem(bytes('['.repeat(200_000)), 32)).to.equal('too-deep');
    expect(jsonTextProblem(bytes(`"${'['.repeat(200_000)}"`), 32)).to.equal(undefined);
    expect(jsonTextProblem(bytes('[1,[2,[3]]]'), 3)).to.equal(undefined);
    expect(jsonTextProblem(bytes('[1,[2,[3]]]'), 2)).to.equal('too-deep');
  });
});

describe('storable strings (after parsing)', () => {
  const storable = ['[', '"', '\\', 'a', 'é', '😀', '\u2028', '\u0001', '\ud83d\ude00'];
  it('finds a NUL or an unpaired surrogate in any string, key or value, at its path', () => {
    const text = fc.string({ unit: fc.constantFrom(...storable, '\u0000', '\ud800', '\udbff', '\udc00', '\udfff'), maxLength: 8 });
    fc.assert(
      fc.property(text, fc.boolean(), (s, asKey) => {
        // As the HTTP body parser gives it: JSON.parse of what the client wrote.
        const parsed = JSON.parse(JSON.stringify(asKey ? { [s]: 1 } : { list: ['x', s] })) as unknown;
        const problems = storableJsonProblems(parsed);
        expect(problems.length > 0, JSON.stringify(s)).to.equal(unstorable(s));
        if (problems.length > 0) expect(problems[0]!.path).to.equal(asKey ? s : 'list.1');
      }),
      { seed: 7, numRuns: 3000 },
    );
  });
});
