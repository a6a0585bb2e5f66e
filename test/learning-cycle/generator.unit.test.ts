// The cycle generator as specifications, all seeded: the shares add up to N and each origin delivers its share,
// a tested genome is never generated again, the first day (no history) is all exploration and says so, a
// regime without policy evidence says so, and every genome is valid with its lineage.
import { expect } from 'chai';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import { genomeFingerprint } from '../../domain/learning/fingerprint.js';
import { allocate, generateCycle, generateRandomCycle } from '../../domain/learning/generator.js';
import { initialPolicy, updatePolicy } from '../../domain/learning/policy/policy.js';
import { Genome } from '../../domain/strategy/genome.js';
import { SYMBOLS, population } from '../learning/support.js';

const history = population(40, 7, (i) => (i % 5 === 0 ? null : (i - 20) / 10));
const policy = updatePolicy(
  initialPolicy(),
  'trend_high_vol',
  history.map((s) => ({ genome: s.genome, reward: s.fitness })),
);
const learner = { population: history, policy, regime: 'trend_high_vol' as const };
const options = { size: 50, symbols: SYMBOLS, cycleId: '2023-03-16', generation: 3, seed: 11 };

describe('learning cycle generator', () => {
  it('allocates the shares to exactly N by largest remainder', () => {
    expect(allocate(500, { ga: 0.4, policy: 0.3, random: 0.3 })).to.deep.equal({ ga: 200, policy: 150, random: 150 });
    expect(allocate(7, { ga: 0.4, policy: 0.3, random: 0.3 })).to.deep.equal({ ga: 3, policy: 2, random: 2 });
    expect(allocate(10, { ga: 2, policy: 1, random: 1 })).to.deep.equal({ ga: 5, policy: 3, random: 2 });
    expect(allocate(4, { ga: 0, policy: 0, random: 0 })).to.deep.equal({ ga: 0, policy: 0, random: 4 });
  });

  it('makes 40% GA offspring, 30% policy samples and 30% random genomes by default', () => {
    const r = generateCycle(learner, options, mulberry32(1));
    expect(r.genomes).to.have.length(50);
    expect(r.planned).to.deep.equal({ ga: 20, policy: 15, random: 15 });
    expect(r.produced).to.deep.equal({ ga: 20, policy: 15, random: 15 });
    const origins = r.genomes.map((g) => g.genome.lineage.origin);
    expect(origins.filter((o) => o === 'crossover' || o === 'mutation')).to.have.length(20);
    expect(origins.filter((o) => o === 'policy')).to.have.length(15);
    expect(origins.filter((o) => o === 'random')).to.have.length(15);
    expect(origins).to.not.include('elite');
  });

  it('honours configured shares', () => {
    const r = generateCycle(learner, { ...options, shares: { ga: 0, policy: 0.5, random: 0.5 } }, mulberry32(2));
    expect(r.produced).to.deep.equal({ ga: 0, policy: 25, random: 25 });
  });

  it('gives every genome a valid codec form and its lineage (origin, parents, operators, cycleId, generation)', () => {
    const r = generateCycle(learner, options, mulberry32(3));
    const ids = new Set(history.map((s) => s.id));
    for (const { genome, fingerprint } of r.genomes) {
      expect(Genome.is(genome)).to.equal(true);
      expect(genomeFingerprint(genome)).to.equal(fingerprint);
      expect(genome.lineage.cycleId).to.equal('2023-03-16');
      expect(genome.lineage.generation).to.equal(3);
      expect(genome.lineage.operators ?? []).to.not.be.empty;
      if (genome.lineage.origin === 'crossover' || genome.lineage.origin === 'mutation')
        for (const p of genome.lineage.parentIds) expect(ids.has(p)).to.equal(true);
      else expect(genome.lineage.parentIds).to.deep.equal([]);
    }
  });

  it('never generates a genome already tested, nor the same genome twice in a cycle', () => {
    const first = generateCycle(learner, options, mulberry32(4));
    const tested = new Set([...first.genomes.map((g) => g.fingerprint), ...history.map((s) => genomeFingerprint(s.genome))]);
    // The same seed again: the first draws are exactly the tested ones and must be drawn again.
    const again = generateCycle(learner, { ...options, tested }, mulberry32(4));
    expect(again.genomes).to.have.length(50);
    expect(again.duplicatesRedrawn).to.be.greaterThan(0);
    for (const g of again.genomes) expect(tested.has(g.fingerprint)).to.equal(false);
    expect(new Set(again.genomes.map((g) => g.fingerprint)).size).to.equal(50);
  });

  it('is reproducible: the same seed gives the same genomes', () => {
    const a = generateCycle(learner, options, mulberry32(5)).genomes.map((g) => g.fingerprint);
    const b = generateCycle(learner, options, mulberry32(5)).genomes.map((g) => g.fingerprint);
    expect(a).to.deep.equal(b);
  });

  it('explores with random genomes on the first day and says so', () => {
    const r = generateCycle({ population: [], policy: initialPolicy(), regime: 'range_low_vol' }, options, mulberry32(6));
    expect(r.produced).to.deep.equal({ ga: 0, policy: 0, random: 50 });
    expect(r.notes.join('\n')).to.match(/history of 0 scored strategies < 20: all 50 genomes are random \(exploration\)/);
    for (const g of r.genomes) expect(Genome.is(g.genome)).to.equal(true);
  });

  it('explores when the history is tiny (fewer scored than minHistory)', () => {
    const r = generateCycle({ ...learner, population: history.slice(0, 10) }, options, mulberry32(7));
    expect(r.produced.random).to.equal(50);
    expect(r.notes.join('\n')).to.match(/history of \d+ scored strategies < 20/);
  });

  it('says when the policy has no evidence for the regime (its samples are exploration)', () => {
    const r = generateCycle({ ...learner, regime: 'range_low_vol' }, options, mulberry32(8));
    expect(r.notes.join('\n')).to.match(/no policy evidence for regime range_low_vol/);
    expect(r.genomes).to.have.length(50);
  });

  it('the random baseline makes N random one-symbol genomes and learns nothing', () => {
    const r = generateRandomCycle(options, mulberry32(9));
    expect(r.produced).to.deep.equal({ ga: 0, policy: 0, random: 50 });
    for (const g of r.genomes) {
      expect(g.genome.lineage.origin).to.equal('random');
      expect(g.genome.symbols).to.have.length(1);
    }
  });
});
