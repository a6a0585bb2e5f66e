// One daily learning cycle, pure given a backtest function: generate N genomes, backtest each on the in-sample
// window and on the out-of-sample window right after it, compute the deflated Sharpe (trials = N), filter on
// the out-of-sample figures, and update the learners (GA population, policy, insights) with those same
// out-of-sample figures. In-sample numbers are what N tries a day overfit; they only serve as a sanity check
// in the filter (IS Sharpe > 0), never as fitness or reward (unless `fitness: 'min_is_oos'` is asked for).
//
// `evaluateForward` then runs strategies on the period after the out-of-sample window, which neither the
// filter nor the learner has seen: that is what says whether the filtered strategies are any good. It never
// touches the learner state.
import { deflatedSharpe } from '../backtest/metrics/deflated-sharpe.js';
import { DEFAULT_SETTINGS, type SettingValues } from '../settings/definitions.js';
import type { Genome, OperandFamily } from '../strategy/genome.js';
import type { OperandGeneOptions } from './genetic/operand-genes.js';
import { genomeFeatures } from './features.js';
import { generateCycle, generateRandomCycle, nichedParents, type GeneratedOrigin, type GeneratorResult, type ParentNiche, type Shares } from './generator.js';
import type { Random } from './genetic/genes.js';
import type { Scored } from './genetic/selection.js';
import { computeInsights, priorsFromInsights, type InsightRow, type Insights } from './insights/insights.js';
import { initialPolicy, updatePolicy, type Policy } from './policy/policy.js';
import type { Regime } from './policy/regime.js';

/** Bars by open time, epoch ms: [from, to). */
export interface Window {
  readonly from: number;
  readonly to: number;
}

/** Stored metrics of one backtest (meanMetrics of backtestGenome: sharpe, totalReturn, tradeCount, skew …). */
export type Metrics = Readonly<Record<string, number>>;

/** Backtests a genome on a window; a throw counts as a failed backtest (null figures), never as a crash of the cycle. */
export type BacktestFn = (genome: Genome, window: Window) => Metrics;

export interface Figures {
  /** Annualised Sharpe; null when undefined (no dispersion, e.g. no trades). */
  readonly sharpe: number | null;
  readonly totalReturn: number | null;
  readonly maxDrawdown: number | null;
  readonly tradeCount: number;
  /** Winning trades / closed trades; null or absent without trades (or when the backtest did not say). */
  readonly winRate?: number | null;
}

export interface FilterRule {
  /** OOS Sharpe strictly above this. Default 0.5. */
  readonly minOosSharpe: number;
  /** At least this many closed OOS trades (fewer is luck, not evidence). Default 3. */
  readonly minOosTrades: number;
  /** IS Sharpe strictly above this (a strategy that lost in-sample and won OOS is noise too). Default 0. */
  readonly minIsSharpe: number;
  // The platform's thresholds (the `filter.*` settings, domain/settings/definitions.ts), judged over the whole
  // backtest window, in-sample then out-of-sample. Absent: not checked (a day started before they existed).
  /** Sharpe strictly above this in each window (the lower of the IS and OOS Sharpe). Default 0.5. */
  readonly minSharpe?: number;
  /** Win rate over both windows (winning trades / trades) strictly above this. Default 0.35. */
  readonly minWinRate?: number;
  /** Total return over both windows ((1 + IS)(1 + OOS) − 1) at least this … Default −0.5. */
  readonly minTotalReturn?: number;
  /** … and at most this. Default 5 (+500%). */
  readonly maxTotalReturn?: number;
  /** At least this many trades over both windows. Default 10. */
  readonly minTrades?: number;
}

/** The OOS gate alone (the rule before the platform's thresholds). */
export const OOS_GATE: FilterRule = { minOosSharpe: 0.5, minOosTrades: 3, minIsSharpe: 0 };

