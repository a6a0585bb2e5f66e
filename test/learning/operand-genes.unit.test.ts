// The learning side of the external operands: with the cycle option off, the generator's output is the one the code
// produced before these operands existed (seed for seed); with it on, every genome is valid, draws only the
// families whose data the cycle has, keeps thresholds in the catalog's ranges, and never reads its own symbol.
import { expect } from 'chai';
import { compileGenome } from '../../domain/backtest/compile.js';
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import { fnv1a64 } from '../../domain/learning/fingerprint.js';
import { generateCycle, type GeneratorOptions } from '../../domain/learning/generator.js';
import { mutateGenes } from '../../domain/learning/genetic/mutation.js';
import { thresholdRange, type OperandGeneOptions } from '../../domain/learning/genetic/operand-genes.js';
import { initialPolicy } from '../../domain/learning/policy/policy.js';
import { Genome, genomeOperands, operandFamily, type OperandFamily } from '../../domain/strategy/genome.js';
import { SYMBOLS, uuid } from './support.js';

const population = () => {
  const rnd = mulberry32(11);
  return Array.from({ length: 60 }, (_, i) => ({ id: uuid(i), genome: randomGenome(rnd, [SYMBOLS[i % 3]!]), fitness: i % 7 === 0 ? null : Math.sin(i) }));
};
const run = (extra: Partial<GeneratorOptions> = {}, seed = 2024) =>
  generateCycle(
    { population: population(), policy: initialPolicy(), regime: 'trend_low_vol' },
    { size: 120, symbols: SYMBOLS, seed: 5, cycleId: 'c', generation: 3, ...extra },
    mulberry32(seed),
  );

const ALL: OperandFamily[] = ['sentiment', 'macro', 'cross_asset', 'prediction'];

describe('learning: external operand genes', () => {
  it('with the option off, generates exactly what the code before the new operands did', () => {
    // Digest of the 120 genomes of this very call (same population, seeds and options) computed with main at
    // b1ee5da, before the operands existed: `generateCycle(...)` then fnv1a64(JSON.stringify(genomes)).
    const r = run();
    expect(fnv1a64(JSON.stringify(r.genomes.map((g) => g.genome)))).to.equal('bb602c8c662f435a');
    expect(r.genomes.flatMap((g) => genomeOperands(g.genome)).filter((o) => operandFamily(o) !== undefined)).to.deep.equal([]);
  });

  it('with it on, produces valid genomes drawing only the families whose data the cycle has', () => {
    const onlyFngAndBtc: OperandGeneOptions = { families: ALL, daily: ['fear_greed'], crossSymbols: ['BTCUSDT', 'ETHUSDT'], models: [] };
    const r = run({ operands: onlyFngAndBtc });
    expect(r.genomes).to.have.length(120);
    const seen = new Set<string>();
    for (const { genome } of r.genomes) {
      expect(Genome.is(genome)).to.equal(true);
      const needs = compileGenome(genome).needs; // compiles: every operand is bindable
      expect(needs.daily.every((d) => d === 'fear_greed')).to.equal(true);
      expect(needs.models).to.deep.equal([]);
      for (const s of needs.symbols) {
        expect(['BTCUSDT', 'ETHUSDT']).to.include(s);
        expect(genome.symbols).to.not.include(s);
      }
      for (const side of [genome.entry, genome.exit])
        for (const c of side.conditions) {
          const range = thresholdRange(c.left);
          if (range !== undefined && 'value' in c.right) {
            expect(c.right.value).to.be.within(range.hard[0], range.hard[1]);
            seen.add(operandFamily(c.left)!);
          }
        }
    }
    expect([...seen].sort()).to.deep.equal(['cross_asset', 'sentiment']);
    const withExternal = r.genomes.filter((g) => genomeOperands(g.genome).some((o) => operandFamily(o) !== undefined)).length;
    expect(withExternal).to.be.greaterThan(20);
  });

  it('draws macro and prediction operands when their data is there, each inside its catalog range', () => {
    const r = run({ operands: { families: ['macro', 'prediction'], daily: ['sp500', 'nasdaq', 'vix'], crossSymbols: [], models: ['btc-1h'] } }, 7);
    const families = new Set(r.genomes.flatMap((g) => genomeOperands(g.genome).map(operandFamily)).filter((f) => f !== undefined));
    expect([...families].sort()).to.deep.equal(['macro', 'prediction']);
    for (const { genome } of r.genomes)
      for (const c of [...genome.entry.conditions, ...genome.exit.conditions])
        if ('prediction' in c.left && 'value' in c.right) {
          const [lo, hi] = c.left.prediction === 'up_probability' ? [0, 1] : [-0.01, 0.01];
          expect(c.right.value).to.be.within(lo, hi);
        }
  });

  it('mutation nudges an up_probability threshold inside [0, 1] and may add an external condition', () => {
    const g = Genome.decode({
      strategyType: 'prediction_driven',
      direction: 'long_only',
      indicators: [],
      entry: { mode: 'all', conditions: [{ left: { prediction: 'up_probability' }, op: 'gt', right: { value: 0.97 } }] },
      exit: { mode: 'any', conditions: [] },
      exitRules: { stopLoss: 0.02 },
      risk: { positionSize: 1, riskPerTrade: 0.02 },
      timeframe: '1h',
      symbols: ['ETHUSDT'],
      lineage: { generation: 0, parentIds: [], origin: 'manual' },
    });
    if (g._tag === 'Left') throw new Error('bad test genome');
    const rnd = mulberry32(3);
    const values: number[] = [];
    let added = 0;
    for (let i = 0; i < 300; i++) {
      const m = mutateGenes(g.right, rnd, 0.5, false, { families: ['sentiment'], daily: ['fear_greed'], crossSymbols: [], models: [] });
      const c = m.draft.entry.conditions[0]!;
      if ('value' in c.right) values.push(c.right.value);
      if (m.operators.includes('operand:sentiment')) added++;
    }
    expect(Math.min(...values)).to.be.at.least(0);
    expect(Math.max(...values)).to.be.at.most(1);
    expect(new Set(values).size).to.be.greaterThan(10);
    expect(added).to.be.greaterThan(50);
  });
});
