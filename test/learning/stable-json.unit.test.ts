// stableJson (domain/learning/fingerprint.ts, built for speed) against a plain definition written the obvious way:
// entries without the undefined ones, sorted by key, each written recursively; an undefined element as null.
// (JSON.stringify of a copy with sorted keys is no reference: an object puts integer-like keys first, whatever the order.)
import { expect } from 'chai';
import { genomeFingerprint, stableJson } from '../../domain/learning/fingerprint.js';
import { mulberry32, randomGenomes, type Random } from '../../domain/backtest/random-genome.js';

const reference = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((e) => (e === undefined ? 'null' : reference(e))).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, e]) => e !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, e]) => `${JSON.stringify(k)}:${reference(e)}`).join(',')}}`;
};

/** A nested value with awkward keys (unicode, quotes, digits, the empty key), undefined members and elements. */
const randomValue = (rnd: Random, depth: number): unknown => {
  const pick = Math.floor(rnd() * (depth > 3 ? 5 : 7));
  const keys = ['b', 'a', 'Z', 'é', '"q"', '10', '2', '', 'a\\b', 'ünï', 'x\ny'];
  switch (pick) {
    case 0:
      return rnd() * 1e6 - 5e5;
    case 1:
      return keys[Math.floor(rnd() * keys.length)];
    case 2:
      return rnd() < 0.5;
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 5); i > 0; i--) o[keys[Math.floor(rnd() * keys.length)]!] = randomValue(rnd, depth + 1);
      return o;
    }
  }
};

describe('stableJson', () => {
  it('equals the plain definition on 2,000 random nested values', () => {
    const rnd = mulberry32(20261205);
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(rnd, 0);
      expect(stableJson(v), JSON.stringify(v)).to.equal(reference(v));
    }
  });

  it("equals it on random genomes, and a genome's fingerprint does not depend on key order", () => {
    for (const g of randomGenomes(7, 200, ['BTCUSDT', 'ETHUSDT'])) {
      expect(stableJson(g)).to.equal(reference(g));
      const reversed = JSON.parse(JSON.stringify(g), (_k, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      ) as typeof g;
      expect(genomeFingerprint(reversed)).to.equal(genomeFingerprint(g));
    }
  });

  it('writes a top-level undefined as null and drops undefined members', () => {
    expect(stableJson(undefined)).to.equal('null');
    expect(stableJson({ b: 1, a: undefined, c: [undefined, 2] })).to.equal('{"b":1,"c":[null,2]}');
    expect(stableJson({ a: undefined })).to.equal('{}');
  });
});