/** The filter's thresholds as the settings hold them (the defaults, or the `settings` stream's values). */
export const filterRuleOf = (settings: SettingValues, gate: FilterRule = OOS_GATE): FilterRule => ({
  minOosSharpe: gate.minOosSharpe,
  minOosTrades: gate.minOosTrades,
  minIsSharpe: gate.minIsSharpe,
  minSharpe: settings['filter.minSharpe'],
  minWinRate: settings['filter.minWinRate'],
  minTotalReturn: settings['filter.minTotalReturn'],
  maxTotalReturn: settings['filter.maxTotalReturn'],
  minTrades: settings['filter.minTrades'],
});

/** The OOS gate and the platform's default thresholds. */
export const DEFAULT_FILTER: FilterRule = filterRuleOf(DEFAULT_SETTINGS);

/**
 * How the filter judges the OOS Sharpe: `fixed` (default) — OOS Sharpe > rule.minOosSharpe; `deflated` — the OOS
 * deflated Sharpe (trials = N, this cycle's dispersion) > `minOosDeflatedSharpe` (default 0.5, i.e. the OOS
 * Sharpe beats the expected maximum Sharpe of N skill-less trials). The trade-count and IS checks apply in both.
 */
export type FilterMode = 'fixed' | 'deflated';

/** What the GA and the policy are fed: OOS Sharpe (default), or min(IS, OOS) Sharpe (both must hold). */
export type FitnessMode = 'oos' | 'min_is_oos';

export interface StrategyRecord {
  /** A UUID: GA children name it as a parent. */
  readonly id: string;
  readonly cycle: number;
  readonly genome: Genome;
  readonly fingerprint: string;
  readonly origin: GeneratedOrigin;
  readonly regime: Regime;
  readonly inSample: Figures | null;
  readonly outOfSample: Figures | null;
  /** Deflated Sharpe (a probability) of the OOS result against the best of N = cycle size skill-less trials. */
  readonly oosDeflatedSharpe: number | null;
  readonly passed: boolean;
  /** Why the filter refused it, every failed check joined by '; ' (absent when it passed). */
  readonly rejectedBecause?: string;
  /** Every failed check, one each (absent when it passed). */
  readonly rejections?: readonly string[];
  /** What the learner was fed (see FitnessMode; min'ed with the paper Sharpe by learnFromPaper); null = failure. */
  readonly fitness: number | null;
  /** Paper-trading figures, once known (paper-feedback.ts). */
  readonly paper?: Figures;
}

export interface LearnerState {
  /** Every strategy tested so far (the training set), oldest first. */
  readonly history: readonly StrategyRecord[];
  /** Fingerprints of every tested genome. */
  readonly tested: ReadonlySet<string>;
  readonly policy: Policy;
  readonly insights: Insights | null;
}

export const initialLearner = (policy: Policy = initialPolicy()): LearnerState => ({ history: [], tested: new Set(), policy, insights: null });

export interface CycleOptions {
  /** The cycle's index (lineage.generation), from 0. */
  readonly cycle: number;
  readonly cycleId: string;
  /** N, genomes per cycle. Default 500. */
  readonly size?: number;
  readonly symbols: readonly string[];
  readonly inSample: Window;
  readonly outOfSample: Window;
  /** The regime at the end of the out-of-sample window (the cycle's "now"). */
  readonly regime: Regime;
  /** Timeframes to generate for (default ['1h']); the backtest function must handle each. */
  readonly timeframes?: readonly Genome['timeframe'][];
  /**
   * External operand families the generators may draw (doc/operands.md); default none, so earlier rounds'
   * tables stay reproducible. Only what `operandData` says the cycle has is drawn; the backtest function must
   * then load that data (application/backtest/operand-data-loader.ts).
   */
  readonly operands?: readonly OperandFamily[];
  /**
   * The external data the cycle's data stage found for its windows. Default: no daily series, no predictions,
   * and the cycle's own symbols for cross-asset operands (their candles are loaded anyway).
   */
  readonly operandData?: Partial<Omit<OperandGeneOptions, 'families'>>;
  /** The generator: the learning one (default) or the random baseline. */
  readonly generator?: 'learning' | 'random';
  readonly shares?: Shares;
  readonly filter?: FilterRule;
  /** `fixed` (default) or `deflated`: see FilterMode. */
  readonly filterMode?: FilterMode;
  /** With filterMode `deflated`: the OOS deflated Sharpe must be strictly above this. Default 0.5. */
  readonly minOosDeflatedSharpe?: number;
  readonly fitness?: FitnessMode;
  /** Breadth among GA parents (see nichedParents); default: the whole (recent) history breeds. */
  readonly parentNiche?: ParentNiche;
  /** The GA breeds from the last this many cycles of history (default: all of it). */
  readonly populationCycles?: number;
  /**
   * `history` (default): the GA breeds from the (recent) history; `paper-confirmed`: only from strategies whose
   * paper Sharpe is above 0, when there are at least 4 of them (else from the history, with a note).
   */
  readonly parents?: 'history' | 'paper-confirmed';
  /** Fewer scored strategies in the history: all exploration. Default 20. */
  readonly minHistory?: number;
  /** Recorded in lineage.seed. */
  readonly seed?: number;
}

