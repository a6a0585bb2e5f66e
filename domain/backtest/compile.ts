// Turns a genome into something a per-bar loop can run: compiled ONCE (validated, operands resolved to slots,
// comparisons to small integer codes), then bound to one candle series by fetching every indicator from the run's
// shared IndicatorCache. After binding, every operand is a Float64Array or a constant: evaluating a bar is array
// reads and comparisons only — no string lookups, no allocation, no closures.
//
// Operands that read data beyond the genome's candles (daily series, other symbols, predictions) are bound from an
// OperandData value with the alignment rules of domain/backtest/operand-data.ts.
//
// Semantics: a condition at bar t uses values known at t's close. NaN (warm-up, or a 0/0 inside an indicator)
// makes a condition false. crosses_above at t: left[t−1] <= right[t−1] && left[t] > right[t] (false at t = 0);
// crosses_below mirrors it. mode 'all' is AND (an empty set is true), 'any' is OR (an empty set is false).
import { isLeft } from 'fp-ts/lib/Either.js';
import type { IndicatorCache } from '../indicators/cache.js';
import type { CandleSeries } from '../market/candles.js';
import { INTERVAL_MS } from '../market/candles.js';
import { DEFAULT_PREDICTION_MODEL, Genome, type ConditionSet, type DailyMeasure, type DailyOperandSeries, type Operand } from '../strategy/genome.js';
import { HONEST_ALIGNER, OperandDataError, barReturns, dailyMeasure, type OperandAligner, type OperandData, type OperandNeeds } from './operand-data.js';

export type CompileErrorCode = 'INVALID_GENOME';

/** A genome the engine cannot run. `problems` says why, one line each. */
export class CompileError extends Error {
  override readonly name = 'CompileError';
  constructor(
    readonly code: CompileErrorCode,
    readonly problems: readonly string[],
  ) {
    super(`${code}: ${problems.join('; ')}`);
  }
}

/** Comparison codes. */
export const Op = { gt: 0, gte: 1, lt: 2, lte: 3, crossesAbove: 4, crossesBelow: 5 } as const;
export type Op = (typeof Op)[keyof typeof Op];
const OP_CODES: Readonly<Record<string, Op>> = { gt: 0, gte: 1, lt: 2, lte: 3, crosses_above: 4, crosses_below: 5 };
/** The comparison with its sides swapped: c OP x ≡ x FLIP(OP) c. */
const FLIPPED: readonly Op[] = [Op.lt, Op.lte, Op.gt, Op.gte, Op.crossesBelow, Op.crossesAbove];

type PriceField = 'open' | 'high' | 'low' | 'close' | 'volume';
/**
 * An operand as a slot: an indicator output (by index into `indicators`), a price column, a constant, or an external
 * value (`label` names it in errors and coverage reports).
 */
export type OperandSlot =
  | { readonly kind: 'indicator'; readonly indicator: number; readonly output: string }
  | { readonly kind: 'price'; readonly field: PriceField }
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'daily'; readonly series: DailyOperandSeries; readonly measure: DailyMeasure; readonly days: number; readonly label: string }
  | { readonly kind: 'crossIndicator'; readonly symbol: string; readonly indicator: number; readonly output: string; readonly label: string }
  | { readonly kind: 'crossReturn'; readonly symbol: string; readonly bars: number; readonly label: string }
  | { readonly kind: 'prediction'; readonly model: string; readonly field: 'expected_return' | 'up_probability'; readonly label: string };

export type ExternalSlot = Extract<OperandSlot, { readonly label: string }>;

export interface CompiledCondition {
  readonly op: Op;
  /** Never a constant: a constant left side is swapped to the right with the comparison flipped. */
  readonly left: OperandSlot;
  readonly right: OperandSlot;
}

export interface CompiledSet {
  readonly all: boolean;
  readonly conditions: readonly CompiledCondition[];
}

export interface CompiledGenome {
  readonly genome: Genome;
  readonly indicators: Genome['indicators'];
  readonly entry: CompiledSet;
  readonly exit: CompiledSet;
  readonly allowShort: boolean;
  /** The external data the genome reads (empty lists for a genome of its own candles only). */
  readonly needs: OperandNeeds;
}

