// Selection over scored individuals: tournament and linear rank selection, and the elite. Fitness is the
// out-of-sample risk-adjusted result (e.g. OOS Sharpe); null or non-finite means unknown and counts as worst.
import type { Genome } from '../../strategy/genome.js';
import type { Random } from './genes.js';

export interface Scored {
  /** The strategy id (a UUID): children name it in lineage.parentIds. */
  readonly id: string;
  readonly genome: Genome;
  readonly fitness: number | null;
  /** The genome's fingerprint (genomeFingerprint), when the caller has it: the GA then does not compute it again. */
  readonly fingerprint?: string;
}

export const fitnessOf = (s: Scored): number => (s.fitness !== null && Number.isFinite(s.fitness) ? s.fitness : -Infinity);

/** Best first; equal fitness keeps the input order (Array#sort is stable). */
export const byFitnessDesc = (population: readonly Scored[]): Scored[] =>
  [...population].sort((a, b) => {
    const fa = fitnessOf(a);
    const fb = fitnessOf(b);
    return fa === fb ? 0 : fb > fa ? 1 : -1;
  });

/** k individuals drawn with replacement; the fittest wins (the first drawn on a tie). */
export const tournamentSelect = (population: readonly Scored[], k: number, rnd: Random): Scored => {
  if (population.length === 0) throw new RangeError('tournamentSelect: empty population');
  let best = population[Math.floor(rnd() * population.length)]!;
  for (let i = 1; i < k; i++) {
    const c = population[Math.floor(rnd() * population.length)]!;
    if (fitnessOf(c) > fitnessOf(best)) best = c;
  }
  return best;
};

/**
 * Linear rank selection: sorted best first, the individual at rank r (0-based) of n is drawn with weight n − r,
 * so the best is n times as likely as the worst and the scale of the fitness does not matter.
 */
export const rankSelector = (population: readonly Scored[]): ((rnd: Random) => Scored) => {
  if (population.length === 0) throw new RangeError('rankSelector: empty population');
  const sorted = byFitnessDesc(population);
  const n = sorted.length;
  const total = (n * (n + 1)) / 2;
  const cumulative: number[] = [];
  let acc = 0;
  for (let r = 0; r < n; r++) cumulative.push((acc += n - r));
  return (rnd) => {
    const u = rnd() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return sorted[lo]!;
  };
};

export const rankSelect = (population: readonly Scored[], rnd: Random): Scored => rankSelector(population)(rnd);

/** floor(share × n), with a guard against 0.1 × 50 = 4.999…. */
export const eliteCount = (n: number, share: number): number => Math.max(0, Math.floor(share * n + 1e-9));

/** The top `share` of the individuals with a known fitness, best first. */
export const selectElites = (population: readonly Scored[], share: number): Scored[] =>
  byFitnessDesc(population.filter((s) => fitnessOf(s) > -Infinity)).slice(0, eliteCount(population.length, share));