export interface CycleResult {
  readonly records: StrategyRecord[];
  readonly passed: StrategyRecord[];
  readonly generation: GeneratorResult;
  readonly learner: LearnerState;
  readonly notes: string[];
}

/** A deterministic v4-layout UUID for strategy `index` of cycle `cycle` under `seed`. */
export const strategyId = (seed: number, cycle: number, index: number): string =>
  `${(seed >>> 0).toString(16).padStart(8, '0')}-${(cycle & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${index.toString(16).padStart(12, '0')}`;

const figuresOf = (m: Metrics): Figures => ({
  sharpe: Number.isFinite(m['sharpe']) ? m['sharpe']! : null,
  totalReturn: Number.isFinite(m['totalReturn']) ? m['totalReturn']! : null,
  maxDrawdown: Number.isFinite(m['maxDrawdown']) ? m['maxDrawdown']! : null,
  tradeCount: m['tradeCount'] ?? 0,
  winRate: Number.isFinite(m['winRate']) ? m['winRate']! : null,
});

const tryBacktest = (backtest: BacktestFn, genome: Genome, window: Window): Metrics | null => {
  try {
    return backtest(genome, window);
  } catch {
    return null;
  }
};

/**
 * The deflated Sharpe of one OOS result among `trials` tried: the PSR against the expected maximum Sharpe of
 * `trials` skill-less strategies whose (annualised) Sharpe ratios have variance `annualisedVariance`. Needs the
 * stored sharpe, skew, excessKurtosis, bars and periodsPerYear; null without them.
 */
export const oosDeflatedSharpe = (m: Metrics, trials: number, annualisedVariance: number): number | null => {
  const { sharpe, skew, excessKurtosis, bars, periodsPerYear } = m;
  if ([sharpe, skew, excessKurtosis, bars, periodsPerYear].some((x) => x === undefined || !Number.isFinite(x))) return null;
  const ppy = periodsPerYear!;
  return deflatedSharpe(
    { sharpe: sharpe! / Math.sqrt(ppy), observations: bars! - 1, skew: skew!, excessKurtosis: excessKurtosis! },
    Math.max(1, trials),
    Math.max(0, annualisedVariance) / ppy,
  );
};

const variance = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

/** The deflated test of the filter: the strategy's OOS deflated Sharpe (null = not computable) and the bar. */
export interface DeflatedTest {
  readonly oosDeflatedSharpe: number | null;
  readonly min: number;
}

/** The figures over the whole backtest window (IS then OOS) that the platform's thresholds judge. */
export interface WindowFigures {
  /** The lower of the IS and OOS Sharpe; null when either is. */
  readonly sharpe: number | null;
  readonly tradeCount: number;
  /** Winning trades of both windows / trades of both; null without trades or when a window with trades has none. */
  readonly winRate: number | null;
  /** (1 + IS return)(1 + OOS return) − 1; null when either is. */
  readonly totalReturn: number | null;
}

