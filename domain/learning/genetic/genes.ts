// What the learning operators know about genes: which indicators are drawn and how they may be swapped, the
// legal range of every number, how a condition on an indicator is built so it can fire, and the last gate every
// child passes: repair what can be repaired, decode with the Genome codec, and replace what cannot by a fresh
// random genome. Operators work on plain drafts (a genome without lineage and without brands) and call
// `finalize`, so no invalid genome ever leaves this module.
import { isLeft } from 'fp-ts/lib/Either.js';
import { INDICATORS, type IndicatorName, type ParamSpec } from '../../indicators/catalog.js';
import { randomGenome, type Random } from '../../backtest/random-genome.js';
import { Genome, OPERAND_PERIODS, type DailyMeasure, type DailyOperandSeries, type Lineage } from '../../strategy/genome.js';

export type { Random };

// ---------------------------------------------------------------- random helpers (all take the seeded source)

export const int = (rnd: Random, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
export const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
/** A standard normal draw (Box–Muller); 1 − u keeps the logarithm finite. */
export const gaussian = (rnd: Random): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
export const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};
export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

// ---------------------------------------------------------------- indicator families

/** Price-scale indicators: compared with the price or with each other. */
export const PRICE_LIKE = ['sma', 'ema', 'wma', 'dema', 'tema', 'vwma', 'vwap'] as const satisfies readonly IndicatorName[];
/** Oscillators with a known range: thresholds are drawn from this band (the same bands as random-genome.ts). */
export const BOUNDED: Partial<Record<IndicatorName, readonly [number, number]>> = {
  rsi: [20, 80],
  mfi: [20, 80],
  stoch: [20, 80],
  adx: [15, 40],
  willr: [-80, -20],
  cci: [-150, 150],
  roc: [-3, 3],
};
/** Where a threshold may never go, because the oscillator cannot: a nudged threshold is clipped here. */
export const HARD_RANGE: Partial<Record<IndicatorName, readonly [number, number]>> = {
  rsi: [0, 100],
  mfi: [0, 100],
  stoch: [0, 100],
  adx: [0, 100],
  willr: [-100, 0],
};
/** The indicators the generators draw (atr, stddev and obv have no scale-free comparison). */
export const DRAWN: readonly IndicatorName[] = [...PRICE_LIKE, 'bbands', 'macd', ...(Object.keys(BOUNDED) as IndicatorName[])];

/** Indicators that can replace each other in a condition: same outputs and the same scale. */
const SWAP_GROUPS: readonly (readonly IndicatorName[])[] = [PRICE_LIKE, ['rsi', 'mfi'], ['atr', 'stddev']];
export const compatibleIndicators = (name: IndicatorName): IndicatorName[] => {
  const group = SWAP_GROUPS.find((g) => g.includes(name)) ?? [];
  const outputs = INDICATORS[name].outputs.join(',');
  return group.filter((n) => n !== name && INDICATORS[n].outputs.join(',') === outputs);
};

export const isPriceLike = (name: IndicatorName): boolean => (PRICE_LIKE as readonly string[]).includes(name);

// ---------------------------------------------------------------- parameters

export const clampParam = (spec: ParamSpec, v: number): number => {
  const x = clamp(Number.isFinite(v) ? v : spec.min, spec.min, spec.max);
  return spec.integer ? Math.round(x) : round(x, 4);
};

/** MACD needs short < long; fix the pair while staying inside both ranges. */
export const fixMacd = (params: Record<string, number>): boolean => {
  const s = params['short'];
  const l = params['long'];
  if (s === undefined || l === undefined || s < l) return false;
  const { short: ss, long: ls } = INDICATORS.macd.params;
  const lo = Math.min(s, l);
  const hi = Math.max(s, l);
  if (lo < hi && lo <= ss.max && hi >= ls.min) {
    params['short'] = lo;
    params['long'] = hi;
  } else {
    params['short'] = clamp(lo, ss.min, Math.min(ss.max, ls.max - 1));
    params['long'] = clamp(params['short'] + Math.max(1, Math.round(params['short'] / 2)), ls.min, ls.max);
  }
  return true;
};

export type Bucket = 'low' | 'mid' | 'high';
export const BUCKETS: readonly Bucket[] = ['low', 'mid', 'high'];

/**
 * The thirds of a parameter's catalog range. Integer parameters (periods) are cut on a log scale, so 2–500
 * becomes 2–13 / 13–79 / 79–500 (short, medium, long) instead of three ranges of which two are uselessly long;
 * real parameters (the Bollinger width) are cut linearly.
 */
