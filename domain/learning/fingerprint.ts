// A genome's behavioural fingerprint: equal for genomes that trade alike, so the generator can skip what was tested.
// What does not change behaviour is left out or made canonical before hashing:
// - lineage (where the genome came from) is dropped;
// - indicator ids are replaced by what they compute (`sma{"period":10}`), so renaming an indicator changes nothing,
//   and the declarations are sorted and de-duplicated on that;
// - the conditions of a set are sorted (an `all` or `any` does not depend on their order);
// - object keys are sorted (stable JSON).
// - symbols are sorted, duplicate conditions dropped, a lone condition's mode is `all`.
// Not made canonical (a different fingerprint, so at worst one redundant backtest): mirrored comparisons
// (`a gt b` against `b lt a`).
// One fingerprint in the system, so the generator's dedupe and the training set agree.
import { INDICATORS } from '../indicators/catalog.js';
import type { Genome } from '../strategy/genome.js';
import type { Draft, DraftCondition, DraftConditionSet, DraftOperand } from './genetic/genes.js';

/** JSON with object keys sorted at every level and undefined members dropped (one string built in place: a hot path of the rebuild). */
export const stableJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i === 0 ? '' : ',') + (v === undefined ? 'null' : stableJson(v));
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // sort() without a comparator orders by UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(k) + ':' + stableJson(v);
  }
  return `${out}}`;
};

/** FNV-1a, 64 bits, over the UTF-8 bytes of `text`, as 16 hex digits (16-bit limbs: no BigInt in the hot loop). */
export const fnv1a64 = (text: string): string => {
  const bytes = new TextEncoder().encode(text);
  // Offset basis 0xcbf29ce484222325, least significant limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (const byte of bytes) {
    h0 ^= byte;
    // × the FNV prime 0x100000001b3 = 2^40 + 0x1b3: the 2^40 part shifts limbs 0 and 1 into limbs 2 and 3.
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + h0 * 0x100;
    let t3 = h3 * 0x1b3 + h1 * 0x100;
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    t3 += t2 >>> 16;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((h) => h.toString(16).padStart(4, '0')).join('');
};

/** The behaviour of a genome in canonical form (plain JSON): ids, declaration and condition order, symbol order and lineage do not count. */
export const canonicalGenome = (g: Genome | Draft) => {
  const keyOf = new Map<string, string>();
  for (const ind of g.indicators) keyOf.set(ind.id, `${ind.name}${stableJson(ind.params)}`);
  const operand = (o: DraftOperand): unknown => {
    if ('crossIndicator' in o) {
      const key = keyOf.get(o.crossIndicator) ?? `?${o.crossIndicator}`;
      const name = g.indicators.find((i) => i.id === o.crossIndicator)?.name;
      const single = name !== undefined && INDICATORS[name].outputs.length === 1;
      return single || o.output === undefined ? { crossIndicator: key, symbol: o.symbol } : { crossIndicator: key, symbol: o.symbol, output: o.output };
    }
    if (!('indicator' in o)) return o;
    const key = keyOf.get(o.indicator) ?? `?${o.indicator}`;
    const name = g.indicators.find((i) => i.id === o.indicator)?.name;
    const single = name !== undefined && INDICATORS[name].outputs.length === 1;
    return single || o.output === undefined ? { indicator: key } : { indicator: key, output: o.output };
  };
  const condition = (c: DraftCondition) => stableJson({ left: operand(c.left), op: c.op, right: operand(c.right) });
  const set = (s: DraftConditionSet) => {
    const conditions = [...new Set(s.conditions.map(condition))].sort();
    return { mode: conditions.length <= 1 ? 'all' : s.mode, conditions };
  };
  return {
    strategyType: g.strategyType,
    direction: g.direction,
    indicators: [...new Set(keyOf.values())].sort(),
    entry: set(g.entry),
    exit: set(g.exit),
    exitRules: g.exitRules,
    risk: g.risk,
    timeframe: g.timeframe,
    symbols: [...g.symbols].sort(),
  };
};

/** 16 hex digits; equal for genomes that behave the same, whatever their lineage, ids or the order of declarations, conditions and symbols. */
export const genomeFingerprint = (genome: Genome | Draft): string => fnv1a64(stableJson(canonicalGenome(genome)));
