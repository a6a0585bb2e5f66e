// A genome flattened into the features the learner reads: one flat record of numbers and labels per strategy.
// Pure and NaN-free: a feature that does not apply (an unused indicator's parameters, an absent exit rule) is
// omitted, never NaN or null, so every value present is a real observation. Counts that can be zero are always there.
import { INDICATOR_NAMES, type IndicatorName } from '../indicators/catalog.js';
import type { Condition, Genome, Operand } from '../strategy/genome.js';

export type GenomeFeatures = Record<string, number | string>;

export const COMPARISON_OPS = ['gt', 'gte', 'lt', 'lte', 'crosses_above', 'crosses_below'] as const satisfies readonly Condition['op'][];

/**
 * Keys, in this order:
 * - `strategy_type`, `direction`, `timeframe`, `symbol` (the first), `symbol_count`, `indicator_count`;
 * - per catalog indicator: `uses_<name>` 0/1 and, when used, `<name>.<param>` of its first use;
 * - `entry.mode`, `entry.condition_count`, `entry.op.<op>` per comparison op (counts), the same for `exit.`;
 * - `<name>.threshold_min` / `<name>.threshold_max`: the constants compared with an indicator of that name
 *   (RSI 30 / 55, a stochastic's 20, an ADX's 25…), and `prediction.<field>.threshold_min|max` likewise;
 * - `exitRules.takeProfit|stopLoss|trailingStop`, `risk.positionSize|riskPerTrade|maxOpenPositions` when set;
 * - `lineage.generation`, `lineage.origin`, `lineage.parent_count`.
 */
export const genomeFeatures = (genome: Genome): GenomeFeatures => {
  const f: GenomeFeatures = {
    strategy_type: genome.strategyType,
    direction: genome.direction,
    timeframe: genome.timeframe,
    symbol: genome.symbols[0]!, // non-empty by the codec
    symbol_count: genome.symbols.length,
    indicator_count: genome.indicators.length,
  };

  const firstUse = new Map<IndicatorName, Genome['indicators'][number]>();
  for (const use of genome.indicators) if (!firstUse.has(use.name)) firstUse.set(use.name, use);
  for (const name of INDICATOR_NAMES) {
    const use = firstUse.get(name);
    f[`uses_${name}`] = use ? 1 : 0;
    if (use) for (const param of Object.keys(use.params).sort()) f[`${name}.${param}`] = use.params[param]!;
  }

  for (const side of ['entry', 'exit'] as const) {
    const set = genome[side];
    f[`${side}.mode`] = set.mode;
    f[`${side}.condition_count`] = set.conditions.length;
    for (const op of COMPARISON_OPS) f[`${side}.op.${op}`] = set.conditions.filter((c) => c.op === op).length;
  }

  // Constants compared with an indicator (either side of the condition), by indicator name.
  const nameOf = new Map(genome.indicators.map((i) => [i.id as string, i.name]));
  const thresholds = new Map<string, number[]>();
  const keyOf = (o: Operand): string | undefined => {
    if ('indicator' in o) return nameOf.get(o.indicator);
    if ('prediction' in o) return `prediction.${o.prediction}`;
    if ('daily' in o) return `daily.${o.daily}.${o.measure}`;
    if ('crossReturn' in o) return 'cross.return';
    if ('crossIndicator' in o) return `cross.${nameOf.get(o.crossIndicator) ?? 'indicator'}`;
    return undefined;
  };
  for (const c of [...genome.entry.conditions, ...genome.exit.conditions]) {
    const [key, value] = 'value' in c.right ? [keyOf(c.left), c.right.value] : 'value' in c.left ? [keyOf(c.right), c.left.value] : [undefined, undefined];
    if (key === undefined || value === undefined) continue;
    thresholds.set(key, [...(thresholds.get(key) ?? []), value]);
  }
  for (const key of [...thresholds.keys()].sort()) {
    const values = thresholds.get(key)!;
    f[`${key}.threshold_min`] = Math.min(...values);
    f[`${key}.threshold_max`] = Math.max(...values);
  }

  for (const rule of ['takeProfit', 'stopLoss', 'trailingStop'] as const) {
    const v = genome.exitRules[rule];
    if (v !== undefined) f[`exitRules.${rule}`] = v;
  }
  f['risk.positionSize'] = genome.risk.positionSize;
  f['risk.riskPerTrade'] = genome.risk.riskPerTrade;
  if (genome.risk.maxOpenPositions !== undefined) f['risk.maxOpenPositions'] = genome.risk.maxOpenPositions;

  f['lineage.generation'] = genome.lineage.generation;
  f['lineage.origin'] = genome.lineage.origin;
  f['lineage.parent_count'] = genome.lineage.parentIds.length;
  return f;
};