export const bucketBounds = (spec: ParamSpec, bucket: Bucket): readonly [number, number] => {
  const i = BUCKETS.indexOf(bucket);
  if (spec.integer && spec.min >= 1) {
    const lo = Math.log(spec.min);
    const step = (Math.log(spec.max) - lo) / 3;
    return [Math.exp(lo + i * step), Math.exp(lo + (i + 1) * step)];
  }
  const step = (spec.max - spec.min) / 3;
  return [spec.min + i * step, spec.min + (i + 1) * step];
};

export const bucketOf = (spec: ParamSpec, v: number): Bucket => {
  for (const b of BUCKETS.slice(0, 2)) if (v < bucketBounds(spec, b)[1]) return b;
  return 'high';
};

/** A legal value inside [lo, hi] ∩ the catalog range: log-uniform for integer periods, uniform otherwise. */
export const sampleParamIn = (spec: ParamSpec, lo: number, hi: number, rnd: Random): number => {
  const a = clamp(Math.min(lo, hi), spec.min, spec.max);
  const b = clamp(Math.max(lo, hi), spec.min, spec.max);
  const x = spec.integer && a >= 1 ? Math.exp(Math.log(a) + rnd() * (Math.log(b) - Math.log(a))) : a + rnd() * (b - a);
  return clampParam(spec, x);
};

export const thresholdBucketBounds = (name: IndicatorName, bucket: Bucket): readonly [number, number] | undefined => {
  const band = BOUNDED[name];
  if (band === undefined) return undefined;
  const step = (band[1] - band[0]) / 3;
  const i = BUCKETS.indexOf(bucket);
  return [band[0] + i * step, band[0] + (i + 1) * step];
};

export const thresholdBucketOf = (name: IndicatorName, v: number): Bucket | undefined => {
  const band = BOUNDED[name];
  if (band === undefined) return undefined;
  const step = (band[1] - band[0]) / 3;
  return v < band[0] + step ? 'low' : v < band[0] + 2 * step ? 'mid' : 'high';
};

// ---------------------------------------------------------------- drafts

export type PriceField = 'open' | 'high' | 'low' | 'close' | 'volume';
export type DraftOperand =
  | { indicator: string; output?: string }
  | { price: PriceField }
  | { value: number }
  | { prediction: 'expected_return' | 'up_probability'; model?: string }
  | { daily: DailyOperandSeries; measure: DailyMeasure; days?: number }
  | { crossIndicator: string; symbol: string; output?: string }
  | { crossReturn: number; symbol: string };

/** The indicator id an operand reads (its own candles' or another symbol's), if any. */
export const indicatorRef = (o: DraftOperand): string | undefined => ('indicator' in o ? o.indicator : 'crossIndicator' in o ? o.crossIndicator : undefined);
export type Op = 'gt' | 'gte' | 'lt' | 'lte' | 'crosses_above' | 'crosses_below';
export interface DraftCondition {
  left: DraftOperand;
  op: Op;
  right: DraftOperand;
}
export interface DraftConditionSet {
  mode: 'all' | 'any';
  conditions: DraftCondition[];
}
export interface DraftIndicator {
  id: string;
  name: IndicatorName;
  params: Record<string, number>;
}
/** A genome without lineage and brands, free to edit. */
export interface Draft {
  strategyType: Genome['strategyType'];
  direction: Genome['direction'];
  indicators: DraftIndicator[];
  entry: DraftConditionSet;
  exit: DraftConditionSet;
  exitRules: { takeProfit?: number; stopLoss?: number; trailingStop?: number };
  risk: { positionSize: number; riskPerTrade: number; maxOpenPositions?: number };
  timeframe: Genome['timeframe'];
  symbols: string[];
}

/** A deep copy of the behaviour of a genome (everything but its lineage). */
export const toDraft = (g: Genome | Draft): Draft => {
  const { lineage: _lineage, ...rest } = g as Genome;
  return JSON.parse(JSON.stringify(rest)) as Draft;
};

export interface LineageDraft {
  generation: number;
  parentIds: string[];
  origin: Lineage['origin'];
  operators?: string[];
  seed?: number;
  cycleId?: string;
}

export const OPS: readonly Op[] = ['gt', 'lt', 'crosses_above', 'crosses_below'];

