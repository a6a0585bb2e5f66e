// Genes for the operands that read data beyond a genome's candles (doc/operands.md): which ones a cycle may draw,
// the threshold range of each (the catalog below), and how a condition on one is built, nudged and added to a
// draft. Off unless a cycle asks (CycleOptions.operands), and then limited to the data the cycle has: a generator
// never draws an operand whose data its backtests would lack.
import { MEASURES_OF, type DailyOperandSeries, type OperandFamily } from '../../strategy/genome.js';
import { BOUNDED, int, pick, round, type DraftCondition, type DraftIndicator, type DraftOperand, type Random } from './genes.js';

/** What a cycle lets its generators draw: the families asked for, narrowed to the data it has. */
export interface OperandGeneOptions {
  readonly families: readonly OperandFamily[];
  /** Daily series with data for the cycle's windows (sentiment: fear_greed; macro: sp500, nasdaq, vix). */
  readonly daily: readonly DailyOperandSeries[];
  /** Symbols whose candles the cycle has (cross-asset operands read one that the genome does not trade). */
  readonly crossSymbols: readonly string[];
  /** Predictor models with recorded predictions over the cycle's windows. */
  readonly models: readonly string[];
}

/** Where thresholds are drawn (`draw`) and where a nudged one is clipped (`hard`, the operand's possible values). */
export interface ThresholdRange {
  readonly draw: readonly [number, number];
  readonly hard: readonly [number, number];
  /** Decimals thresholds are rounded to. */
  readonly decimals: number;
}

/**
 * The catalog: Fear & Greed 0..100 (change ±30 points over up to 7 days), VIX 10..60 (daily return ±20%), index
 * returns ±3%, another symbol's return ±5%, its RSI on the RSI band, up_probability 0..1, expected_return ±1%.
 * Index levels (S&P 500, NASDAQ) have no scale-free threshold and are not drawn (their returns are).
 */
export const thresholdRange = (o: DraftOperand): ThresholdRange | undefined => {
  if ('daily' in o) {
    if (o.daily === 'fear_greed')
      return o.measure === 'level' ? { draw: [10, 90], hard: [0, 100], decimals: 0 } : { draw: [-30, 30], hard: [-100, 100], decimals: 0 };
    if (o.daily === 'vix') return o.measure === 'level' ? { draw: [10, 60], hard: [0, 150], decimals: 1 } : { draw: [-0.2, 0.2], hard: [-1, 10], decimals: 3 };
    return o.measure === 'return' ? { draw: [-0.03, 0.03], hard: [-1, 1], decimals: 4 } : undefined;
  }
  if ('crossReturn' in o) return { draw: [-0.05, 0.05], hard: [-1, 10], decimals: 4 };
  if ('prediction' in o)
    return o.prediction === 'up_probability' ? { draw: [0.3, 0.7], hard: [0, 1], decimals: 3 } : { draw: [-0.01, 0.01], hard: [-1, 1], decimals: 4 };
  return undefined;
};

const MACRO: readonly DailyOperandSeries[] = ['sp500', 'nasdaq', 'vix'];
const OPS = ['gt', 'lt', 'crosses_above', 'crosses_below'] as const;

/** The families a cycle can actually draw from with its data. */
export const drawableFamilies = (o: OperandGeneOptions, genomeSymbols: readonly string[]): OperandFamily[] =>
  o.families.filter((f) => {
    if (f === 'sentiment') return o.daily.includes('fear_greed');
    if (f === 'macro') return o.daily.some((s) => MACRO.includes(s));
    if (f === 'cross_asset') return o.crossSymbols.some((s) => !genomeSymbols.includes(s));
    return o.models.length > 0;
  });

const threshold = (rnd: Random, o: DraftOperand): number => {
  const r = thresholdRange(o)!;
  const x = round(r.draw[0] + rnd() * (r.draw[1] - r.draw[0]), r.decimals);
  return x === 0 ? r.draw[1] / 2 : x; // a zero line is a structural choice (mutation leaves it alone)
};

/**
 * One condition on an external operand the options allow for a genome trading `genomeSymbols`, with the indicator
 * it declares (a cross-asset RSI), or undefined when the options allow none.
 */
export const drawExternalCondition = (
  rnd: Random,
  o: OperandGeneOptions,
  genomeSymbols: readonly string[],
  idPrefix: string,
  /** Draw from this family only (the policy's operand gene chose it). */
  only?: OperandFamily,
): { condition: DraftCondition; indicator?: DraftIndicator; family: OperandFamily } | undefined => {
  const families = drawableFamilies(o, genomeSymbols).filter((f) => only === undefined || f === only);
  if (families.length === 0) return undefined;
  const family = pick(rnd, families);
  const op = pick(rnd, OPS);
  if (family === 'sentiment') {
    const measure = pick(rnd, MEASURES_OF.fear_greed);
    const left: DraftOperand = measure === 'level' ? { daily: 'fear_greed', measure } : { daily: 'fear_greed', measure, days: int(rnd, 1, 7) };
    return { condition: { left, op, right: { value: threshold(rnd, left) } }, family };
  }
  if (family === 'macro') {
    const series = pick(
      rnd,
      o.daily.filter((s) => MACRO.includes(s)),
    );
    const left: DraftOperand =
      series === 'vix' && rnd() < 0.5 ? { daily: 'vix', measure: 'level' } : { daily: series, measure: 'return', days: int(rnd, 1, 5) };
    return { condition: { left, op, right: { value: threshold(rnd, left) } }, family };
  }
  if (family === 'cross_asset') {
    const symbol = pick(
      rnd,
      o.crossSymbols.filter((s) => !genomeSymbols.includes(s)),
    );
    if (rnd() < 0.5) {
      const left: DraftOperand = { crossReturn: int(rnd, 1, 48), symbol };
      return { condition: { left, op, right: { value: threshold(rnd, left) } }, family };
    }
    const [lo, hi] = BOUNDED.rsi!;
    const indicator: DraftIndicator = { id: `${idPrefix}_rsi`, name: 'rsi', params: { period: int(rnd, 5, 30) } };
    return { condition: { left: { crossIndicator: indicator.id, symbol }, op, right: { value: Math.round(lo + rnd() * (hi - lo)) } }, indicator, family };
  }
  const model = pick(rnd, o.models);
  const field = pick(rnd, ['expected_return', 'up_probability'] as const);
  const left: DraftOperand = { prediction: field, model };
  return { condition: { left, op, right: { value: threshold(rnd, left) } }, family };
};

/** Adds one external condition to the entry set (with mode `all`, it filters the entry); returns the operator name or undefined. */
export const addExternalCondition = (
  d: { indicators: DraftIndicator[]; entry: { mode: 'all' | 'any'; conditions: DraftCondition[] }; symbols: string[] },
  rnd: Random,
  o: OperandGeneOptions,
  only?: OperandFamily,
): string | undefined => {
  let n = 0;
  while (d.indicators.some((i) => i.id === `x${n}_rsi`)) n++;
  const drawn = drawExternalCondition(rnd, o, d.symbols, `x${n}`, only);
  if (drawn === undefined) return undefined;
  if (drawn.indicator !== undefined) d.indicators.push(drawn.indicator);
  d.entry.conditions.push(drawn.condition);
  return `operand:${drawn.family}`;
};
