// One generation of the genetic algorithm: the elite carried over, offspring by crossover (then mutation) or
// by mutation alone from selected parents, and a share of fresh random genomes for diversity. Every child is
// a valid genome that records its parents and operators; children that behave like a genome already tested
// (or already produced) are drawn again. A population too small to learn from yields random genomes, and the
// result says so.
import type { Genome } from '../../strategy/genome.js';
import { crossGenes } from './crossover.js';
import { genomeFingerprint } from '../fingerprint.js';
import { finalize, freshRandom, type Draft, type LineageDraft, type Random } from './genes.js';
import { mutateGenes } from './mutation.js';
import type { OperandGeneOptions } from './operand-genes.js';
import { fitnessOf, rankSelector, selectElites, tournamentSelect, type Scored } from './selection.js';

export interface GenerationOptions {
  /** How many children. */
  readonly size: number;
  /** Symbols for random genomes (fallback and diversity share). */
  readonly symbols: readonly string[];
  readonly timeframe?: Genome['timeframe'];
  /** Share of the scored population carried unchanged (default 0.1: the top 10%). */
  readonly eliteShare?: number;
  /** Probability that an offspring is made by crossover (then mutation); otherwise mutation alone. Default 0.7. */
  readonly crossoverRate?: number;
  /** Per-gene mutation probability. Default 0.15. */
  readonly mutationRate?: number;
  /** Share of `size` that is fresh random genomes. Default 0.3 (the default); a cycle that adds its own random share passes 0. */
  readonly randomShare?: number;
  readonly selection?: 'tournament' | 'rank';
  /** Tournament size k. Default 3. */
  readonly tournamentSize?: number;
  /** Fewer scored individuals than this: explore with random genomes only. Default 4. */
  readonly minPopulation?: number;
  /** Fingerprints of genomes already tested (e.g. from the training set); children never repeat them. */
  readonly tested?: ReadonlySet<string>;
  /** lineage.generation of the children; default max parent generation + 1. */
  readonly generation?: number;
  readonly cycleId?: string;
  readonly seed?: number;
  /** Draws per child before a duplicate gives way to a random genome. Default 8. */
  readonly maxAttempts?: number;
  /** External operands mutation may add (CycleOptions.operands); default none. */
  readonly operands?: OperandGeneOptions;
}

export interface Child {
  readonly genome: Genome;
  readonly fingerprint: string;
}

export interface GenerationStats {
  readonly elite: number;
  readonly crossover: number;
  readonly mutation: number;
  readonly random: number;
  readonly repaired: number;
  readonly replacedInvalid: number;
  readonly duplicatesRedrawn: number;
}

export interface Generation {
  readonly children: Child[];
  readonly notes: string[];
  readonly stats: GenerationStats;
}