export const windowFigures = (inSample: Figures, outOfSample: Figures): WindowFigures => {
  const tradeCount = inSample.tradeCount + outOfSample.tradeCount;
  const wins = [inSample, outOfSample].reduce<number | null>(
    (sum, w) => (sum === null ? null : w.tradeCount === 0 ? sum : w.winRate === null || w.winRate === undefined ? null : sum + w.winRate * w.tradeCount),
    0,
  );
  return {
    sharpe: inSample.sharpe === null || outOfSample.sharpe === null ? null : Math.min(inSample.sharpe, outOfSample.sharpe),
    tradeCount,
    winRate: tradeCount === 0 || wins === null ? null : wins / tradeCount,
    totalReturn: inSample.totalReturn === null || outOfSample.totalReturn === null ? null : (1 + inSample.totalReturn) * (1 + outOfSample.totalReturn) - 1,
  };
};

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The filter: the out-of-sample gate (OOS Sharpe, or with `deflated` the OOS deflated Sharpe; OOS trades; IS Sharpe
 * as a sanity check), then the platform's thresholds over the whole backtest window. Returns every failed check, in
 * that order (none: passed). A DSR that cannot be computed, with `deflated`, is a failed check.
 */
export const filterFailures = (inSample: Figures | null, outOfSample: Figures | null, rule: FilterRule = DEFAULT_FILTER, deflated?: DeflatedTest): string[] => {
  if (inSample === null || outOfSample === null) return ['backtest failed'];
  const out: string[] = [];
  if (deflated !== undefined) {
    const d = deflated.oosDeflatedSharpe;
    if (d === null || !Number.isFinite(d)) out.push('no OOS deflated Sharpe');
    else if (!(d > deflated.min)) out.push(`OOS deflated Sharpe ${d.toFixed(3)} ≤ ${deflated.min}`);
  } else if (outOfSample.sharpe === null) out.push('no OOS Sharpe (no dispersion)');
  else if (!(outOfSample.sharpe > rule.minOosSharpe)) out.push(`OOS Sharpe ${outOfSample.sharpe.toFixed(2)} ≤ ${rule.minOosSharpe}`);
  if (outOfSample.tradeCount < rule.minOosTrades) out.push(`${outOfSample.tradeCount} OOS trades < ${rule.minOosTrades}`);
  if (inSample.sharpe === null || !(inSample.sharpe > rule.minIsSharpe)) out.push(`IS Sharpe ${inSample.sharpe?.toFixed(2) ?? 'null'} ≤ ${rule.minIsSharpe}`);

  const w = windowFigures(inSample, outOfSample);
  if (rule.minSharpe !== undefined && (w.sharpe === null || !(w.sharpe > rule.minSharpe)))
    out.push(`Sharpe ${w.sharpe?.toFixed(2) ?? 'null'} (the lower of IS and OOS) ≤ ${rule.minSharpe}`);
  if (rule.minWinRate !== undefined && (w.winRate === null || !(w.winRate > rule.minWinRate)))
    out.push(w.winRate === null ? 'no win rate (no trades)' : `win rate ${pct(w.winRate)} ≤ ${pct(rule.minWinRate)}`);
  if ((rule.minTotalReturn !== undefined || rule.maxTotalReturn !== undefined) && w.totalReturn === null) out.push('no total return');
  else if (rule.minTotalReturn !== undefined && !(w.totalReturn! >= rule.minTotalReturn))
    out.push(`total return ${pct(w.totalReturn!)} < ${pct(rule.minTotalReturn)}`);
  else if (rule.maxTotalReturn !== undefined && !(w.totalReturn! <= rule.maxTotalReturn))
    out.push(`total return ${pct(w.totalReturn!)} > ${pct(rule.maxTotalReturn)}`);
  if (rule.minTrades !== undefined && !(w.tradeCount >= rule.minTrades)) out.push(`${w.tradeCount} trades over the backtest window < ${rule.minTrades}`);
  return out;
};

