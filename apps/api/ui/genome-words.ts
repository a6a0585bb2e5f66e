// A genome in words: what the strategy trades, when it enters and leaves, how much it risks, where it came from.
// Reads the genome as the API returns it (loosely typed: a field it does not know is shown as it is).
interface Operand {
  readonly indicator?: string;
  readonly output?: string;
  readonly price?: string;
  readonly value?: number;
  readonly prediction?: string;
}
interface Condition {
  readonly left: Operand;
  readonly op: string;
  readonly right: Operand;
}
interface ConditionSet {
  readonly mode: string;
  readonly conditions: readonly Condition[];
}
export interface GenomeView {
  readonly strategyType: string;
  readonly direction: string;
  readonly timeframe: string;
  readonly symbols: readonly string[];
  readonly indicators: readonly { readonly id: string; readonly name: string; readonly params: Readonly<Record<string, number>> }[];
  readonly entry: ConditionSet;
  readonly exit: ConditionSet;
  readonly exitRules: { readonly takeProfit?: number; readonly stopLoss?: number; readonly trailingStop?: number };
  readonly risk: { readonly positionSize: number; readonly riskPerTrade: number; readonly maxOpenPositions?: number };
  readonly lineage: {
    readonly generation: number;
    readonly parentIds: readonly string[];
    readonly origin: string;
    readonly operators?: readonly string[];
    readonly cycleId?: string;
  };
}

const OPS: Record<string, string> = {
  gt: 'is above',
  gte: 'is at or above',
  lt: 'is below',
  lte: 'is at or below',
  crosses_above: 'crosses above',
  crosses_below: 'crosses below',
};

export const describeOperand = (o: Operand, g: GenomeView): string => {
  if (o.indicator !== undefined) {
    const ind = g.indicators.find((i) => i.id === o.indicator);
    const params = ind
      ? Object.entries(ind.params)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
      : '';
    const name = ind ? `${ind.name.toUpperCase()}(${params})` : o.indicator;
    return o.output ? `${name} ${o.output}` : name;
  }
  if (o.price !== undefined) return `the ${o.price} price`;
  if (o.prediction !== undefined) return `the predicted ${o.prediction.replace('_', ' ')}`;
  if (o.value !== undefined) return String(o.value);
  return JSON.stringify(o);
};

const describeSet = (s: ConditionSet, g: GenomeView): string => {
  if (s.conditions.length === 0) return 'never (no condition)';
  const parts = s.conditions.map((c) => `${describeOperand(c.left, g)} ${OPS[c.op] ?? c.op} ${describeOperand(c.right, g)}`);
  return parts.length === 1 ? parts[0]! : `${s.mode === 'all' ? 'all of' : 'any of'}: ${parts.join('; ')}`;
};

const pct = (n: number | undefined) => (n === undefined ? undefined : `${(n * 100).toFixed(2)}%`);

/** Sentences, one per aspect. */
export const genomeInWords = (g: GenomeView): string[] => {
  const rules = [
    g.exitRules.takeProfit !== undefined ? `take profit at +${pct(g.exitRules.takeProfit)}` : undefined,
    g.exitRules.stopLoss !== undefined ? `stop loss at −${pct(g.exitRules.stopLoss)}` : undefined,
    g.exitRules.trailingStop !== undefined ? `trailing stop ${pct(g.exitRules.trailingStop)}` : undefined,
  ].filter((x): x is string => x !== undefined);
  return [
    `A ${g.strategyType.replace('_', ' ')} strategy, ${g.direction === 'long_only' ? 'long only' : 'long and short'}, on ${g.symbols.join(', ')} ${g.timeframe} candles.`,
    `Enters when ${describeSet(g.entry, g)}.`,
    `Exits when ${describeSet(g.exit, g)}${rules.length > 0 ? `, or by its rules: ${rules.join(', ')}` : ''}.`,
    `Commits ${pct(g.risk.positionSize)} of equity per position and risks ${pct(g.risk.riskPerTrade)} per trade${g.risk.maxOpenPositions !== undefined ? `, at most ${g.risk.maxOpenPositions} open positions` : ''}.`,
    `Generation ${g.lineage.generation}, origin ${g.lineage.origin}${g.lineage.cycleId ? ` (cycle ${g.lineage.cycleId})` : ''}${
      g.lineage.operators && g.lineage.operators.length > 0 ? `, operators ${g.lineage.operators.join(', ')}` : ''
    }.`,
  ];
};
