// The daily generator: one cycle's N genomes from the three learners and from chance, in configurable shares —
// GA offspring bred over the scored history, Thompson samples of the policy for today's regime (drawing
// parameters from the insight priors part of the time), and fresh random genomes. Pure and seeded.
//
// "30% of a cycle's output between learned-pattern and random genomes" (issue 5) is read as: 70% learned
// (GA + policy, default 40% + 30%) and 30% random. The random share is the cycle's own: the GA is asked for
// offspring only (its internal random share is 0), so the shares add up to exactly N.
//
// Rules every output obeys:
// - never a genome whose fingerprint was already tested (options.tested) or already produced this cycle: a
//   duplicate is drawn again, up to `maxAttempts`, then replaced by a random genome (also deduplicated);
// - the GA's elite is not carried over: the elite would be a re-test of a tested genome. Elitism is implicit,
//   since the GA breeds over the whole scored history, in which the best genomes stay available as parents;
// - every genome passes the Genome codec and records its lineage (origin, parents, operators, cycleId, generation);
// - too little history (first day), or no policy evidence for the regime: the learned shares become
//   exploration (random genomes) and a note says so.
import { genomeFingerprint } from './fingerprint.js';
import { decodeGenome, freshRandom, pick, toDraft, type Random } from './genetic/genes.js';
import { addExternalCondition, drawableFamilies, type OperandGeneOptions } from './genetic/operand-genes.js';
import { thompsonPick } from './policy/beta.js';
import { nextGeneration } from './genetic/next-generation.js';
import { byFitnessDesc, type Scored } from './genetic/selection.js';
import type { GenerationPriors } from './insights/insights.js';
import { OPERAND_FAMILY_GENE, OPERAND_USE_GENE, initialPolicy, samplePolicyGenome, type Policy } from './policy/policy.js';
import type { Regime } from './policy/regime.js';
import { Genome } from '../strategy/genome.js';

export type GeneratedOrigin = 'ga' | 'policy' | 'random';

export interface Shares {
  readonly ga: number;
  readonly policy: number;
  readonly random: number;
}

export const DEFAULT_SHARES: Shares = { ga: 0.4, policy: 0.3, random: 0.3 };

export interface GeneratorOptions {
  /** How many genomes. Default 500. */
  readonly size?: number;
  readonly symbols: readonly string[];
  readonly timeframe?: Genome['timeframe'];
  /**
   * The timeframes to generate for (default: [timeframe ?? '1h']). Random genomes draw one uniformly, the policy
   * samples its `timeframe` gene over these arms, GA children inherit a parent's.
   */
  readonly timeframes?: readonly Genome['timeframe'][];
  /** Shares of the output; normalised to sum 1. Default 40% GA, 30% policy, 30% random. */
  readonly shares?: Shares;
  /** Fingerprints (genetic/fingerprint) of every genome tested so far: none is generated again. */
  readonly tested?: ReadonlySet<string>;
  /** Fewer scored individuals in the history than this: all exploration. Default 20. */
  readonly minHistory?: number;
  /** GA settings passed through (defaults are the GA's: crossover 0.7, mutation 0.15, tournament k = 3). */
  readonly crossoverRate?: number;
  readonly mutationRate?: number;
  readonly tournamentSize?: number;
  readonly cycleId?: string;
  /** lineage.generation of every output (the cycle's index). Default 0. */
  readonly generation?: number;
  /** Recorded in lineage.seed (a non-negative integer). */
  readonly seed?: number;
  readonly maxAttempts?: number;
  /**
   * External operands the cycle may draw (families narrowed to the data it has; genetic/operand-genes.ts). Default
   * none: the output is then exactly what it was before these operands existed, seed for seed. With them, half of
   * the random and policy genomes get one external entry condition, and GA mutation may add one.
   */
  readonly operands?: OperandGeneOptions;
}

/** Share of random and policy genomes given an external condition when `operands` is set. */
export const EXTERNAL_OPERAND_SHARE = 0.5;

export interface LearnerView {
  /** The scored history the GA breeds from (fitness = the out-of-sample figure; null = unknown). */
  readonly population: readonly Scored[];
  readonly policy: Policy;
  readonly regime: Regime;
  readonly priors?: GenerationPriors;
  /**
   * Scored strategies in the learner's whole history, for the `minHistory` test, when the GA breeds from a part of
   * it (recent cycles, a niche, paper-confirmed ones). Default: the population's scored count.
   */
  readonly historySize?: number;
}

export interface Generated {
  readonly genome: Genome;
  readonly fingerprint: string;
  readonly origin: GeneratedOrigin;
}

export interface GeneratorResult {
  readonly genomes: Generated[];
  /** What was asked for each origin, and what each origin actually delivered (fallbacks count as random). */
  readonly planned: Shares;
  readonly produced: Record<GeneratedOrigin, number>;
  readonly duplicatesRedrawn: number;
  readonly notes: string[];
}

/** Breadth among GA parents: see nichedParents. */
export interface ParentNiche {
  /** The pool is the best this share of the scored population (at least one). */
  readonly poolShare: number;
  /** No strategy type fills more than this share of the pool (at least one slot per type). */
  readonly maxTypeShare: number;
}

