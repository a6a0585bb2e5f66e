// A canonical fingerprint of what a genome does, so a cycle can skip genomes that were already tested.
// Only fields that change behaviour count: the lineage does not, and neither do indicator ids, the order of
// indicators, of conditions inside a set, or of symbols. Indicators are renamed to their name and parameters,
// a lone condition's mode is normalised, and the result is stable JSON hashed with cyrb53 (twice, 106 bits).
import { INDICATORS } from '../../indicators/catalog.js';
import type { Genome } from '../../strategy/genome.js';
import type { Draft, DraftCondition, DraftConditionSet, DraftOperand } from './genes.js';

/** JSON with object keys sorted, so equal values always print the same. */
export const stableStringify = (v: unknown): string => {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
};

/** cyrb53 (bryc, public domain): a fast 53-bit string hash. */
export const cyrb53 = (s: string, seed = 0): number => {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
};

/** The behaviour of a genome in canonical form (plain JSON). */
export const canonicalGenome = (g: Genome | Draft) => {
  const keyOf = new Map<string, string>();
  for (const ind of g.indicators) keyOf.set(ind.id, `${ind.name}${stableStringify(ind.params)}`);
  const operand = (o: DraftOperand): unknown => {
    if (!('indicator' in o)) return o;
    const key = keyOf.get(o.indicator) ?? `?${o.indicator}`;
    const name = g.indicators.find((i) => i.id === o.indicator)?.name;
    const single = name !== undefined && INDICATORS[name].outputs.length === 1;
    return single || o.output === undefined ? { indicator: key } : { indicator: key, output: o.output };
  };
  const condition = (c: DraftCondition) => stableStringify({ left: operand(c.left), op: c.op, right: operand(c.right) });
  const set = (s: DraftConditionSet) => {
    const conditions = [...new Set(s.conditions.map(condition))].sort();
    return { mode: conditions.length <= 1 ? 'all' : s.mode, conditions };
  };
  return {
    strategyType: g.strategyType,
    direction: g.direction,
    indicators: [...new Set(keyOf.values())].sort(),
    entry: set(g.entry as DraftConditionSet),
    exit: set(g.exit as DraftConditionSet),
    exitRules: g.exitRules,
    risk: g.risk,
    timeframe: g.timeframe,
    symbols: [...g.symbols].sort(),
  };
};

/** The one fingerprint (FNV-1a 64 of the canonical form): see ../fingerprint.ts. */
export { genomeFingerprint } from '../fingerprint.js';
