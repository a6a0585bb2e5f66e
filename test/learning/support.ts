// Shared by the learning tests: deterministic ids and scored populations of random genomes.
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import type { Scored } from '../../domain/learning/genetic/selection.js';

/** A valid, deterministic UUID (v4 layout) for individual i. */
export const uuid = (i: number): string => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

export const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'];

/** n random genomes with fitness from `fitness(i)` (default: i, so the last is the fittest). */
export const population = (n: number, seed: number, fitness: (i: number) => number | null = (i) => i): Scored[] => {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({ id: uuid(i), genome: randomGenome(rnd, [SYMBOLS[i % 3]!]), fitness: fitness(i) }));
};
