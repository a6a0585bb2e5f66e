// The nesting scan that runs on every JSON body before it is parsed: for any JSON text it agrees with the depth of
// the parsed value (measured here by a plain recursive walk), whatever the strings hold.
import { expect } from 'chai';
import fc from 'fast-check';
import { nestedDeeperThan } from '../../apps/api/http-limits.js';

/** Arrays and objects nested in one another: [] is 1, [[]] and {"a":[]} are 2, a scalar is 0. */
const depthOf = (v: unknown): number =>
  typeof v === 'object' && v !== null ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf)) : 0;

describe('JSON nesting scan', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it('agrees with the depth of the parsed value for any JSON, strings with brackets, quotes, escapes and unicode included', () => {
    const text = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é', '😀', '\u2028', '\u0000') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', maxDepth: 12 }, text, fc.integer(), fc.constant(null), fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(text, tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 14 }), fc.boolean(), (v, max, pretty) => {
        const json = JSON.stringify(v, null, pretty ? 2 : undefined);
        expect(nestedDeeperThan(bytes(json), max), json).to.equal(depthOf(JSON.parse(json)) > max);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('stops at the first bracket past the limit of 200,000 unclosed ones', () => {
    expect(nestedDeeperThan(bytes('['.repeat(200_000)), 32)).to.equal(true);
    expect(nestedDeeperThan(bytes(`"${'['.repeat(200_000)}"`), 32)).to.equal(false);
    expect(nestedDeeperThan(bytes('[1,[2,[3]]]'), 3)).to.equal(false);
    expect(nestedDeeperThan(bytes('[1,[2,[3]]]'), 2)).to.equal(true);
  });
});
