// The generation policy: Thompson-sampling bandits, one per gene and market regime. A gene is a choice the
// generator makes (strategy type, which indicators, which third of each parameter's range, threshold level,
// exit style, timeframe, symbol, …); each of its arms holds a Beta posterior over "a genome with this arm beats
// the reward threshold out of sample". Sampling draws from every posterior and builds a genome from the winning
// arms; updating adds each tested genome's success or failure to the arms it expresses, after decaying the
// regime's evidence towards the prior (markets change). The state is plain JSON (see PolicyCodec), immutable.
// doc/learning.md explains the reward and the update.
import * as t from 'io-ts';
import { Finite, NonNegativeInt, boundedArray, boundedRecord } from '../../primitives/codecs.js';
import { INDICATORS, type IndicatorName, type ParamSpec } from '../../indicators/catalog.js';
import { OPERAND_FAMILIES, STRATEGY_TYPES, Timeframe, operandFamily, type Genome, type OperandFamily } from '../../strategy/genome.js';
import {
  BOUNDED,
  BUCKETS,
  DRAWN,
  bucketBounds,
  bucketOf,
  conditionOn,
  finalize,
  fixMacd,
  isPriceLike,
  pick,
  round,
  sampleParamIn,
  thresholdBucketBounds,
  thresholdBucketOf,
  type Draft,
  type DraftCondition,
  type DraftIndicator,
  type Random,
} from '../genetic/genes.js';
import type { GenerationPriors } from '../insights/insights.js';
import { thompsonPick, thompsonTop, type BetaArm } from './beta.js';
import { REGIMES, type Regime } from './regime.js';

export type GenePosteriors = Record<string, Record<string, BetaArm>>;

export interface Policy {
  readonly version: 1;
  /** A result counts as a success when its reward (OOS Sharpe) is strictly above this. */
  readonly threshold: number;
  /** Per update, each regime's evidence shrinks by this factor towards the prior before the new results are added. */
  readonly decay: number;
  readonly prior: BetaArm;
  readonly timeframes: readonly Genome['timeframe'][];
  readonly regimes: Partial<Record<Regime, GenePosteriors>>;
  /** How many updates this policy has seen. */
  readonly updates: number;
  /**
   * The external operand families a cycle draws (CycleOptions.operands). Absent or empty: the operand genes are not
   * credited, so a policy that never drew one is exactly what it was before they existed.
   */
  readonly operandFamilies?: readonly OperandFamily[];
}

/**
 * The operand genes: `operandUse` (arms `none`, `external`: whether a policy sample gets an external condition) and
 * `operandFamily` (an arm per family: which one). Two genes, so that with no evidence a policy sample is drawn like
 * a random genome (half external, families uniform) and the measured shift is learning, not the prior's shape.
 */
export const OPERAND_USE_GENE = 'operandUse';
export const OPERAND_FAMILY_GENE = 'operandFamily';

/** The external operand families a genome reads (entry and exit). */
export const operandFamiliesOf = (g: Genome | Draft): OperandFamily[] => {
  const found = new Set<OperandFamily>();
  for (const side of [g.entry, g.exit])
    for (const c of side.conditions as readonly DraftCondition[])
      for (const o of [c.left, c.right]) {
        const f = operandFamily(o as Parameters<typeof operandFamily>[0]);
        if (f !== undefined) found.add(f);
      }
  return OPERAND_FAMILIES.filter((f) => found.has(f));
};

export const STRATEGY_ARMS = STRATEGY_TYPES.filter((s) => s !== 'prediction_driven');
const EXIT_STYLES = ['signal', 'signal_stop', 'stops', 'trailing'] as const;
type ExitStyle = (typeof EXIT_STYLES)[number];

export const initialPolicy = (options: { threshold?: number; decay?: number; prior?: BetaArm; timeframes?: readonly Genome['timeframe'][] } = {}): Policy => ({
  version: 1,
  threshold: options.threshold ?? 0,
  decay: options.decay ?? 0.9,
  prior: options.prior ?? { alpha: 1, beta: 1 },
  timeframes: [...(options.timeframes ?? ['1h'])],
  regimes: {},
  updates: 0,
});

const exitStyleOf = (g: Genome | Draft): ExitStyle => {
  const { stopLoss, takeProfit, trailingStop } = g.exitRules;
  const signal = g.exit.conditions.length > 0;
  if (trailingStop !== undefined) return 'trailing';
  if (!signal) return 'stops';
  return stopLoss !== undefined || takeProfit !== undefined ? 'signal_stop' : 'signal';
};

