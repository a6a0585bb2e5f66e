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

export const Operand = t.union(
  [
    t.intersection([t.type({ indicator: IndicatorId }), t.partial({ output: Name })]),
    t.type({ price: keyof(['open', 'high', 'low', 'close', 'volume'] as const, 'PriceField') }),
    t.type({ value: Finite }),
    // The predictor's forecast for the next bar (prediction-driven strategies).
    t.type({ prediction: keyof(['expected_return', 'up_probability'] as const, 'PredictionField') }),
  ],
  'Operand',
);
export type Operand = t.TypeOf<typeof Operand>;

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
  const checkOperand = (o: Operand, path: (string | number)[]) => {
    if (!('indicator' in o)) return;
    const name = declared.get(o.indicator);
    if (name === undefined) {
      problems.push({ path: [...path, 'indicator'], message: `refers to undeclared indicator "${o.indicator}"` });
      return;
    }
    const outputs: readonly string[] = INDICATORS[name].outputs;
    if (o.output !== undefined && !outputs.includes(o.output))
      problems.push({ path: [...path, 'output'], message: `${name} has outputs ${outputs.join(', ')}, not "${o.output}"` });
    if (o.output === undefined && outputs.length > 1)
      problems.push({ path: [...path, 'output'], message: `${name} has several outputs (${outputs.join(', ')}): name one` });
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