const slotOf = (o: Operand, ids: ReadonlyMap<string, number>, genome: Genome): OperandSlot => {
  // The codec checked that indicators are declared, outputs exist and periods are in range.
  const indicatorName = (i: number) => genome.indicators[i]!.id;
  if ('indicator' in o) return { kind: 'indicator', indicator: ids.get(o.indicator)!, output: o.output ?? 'value' };
  if ('price' in o) return { kind: 'price', field: o.price };
  if ('value' in o) return { kind: 'value', value: o.value };
  if ('daily' in o) {
    const days = o.days ?? 0;
    const label = `daily:${o.daily}.${o.measure}${o.measure === 'level' ? '' : `(${days}d)`}`;
    return { kind: 'daily', series: o.daily, measure: o.measure, days, label };
  }
  if ('crossIndicator' in o) {
    const indicator = ids.get(o.crossIndicator)!;
    const output = o.output ?? 'value';
    return {
      kind: 'crossIndicator',
      symbol: o.symbol,
      indicator,
      output,
      label: `${o.symbol}.${indicatorName(indicator)}${output === 'value' ? '' : `.${output}`}`,
    };
  }
  if ('crossReturn' in o) return { kind: 'crossReturn', symbol: o.symbol, bars: o.crossReturn, label: `${o.symbol}.return(${o.crossReturn} bars)` };
  const model = o.model ?? DEFAULT_PREDICTION_MODEL;
  return { kind: 'prediction', model, field: o.prediction, label: `prediction:${model}.${o.prediction}` };
};

const compileSet = (set: ConditionSet, ids: ReadonlyMap<string, number>, genome: Genome): CompiledSet => ({
  all: set.mode === 'all',
  conditions: set.conditions.map((c) => {
    const left = slotOf(c.left, ids, genome);
    const right = slotOf(c.right, ids, genome);
    const op = OP_CODES[c.op]!;
    return left.kind === 'value' ? { op: FLIPPED[op]!, left: right, right: left } : { op, left, right };
  }),
});

const isExternal = (slot: OperandSlot): slot is ExternalSlot => 'label' in slot;

/** The external slots of a compiled genome, each once (by label), entry first. */
export const externalSlots = (c: Pick<CompiledGenome, 'entry' | 'exit'>): ExternalSlot[] => {
  const seen = new Map<string, ExternalSlot>();
  for (const set of [c.entry, c.exit])
    for (const cond of set.conditions) for (const slot of [cond.left, cond.right]) if (isExternal(slot)) seen.set(slot.label, slot);
  return [...seen.values()];
};

const needsOf = (slots: readonly ExternalSlot[]): OperandNeeds => {
  const daily = new Set<DailyOperandSeries>();
  const symbols = new Set<string>();
  const models = new Set<string>();
  for (const s of slots) {
    if (s.kind === 'daily') daily.add(s.series);
    else if (s.kind === 'prediction') models.add(s.model);
    else symbols.add(s.symbol);
  }
  return { daily: [...daily].sort(), symbols: [...symbols].sort(), models: [...models].sort() };
};

/**
 * Validates (the Genome codec: structure, parameter ranges, declared indicators) and compiles. Throws a
 * CompileError: INVALID_GENOME with every problem.
 */
export const compileGenome = (input: unknown): CompiledGenome => {
  const decoded = Genome.decode(input);
  if (isLeft(decoded))
    throw new CompileError(
      'INVALID_GENOME',
      decoded.left.map(
        (e) =>
          `${
            e.context
              .map((c) => c.key)
              .filter((k) => k !== '')
              .join('.') || '(genome)'
          }: ${e.message ?? 'invalid value'}`,
      ),
    );
  const genome = decoded.right;
  const ids = new Map(genome.indicators.map((ind, i) => [ind.id as string, i]));
  const entry = compileSet(genome.entry, ids, genome);
  const exit = compileSet(genome.exit, ids, genome);
  return { genome, indicators: genome.indicators, entry, exit, allowShort: genome.direction === 'long_short', needs: needsOf(externalSlots({ entry, exit })) };
};

/** A condition set bound to one series: parallel arrays, one entry per condition. */
export interface BoundSet {
  readonly all: boolean;
  readonly count: number;
  readonly ops: Uint8Array;
  readonly left: readonly Float64Array[];
  /** The right operand's array, or null when it is the constant in `constants`. */
  readonly right: readonly (Float64Array | null)[];
  readonly constants: Float64Array;
}

