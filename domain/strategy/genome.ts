// A strategy genome: everything needed to rebuild and run a strategy, and where it came from.
// The codec checks structure first, then the rules that span fields (parameters inside their legal
// ranges, conditions that only reference declared indicators), so an invalid genome never enters a stream.
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { pipe } from 'fp-ts/lib/function.js';
import { Finite, Fraction, IdString, Name, NonNegativeInt, Uuid, boundedArray, boundedRecord, nonEmptyArray } from '../primitives/codecs.js';
import { INDICATORS, type IndicatorName } from '../indicators/catalog.js';
import { withShape } from '../primitives/exact.js';
import { MarketSymbol } from '../market/market-symbol.js';

/** The most a genome may hold (schema ceilings: the API may set lower limits, e.g. symbols per genome). */
export const GENOME_BOUNDS = { symbols: 50, indicators: 32, params: 16, conditions: 32, parentIds: 64, operators: 64 } as const;

const keyof = <K extends string>(keys: readonly K[], name: string) => t.keyof(Object.fromEntries(keys.map((k) => [k, null])) as Record<K, null>, name);

export const STRATEGY_TYPES = ['momentum', 'mean_reversion', 'breakout', 'hybrid', 'prediction_driven'] as const;
export const StrategyType = keyof(STRATEGY_TYPES, 'StrategyType');
export type StrategyType = t.TypeOf<typeof StrategyType>;

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export const Timeframe = keyof(TIMEFRAMES, 'Timeframe');
export type Timeframe = t.TypeOf<typeof Timeframe>;

export const IndicatorNameCodec = keyof(Object.keys(INDICATORS) as IndicatorName[], 'IndicatorName');

export interface IndicatorIdBrand {
  readonly IndicatorId: unique symbol;
}
export const IndicatorId = t.brand(t.string, (s): s is t.Branded<string, IndicatorIdBrand> => /^[a-z][a-z0-9_]{0,31}$/.test(s), 'IndicatorId');

// A genome names its symbols in any exchange's format (a pair or a ticker): the exchange is the job's, which checks
// them against its own format (domain/market/market-symbol.ts).
export { MarketSymbol } from '../market/market-symbol.js';

export const IndicatorUse = t.type({ id: IndicatorId, name: IndicatorNameCodec, params: boundedRecord(Finite, GENOME_BOUNDS.params) }, 'IndicatorUse');
export type IndicatorUse = t.TypeOf<typeof IndicatorUse>;

/** The daily series a genome may read (domain/market/daily-series.ts stores them). */
export const DAILY_OPERAND_SERIES = ['fear_greed', 'sp500', 'nasdaq', 'vix'] as const;
export type DailyOperandSeries = (typeof DAILY_OPERAND_SERIES)[number];
/** level: the value; change: value − value `days` observations earlier (points); return: value / that − 1. */
export const DAILY_MEASURES = ['level', 'change', 'return'] as const;
export type DailyMeasure = (typeof DAILY_MEASURES)[number];
/** Which measures each series offers: Fear & Greed is an index in points, the others are prices. */
export const MEASURES_OF: Readonly<Record<DailyOperandSeries, readonly DailyMeasure[]>> = {
  fear_greed: ['level', 'change'],
  sp500: ['level', 'return'],
  nasdaq: ['level', 'return'],
  vix: ['level', 'return'],
};
/** Ranges of the look-back periods (checked by genomeProblems, with the operand's path). */
export const OPERAND_PERIODS = { days: { min: 1, max: 30 }, bars: { min: 1, max: 500 } } as const;
export const PREDICTION_FIELDS = ['expected_return', 'up_probability'] as const;
/** The predictor a prediction operand reads when it names none (issue 12: the 1-hour BTC forecaster). */
export const DEFAULT_PREDICTION_MODEL = 'btc-1h';