/** One condition on `ind` that can fire (the rules of random-genome.ts); `threshold` overrides the drawn one. */
export const conditionOn = (rnd: Random, ind: DraftIndicator, other: DraftIndicator | undefined, threshold?: number): DraftCondition => {
  const op = pick(rnd, OPS);
  const me: DraftOperand = { indicator: ind.id };
  if (isPriceLike(ind.name)) {
    const right: DraftOperand = other !== undefined && rnd() < 0.5 ? { indicator: other.id } : { price: 'close' };
    return { left: me, op, right };
  }
  if (ind.name === 'bbands') return { left: { price: 'close' }, op, right: { indicator: ind.id, output: pick(rnd, ['lower', 'middle', 'upper']) } };
  if (ind.name === 'macd')
    return rnd() < 0.5
      ? { left: { indicator: ind.id, output: 'macd' }, op, right: { indicator: ind.id, output: 'signal' } }
      : { left: { indicator: ind.id, output: 'histogram' }, op, right: { value: 0 } };
  const [lo, hi] = BOUNDED[ind.name] ?? [-1, 1];
  const output = ind.name === 'stoch' ? pick(rnd, ['k', 'd']) : undefined;
  const left: DraftOperand = output === undefined ? { indicator: ind.id } : { indicator: ind.id, output };
  return { left, op, right: { value: threshold ?? Math.round(lo + rnd() * (hi - lo)) } };
};

// ---------------------------------------------------------------- repair and the final gate

const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Fixes what can be fixed in place; returns the repairs made, as `repair:<what>` operator names. */
export const repairDraft = (d: Draft): string[] => {
  const repairs = new Set<string>();
  // Indicators: unique ids, known parameters inside their ranges, MACD short < long.
  const seen = new Set<string>();
  d.indicators = d.indicators.filter((ind) => {
    if (seen.has(ind.id) || !Object.hasOwn(INDICATORS, ind.name)) {
      repairs.add('repair:drop-indicator');
      return false;
    }
    seen.add(ind.id);
    return true;
  });
  for (const ind of d.indicators) {
    const specs = INDICATORS[ind.name].params as Readonly<Record<string, ParamSpec>>;
    const params: Record<string, number> = {};
    for (const [p, spec] of Object.entries(specs)) {
      const v = ind.params[p];
      const fixed = clampParam(spec, v ?? spec.min + (spec.max - spec.min) / 10);
      if (v !== fixed) repairs.add('repair:clamp-param');
      params[p] = fixed;
    }
    if (Object.keys(ind.params).some((p) => !Object.hasOwn(specs, p))) repairs.add('repair:drop-param');
    if (ind.name === 'macd' && fixMacd(params)) repairs.add('repair:macd-order');
    ind.params = params;
  }
  const names = new Map(d.indicators.map((i) => [i.id, i.name]));
  // Operands must reference a declared indicator with a real output; a condition may not compare two constants.
  const fixOperand = (o: DraftOperand): boolean => {
    if ('value' in o) return isFiniteNumber(o.value);
    // A cross-asset operand reads another symbol: one the genome now trades itself (after a crossover or a symbol
    // swap) makes the condition meaningless, so it goes.
    if (('crossIndicator' in o || 'crossReturn' in o) && d.symbols.includes(o.symbol)) return false;
    if ('crossReturn' in o) {
      const bars = clamp(Math.round(isFiniteNumber(o.crossReturn) ? o.crossReturn : 1), OPERAND_PERIODS.bars.min, OPERAND_PERIODS.bars.max);
      if (bars !== o.crossReturn) repairs.add('repair:period');
      o.crossReturn = bars;
      return true;
    }
    if ('daily' in o) {
      if (o.days !== undefined) {
        const days = clamp(Math.round(isFiniteNumber(o.days) ? o.days : 1), OPERAND_PERIODS.days.min, OPERAND_PERIODS.days.max);
        if (days !== o.days) repairs.add('repair:period');
        o.days = days;
      }
      return true;
    }
    if (!('indicator' in o) && !('crossIndicator' in o)) return true;
    const name = names.get('indicator' in o ? o.indicator : o.crossIndicator);
    if (name === undefined) return false;
    const outputs: readonly string[] = INDICATORS[name].outputs;
    if (o.output !== undefined && !outputs.includes(o.output)) {
      if (outputs.length === 1) delete o.output;
      else o.output = outputs[0]!;
      repairs.add('repair:output');
    } else if (o.output === undefined && outputs.length > 1) {
      o.output = outputs[0]!;
      repairs.add('repair:output');
    }
    return true;
  };
  for (const side of ['entry', 'exit'] as const) {
    const before = d[side].conditions.length;
    d[side].conditions = d[side].conditions.filter((c) => fixOperand(c.left) && fixOperand(c.right) && !('value' in c.left && 'value' in c.right));
    if (d[side].conditions.length !== before) repairs.add('repair:drop-condition');
  }
  // Exit rules and risk: fractions in (0, 1].
  for (const k of ['takeProfit', 'stopLoss', 'trailingStop'] as const) {
    const v = d.exitRules[k];
    if (v === undefined) continue;
    if (!isFiniteNumber(v) || v <= 0) {
      delete d.exitRules[k];
      repairs.add('repair:exit-rule');
    } else if (v > 1) {
      d.exitRules[k] = 1;
      repairs.add('repair:exit-rule');
    }
  }
  const fraction = (v: number, fallback: number) => (isFiniteNumber(v) && v > 0 ? Math.min(1, v) : fallback);
  const risk = { positionSize: fraction(d.risk.positionSize, 0.25), riskPerTrade: fraction(d.risk.riskPerTrade, 0.01) };
  if (risk.positionSize !== d.risk.positionSize || risk.riskPerTrade !== d.risk.riskPerTrade) repairs.add('repair:risk');
  d.risk = { ...d.risk, ...risk };
  if (d.exit.conditions.length === 0 && Object.keys(d.exitRules).length === 0) {
    d.exitRules.stopLoss = 0.02;
    repairs.add('repair:add-stop-loss');
  }
  const symbols = [...new Set(d.symbols)];
  if (symbols.length !== d.symbols.length) repairs.add('repair:symbols');
  d.symbols = symbols;
  return [...repairs];
};

