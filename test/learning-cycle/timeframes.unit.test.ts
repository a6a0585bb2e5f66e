// The timeframe gene (doc/learning.md, "Seventh round"), seeded: a cycle over several timeframes draws random
// genomes on each, samples the policy's timeframe arms among them only, lets GA children keep the timeframe they
// inherited, and a single-timeframe cycle is exactly what it was before the option existed.
import { expect } from 'chai';
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import { generateCycle, generateRandomCycle } from '../../domain/learning/generator.js';
import type { Scored } from '../../domain/learning/genetic/selection.js';
import { initialPolicy, updatePolicy } from '../../domain/learning/policy/policy.js';
import { Genome } from '../../domain/strategy/genome.js';
import { SYMBOLS, population, uuid } from '../learning/support.js';

const options = { size: 200, symbols: SYMBOLS, cycleId: '2023-03-16', generation: 3, seed: 11 };

/** 40 scored genomes: the 4h ones did well, the 1h ones badly. */
const mixedHistory = (): Scored[] => {
  const rnd = mulberry32(9);
  return Array.from({ length: 40 }, (_, i) => {
    const tf = i % 2 === 0 ? '4h' : '1h';
    return { id: uuid(i), genome: randomGenome(rnd, [SYMBOLS[i % 3]!], tf), fitness: tf === '4h' ? 2 + i / 40 : -2 - i / 40 };
  });
};

describe('learning cycle generator: timeframes', () => {
  it('draws random genomes on every given timeframe, about evenly', () => {
    const r = generateRandomCycle({ ...options, timeframes: ['1h', '4h'] }, mulberry32(1));
    const tfs = r.genomes.map((g) => g.genome.timeframe);
    expect(new Set(tfs)).to.deep.equal(new Set(['1h', '4h']));
    expect(tfs.filter((t) => t === '4h').length).to.be.within(70, 130);
    for (const g of r.genomes) expect(Genome.is(g.genome)).to.equal(true);
  });

  it('with one timeframe, generates exactly what it generated without the option', () => {
    const learner = { population: population(40, 7, (i) => i - 20), policy: initialPolicy(), regime: 'range_low_vol' as const };
    const without = generateCycle(learner, options, mulberry32(5));
    const withOne = generateCycle(learner, { ...options, timeframes: ['1h'] }, mulberry32(5));
    expect(withOne.genomes.map((g) => g.fingerprint)).to.deep.equal(without.genomes.map((g) => g.fingerprint));
  });

  it('learns the timeframe: the policy, rewarded on 4h, samples 4h; GA children keep an inherited timeframe', () => {
    const history = mixedHistory();
    const policy = updatePolicy(
      initialPolicy({ timeframes: ['1h', '4h'] }),
      'range_low_vol',
      history.map((s) => ({ genome: s.genome, reward: s.fitness })),
    );
    const r = generateCycle({ population: history, policy, regime: 'range_low_vol' }, { ...options, timeframes: ['1h', '4h'] }, mulberry32(3));
    const byOrigin = (o: string) => r.genomes.filter((g) => g.genome.lineage.origin === o).map((g) => g.genome);
    const policySamples = byOrigin('policy');
    expect(policySamples.length).to.be.greaterThan(40);
    expect(policySamples.filter((g) => g.timeframe === '4h').length / policySamples.length).to.be.greaterThan(0.8);
    const parents = new Map(history.map((s) => [s.id, s.genome.timeframe]));
    for (const child of [...byOrigin('crossover'), ...byOrigin('mutation')]) {
      const inherited = child.lineage.parentIds.map((p) => parents.get(p));
      expect(inherited, (child.lineage.operators ?? []).join(',')).to.include(child.timeframe);
    }
  });

  it('samples the policy over the cycle timeframes even when the stored policy knew only 1h', () => {
    const r = generateCycle(
      { population: mixedHistory(), policy: initialPolicy(), regime: 'range_low_vol' },
      { ...options, timeframes: ['1h', '4h'], shares: { ga: 0, policy: 1, random: 0 } },
      mulberry32(4),
    );
    const tfs = r.genomes.map((g) => g.genome.timeframe);
    expect(new Set(tfs)).to.deep.equal(new Set(['1h', '4h']));
  });
});