/** The arms a genome expresses, gene by gene: what its reward is credited to. */
export const armsOf = (g: Genome | Draft): Record<string, string[]> => {
  const arms: Record<string, Set<string>> = {};
  const add = (gene: string, arm: string) => (arms[gene] ??= new Set()).add(arm);
  add('strategyType', g.strategyType);
  add('direction', g.direction);
  add('indicatorCount', String(Math.min(3, Math.max(1, g.indicators.length))));
  add('entryMode', g.entry.mode);
  add('exitStyle', exitStyleOf(g));
  add('timeframe', g.timeframe);
  for (const s of g.symbols) add('symbol', s);
  const names = new Map<string, IndicatorName>();
  for (const ind of g.indicators) {
    names.set(ind.id, ind.name);
    add('indicator', ind.name);
    for (const [p, spec] of Object.entries(INDICATORS[ind.name].params as Readonly<Record<string, ParamSpec>>)) {
      const v = ind.params[p];
      if (v !== undefined) add(`param:${ind.name}.${p}`, bucketOf(spec, v));
    }
  }
  for (const side of [g.entry, g.exit])
    for (const c of side.conditions as readonly DraftCondition[]) {
      const [ind, val] = 'value' in c.right ? [c.left, c.right.value] : 'value' in c.left ? [c.right, c.left.value] : [undefined, undefined];
      if (ind === undefined || val === undefined || !('indicator' in ind)) continue;
      const name = names.get(ind.indicator);
      const b = name === undefined ? undefined : thresholdBucketOf(name, val);
      if (name !== undefined && b !== undefined) add(`threshold:${name}`, b);
    }
  return Object.fromEntries(Object.entries(arms).map(([k, v]) => [k, [...v]]));
};

export interface SampleOptions {
  /** Insight priors: parameter ranges that did well, drawn from instead of the arm's third `priorWeight` of the time. */
  readonly priors?: GenerationPriors;
  readonly priorWeight?: number;
  readonly generation?: number;
  readonly seed?: number;
  readonly cycleId?: string;
}

/** A valid genome built from one Thompson draw per gene, for `regime`, trading one of `symbols`. */
export const samplePolicyGenome = (policy: Policy, regime: Regime, symbols: readonly string[], rnd: Random, options: SampleOptions = {}): Genome => {
  if (symbols.length === 0) throw new RangeError('samplePolicyGenome: no symbols to trade');
  const post = policy.regimes[regime] ?? {};
  const arm = <A extends string>(gene: string, arms: readonly A[]): A => thompsonPick(arms, post[gene], policy.prior, rnd);
  const priorWeight = options.priorWeight ?? 0.5;
  const operators = ['policy:thompson', `regime:${regime}`];

  const count = Number(arm('indicatorCount', ['1', '2', '3']));
  const names = thompsonTop(DRAWN, count, post['indicator'], policy.prior, rnd);
  let usedPriors = false;
  const indicators: DraftIndicator[] = names.map((name, i) => {
    const params: Record<string, number> = {};
    for (const [p, spec] of Object.entries(INDICATORS[name].params as Readonly<Record<string, ParamSpec>>)) {
      const fromInsights = options.priors?.paramRanges[`${name}.${p}`];
      const bucket = arm(`param:${name}.${p}`, BUCKETS);
      let [lo, hi] = bucketBounds(spec, bucket);
      if (fromInsights !== undefined && rnd() < priorWeight) {
        [lo, hi] = [fromInsights.low, fromInsights.high];
        usedPriors = true;
      }
      params[p] = sampleParamIn(spec, lo, hi, rnd);
    }
    if (name === 'macd') fixMacd(params);
    return { id: `p${i}_${name}`, name, params };
  });
  if (usedPriors) operators.push('policy:insight-priors');

  const threshold = (ind: DraftIndicator): number | undefined => {
    if (BOUNDED[ind.name] === undefined) return undefined;
    const [lo, hi] = thresholdBucketBounds(ind.name, arm(`threshold:${ind.name}`, BUCKETS))!;
    return Math.round(lo + rnd() * (hi - lo));
  };
  const priceLike = indicators.filter((d) => isPriceLike(d.name));
  const otherThan = (d: DraftIndicator) => priceLike.find((p) => p !== d);
  const entry = indicators.map((d) => conditionOn(rnd, d, otherThan(d), threshold(d)));

  const style = arm('exitStyle', EXIT_STYLES);
  const exitRules: Draft['exitRules'] = {};
  const stop = () => round(0.005 + rnd() * 0.05, 3);
  const exit: DraftCondition[] = [];
  if (style !== 'stops') {
    const d = pick(rnd, indicators);
    exit.push(conditionOn(rnd, d, undefined, threshold(d)));
  }
  if (style === 'signal_stop' || style === 'stops') exitRules.stopLoss = stop();
  if (style === 'stops') exitRules.takeProfit = round(0.01 + rnd() * 0.1, 3);
  if (style === 'trailing') exitRules.trailingStop = stop();

  const draft: Draft = {
    strategyType: arm('strategyType', STRATEGY_ARMS),
    direction: arm('direction', ['long_only', 'long_short'] as const),
    indicators,
    entry: { mode: arm('entryMode', ['all', 'any'] as const), conditions: entry },
    exit: { mode: 'any', conditions: exit },
    exitRules,
    risk: { positionSize: pick(rnd, [0.25, 0.5, 1]), riskPerTrade: pick(rnd, [0.01, 0.02, 0.05]) },
    timeframe: arm('timeframe', policy.timeframes.length > 0 ? policy.timeframes : (['1h'] as const)),
    symbols: [arm('symbol', symbols)],
  };
  const lineage = {
    generation: options.generation ?? 0,
    parentIds: [],
    origin: 'policy' as const,
    operators,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.cycleId === undefined ? {} : { cycleId: options.cycleId }),
  };
  return finalize(draft, lineage, { rnd, symbols, timeframe: draft.timeframe }).genome;
};

