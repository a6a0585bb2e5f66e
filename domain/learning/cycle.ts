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
import type { Genome } from '../strategy/genome.js';
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
}

export interface FilterRule {
  /** OOS Sharpe strictly above this. Default 0.5. */
  readonly minOosSharpe: number;
  /** At least this many closed OOS trades (fewer is luck, not evidence). Default 3. */
  readonly minOosTrades: number;
  /** IS Sharpe strictly above this (a strategy that lost in-sample and won OOS is noise too). Default 0. */
  readonly minIsSharpe: number;
}

export const DEFAULT_FILTER: FilterRule = { minOosSharpe: 0.5, minOosTrades: 3, minIsSharpe: 0 };

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
  /** Why the filter refused it (absent when it passed). */
  readonly rejectedBecause?: string;
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

/**
 * The filter, on out-of-sample figures (IS only as a sanity check). Returns the reason for a refusal, or
 * undefined. With `deflated`, the OOS Sharpe test is the deflated one (DSR > deflated.min) instead of the fixed
 * OOS Sharpe > rule.minOosSharpe; a DSR that cannot be computed is a refusal.
 */
export const filterVerdict = (
  inSample: Figures | null,
  outOfSample: Figures | null,
  rule: FilterRule = DEFAULT_FILTER,
  deflated?: DeflatedTest,
): string | undefined => {
  if (inSample === null || outOfSample === null) return 'backtest failed';
  if (outOfSample.sharpe === null) return 'no OOS Sharpe (no dispersion)';
  if (deflated !== undefined) {
    const d = deflated.oosDeflatedSharpe;
    if (d === null || !Number.isFinite(d)) return 'no OOS deflated Sharpe';
    if (!(d > deflated.min)) return `OOS deflated Sharpe ${d.toFixed(3)} ≤ ${deflated.min}`;
  } else if (!(outOfSample.sharpe > rule.minOosSharpe)) return `OOS Sharpe ${outOfSample.sharpe.toFixed(2)} ≤ ${rule.minOosSharpe}`;
  if (outOfSample.tradeCount < rule.minOosTrades) return `${outOfSample.tradeCount} OOS trades < ${rule.minOosTrades}`;
  if (inSample.sharpe === null || !(inSample.sharpe > rule.minIsSharpe)) return `IS Sharpe ${inSample.sharpe?.toFixed(2) ?? 'null'} ≤ ${rule.minIsSharpe}`;
  return undefined;
};

const fitnessOf = (mode: FitnessMode, inSample: Figures | null, outOfSample: Figures | null): number | null => {
  const oos = outOfSample?.sharpe ?? null;
  if (mode === 'oos' || oos === null) return oos;
  const is = inSample?.sharpe ?? null;
  return is === null ? null : Math.min(is, oos);
};

/** The training-set row the insights read: the genome's features, the regime, and the OOS Sharpe. */
export const insightRow = (r: StrategyRecord): InsightRow => ({
  features: { ...genomeFeatures(r.genome), regime: r.regime },
  oosSharpe: r.outOfSample?.sharpe ?? null,
});

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
  const scored = (r: StrategyRecord): Scored => ({ id: r.id, genome: r.genome, fitness: r.fitness });
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
    const rejectedBecause = filterVerdict(inSample, outOfSample, rule, filterMode === 'deflated' ? { oosDeflatedSharpe: dsr, min: minDsr } : undefined);
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
      passed: rejectedBecause === undefined,
      ...(rejectedBecause === undefined ? {} : { rejectedBecause }),
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
  options: Pick<CycleOptions, 'regime' | 'timeframes'>,
  records: readonly StrategyRecord[],
): LearnerState => {
  const history = [...state.history, ...records];
  const tested = new Set(state.tested);
  for (const r of records) tested.add(r.fingerprint);
  const policy = updatePolicy(
    options.timeframes === undefined ? state.policy : { ...state.policy, timeframes: [...options.timeframes] },
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
