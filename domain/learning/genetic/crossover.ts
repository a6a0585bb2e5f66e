// Crossover: a child that takes its entry from one parent and its exit from the other, so it inherits a
// working signal from each. Indicators follow the conditions that use them and are re-declared under fresh ids
// (identical indicators of the two parents merge into one), so every condition references a declared
// indicator. Indicators of the same kind in both parents exchange parameters gene by gene (uniform crossover);
// exit rules, risk, strategy type, direction, timeframe and symbols come from either parent or are averaged.
import { INDICATORS } from '../../indicators/catalog.js';
import type { Genome } from '../../strategy/genome.js';
import { stableJson } from '../fingerprint.js';
import { fixMacd, indicatorRef, pick, round, toDraft, type Draft, type DraftCondition, type DraftIndicator, type DraftOperand, type Random } from './genes.js';

const referenced = (conditions: readonly DraftCondition[]): Set<string> => {
  const ids = new Set<string>();
  for (const c of conditions)
    for (const o of [c.left, c.right]) {
      const id = indicatorRef(o);
      if (id !== undefined) ids.add(id);
    }
  return ids;
};

const either = <T>(rnd: Random, a: T, b: T): T => (rnd() < 0.5 ? a : b);
/** From either parent, or (one time in three, when both have it) their mean. */
const blend = (rnd: Random, a: number | undefined, b: number | undefined, decimals: number): number | undefined => {
  if (a !== undefined && b !== undefined && rnd() < 1 / 3) return round((a + b) / 2, decimals);
  return either(rnd, a, b);
};

/** The recombined genes of `a` and `b` (a draft: `finalize` decodes it) and the operators applied. */
export const crossGenes = (a: Genome | Draft, b: Genome | Draft, rnd: Random): { draft: Draft; operators: string[] } => {
  const pa = toDraft(a);
  const pb = toDraft(b);
  const [entryParent, exitParent] = rnd() < 0.5 ? [pa, pb] : [pb, pa];
  const operators: string[] = [];

  // Entry: the entry parent's conditions, or (uniform) each condition of both entries with probability ½,
  // always keeping at least one of the entry parent's.
  let entryConds: { cond: DraftCondition; from: Draft }[] = entryParent.entry.conditions.map((cond) => ({ cond, from: entryParent }));
  if (rnd() < 0.5 && exitParent.entry.conditions.length > 0) {
    const own = entryConds.filter(() => rnd() < 0.5);
    if (own.length === 0 && entryConds.length > 0) own.push(pick(rnd, entryConds));
    const others = exitParent.entry.conditions.filter(() => rnd() < 0.5).map((cond) => ({ cond, from: exitParent }));
    entryConds = [...own, ...others];
    operators.push('crossover:uniform-entry');
  } else operators.push('crossover:entry-exit');
  const exitConds = exitParent.exit.conditions.map((cond) => ({ cond, from: exitParent }));

  // Indicators used by the inherited conditions, parameters exchanged with a same-kind indicator of the other parent.
  const used = new Map<Draft, Set<string>>([
    [entryParent, referenced(entryConds.filter((c) => c.from === entryParent).map((c) => c.cond))],
    [exitParent, referenced([...entryConds.filter((c) => c.from === exitParent), ...exitConds].map((c) => c.cond))],
  ]);
  const idMap = new Map<Draft, Map<string, string>>([
    [entryParent, new Map()],
    [exitParent, new Map()],
  ]);
  const indicators: DraftIndicator[] = [];
  const byKey = new Map<string, string>();
  let uniformParams = false;
  for (const parent of [entryParent, exitParent]) {
    const other = parent === entryParent ? exitParent : entryParent;
    for (const ind of parent.indicators) {
      if (!used.get(parent)!.has(ind.id)) continue;
      const params = { ...ind.params };
      const mate = other.indicators.find((o) => o.name === ind.name);
      if (mate !== undefined)
        for (const p of Object.keys(INDICATORS[ind.name].params))
          if (mate.params[p] !== undefined && rnd() < 0.5 && mate.params[p] !== params[p]) {
            params[p] = mate.params[p]!;
            uniformParams = true;
          }
      if (ind.name === 'macd') fixMacd(params);
      const key = `${ind.name}${stableJson(params)}`;
      let id = byKey.get(key);
      if (id === undefined) {
        id = `x${indicators.length}_${ind.name}`;
        byKey.set(key, id);
        indicators.push({ id, name: ind.name, params });
      }
      idMap.get(parent)!.set(ind.id, id);
    }
  }
  if (uniformParams) operators.push('crossover:uniform-params');
  const remap = (o: DraftOperand, from: Draft): DraftOperand => {
    if ('indicator' in o) return { ...o, indicator: idMap.get(from)!.get(o.indicator) ?? o.indicator };
    if ('crossIndicator' in o) return { ...o, crossIndicator: idMap.get(from)!.get(o.crossIndicator) ?? o.crossIndicator };
    return { ...o };
  };
  const remapCond = ({ cond, from }: { cond: DraftCondition; from: Draft }): DraftCondition => ({
    left: remap(cond.left, from),
    op: cond.op,
    right: remap(cond.right, from),
  });

  const exitRules: Draft['exitRules'] = {};
  for (const k of ['takeProfit', 'stopLoss', 'trailingStop'] as const) {
    const v = blend(rnd, pa.exitRules[k], pb.exitRules[k], 4);
    if (v !== undefined) exitRules[k] = v;
  }
  const maxOpen = either(rnd, pa.risk.maxOpenPositions, pb.risk.maxOpenPositions);
  const risk: Draft['risk'] = {
    positionSize: blend(rnd, pa.risk.positionSize, pb.risk.positionSize, 4)!,
    riskPerTrade: blend(rnd, pa.risk.riskPerTrade, pb.risk.riskPerTrade, 4)!,
    ...(maxOpen === undefined ? {} : { maxOpenPositions: maxOpen }),
  };
  operators.push('crossover:blend-rules');

  const draft: Draft = {
    strategyType: either(rnd, pa.strategyType, pb.strategyType),
    direction: either(rnd, pa.direction, pb.direction),
    indicators,
    entry: { mode: entryParent.entry.mode, conditions: entryConds.map(remapCond) },
    exit: { mode: exitParent.exit.mode, conditions: exitConds.map(remapCond) },
    exitRules,
    risk,
    timeframe: either(rnd, pa.timeframe, pb.timeframe),
    symbols: [...either(rnd, pa.symbols, pb.symbols)],
  };
  return { draft, operators };
};