export interface Finalized {
  readonly genome: Genome;
  /** Repairs made (`repair:*`), empty when the operators produced a valid genome on their own. */
  readonly repairs: readonly string[];
  /** The draft could not be repaired and a fresh random genome took its place. */
  readonly replaced: boolean;
}

export interface Fallback {
  readonly rnd: Random;
  readonly symbols: readonly string[];
  readonly timeframe?: Genome['timeframe'];
}

export const decodeGenome = (candidate: unknown): Genome | undefined => {
  const decoded = Genome.decode(candidate);
  return isLeft(decoded) ? undefined : decoded.right;
};

/** A random genome with the given generation, seed and cycle (origin `random`, no parents). */
export const freshRandom = (fallback: Fallback, lineage: Omit<LineageDraft, 'origin' | 'parentIds'>): Genome => {
  const g = randomGenome(fallback.rnd, fallback.symbols, fallback.timeframe ?? '1h');
  const genome = decodeGenome({ ...g, lineage: { ...lineage, parentIds: [], origin: 'random' } });
  if (genome === undefined) throw new Error('freshRandom: random genome with the given lineage is invalid (bad cycleId/seed/generation?)');
  return genome;
};

/**
 * The gate: repair, decode, and if it still fails, replace with a random genome (lineage says so).
 * The child never leaves as an invalid genome.
 */
/**
 * A child inherits its parents' symbols, and a parent may trade a pair the day no longer offers (it left the pair
 * selection): such a symbol is swapped for one of the day's, drawn from those the child does not trade yet, so the
 * child is backtested on candles the cycle has rather than failing for want of them.
 */
const keepToTradedSymbols = (d: Draft, fallback: Fallback): string[] => {
  if (fallback.symbols.length === 0 || d.symbols.every((s) => fallback.symbols.includes(s))) return [];
  const kept = d.symbols.filter((s) => fallback.symbols.includes(s));
  const free = fallback.symbols.filter((s) => !kept.includes(s));
  const swapped: string[] = [];
  for (let i = d.symbols.length - kept.length; i > 0 && free.length > 0; i--) swapped.push(free.splice(Math.floor(fallback.rnd() * free.length), 1)[0]!);
  d.symbols = [...kept, ...swapped];
  return ['repair:symbols-not-traded'];
};

export const finalize = (draft: Draft, lineage: LineageDraft, fallback: Fallback): Finalized => {
  const d = toDraft(draft);
  let repairs: string[];
  try {
    repairs = [...keepToTradedSymbols(d, fallback), ...repairDraft(d)];
  } catch {
    repairs = ['repair:failed'];
  }
  const operators = [...(lineage.operators ?? []), ...repairs];
  const genome = decodeGenome({ ...d, lineage: { ...lineage, operators } });
  if (genome !== undefined) return { genome, repairs, replaced: false };
  const { origin: _o, parentIds: _p, ...rest } = lineage;
  const replacement = freshRandom(
    { ...fallback, symbols: fallback.symbols.length > 0 ? fallback.symbols : d.symbols, timeframe: fallback.timeframe ?? d.timeframe },
    { ...rest, operators: ['random:replaces-invalid'] },
  );
  return { genome: replacement, repairs, replaced: true };
};