// New members only add keys no older member has (daily, crossIndicator, crossReturn) or optional ones (model), so
// every genome stored before them decodes exactly as it did.
export const Operand = t.union(
  [
    t.intersection([t.type({ indicator: IndicatorId }), t.partial({ output: Name })]),
    t.type({ price: keyof(['open', 'high', 'low', 'close', 'volume'] as const, 'PriceField') }),
    t.type({ value: Finite }),
    // The predictor's forecast for the next hour, from recorded predictions (doc/operands.md).
    t.intersection([t.type({ prediction: keyof(PREDICTION_FIELDS, 'PredictionField') }), t.partial({ model: Name })]),
    // A daily series (sentiment or macro), visible from its publication time.
    t.intersection([
      t.type({ daily: keyof(DAILY_OPERAND_SERIES, 'DailyOperandSeries'), measure: keyof(DAILY_MEASURES, 'DailyMeasure') }),
      t.partial({ days: NonNegativeInt }),
    ]),
    // A declared indicator computed on another symbol's candles (same exchange and interval), e.g. BTC's RSI.
    t.intersection([t.type({ crossIndicator: IndicatorId, symbol: MarketSymbol }), t.partial({ output: Name })]),
    // Another symbol's return over `crossReturn` of its bars: close / close `crossReturn` bars earlier − 1.
    t.type({ crossReturn: NonNegativeInt, symbol: MarketSymbol }),
  ],
  'Operand',
);
export type Operand = t.TypeOf<typeof Operand>;

/** The data families an operand may need beyond the genome's own candles (CycleOptions.operands names them). */
export const OPERAND_FAMILIES = ['sentiment', 'macro', 'cross_asset', 'prediction'] as const;
export type OperandFamily = (typeof OPERAND_FAMILIES)[number];

/** Which external data an operand reads, or undefined for one computed from the genome's own candles or a constant. */
export const operandFamily = (o: Operand): OperandFamily | undefined => {
  if ('daily' in o) return o.daily === 'fear_greed' ? 'sentiment' : 'macro';
  if ('crossIndicator' in o || 'crossReturn' in o) return 'cross_asset';
  if ('prediction' in o) return 'prediction';
  return undefined;
};

/** Every operand of a genome's conditions, entry first. */
export const genomeOperands = (g: Pick<Genome, 'entry' | 'exit'>): Operand[] =>
  [g.entry, g.exit].flatMap((set) => set.conditions.flatMap((c) => [c.left, c.right]));

export const Comparison = keyof(['gt', 'gte', 'lt', 'lte', 'crosses_above', 'crosses_below'] as const, 'Comparison');
export const Condition = t.type({ left: Operand, op: Comparison, right: Operand }, 'Condition');
export type Condition = t.TypeOf<typeof Condition>;

export const ConditionSet = t.type(
  { mode: keyof(['all', 'any'] as const, 'ConditionMode'), conditions: boundedArray(Condition, GENOME_BOUNDS.conditions) },
  'ConditionSet',
);
export type ConditionSet = t.TypeOf<typeof ConditionSet>;

/** Distances from the entry price as fractions: 0.05 is 5%. */
export const ExitRules = t.partial({ takeProfit: Fraction, stopLoss: Fraction, trailingStop: Fraction }, 'ExitRules');
export type ExitRules = t.TypeOf<typeof ExitRules>;

export const RiskParameters = t.intersection(
  [
    // positionSize: share of equity committed per position; riskPerTrade: share of equity lost if the stop is hit.
    t.type({ positionSize: Fraction, riskPerTrade: Fraction }),
    t.partial({ maxOpenPositions: NonNegativeInt }),
  ],
  'RiskParameters',
);
export type RiskParameters = t.TypeOf<typeof RiskParameters>;

export const ORIGINS = ['random', 'mutation', 'crossover', 'elite', 'policy', 'insight', 'grid_search', 'manual'] as const;
export const Lineage = t.intersection(
  [
    t.type({ generation: NonNegativeInt, parentIds: boundedArray(Uuid, GENOME_BOUNDS.parentIds), origin: keyof(ORIGINS, 'Origin') }),
    t.partial({ operators: boundedArray(Name, GENOME_BOUNDS.operators), seed: NonNegativeInt, cycleId: IdString }),
  ],
  'Lineage',
);
export type Lineage = t.TypeOf<typeof Lineage>;

