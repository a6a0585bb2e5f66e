// Mutation: every gene changes with probability `rate` (0.15 by default). Parameters take a Gaussian step
// clipped to the catalog range (integers rounded: σ = max(1, 20% of the value) for periods, 10% of the range
// for real parameters), an indicator is swapped for a compatible one (same outputs and scale: moving averages
// among themselves, rsi ↔ mfi, atr ↔ stddev), thresholds and exit rules are nudged, comparisons flipped to a
// sibling, risk and labels resampled. Everything stays legal by construction; `finalize` checks anyway.
import { INDICATORS, type ParamSpec } from '../../indicators/catalog.js';
import { STRATEGY_TYPES, type Genome } from '../../strategy/genome.js';
import { addExternalCondition, thresholdRange, type OperandGeneOptions } from './operand-genes.js';
import { HARD_RANGE, clamp, clampParam, compatibleIndicators, fixMacd, gaussian, pick, round, toDraft, type Draft, type Op, type Random } from './genes.js';

const SIBLING_OP: Record<Op, Op> = { gt: 'crosses_above', crosses_above: 'gt', lt: 'crosses_below', crosses_below: 'lt', gte: 'gt', lte: 'lt' };
const EXIT_DEFAULTS = { stopLoss: 0.02, takeProfit: 0.05, trailingStop: 0.02 } as const;
const GENERATED_TYPES = STRATEGY_TYPES.filter((s) => s !== 'prediction_driven');

/** One Gaussian step inside the range; an integer that rounds back to itself moves by one instead. */
export const stepParam = (spec: ParamSpec, v: number, rnd: Random): number => {
  const z = gaussian(rnd);
  const sigma = spec.integer ? Math.max(1, 0.2 * Math.abs(v)) : 0.1 * (spec.max - spec.min);
  let next = clampParam(spec, v + z * sigma);
  if (next === v && spec.integer) next = clampParam(spec, v + (z >= 0 ? 1 : -1));
  if (next === v && spec.integer) next = clampParam(spec, v + (z >= 0 ? -1 : 1));
  return next;
};

const nudgeFraction = (v: number, rnd: Random, lo: number, hi: number): number => round(clamp(v * Math.exp(0.25 * gaussian(rnd)), lo, hi), 4);

/**
 * The mutated genes of `g` and the operators applied (`mutate:<param>`, `mutate:swap-indicator`, …).
 * With `force`, a genome that drew no mutation gets one parameter, threshold or exit-rule step, so a mutation
 * child is never a clone of its parent. With `operands` (a cycle that draws external operands), one external
 * condition may be added to the entry (`operand:<family>`); without, the random stream is consumed as before.
 */