/** An external operand bound to the series: its values, and per bar whether its source had data (1) or not (0). */
export interface BoundExternal {
  readonly operand: string;
  /** What it reads, for messages: `daily series fear_greed`, `candles of BTCUSDT`, `predictions of btc-1h`. */
  readonly source: string;
  readonly values: Float64Array;
  /** The source's raw value (level, close, forecast) was known at the bar: coverage, apart from warm-up. */
  readonly available: Uint8Array;
}

export interface BoundStrategy {
  readonly compiled: CompiledGenome;
  readonly series: CandleSeries;
  readonly entry: BoundSet;
  readonly exit: BoundSet;
  /** One entry per external operand (empty for a genome of its own candles only). */
  readonly external: readonly BoundExternal[];
}

const bindSet = (set: CompiledSet, arrays: (slot: OperandSlot) => Float64Array | null): BoundSet => {
  const n = set.conditions.length;
  const ops = new Uint8Array(n);
  const left: Float64Array[] = [];
  const right: (Float64Array | null)[] = [];
  const constants = new Float64Array(n);
  set.conditions.forEach((c, i) => {
    ops[i] = c.op;
    left.push(arrays(c.left)!);
    right.push(arrays(c.right));
    constants[i] = c.right.kind === 'value' ? c.right.value : NaN;
  });
  return { all: set.all, count: n, ops, left, right, constants };
};

const sourceOf = (slot: ExternalSlot): string =>
  slot.kind === 'daily' ? `daily series ${slot.series}` : slot.kind === 'prediction' ? `predictions of ${slot.model}` : `candles of ${slot.symbol}`;

const availability = (values: Float64Array): Uint8Array => {
  const out = new Uint8Array(values.length);
  for (let t = 0; t < values.length; t++) out[t] = +(values[t] === values[t]);
  return out;
};

/** One external operand over `series`; throws OperandDataError when `data` lacks its source altogether. */
const bindExternal = (
  compiled: CompiledGenome,
  slot: ExternalSlot,
  series: CandleSeries,
  cache: IndicatorCache,
  data: OperandData | undefined,
  align: OperandAligner,
): BoundExternal => {
  const intervalMs = INTERVAL_MS[series.key.interval];
  const window = { from: series.openTime[0] ?? NaN, to: series.length > 0 ? series.openTime[series.length - 1]! + intervalMs : NaN };
  const source = sourceOf(slot);
  const missing = () => new OperandDataError(slot.label, source, window, 'not loaded');
  if (slot.kind === 'daily') {
    const raw = data?.daily?.[slot.series];
    if (raw === undefined) throw missing();
    const values = align.daily(series.openTime, dailyMeasure(raw, slot.measure, slot.days));
    const level = slot.measure === 'level' ? values : align.daily(series.openTime, raw);
    return { operand: slot.label, source, values, available: availability(level) };
  }
  if (slot.kind === 'prediction') {
    const p = data?.predictions?.[slot.model];
    if (p === undefined) throw missing();
    const field = slot.field === 'expected_return' ? p.expectedReturn : p.upProbability;
    const values = align.predictions(series.openTime, intervalMs, p.madeAt, field);
    return { operand: slot.label, source, values, available: availability(values) };
  }
  const other = data?.candles?.[slot.symbol];
  if (other === undefined) throw missing();
  if (other.key.interval !== series.key.interval)
    throw new OperandDataError(slot.label, source, window, `its candles are ${other.key.interval}, the genome trades ${series.key.interval}`);
  let own: Float64Array;
  if (slot.kind === 'crossReturn') own = barReturns(other, slot.bars);
  else {
    const ind = compiled.indicators[slot.indicator]!;
    own = cache.getSync(other, ind.name, ind.params).outputs[slot.output]!;
  }
  const values = align.crossAsset(series.openTime, intervalMs, other.openTime.subarray(0, other.length), own);
  const present = align.crossAsset(series.openTime, intervalMs, other.openTime.subarray(0, other.length), other.close);
  return { operand: slot.label, source, values, available: availability(present) };
};