/** The filter's failed checks joined by '; ' (see filterFailures), or undefined when it passes. */
export const filterVerdict = (
  inSample: Figures | null,
  outOfSample: Figures | null,
  rule: FilterRule = DEFAULT_FILTER,
  deflated?: DeflatedTest,
): string | undefined => {
  const failures = filterFailures(inSample, outOfSample, rule, deflated);
  return failures.length === 0 ? undefined : failures.join('; ');
};

/** The checks a strategy that passed the filter passed, each with its figure. */
export const passedChecks = (record: StrategyRecord, rule: FilterRule): string[] => {
  const out = [
    `OOS Sharpe ${record.outOfSample?.sharpe?.toFixed(2)} > ${rule.minOosSharpe}`,
    `${record.outOfSample?.tradeCount} OOS trades ≥ ${rule.minOosTrades}`,
    `IS Sharpe ${record.inSample?.sharpe?.toFixed(2)} > ${rule.minIsSharpe}`,
  ];
  if (record.inSample === null || record.outOfSample === null) return out;
  const w = windowFigures(record.inSample, record.outOfSample);
  if (rule.minSharpe !== undefined) out.push(`Sharpe ${w.sharpe?.toFixed(2)} (the lower of IS and OOS) > ${rule.minSharpe}`);
  if (rule.minWinRate !== undefined && w.winRate !== null) out.push(`win rate ${pct(w.winRate)} > ${pct(rule.minWinRate)}`);
  if (w.totalReturn !== null && (rule.minTotalReturn !== undefined || rule.maxTotalReturn !== undefined))
    out.push(`total return ${pct(w.totalReturn)} within [${pct(rule.minTotalReturn ?? -Infinity)}, ${pct(rule.maxTotalReturn ?? Infinity)}]`);
  if (rule.minTrades !== undefined) out.push(`${w.tradeCount} trades over the backtest window ≥ ${rule.minTrades}`);
  return out;
};

/** The deflated Sharpe, reported with every verdict (passed or rejected). */
export const deflatedLine = (record: StrategyRecord, trials: number): string =>
  record.oosDeflatedSharpe === null
    ? `OOS deflated Sharpe: not computable (${trials} trials)`
    : `OOS deflated Sharpe ${record.oosDeflatedSharpe.toFixed(3)} (${trials} trials)`;

/** A verdict's reasons: a pass lists each check it passed, a rejection every check it failed; both end with the deflated Sharpe. */
export const verdictReasons = (record: StrategyRecord, rule: FilterRule, trials: number): string[] => [
  ...(record.passed ? passedChecks(record, rule) : (record.rejections ?? [record.rejectedBecause ?? 'rejected'])),
  deflatedLine(record, trials),
];

const fitnessOf = (mode: FitnessMode, inSample: Figures | null, outOfSample: Figures | null): number | null => {
  const oos = outOfSample?.sharpe ?? null;
  if (mode === 'oos' || oos === null) return oos;
  const is = inSample?.sharpe ?? null;
  return is === null ? null : Math.min(is, oos);
};

/** The training-set row the insights read: the genome's features, the regime, and the OOS Sharpe. */
/**
 * Each record's row, computed once: the learner's history is the same record objects from cycle to cycle (records are
 * never changed, only replaced), and every cycle recomputes its insights over all of it. A cache of a pure function.
 */
const insightRows = new WeakMap<StrategyRecord, InsightRow>();

export const insightRow = (r: StrategyRecord): InsightRow => {
  let row = insightRows.get(r);
  if (row === undefined) {
    row = { features: { ...genomeFeatures(r.genome), regime: r.regime }, oosSharpe: r.outOfSample?.sharpe ?? null };
    insightRows.set(r, row);
  }
  return row;
};

/** A cycle's genomes, generated and not yet backtested (the first half of runCycle). */
export interface CyclePlan {
  readonly generation: GeneratorResult;
  readonly notes: readonly string[];
}