const GenomeShape = t.type(
  {
    strategyType: StrategyType,
    direction: keyof(['long_only', 'long_short'] as const, 'Direction'),
    indicators: boundedArray(IndicatorUse, GENOME_BOUNDS.indicators),
    entry: ConditionSet,
    exit: ConditionSet,
    exitRules: ExitRules,
    risk: RiskParameters,
    timeframe: Timeframe,
    symbols: nonEmptyArray(MarketSymbol, `NonEmptyArray<MarketSymbol>(≤${GENOME_BOUNDS.symbols})`, GENOME_BOUNDS.symbols),
    lineage: Lineage,
  },
  'Genome',
);
export type Genome = t.TypeOf<typeof GenomeShape>;

interface Problem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The rules that span fields. Returns every problem, not just the first. */
export const genomeProblems = (g: Genome): Problem[] => {
  const problems: Problem[] = [];
  const declared = new Map<string, IndicatorName>();
  g.indicators.forEach((ind, i) => {
    if (declared.has(ind.id)) problems.push({ path: ['indicators', i, 'id'], message: `indicator id "${ind.id}" is declared twice` });
    declared.set(ind.id, ind.name);
    const spec = INDICATORS[ind.name];
    for (const [param, range] of Object.entries(spec.params)) {
      const v = ind.params[param];
      if (v === undefined) problems.push({ path: ['indicators', i, 'params', param], message: `${ind.name} needs parameter "${param}"` });
      else if (v < range.min || v > range.max || (range.integer && !Number.isInteger(v)))
        problems.push({
          path: ['indicators', i, 'params', param],
          message: `${ind.name}.${param} must be ${range.integer ? 'an integer ' : ''}in [${range.min}, ${range.max}], got ${v}`,
        });
    }
    for (const param of Object.keys(ind.params))
      if (!Object.hasOwn(spec.params, param)) problems.push({ path: ['indicators', i, 'params', param], message: `${ind.name} has no parameter "${param}"` });
    if (ind.name === 'macd' && ind.params['short'] !== undefined && ind.params['long'] !== undefined && ind.params['short'] >= ind.params['long'])
      problems.push({ path: ['indicators', i, 'params', 'short'], message: 'macd.short must be below macd.long' });
  });
  const checkIndicatorRef = (id: string, output: string | undefined, path: (string | number)[], key: string) => {
    const name = declared.get(id);
    if (name === undefined) {
      problems.push({ path: [...path, key], message: `refers to undeclared indicator "${id}"` });
      return;
    }
    const outputs: readonly string[] = INDICATORS[name].outputs;
    if (output !== undefined && !outputs.includes(output))
      problems.push({ path: [...path, 'output'], message: `${name} has outputs ${outputs.join(', ')}, not "${output}"` });
    if (output === undefined && outputs.length > 1)
      problems.push({ path: [...path, 'output'], message: `${name} has several outputs (${outputs.join(', ')}): name one` });
  };
  const inRange = (v: number, r: { readonly min: number; readonly max: number }) => Number.isInteger(v) && v >= r.min && v <= r.max;
  const checkOperand = (o: Operand, path: (string | number)[]) => {
    if ('indicator' in o) checkIndicatorRef(o.indicator, o.output, path, 'indicator');
    else if ('crossIndicator' in o) checkIndicatorRef(o.crossIndicator, o.output, path, 'crossIndicator');
    if ('daily' in o) {
      if (!MEASURES_OF[o.daily].includes(o.measure))
        problems.push({ path: [...path, 'measure'], message: `${o.daily} offers ${MEASURES_OF[o.daily].join(', ')}, not "${o.measure}"` });
      if (o.measure === 'level' && o.days !== undefined) problems.push({ path: [...path, 'days'], message: 'a level takes no "days"' });
      if (o.measure !== 'level' && o.days === undefined) problems.push({ path: [...path, 'days'], message: `a ${o.measure} needs "days"` });
      const { min, max } = OPERAND_PERIODS.days;
      if (o.days !== undefined && !inRange(o.days, OPERAND_PERIODS.days))
        problems.push({ path: [...path, 'days'], message: `days must be an integer in [${min}, ${max}], got ${o.days}` });
    }
    if ('crossReturn' in o && !inRange(o.crossReturn, OPERAND_PERIODS.bars)) {
      const { min, max } = OPERAND_PERIODS.bars;
      problems.push({ path: [...path, 'crossReturn'], message: `crossReturn must be an integer number of bars in [${min}, ${max}], got ${o.crossReturn}` });
    }
    if (('crossIndicator' in o || 'crossReturn' in o) && g.symbols.includes(o.symbol))
      problems.push({ path: [...path, 'symbol'], message: `${o.symbol} is one of the genome's own symbols: a cross-asset operand reads another symbol` });
  };
  for (const side of ['entry', 'exit'] as const)
    g[side].conditions.forEach((c, i) => {
      checkOperand(c.left, [side, 'conditions', i, 'left']);
      checkOperand(c.right, [side, 'conditions', i, 'right']);
      if ('value' in c.left && 'value' in c.right) problems.push({ path: [side, 'conditions', i], message: 'compares two constants' });
    });
  if (g.entry.conditions.length === 0) problems.push({ path: ['entry', 'conditions'], message: 'a strategy needs at least one entry condition' });
  const { takeProfit, stopLoss, trailingStop } = g.exitRules;
  if (g.exit.conditions.length === 0 && takeProfit === undefined && stopLoss === undefined && trailingStop === undefined)
    problems.push({ path: ['exit'], message: 'a strategy needs an exit: an exit condition or a take-profit, stop-loss or trailing-stop rule' });
  if (new Set(g.symbols).size !== g.symbols.length) problems.push({ path: ['symbols'], message: 'symbols repeat' });
  const minParents = { mutation: 1, crossover: 2, elite: 1 } as Partial<Record<Lineage['origin'], number>>;
  const need = minParents[g.lineage.origin];
  if (need !== undefined && g.lineage.parentIds.length < need)
    problems.push({ path: ['lineage', 'parentIds'], message: `a ${g.lineage.origin} child needs at least ${need} parent id(s)` });
  if (g.lineage.origin === 'random' && g.lineage.parentIds.length > 0)
    problems.push({ path: ['lineage', 'parentIds'], message: 'a random genome has no parents' });
  return problems;
};

export const Genome = withShape(
  new t.Type<Genome, t.OutputOf<typeof GenomeShape>, unknown>(
    'Genome',
    (u): u is Genome => GenomeShape.is(u) && genomeProblems(u).length === 0,
    (u, c) =>
      pipe(
        GenomeShape.validate(u, c),
        either.chain((g) => {
          const problems = genomeProblems(g);
          if (problems.length === 0) return t.success(g);
          return t.failures(
            problems.map((p) => ({
              value: u,
              message: p.message,
              context: [...c, ...p.path.map((k) => ({ key: String(k), type: t.unknown, actual: undefined }))],
            })),
          );
        }),
      ),
    (g) => GenomeShape.encode(g),
  ),
  GenomeShape,
);

/** What the dashboards show of a genome without loading it whole. */
export const genomeSummary = (g: Genome) => ({
  strategyType: g.strategyType,
  direction: g.direction,
  timeframe: g.timeframe,
  symbols: g.symbols,
  indicators: g.indicators.map((i) => i.name),
  generation: g.lineage.generation,
  origin: g.lineage.origin,
  parentIds: g.lineage.parentIds,
});
export type GenomeSummary = ReturnType<typeof genomeSummary>;