/**
 * Fetches every indicator of the genome over `series` from the shared cache (computed once per run), and lays every
 * external operand onto the series from `data` (operand-data.ts; `align` is replaced only by the look-ahead tests).
 * Throws OperandDataError when `data` lacks a source an operand needs.
 */
export const bindStrategy = (
  compiled: CompiledGenome,
  series: CandleSeries,
  cache: IndicatorCache,
  data?: OperandData,
  align: OperandAligner = HONEST_ALIGNER,
): BoundStrategy => {
  const outputs = compiled.indicators.map((ind) => cache.getSync(series, ind.name, ind.params).outputs);
  const external = new Map<string, BoundExternal>();
  for (const slot of externalSlots(compiled)) external.set(slot.label, bindExternal(compiled, slot, series, cache, data, align));
  const arrays = (slot: OperandSlot): Float64Array | null => {
    if (slot.kind === 'indicator') return outputs[slot.indicator]![slot.output]!;
    if (slot.kind === 'price') return series[slot.field];
    if (slot.kind === 'value') return null;
    return external.get(slot.label)!.values;
  };
  return { compiled, series, entry: bindSet(compiled.entry, arrays), exit: bindSet(compiled.exit, arrays), external: [...external.values()] };
};

/** One condition at bar t. Comparisons with NaN are false, so warm-up needs no special case. */
export const conditionAt = (op: number, l: Float64Array, r: Float64Array | null, c: number, t: number): boolean => {
  const lt = l[t]!;
  const rt = r === null ? c : r[t]!;
  switch (op) {
    case Op.gt:
      return lt > rt;
    case Op.gte:
      return lt >= rt;
    case Op.lt:
      return lt < rt;
    case Op.lte:
      return lt <= rt;
    case Op.crossesAbove:
      return t > 0 && l[t - 1]! <= (r === null ? c : r[t - 1]!) && lt > rt;
    default:
      return t > 0 && l[t - 1]! >= (r === null ? c : r[t - 1]!) && lt < rt;
  }
};

/** The set's signal at bar t (for a bar-by-bar runtime such as paper trading). */
export const signalAt = (set: BoundSet, t: number): boolean => {
  if (set.all) {
    for (let i = 0; i < set.count; i++) if (!conditionAt(set.ops[i]!, set.left[i]!, set.right[i]!, set.constants[i]!, t)) return false;
    return true;
  }
  for (let i = 0; i < set.count; i++) if (conditionAt(set.ops[i]!, set.left[i]!, set.right[i]!, set.constants[i]!, t)) return true;
  return false;
};

/**
 * The set's signal for every bar in [from, to) into out[from..to) (1 = true), one condition at a time: each
 * inner loop is one comparison kind over two arrays (or an array and a constant), branch-free. The first
 * condition is written straight into `out`; each further one into a scratch column, then ANDed ('all') or
 * ORed ('any') into `out`. Same values as signalAt.
 */
export const fillSignals = (set: BoundSet, from: number, to: number, out: Uint8Array): void => {
  if (set.count === 0 || to <= from) {
    out.fill(set.all ? 1 : 0, from, to);
    return;
  }
  writeCondition(set.ops[0]!, set.left[0]!, set.right[0]!, set.constants[0]!, from, to, out);
  if (set.count === 1) return;
  if (scratch.length < to) scratch = new Uint8Array(Math.max(to, scratch.length * 2));
  const tmp = scratch;
  for (let i = 1; i < set.count; i++) {
    writeCondition(set.ops[i]!, set.left[i]!, set.right[i]!, set.constants[i]!, from, to, tmp);
    if (set.all) for (let t = from; t < to; t++) out[t] = out[t]! & tmp[t]!;
    else for (let t = from; t < to; t++) out[t] = out[t]! | tmp[t]!;
  }
};

/** A column reused by fillSignals for the conditions after the first (fillSignals is synchronous). */
let scratch = new Uint8Array(0);

/** One condition over [from, to) into out (0 or 1). NaN compares false, so warm-up needs no test. */
const writeCondition = (op: number, l: Float64Array, r: Float64Array | null, c: number, from: number, to: number, out: Uint8Array): void => {
  if (r === null) writeConst(op, l, c, from, to, out);
  else writeArrays(op, l, r, from, to, out);
};