/** One genome's backtests: null = the backtest failed (scored as a failure). */
export interface GenomeRuns {
  readonly is: Metrics | null;
  readonly oos: Metrics | null;
}

/** Generates the cycle's genomes (GA, policy, random) from the learner state. */
export const planCycle = (state: LearnerState, options: CycleOptions, rnd: Random): CyclePlan => {
  const notes: string[] = [];
  const firstCycle = options.populationCycles === undefined ? 0 : options.cycle - options.populationCycles;
  const scored = (r: StrategyRecord): Scored => ({ id: r.id, genome: r.genome, fitness: r.fitness, fingerprint: r.fingerprint });
  const recent: Scored[] = state.history.filter((r) => r.cycle >= firstCycle).map(scored);
  let parents = recent;
  if (options.parents === 'paper-confirmed') {
    const confirmed = state.history.filter((r) => r.paper !== undefined && (r.paper.sharpe ?? 0) > 0).map(scored);
    if (confirmed.length >= 4) parents = confirmed;
    else notes.push(`${confirmed.length} paper-confirmed strategies (< 4): the GA breeds from the history`);
  }
  const population = options.parentNiche === undefined ? parents : nichedParents(parents, options.parentNiche);
  const generatorOptions = {
    size: options.size ?? 500,
    symbols: options.symbols,
    tested: state.tested,
    cycleId: options.cycleId,
    generation: options.cycle,
    seed: options.seed ?? 0,
    ...(options.shares === undefined ? {} : { shares: options.shares }),
    ...(options.minHistory === undefined ? {} : { minHistory: options.minHistory }),
    ...(options.timeframes === undefined ? {} : { timeframes: options.timeframes }),
    ...(options.operands === undefined || options.operands.length === 0
      ? {}
      : {
          operands: {
            families: options.operands,
            daily: options.operandData?.daily ?? [],
            crossSymbols: options.operandData?.crossSymbols ?? options.symbols,
            models: options.operandData?.models ?? [],
          },
        }),
  };
  const priors = state.insights === null ? undefined : priorsFromInsights(state.insights);
  const generation =
    options.generator === 'random'
      ? generateRandomCycle(generatorOptions, rnd)
      : generateCycle(
          {
            population,
            policy: state.policy,
            regime: options.regime,
            historySize: state.history.filter((r) => r.fitness !== null && Number.isFinite(r.fitness)).length,
            ...(priors === undefined ? {} : { priors }),
          },
          generatorOptions,
          rnd,
        );
  notes.push(...generation.notes);
  return { generation, notes };
};

/** Backtests one genome on the cycle's in-sample and out-of-sample windows; a throw is a failed backtest. */
export const backtestOnWindows = (genome: Genome, options: Pick<CycleOptions, 'inSample' | 'outOfSample'>, backtest: BacktestFn): GenomeRuns => ({
  is: tryBacktest(backtest, genome, options.inSample),
  oos: tryBacktest(backtest, genome, options.outOfSample),
});

/**
 * Judges the plan's backtests (runs[i] belongs to plan.generation.genomes[i]): deflated Sharpe, filter, and the
 * learning on OOS figures. The new learner state is in the result.
 */