export const mutateGenes = (
  g: Genome | Draft,
  rnd: Random,
  rate = 0.15,
  force = false,
  operands?: OperandGeneOptions,
): { draft: Draft; operators: string[] } => {
  const d = toDraft(g);
  const ops = new Set<string>();
  const hit = () => rnd() < rate;

  for (const ind of d.indicators) {
    if (hit()) {
      const options = compatibleIndicators(ind.name);
      if (options.length > 0) {
        const name = pick(rnd, options);
        const params: Record<string, number> = {};
        for (const [p, spec] of Object.entries(INDICATORS[name].params as Readonly<Record<string, ParamSpec>>))
          params[p] = clampParam(spec, ind.params[p] ?? spec.min);
        ind.name = name;
        ind.params = params;
        ops.add('mutate:swap-indicator');
      }
    }
    for (const [p, spec] of Object.entries(INDICATORS[ind.name].params as Readonly<Record<string, ParamSpec>>)) {
      if (!hit()) continue;
      ind.params[p] = stepParam(spec, ind.params[p] ?? spec.min, rnd);
      ops.add(`mutate:${p}`);
    }
    if (ind.name === 'macd') fixMacd(ind.params);
  }

  const nameOf = (id: string) => d.indicators.find((i) => i.id === id)?.name;
  const nudgeThreshold = (c: Draft['entry']['conditions'][number]): boolean => {
    const [valueSide, other] = 'value' in c.right ? (['right', c.left] as const) : 'value' in c.left ? (['left', c.right] as const) : [undefined, undefined];
    if (valueSide === undefined) return false;
    const v = (c[valueSide] as { value: number }).value;
    if (v === 0) return false; // a zero line is a structural choice, not a tuning knob
    const external = other === undefined ? undefined : thresholdRange(other);
    if (external !== undefined) {
      // An external operand's threshold: a step of a tenth of its drawing range, clipped to its possible values.
      const step = 0.1 * (external.draw[1] - external.draw[0]);
      let moved = round(clamp(v + gaussian(rnd) * step, external.hard[0], external.hard[1]), external.decimals);
      if (moved === 0) moved = v;
      c[valueSide] = { value: moved };
      return moved !== v;
    }
    const ref = other === undefined ? undefined : 'indicator' in other ? other.indicator : 'crossIndicator' in other ? other.crossIndicator : undefined;
    const band = ref !== undefined ? HARD_RANGE[nameOf(ref) ?? 'sma'] : undefined;
    const sigma = band !== undefined ? Math.max(1, 0.1 * Math.abs(v)) : 0.1 * Math.abs(v);
    let next = round(v + gaussian(rnd) * sigma, 2);
    if (band !== undefined) next = clamp(next, band[0], band[1]);
    if (next === 0) next = v; // a threshold nudged onto zero would change the condition's kind
    c[valueSide] = { value: next };
    return next !== v;
  };
  for (const side of ['entry', 'exit'] as const)
    for (const c of d[side].conditions) {
      if (hit() && nudgeThreshold(c)) ops.add('mutate:threshold');
      if (hit()) {
        c.op = SIBLING_OP[c.op];
        ops.add('mutate:op');
      }
    }

  for (const k of ['stopLoss', 'takeProfit', 'trailingStop'] as const) {
    if (!hit()) continue;
    const v = d.exitRules[k];
    const others = d.exit.conditions.length + Object.keys(d.exitRules).filter((x) => x !== k).length;
    if (v === undefined) d.exitRules[k] = nudgeFraction(EXIT_DEFAULTS[k], rnd, 0.002, 0.5);
    else if (others > 0 && rnd() < 0.2) delete d.exitRules[k];
    else d.exitRules[k] = nudgeFraction(v, rnd, 0.002, 0.5);
    ops.add('mutate:exit-rule');
  }
  if (hit()) {
    d.risk.positionSize = nudgeFraction(d.risk.positionSize, rnd, 0.05, 1);
    ops.add('mutate:risk');
  }
  if (hit()) {
    d.risk.riskPerTrade = nudgeFraction(d.risk.riskPerTrade, rnd, 0.001, 0.1);
    ops.add('mutate:risk');
  }
  if (hit()) {
    d.strategyType = pick(
      rnd,
      GENERATED_TYPES.filter((s) => s !== d.strategyType),
    );
    ops.add('mutate:strategy-type');
  }
  if (rnd() < rate / 2) {
    d.direction = d.direction === 'long_only' ? 'long_short' : 'long_only';
    ops.add('mutate:direction');
  }

  if (operands !== undefined && rnd() < rate) {
    const added = addExternalCondition(d, rnd, operands);
    if (added !== undefined) ops.add(added);
  }

  if (force && ops.size === 0) {
    const tunable = d.indicators.flatMap((ind) => Object.keys(INDICATORS[ind.name].params).map((p) => [ind, p] as const));
    if (tunable.length > 0) {
      const [ind, p] = pick(rnd, tunable);
      const spec = (INDICATORS[ind.name].params as Readonly<Record<string, ParamSpec>>)[p]!;
      ind.params[p] = stepParam(spec, ind.params[p] ?? spec.min, rnd);
      if (ind.name === 'macd') fixMacd(ind.params);
      ops.add(`mutate:${p}`);
    } else {
      const k = pick(rnd, ['stopLoss', 'takeProfit', 'trailingStop'] as const);
      d.exitRules[k] = nudgeFraction(d.exitRules[k] ?? EXIT_DEFAULTS[k], rnd, 0.002, 0.5);
      ops.add('mutate:exit-rule');
    }
  }
  return { draft: d, operators: [...ops] };
};