/**
 * The GA's parent pool with breadth: the scored individuals best first (by fitness; unscored ones are left out),
 * taken until the pool holds round(poolShare · scored) of them, skipping an individual once its strategy type
 * already holds ceil(maxTypeShare · pool size) places. A population dominated by one type thus still breeds
 * from several; when too few other types exist the pool is smaller. Pure; keeps the fitness order.
 */
export const nichedParents = (population: readonly Scored[], niche: ParentNiche): Scored[] => {
  const scored = byFitnessDesc(population.filter((s) => s.fitness !== null && Number.isFinite(s.fitness)));
  const poolSize = Math.max(1, Math.round(Math.min(1, Math.max(0, niche.poolShare)) * scored.length));
  const cap = Math.max(1, Math.ceil(Math.min(1, Math.max(0, niche.maxTypeShare)) * poolSize));
  const perType = new Map<string, number>();
  const pool: Scored[] = [];
  for (const s of scored) {
    if (pool.length >= poolSize) break;
    const n = perType.get(s.genome.strategyType) ?? 0;
    if (n >= cap) continue;
    perType.set(s.genome.strategyType, n + 1);
    pool.push(s);
  }
  return pool;
};

/** Counts for `size` from shares, by largest remainder, so they sum to `size` exactly. */
export const allocate = (size: number, shares: Shares): Shares => {
  const keys = ['ga', 'policy', 'random'] as const;
  const total = keys.reduce((s, k) => s + Math.max(0, shares[k]), 0);
  if (!(total > 0)) return { ga: 0, policy: 0, random: size };
  const exact = keys.map((k) => (size * Math.max(0, shares[k])) / total);
  const counts = exact.map(Math.floor);
  let left = size - counts.reduce((s, c) => s + c, 0);
  const order = keys.map((_, i) => i).sort((a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b);
  for (const i of order) if (left-- > 0) counts[i]!++;
  return { ga: counts[0]!, policy: counts[1]!, random: counts[2]! };
};

/** Fewer scored strategies than this in the history: a cycle is all exploration (random genomes). */
export const DEFAULT_MIN_HISTORY = 20;

/** A cycle's genomes: GA offspring, policy samples and random genomes, deduplicated against `tested`. */
export const generateCycle = (learner: LearnerView, options: GeneratorOptions, rnd: Random): GeneratorResult => {
  const size = Math.max(0, Math.floor(options.size ?? 500));
  if (options.symbols.length === 0) throw new RangeError('generateCycle: no symbols to trade');
  const minHistory = options.minHistory ?? DEFAULT_MIN_HISTORY;
  const maxAttempts = options.maxAttempts ?? 8;
  const generation = options.generation ?? 0;
  const timeframes = options.timeframes !== undefined && options.timeframes.length > 0 ? options.timeframes : [options.timeframe ?? '1h'];
  // One timeframe draws nothing, so a single-timeframe cycle consumes the random stream as it always did.
  const drawTimeframe = () => (timeframes.length === 1 ? timeframes[0]! : pick(rnd, timeframes));
  // The GA repairs a child into this timeframe; with several, a child keeps the one it inherited.
  const gaTimeframe = timeframes.length === 1 ? timeframes[0] : undefined;
  const policy = options.timeframes === undefined ? learner.policy : { ...learner.policy, timeframes: [...timeframes] };
  const lineageCommon = {
    generation,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.cycleId === undefined ? {} : { cycleId: options.cycleId }),
  };
  const notes: string[] = [];
  const seen = new Set<string>(options.tested ?? []);
  const genomes: Generated[] = [];
  const produced: Record<GeneratedOrigin, number> = { ga: 0, policy: 0, random: 0 };
  let duplicatesRedrawn = 0;

  const accept = (genome: Genome, fingerprint: string, origin: GeneratedOrigin) => {
    seen.add(fingerprint);
    genomes.push({ genome, fingerprint, origin });
    produced[origin]++;
  };
  // With external operands on: half of the genomes get one external entry condition (re-checked by the codec; a
  // genome the addition would make invalid is kept as it was).
  const withOperand = (genome: Genome): Genome => {
    if (options.operands === undefined || !(rnd() < EXTERNAL_OPERAND_SHARE)) return genome;
    const d = toDraft(genome);
    const added = addExternalCondition(d, rnd, options.operands);
    if (added === undefined) return genome;
    return decodeGenome({ ...d, lineage: { ...genome.lineage, operators: [...(genome.lineage.operators ?? []), added] } }) ?? genome;
  };
  // A policy sample's external condition comes from the policy's operand genes (policy.ts OPERAND_USE_GENE): whether
  // to add one, then which family, each a Thompson draw for the regime; with no evidence that is the random share.
  const withPolicyOperand = (genome: Genome): Genome => {
    if (options.operands === undefined) return genome;
    const families = drawableFamilies(options.operands, genome.symbols);
    if (families.length === 0) return genome;
    const post = policy.regimes[learner.regime] ?? {};
    if (thompsonPick(['none', 'external'] as const, post[OPERAND_USE_GENE], policy.prior, rnd) === 'none') return genome;
    const family = thompsonPick(families, post[OPERAND_FAMILY_GENE], policy.prior, rnd);
    const d = toDraft(genome);
    const added = addExternalCondition(d, rnd, options.operands, family);
    if (added === undefined) return genome;
    return decodeGenome({ ...d, lineage: { ...genome.lineage, operators: [...(genome.lineage.operators ?? []), added, 'policy:operand-gene'] } }) ?? genome;
  };
  // A random genome trades one symbol, like a policy sample (a GA child inherits its parents' symbols).
  const drawRandom = () =>
    withOperand(
      freshRandom({ rnd, symbols: [pick(rnd, options.symbols)], timeframe: drawTimeframe() }, { ...lineageCommon, operators: ['random:exploration'] }),
    );
  const pushRandom = () => {
    let genome = drawRandom();
    let fp = genomeFingerprint(genome);
    for (let i = 1; i < maxAttempts * 4 && seen.has(fp); i++) {
      duplicatesRedrawn++;
      genome = drawRandom();
      fp = genomeFingerprint(genome);
    }
    // The random space is vast; a collision that survives 32 draws would be a broken PRNG.
    if (seen.has(fp)) throw new Error('generateCycle: could not draw an untested random genome');
    accept(genome, fp, 'random');
  };

  let planned = allocate(size, options.shares ?? DEFAULT_SHARES);
  const historySize = learner.historySize ?? learner.population.filter((s) => s.fitness !== null && Number.isFinite(s.fitness)).length;
  if (historySize < minHistory) {
    notes.push(`history of ${historySize} scored strategies < ${minHistory}: all ${size} genomes are random (exploration)`);
    planned = { ga: 0, policy: 0, random: size };
  } else if (planned.policy > 0 && learner.policy.regimes[learner.regime] === undefined) {
    notes.push(`no policy evidence for regime ${learner.regime}: its ${planned.policy} samples come from the uniform prior (exploration)`);
  }

  // 1. GA offspring over the scored history (no elite, no internal random share: see the module comment).
  if (planned.ga > 0) {
    const gen = nextGeneration(
      learner.population,
      {
        size: planned.ga,
        symbols: options.symbols,
        ...(gaTimeframe === undefined ? {} : { timeframe: gaTimeframe }),
        eliteShare: 0,
        randomShare: 0,
        tested: seen,
        generation,
        maxAttempts,
        ...(options.operands === undefined ? {} : { operands: options.operands }),
        ...(options.crossoverRate === undefined ? {} : { crossoverRate: options.crossoverRate }),
        ...(options.mutationRate === undefined ? {} : { mutationRate: options.mutationRate }),
        ...(options.tournamentSize === undefined ? {} : { tournamentSize: options.tournamentSize }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
        ...(options.cycleId === undefined ? {} : { cycleId: options.cycleId }),
      },
      rnd,
    );
    notes.push(...gen.notes.map((n) => `ga: ${n}`));
    duplicatesRedrawn += gen.stats.duplicatesRedrawn;
    for (const c of gen.children) {
      // The GA falls back to random genomes (too few parents, duplicates, invalid offspring): count them as random.
      const origin: GeneratedOrigin = c.genome.lineage.origin === 'random' ? 'random' : 'ga';
      if (seen.has(c.fingerprint) || !Genome.is(c.genome)) {
        duplicatesRedrawn++;
        pushRandom();
      } else accept(c.genome, c.fingerprint, origin);
    }
  }

  // 2. Policy samples for today's regime, parameters partly from the insight priors.
  for (let made = 0; made < planned.policy; made++) {
    let done = false;
    for (let attempt = 0; attempt < maxAttempts && !done; attempt++) {
      const genome = withPolicyOperand(
        samplePolicyGenome(policy, learner.regime, options.symbols, rnd, {
          ...(learner.priors === undefined ? {} : { priors: learner.priors }),
          ...lineageCommon,
        }),
      );
      const fp = genomeFingerprint(genome);
      if (seen.has(fp) || !Genome.is(genome)) {
        duplicatesRedrawn++;
        continue;
      }
      accept(genome, fp, genome.lineage.origin === 'random' ? 'random' : 'policy');
      done = true;
    }
    if (!done) pushRandom();
  }

  // 3. Fresh random genomes, then anything still missing.
  while (genomes.length < size) pushRandom();

  if (duplicatesRedrawn > 0) notes.push(`${duplicatesRedrawn} draws were duplicates of tested genomes and were drawn again`);
  const fallbacks = produced.random - planned.random;
  if (fallbacks > 0) notes.push(`${fallbacks} learned draws fell back to random genomes`);
  return { genomes, planned, produced, duplicatesRedrawn, notes };
};

/** The baseline: N random genomes (one symbol each), deduplicated the same way, with nothing learned. */
export const generateRandomCycle = (options: GeneratorOptions, rnd: Random): GeneratorResult =>
  generateCycle(
    { population: [], policy: initialPolicy(), regime: 'range_low_vol' },
    { ...options, shares: { ga: 0, policy: 0, random: 1 }, minHistory: 0 },
    rnd,
  );