export const concludeCycle = (state: LearnerState, options: CycleOptions, plan: CyclePlan, runs: readonly GenomeRuns[]): CycleResult => {
  const { generation } = plan;
  if (runs.length !== generation.genomes.length) throw new RangeError(`concludeCycle: ${runs.length} backtests for ${generation.genomes.length} genomes`);
  const size = options.size ?? 500;
  const rule = options.filter ?? DEFAULT_FILTER;
  const mode = options.fitness ?? 'oos';
  const filterMode = options.filterMode ?? 'fixed';
  const minDsr = options.minOosDeflatedSharpe ?? 0.5;
  const seed = options.seed ?? 0;
  const notes = [...plan.notes];
  const failed = runs.filter((r) => r.is === null || r.oos === null).length;
  if (failed > 0) notes.push(`${failed} of ${runs.length} backtests failed (scored as failures)`);

  // Deflated Sharpe with trials = N (the variance of this cycle's OOS Sharpe ratios), and the filter.
  const oosSharpes = runs.flatMap((r) => (r.oos !== null && Number.isFinite(r.oos['sharpe']) ? [r.oos['sharpe']!] : []));
  const sharpeVariance = variance(oosSharpes);
  const records: StrategyRecord[] = runs.map((r, i) => {
    const g = generation.genomes[i]!;
    const inSample = r.is === null ? null : figuresOf(r.is);
    const outOfSample = r.oos === null ? null : figuresOf(r.oos);
    const dsr = r.oos === null ? null : oosDeflatedSharpe(r.oos, size, sharpeVariance);
    const rejections = filterFailures(inSample, outOfSample, rule, filterMode === 'deflated' ? { oosDeflatedSharpe: dsr, min: minDsr } : undefined);
    return {
      id: strategyId(seed, options.cycle, i),
      cycle: options.cycle,
      genome: g.genome,
      fingerprint: g.fingerprint,
      origin: g.origin,
      regime: options.regime,
      inSample,
      outOfSample,
      oosDeflatedSharpe: dsr,
      passed: rejections.length === 0,
      ...(rejections.length === 0 ? {} : { rejectedBecause: rejections.join('; '), rejections }),
      fitness: fitnessOf(mode, inSample, outOfSample),
    };
  });
  const passed = records.filter((r) => r.passed);
  if (passed.length === 0) notes.push('no strategy passed the filter this cycle');

  return { records, passed, generation, learner: learnFromRecords(state, options, records), notes };
};

/**
 * Learn, on the out-of-sample figures: the GA's population grows by the records, the policy is rewarded with each
 * genome's fitness for the cycle's regime, the insights are recomputed over every row so far. concludeCycle learns
 * from all its records; the daily cycle from those whose events are in the log.
 */
export const learnFromRecords = (
  state: LearnerState,
  options: Pick<CycleOptions, 'regime' | 'timeframes' | 'operands'>,
  records: readonly StrategyRecord[],
): LearnerState => {
  // A cycle drawing external operands credits the policy's operand genes (policy.ts); otherwise they are left alone.
  const drawing = options.operands !== undefined && options.operands.length > 0;
  const { operandFamilies: _, ...withoutOperands } = state.policy;
  const base = options.timeframes === undefined ? withoutOperands : { ...withoutOperands, timeframes: [...options.timeframes] };
  const history = [...state.history, ...records];
  const tested = new Set(state.tested);
  for (const r of records) tested.add(r.fingerprint);
  const policy = updatePolicy(
    drawing ? { ...base, operandFamilies: [...options.operands] } : base,
    options.regime,
    records.map((r) => ({ genome: r.genome, reward: r.fitness })),
  );
  const insights = computeInsights(history.map(insightRow));
  return { history, tested, policy, insights };
};

/** One cycle: generate, backtest IS and OOS, filter and learn on OOS. The new learner state is in the result. */
export const runCycle = (state: LearnerState, options: CycleOptions, backtest: BacktestFn, rnd: Random): CycleResult => {
  const plan = planCycle(state, options, rnd);
  return concludeCycle(
    state,
    options,
    plan,
    plan.generation.genomes.map((g) => backtestOnWindows(g.genome, options, backtest)),
  );
};

export interface ForwardResult {
  readonly id: string;
  readonly passed: boolean;
  readonly origin: GeneratedOrigin;
  readonly forward: Figures | null;
}

/** Runs strategies on the period after the OOS window (never seen by the filter nor the learner). */
export const evaluateForward = (records: readonly StrategyRecord[], window: Window, backtest: BacktestFn): ForwardResult[] =>
  records.map((r) => {
    const m = tryBacktest(backtest, r.genome, window);
    return { id: r.id, passed: r.passed, origin: r.origin, forward: m === null ? null : figuresOf(m) };
  });