export const nextGeneration = (population: readonly Scored[], options: GenerationOptions, rnd: Random): Generation => {
  const size = Math.max(0, Math.floor(options.size));
  const eliteShare = options.eliteShare ?? 0.1;
  const crossoverRate = options.crossoverRate ?? 0.7;
  const mutationRate = options.mutationRate ?? 0.15;
  const randomShare = options.randomShare ?? 0.3;
  const minPopulation = options.minPopulation ?? 4;
  const maxAttempts = options.maxAttempts ?? 8;
  const generation = options.generation ?? population.reduce((m, s) => Math.max(m, s.genome.lineage.generation + 1), 0);
  const common: Omit<LineageDraft, 'origin' | 'parentIds'> = {
    generation,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.cycleId === undefined ? {} : { cycleId: options.cycleId }),
  };
  const fallback = { rnd, symbols: options.symbols, ...(options.timeframe === undefined ? {} : { timeframe: options.timeframe }) };

  const notes: string[] = [];
  const stats = { elite: 0, crossover: 0, mutation: 0, random: 0, repaired: 0, replacedInvalid: 0, duplicatesRedrawn: 0 };
  const children: Child[] = [];
  const seen = new Set<string>(options.tested ?? []);
  for (const s of population) seen.add(s.fingerprint ?? genomeFingerprint(s.genome));

  const pushRandom = () => {
    let genome = freshRandom(fallback, common);
    let fp = genomeFingerprint(genome);
    for (let i = 1; i < maxAttempts && seen.has(fp); i++) {
      stats.duplicatesRedrawn++;
      genome = freshRandom(fallback, common);
      fp = genomeFingerprint(genome);
    }
    seen.add(fp);
    children.push({ genome, fingerprint: fp });
    stats.random++;
  };

  const scored = population.filter((s) => fitnessOf(s) > -Infinity);
  if (scored.length < minPopulation) {
    notes.push(`population of ${scored.length} scored < ${minPopulation}: exploring with random genomes`);
    while (children.length < size) pushRandom();
    return { children, notes, stats };
  }

  // The elite: the same genes under a new lineage (carried without the duplicate check: it is re-tested on the new window).
  for (const e of selectElites(scored, eliteShare).slice(0, size)) {
    const { genome } = finalize(e.genome, { ...common, origin: 'elite', parentIds: [e.id], operators: ['elite'] }, fallback);
    children.push({ genome, fingerprint: genomeFingerprint(genome) });
    stats.elite++;
  }
  const randomCount = Math.min(size - children.length, Math.round(randomShare * size));
  const offspringCount = size - children.length - randomCount;

  const k = options.tournamentSize ?? 3;
  const byRank = options.selection === 'rank' ? rankSelector(scored) : undefined;
  const select = (): Scored => (byRank !== undefined ? byRank(rnd) : tournamentSelect(scored, k, rnd));

  for (let made = 0; made < offspringCount; made++) {
    let child: Child | undefined;
    let kind: 'crossover' | 'mutation';
    for (let attempt = 0; attempt < maxAttempts && child === undefined; attempt++) {
      const a = select();
      let genes: { draft: Draft; operators: string[] };
      let lineage: LineageDraft;
      if (rnd() < crossoverRate) {
        let b = select();
        for (let i = 0; i < 4 && b.id === a.id; i++) b = select();
        if (b.id === a.id) b = scored.find((s) => s.id !== a.id) ?? b;
        const crossed = crossGenes(a.genome, b.genome, rnd);
        const mutated = mutateGenes(crossed.draft, rnd, mutationRate, false, options.operands);
        genes = { draft: mutated.draft, operators: [...crossed.operators, ...mutated.operators] };
        lineage = { ...common, origin: 'crossover', parentIds: [...new Set([a.id, b.id])], operators: genes.operators };
        kind = 'crossover';
      } else {
        genes = mutateGenes(a.genome, rnd, mutationRate, true, options.operands);
        lineage = { ...common, origin: 'mutation', parentIds: [a.id], operators: genes.operators };
        kind = 'mutation';
      }
      const done = finalize(genes.draft, lineage, fallback);
      const fp = genomeFingerprint(done.genome);
      if (seen.has(fp)) {
        stats.duplicatesRedrawn++;
        continue;
      }
      seen.add(fp);
      if (done.repairs.length > 0) stats.repaired++;
      if (done.replaced) stats.replacedInvalid++;
      child = { genome: done.genome, fingerprint: fp };
      if (done.replaced) stats.random++;
      else stats[kind]++;
    }
    if (child === undefined) pushRandom();
    else children.push(child);
  }
  while (children.length < size) pushRandom();

  if (stats.repaired > 0) notes.push(`${stats.repaired} offspring repaired before validation`);
  if (stats.replacedInvalid > 0) notes.push(`${stats.replacedInvalid} invalid offspring replaced by random genomes`);
  if (stats.duplicatesRedrawn > 0) notes.push(`${stats.duplicatesRedrawn} duplicates of tested genomes redrawn`);
  return { children, notes, stats };
};
