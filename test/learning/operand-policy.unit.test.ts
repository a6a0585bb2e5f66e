// The policy's operand-family gene: Thompson arms per external operand family and `none`, credited by results like
// the other genes. With the option off, the learned policy and the genomes it samples are exactly those of the code
// before the gene existed (a digest computed with that code); with it on, the arms learn which family pays and
// the policy's samples follow.
import { expect } from 'chai';
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import { fnv1a64 } from '../../domain/learning/fingerprint.js';
import { generateCycle } from '../../domain/learning/generator.js';
import type { OperandGeneOptions } from '../../domain/learning/genetic/operand-genes.js';
import { initialPolicy, updatePolicy, type Policy } from '../../domain/learning/policy/policy.js';
import { operandFamily, type Genome } from '../../domain/strategy/genome.js';
import { SYMBOLS, uuid } from './support.js';

const REGIME = 'trend_low_vol' as const;
/** 80 random genomes with seeded rewards, credited over three updates. */
const learned = (results: (rnd: () => number) => { genome: Genome; reward: number | null }[], start: Policy = initialPolicy()): Policy => {
  const rnd = mulberry32(99);
  let policy = start;
  for (let u = 0; u < 3; u++) policy = updatePolicy(policy, REGIME, results(rnd));
  return policy;
};
const plainResults = (rnd: () => number) =>
  Array.from({ length: 80 }, (_, i) => ({ genome: randomGenome(rnd, [SYMBOLS[i % 3]!]), reward: i % 9 === 0 ? null : Math.sin(i + rnd()) }));

const sample = (policy: Policy, extra: object = {}, seed = 31) =>
  generateCycle(
    {
      population: Array.from({ length: 30 }, (_, i) => ({ id: uuid(i), genome: randomGenome(mulberry32(i + 1), [SYMBOLS[i % 3]!]), fitness: i / 30 })),
      policy,
      regime: REGIME,
      historySize: 100,
    },
    { size: 100, symbols: SYMBOLS, seed: 5, cycleId: 'c', generation: 4, shares: { ga: 0.2, policy: 0.6, random: 0.2 }, ...extra },
    mulberry32(seed),
  );

const familiesOf = (g: Genome): string[] => {
  const out = new Set<string>();
  for (const c of [...g.entry.conditions, ...g.exit.conditions])
    for (const o of [c.left, c.right]) {
      const f = operandFamily(o);
      if (f !== undefined) out.add(f);
    }
  return out.size === 0 ? ['none'] : [...out];
};

describe('learning: the policy gene of operand families', () => {
  it('with the option off, learns and samples exactly what the code before the gene did', () => {
    // Digests computed with this branch's base (32615a6, no operand-family gene) for these very calls.
    const policy = learned(plainResults);
    expect(fnv1a64(JSON.stringify(policy))).to.equal('6c433ef2bbbc00e0');
    expect(fnv1a64(JSON.stringify(sample(policy).genomes.map((g) => g.genome)))).to.equal('02a92213853000d7');
  });

  const OPS: OperandGeneOptions = {
    families: ['sentiment', 'macro', 'cross_asset'],
    daily: ['fear_greed', 'vix', 'sp500', 'nasdaq'],
    crossSymbols: SYMBOLS,
    models: [],
  };
  const policyOnly = { shares: { ga: 0, policy: 1, random: 0 }, operands: OPS };
  const share = (genomes: readonly { genome: Genome }[], family: string) =>
    genomes.filter((g) => familiesOf(g.genome).includes(family)).length / genomes.length;

  it('with no evidence, a policy sample reads an external operand about half the time, families alike (as random genomes do)', () => {
    const r = sample(initialPolicy(), { ...policyOnly, size: 400 });
    const none = share(r.genomes, 'none');
    expect(none).to.be.within(0.4, 0.6);
    for (const f of OPS.families) expect(share(r.genomes, f)).to.be.within(0.1, 0.25);
  });

  it('credits none and each family read, and moves its samples towards the family that pays', () => {
    // Sentiment genomes succeed (reward 1 > threshold 0), every other one fails.
    const rnd = mulberry32(3);
    const drawn = sample(initialPolicy(), { shares: { ga: 0, policy: 0, random: 1 }, operands: OPS, size: 200 }, 17).genomes.map((g) => g.genome);
    const results = () => drawn.map((genome) => ({ genome, reward: familiesOf(genome).includes('sentiment') ? 1 : rnd() < 0.5 ? -1 : null }));
    const policy = learned(results, { ...initialPolicy(), operandFamilies: OPS.families });
    const post = policy.regimes[REGIME]!;
    const count = (f: string) => drawn.filter((g) => familiesOf(g).includes(f)).length;
    // Three updates with decay 0.9: each arm's successes are (0.81 + 0.9 + 1) × its genomes that paid.
    expect(post['operandFamily']!['sentiment']!.alpha).to.be.closeTo(1 + 2.71 * count('sentiment'), 1e-9);
    expect(post['operandFamily']!['macro']!.alpha).to.be.closeTo(1, 1e-9);
    expect(post['operandUse']!['none']!.beta).to.be.closeTo(1 + 2.71 * count('none'), 1e-9);
    const after = sample(policy, { ...policyOnly, size: 300 }).genomes;
    expect(share(after, 'sentiment')).to.be.greaterThan(0.7);
    expect(share(after, 'macro')).to.be.lessThan(0.1);
  });

  it('leaves the operand genes alone for a policy whose cycles draw none', () => {
    const drawn = sample(initialPolicy(), { shares: { ga: 0, policy: 0, random: 1 }, operands: OPS, size: 50 }).genomes.map((g) => g.genome);
    const policy = updatePolicy(
      initialPolicy(),
      REGIME,
      drawn.map((genome) => ({ genome, reward: 1 })),
    );
    expect(Object.keys(policy.regimes[REGIME]!)).to.not.include.members(['operandUse', 'operandFamily']);
  });
});