export interface PolicyResult {
  readonly genome: Genome | Draft;
  /** The out-of-sample risk-adjusted result (OOS Sharpe); null (no trades, failed backtest) is a failure. */
  readonly reward: number | null;
}

/** A new policy: the regime's evidence decayed towards the prior, then one success or failure per result and arm. */
export const updatePolicy = (
  policy: Policy,
  regime: Regime,
  results: readonly PolicyResult[],
  options: { threshold?: number; decay?: number; weight?: number } = {},
): Policy => {
  const threshold = options.threshold ?? policy.threshold;
  const decay = options.decay ?? policy.decay;
  const weight = options.weight ?? 1;
  const { prior } = policy;
  const next: GenePosteriors = {};
  for (const [gene, arms] of Object.entries(policy.regimes[regime] ?? {}))
    next[gene] = Object.fromEntries(
      Object.entries(arms).map(([a, p]) => [a, { alpha: prior.alpha + decay * (p.alpha - prior.alpha), beta: prior.beta + decay * (p.beta - prior.beta) }]),
    );
  const withOperands = (policy.operandFamilies ?? []).length > 0;
  for (const r of results) {
    const success = r.reward !== null && Number.isFinite(r.reward) && r.reward > threshold;
    const credited = armsOf(r.genome);
    if (withOperands) {
      const families = operandFamiliesOf(r.genome);
      credited[OPERAND_USE_GENE] = [families.length === 0 ? 'none' : 'external'];
      if (families.length > 0) credited[OPERAND_FAMILY_GENE] = families;
    }
    for (const [gene, arms] of Object.entries(credited)) {
      const g = (next[gene] ??= {});
      for (const a of arms) {
        const p = g[a] ?? prior;
        g[a] = success ? { alpha: p.alpha + weight, beta: p.beta } : { alpha: p.alpha, beta: p.beta + weight };
      }
    }
  }
  return { ...policy, regimes: { ...policy.regimes, [regime]: next }, updates: policy.updates + 1 };
};

const Positive = t.refinement(Finite, (n) => n > 0, 'Positive');
const BetaArmCodec = t.type({ alpha: Positive, beta: Positive });
/** Genes × arms (arms per gene: its values, e.g. every symbol the selection ever named). */
const GenePosteriorsCodec = boundedRecord(boundedRecord(BetaArmCodec, 5000), 256);
/** The policy as stored in an event (plain JSON, finite numbers only). */
export const PolicyCodec = t.intersection(
  [
    t.type({
      version: t.literal(1),
      threshold: Finite,
      decay: t.refinement(Finite, (n) => n >= 0 && n <= 1, 'Decay'),
      prior: BetaArmCodec,
      timeframes: boundedArray(Timeframe, 16),
      regimes: t.partial(Object.fromEntries(REGIMES.map((r) => [r, GenePosteriorsCodec])) as Record<Regime, typeof GenePosteriorsCodec>),
      updates: NonNegativeInt,
    }),
    // Policies stored before the operand genes have none (still decode).
    t.partial({ operandFamilies: boundedArray(t.keyof(Object.fromEntries(OPERAND_FAMILIES.map((f) => [f, null])) as Record<OperandFamily, null>), 8) }),
  ],
  'Policy',
);