// One small function per comparison kind (each optimised on its own, a tight loop with nothing else in it).
// crosses_above at t: l[t−1] <= r[t−1] && l[t] > r[t]. The left half is carried from the previous bar (it is
// not the negation of l > r when a value is NaN, so both comparisons are made). False at t = 0.
const writeArrays = (op: number, l: Float64Array, r: Float64Array, from: number, to: number, out: Uint8Array): void => {
  if (op >= Op.crossesAbove) {
    if (from === 0) out[0] = 0;
    const start = Math.max(from, 1);
    if (start >= to) return;
    if (op === Op.crossesAbove) crossAboveArrays(l, r, start, to, out);
    else crossBelowArrays(l, r, start, to, out);
    return;
  }
  if (op === Op.gt) gtArrays(l, r, from, to, out);
  else if (op === Op.gte) gteArrays(l, r, from, to, out);
  else if (op === Op.lt)
    gtArrays(r, l, from, to, out); // l < r ⇔ r > l (NaN: false either way)
  else gteArrays(r, l, from, to, out);
};

const gtArrays = (l: Float64Array, r: Float64Array, from: number, to: number, out: Uint8Array): void => {
  for (let t = from; t < to; t++) out[t] = +(l[t]! > r[t]!);
};
const gteArrays = (l: Float64Array, r: Float64Array, from: number, to: number, out: Uint8Array): void => {
  for (let t = from; t < to; t++) out[t] = +(l[t]! >= r[t]!);
};
/** start ≥ 1. */
const crossAboveArrays = (l: Float64Array, r: Float64Array, start: number, to: number, out: Uint8Array): void => {
  let before = +(l[start - 1]! <= r[start - 1]!);
  for (let t = start; t < to; t++) {
    const lt = l[t]!;
    const rt = r[t]!;
    out[t] = before & +(lt > rt);
    before = +(lt <= rt);
  }
};
/** start ≥ 1. crosses_below(l, r) ⇔ crosses_above(r, l): l[t−1] >= r[t−1] && l[t] < r[t]. */
const crossBelowArrays = (l: Float64Array, r: Float64Array, start: number, to: number, out: Uint8Array): void => crossAboveArrays(r, l, start, to, out);

const writeConst = (op: number, l: Float64Array, c: number, from: number, to: number, out: Uint8Array): void => {
  if (op >= Op.crossesAbove) {
    if (from === 0) out[0] = 0;
    const start = Math.max(from, 1);
    if (start >= to) return;
    if (op === Op.crossesAbove) crossAboveConst(l, c, start, to, out);
    else crossBelowConst(l, c, start, to, out);
    return;
  }
  if (op === Op.gt) gtConst(l, c, from, to, out);
  else if (op === Op.gte) gteConst(l, c, from, to, out);
  else if (op === Op.lt) ltConst(l, c, from, to, out);
  else lteConst(l, c, from, to, out);
};

const gtConst = (l: Float64Array, c: number, from: number, to: number, out: Uint8Array): void => {
  for (let t = from; t < to; t++) out[t] = +(l[t]! > c);
};
const gteConst = (l: Float64Array, c: number, from: number, to: number, out: Uint8Array): void => {
  for (let t = from; t < to; t++) out[t] = +(l[t]! >= c);
};
const ltConst = (l: Float64Array, c: number, from: number, to: number, out: Uint8Array): void => {
  for (let t = from; t < to; t++) out[t] = +(l[t]! < c);
};
const lteConst = (l: Float64Array, c: number, from: number, to: number, out: Uint8Array): void => {
  for (let t = from; t < to; t++) out[t] = +(l[t]! <= c);
};
const crossAboveConst = (l: Float64Array, c: number, start: number, to: number, out: Uint8Array): void => {
  let before = +(l[start - 1]! <= c);
  for (let t = start; t < to; t++) {
    const lt = l[t]!;
    out[t] = before & +(lt > c);
    before = +(lt <= c);
  }
};
const crossBelowConst = (l: Float64Array, c: number, start: number, to: number, out: Uint8Array): void => {
  let before = +(l[start - 1]! >= c);
  for (let t = start; t < to; t++) {
    const lt = l[t]!;
    out[t] = before & +(lt < c);
    before = +(lt >= c);
  }
};
