// Random but valid genomes, for the benchmark and for tests that want many different strategies. The caller
// passes the random source (a seeded PRNG such as mulberry32), so a seed always gives the same genomes.
// Conditions are built so they can actually fire: price-scale indicators are compared with the price or with
// each other, bounded oscillators with thresholds inside their range, MACD with its signal line or zero.
// atr, stddev and obv have no scale-free comparison, so they are not drawn.
import { isLeft } from 'fp-ts/lib/Either.js';
import { INDICATORS, type IndicatorName } from '../indicators/catalog.js';
import { Genome, type Condition, type Operand } from '../strategy/genome.js';

export type Random = () => number;

/** A small, fast, seeded PRNG: uniform in [0, 1). */
export const mulberry32 = (seed: number): Random => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const int = (rnd: Random, lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const PRICE_LIKE = ['sma', 'ema', 'wma', 'dema', 'tema', 'vwma', 'vwap'] as const satisfies readonly IndicatorName[];
/** Oscillators with a known range: thresholds are drawn from [lo, hi]. */
const BOUNDED: Partial<Record<IndicatorName, readonly [number, number]>> = {
  rsi: [20, 80],
  mfi: [20, 80],
  stoch: [20, 80],
  adx: [15, 40],
  willr: [-80, -20],
  cci: [-150, 150],
  roc: [-3, 3],
};
const DRAWN: readonly IndicatorName[] = [...PRICE_LIKE, 'bbands', 'macd', ...(Object.keys(BOUNDED) as IndicatorName[])];

interface Drawn {
  readonly id: string;
  readonly name: IndicatorName;
  readonly params: Record<string, number>;
}

const drawParams = (rnd: Random, name: IndicatorName): Record<string, number> => {
  const params: Record<string, number> = {};
  for (const [p, spec] of Object.entries(INDICATORS[name].params)) {
    // Short-to-medium periods: the daily cycle's 90-day windows are 2,160 bars.
    params[p] = spec.integer ? int(rnd, spec.min, Math.min(spec.max, spec.min + 60)) : Math.round((spec.min + rnd() * (spec.max - spec.min)) * 100) / 100;
  }
  if (name === 'macd') {
    const short = int(rnd, 5, 20);
    params['short'] = short;
    params['long'] = int(rnd, short + 5, short + 40);
    params['signal'] = int(rnd, 3, 15);
  }
  if (name === 'bbands') params['stddev'] = pick(rnd, [1.5, 2, 2.5]);
  return params;
};

const OPS = ['gt', 'lt', 'crosses_above', 'crosses_below'] as const;

/** One condition on the indicator `ind` (which must be declared); `other` is another price-like one, if any. */
const conditionOn = (rnd: Random, ind: Drawn, other: Drawn | undefined): Condition => {
  const op = pick(rnd, OPS);
  const me: Operand = { indicator: ind.id } as Operand;
  if ((PRICE_LIKE as readonly string[]).includes(ind.name)) {
    const right: Operand = other !== undefined && rnd() < 0.5 ? ({ indicator: other.id } as Operand) : { price: 'close' };
    return { left: me, op, right };
  }
  if (ind.name === 'bbands') {
    const band = pick(rnd, ['lower', 'middle', 'upper']);
    return { left: { price: 'close' }, op, right: { indicator: ind.id, output: band } } as Condition;
  }
  if (ind.name === 'macd')
    return rnd() < 0.5
      ? ({ left: { indicator: ind.id, output: 'macd' }, op, right: { indicator: ind.id, output: 'signal' } } as Condition)
      : ({ left: { indicator: ind.id, output: 'histogram' }, op, right: { value: 0 } } as Condition);
  const [lo, hi] = BOUNDED[ind.name]!;
  const output = ind.name === 'stoch' ? pick(rnd, ['k', 'd']) : undefined;
  const left = (output === undefined ? { indicator: ind.id } : { indicator: ind.id, output }) as Operand;
  return { left, op, right: { value: Math.round(lo + rnd() * (hi - lo)) } } as Condition;
};

/** One valid genome (checked with the Genome codec; an invalid one is a bug here and throws). */
export const randomGenome = (rnd: Random, symbols: readonly string[], timeframe: Genome['timeframe'] = '1h', seed?: number): Genome => {
  const count = int(rnd, 1, 3);
  const indicators: Drawn[] = [];
  for (let i = 0; i < count; i++) {
    const name = pick(rnd, DRAWN);
    indicators.push({ id: `i${i}_${name}`, name, params: drawParams(rnd, name) });
  }
  const priceLike = indicators.filter((d) => (PRICE_LIKE as readonly string[]).includes(d.name));
  const otherThan = (d: Drawn) => priceLike.find((p) => p !== d);
  const entryConds = indicators.slice(0, int(rnd, 1, count)).map((d) => conditionOn(rnd, d, otherThan(d)));
  const exitConds = rnd() < 0.8 ? [conditionOn(rnd, pick(rnd, indicators), undefined)] : [];
  const exitRules: Record<string, number> = {};
  if (rnd() < 0.5) exitRules['stopLoss'] = Math.round((0.005 + rnd() * 0.05) * 1000) / 1000;
  if (rnd() < 0.4) exitRules['takeProfit'] = Math.round((0.01 + rnd() * 0.1) * 1000) / 1000;
  if (rnd() < 0.3) exitRules['trailingStop'] = Math.round((0.005 + rnd() * 0.05) * 1000) / 1000;
  if (exitConds.length === 0 && Object.keys(exitRules).length === 0) exitRules['stopLoss'] = 0.02;
  const candidate = {
    strategyType: pick(rnd, ['momentum', 'mean_reversion', 'breakout', 'hybrid'] as const),
    direction: rnd() < 0.3 ? 'long_short' : 'long_only',
    indicators,
    entry: { mode: rnd() < 0.7 ? 'all' : 'any', conditions: entryConds },
    exit: { mode: 'any', conditions: exitConds },
    exitRules,
    risk: { positionSize: pick(rnd, [0.25, 0.5, 1]), riskPerTrade: pick(rnd, [0.01, 0.02, 0.05]) },
    timeframe,
    symbols: [...symbols],
    lineage: { generation: 0, parentIds: [], origin: 'random', ...(seed === undefined ? {} : { seed }) },
  };
  const decoded = Genome.decode(candidate);
  if (isLeft(decoded)) throw new Error(`randomGenome produced an invalid genome: ${decoded.left.map((e) => e.message).join('; ')}`);
  return decoded.right;
};

/** `count` genomes from one seeded PRNG. */
export const randomGenomes = (seed: number, count: number, symbols: readonly string[], timeframe: Genome['timeframe'] = '1h'): Genome[] => {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, () => randomGenome(rnd, symbols, timeframe, seed));
};
