// The genetic operators as specifications, all seeded: selection favours the fit, the elite is exactly the top
// 10%, crossover mixes both parents into a valid genome, mutation never leaves the legal ranges, fingerprints
// ignore lineage only, and the same seed gives the same generation.
import { expect } from 'chai';
import { mulberry32, randomGenome } from '../../domain/backtest/random-genome.js';
import { INDICATORS, type ParamSpec } from '../../domain/indicators/catalog.js';
import { crossGenes } from '../../domain/learning/genetic/crossover.js';
import { canonicalGenome, genomeFingerprint } from '../../domain/learning/fingerprint.js';
import { finalize, repairDraft, toDraft, type Draft } from '../../domain/learning/genetic/genes.js';
import { mutateGenes } from '../../domain/learning/genetic/mutation.js';
import { nextGeneration } from '../../domain/learning/genetic/next-generation.js';
import { rankSelect, selectElites, tournamentSelect, type Scored } from '../../domain/learning/genetic/selection.js';
import { Genome } from '../../domain/strategy/genome.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { SYMBOLS, population, uuid } from './support.js';

const frequencies = (draw: () => Scored, n: number, size: number): number[] => {
  const counts = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) counts[Number.parseInt(draw().id.slice(-12), 16)]!++;
  return counts.map((c) => c / n);
};

const paramsInRange = (g: Genome | Draft): boolean =>
  g.indicators.every((ind) =>
    Object.entries(INDICATORS[ind.name].params as Readonly<Record<string, ParamSpec>>).every(([p, spec]) => {
      const v = ind.params[p];
      return v !== undefined && v >= spec.min && v <= spec.max && (!spec.integer || Number.isInteger(v));
    }),
  );

describe('learning: genetic operators', () => {
  describe('selection', () => {
    const pop = population(10, 1); // fitness = index: id …0009 is the fittest

    it('tournament (k = 3) picks fitter individuals more often: P(best) = 1 − 0.9³, P(worst) = 0.1³', () => {
      const rnd = mulberry32(7);
      const f = frequencies(() => tournamentSelect(pop, 3, rnd), 50_000, 10);
      for (let i = 1; i < 10; i++) expect(f[i]!).to.be.greaterThan(f[i - 1]!);
      expect(f[9]!).to.be.closeTo(1 - 0.9 ** 3, 0.01);
      expect(f[0]!).to.be.closeTo(0.001, 0.001);
    });

    it('rank selection draws rank r of n with weight n − r: P(best) = 10/55, P(worst) = 1/55', () => {
      const rnd = mulberry32(8);
      const f = frequencies(() => rankSelect(pop, rnd), 50_000, 10);
      expect(f[9]!).to.be.closeTo(10 / 55, 0.01);
      expect(f[0]!).to.be.closeTo(1 / 55, 0.005);
      for (let i = 1; i < 10; i++) expect(f[i]!).to.be.greaterThan(f[i - 1]!);
    });

    it('an unknown fitness (null) counts as the worst', () => {
      const withNull = population(10, 1, (i) => (i === 9 ? null : i));
      const rnd = mulberry32(9);
      const f = frequencies(() => tournamentSelect(withNull, 3, rnd), 20_000, 10);
      expect(f[9]!).to.be.lessThan(0.003);
      expect(f[8]!).to.be.greaterThan(0.25);
    });
  });

  describe('elitism', () => {
    it('carries exactly the top 10% as elite children with the parent as their only parent', () => {
      const pop = population(50, 2, (i) => (i * 37) % 50); // fitness a permutation of 0…49
      const { children, stats } = nextGeneration(pop, { size: 50, symbols: SYMBOLS }, mulberry32(3));
      const elite = children.filter((c) => c.genome.lineage.origin === 'elite');
      expect(elite).to.have.length(5);
      expect(stats.elite).to.equal(5);
      const top = [...pop].sort((a, b) => b.fitness! - a.fitness!).slice(0, 5);
      expect(elite.map((c) => c.genome.lineage.parentIds)).to.deep.equal(top.map((s) => [s.id]));
      elite.forEach((c, i) => expect(c.fingerprint).to.equal(genomeFingerprint(top[i]!.genome)));
      expect(selectElites(pop, 0.1).map((s) => s.fitness)).to.deep.equal([49, 48, 47, 46, 45]);
    });
  });

  describe('crossover', () => {
    const a = smaCrossoverGenome(10, 30);
    const b = rsiMeanReversionGenome();
    const conds = (g: Genome | Draft, side: 'entry' | 'exit') => canonicalGenome(g)[side].conditions;

    it('children take conditions from both parents (entry from one, exit from the other) and are valid', () => {
      const rnd = mulberry32(11);
      const all = (g: Genome) => new Set([...conds(g, 'entry'), ...conds(g, 'exit')]);
      const fromA = all(a);
      const fromB = all(b);
      for (let i = 0; i < 500; i++) {
        const { draft, operators } = crossGenes(a, b, rnd);
        const childConds = [...conds(draft, 'entry'), ...conds(draft, 'exit')];
        expect(childConds.every((c) => fromA.has(c) || fromB.has(c))).to.equal(true);
        expect(childConds.some((c) => fromA.has(c)) && childConds.some((c) => fromB.has(c))).to.equal(true);
        const exit = conds(draft, 'exit');
        expect([conds(a, 'exit'), conds(b, 'exit')]).to.deep.include(exit);
        expect(operators[0]).to.match(/^crossover:/);
        const done = finalize(draft, { generation: 1, parentIds: [uuid(1), uuid(2)], origin: 'crossover', operators }, { rnd, symbols: SYMBOLS });
        expect(done.replaced).to.equal(false);
        expect(Genome.is(done.genome)).to.equal(true);
      }
    });

    it('random parents always give a valid child, without replacement', () => {
      const rnd = mulberry32(12);
      let repaired = 0;
      for (let i = 0; i < 2000; i++) {
        const { draft, operators } = crossGenes(randomGenome(rnd, ['BTCUSDT']), randomGenome(rnd, ['ETHUSDT']), rnd);
        const done = finalize(draft, { generation: 1, parentIds: [uuid(1), uuid(2)], origin: 'crossover', operators }, { rnd, symbols: SYMBOLS });
        expect(done.replaced).to.equal(false);
        expect(Genome.is(done.genome)).to.equal(true);
        if (done.repairs.length > 0) repaired++;
      }
      // Only a child whose exit parent had no exit condition and whose rules came out empty needs a stop-loss.
      expect(repaired).to.be.lessThan(200);
    });
  });

  describe("the day's symbols", () => {
    const lineage = { generation: 2, parentIds: [uuid(1), uuid(2)], origin: 'crossover' as const, operators: ['crossover'] };

    it('a child inheriting a pair the day no longer trades gets one of the day’s instead, and says so', () => {
      // TRXUSDT left the selection: the day trades BTC, ETH and SOL. The child keeps ETHUSDT and swaps TRXUSDT.
      const draft = toDraft({ ...smaCrossoverGenome(), symbols: ['TRXUSDT', 'ETHUSDT'] });
      const done = finalize(draft, lineage, { rnd: mulberry32(5), symbols: SYMBOLS });
      expect(done.replaced).to.equal(false);
      expect(done.repairs).to.include('repair:symbols-not-traded');
      expect(done.genome.symbols).to.have.length(2);
      expect(done.genome.symbols[0]).to.equal('ETHUSDT');
      expect(['BTCUSDT', 'SOLUSDT']).to.include(done.genome.symbols[1]);
    });

    it('a child on the day’s pairs keeps them, with no repair', () => {
      const done = finalize(toDraft({ ...smaCrossoverGenome(), symbols: ['SOLUSDT'] }), lineage, { rnd: mulberry32(5), symbols: SYMBOLS });
      expect(done.genome.symbols).to.deep.equal(['SOLUSDT']);
      expect(done.repairs).to.not.include('repair:symbols-not-traded');
    });
  });

  describe('mutation', () => {
    it('stays inside the catalog ranges over 10,000 seeded mutations (chained, so values reach the edges)', () => {
      const rnd = mulberry32(13);
      const seen = new Set<string>();
      let g: Genome | Draft = randomGenome(rnd, ['BTCUSDT']);
      for (let i = 0; i < 10_000; i++) {
        if (i % 100 === 0) g = randomGenome(rnd, ['BTCUSDT']);
        const { draft, operators } = mutateGenes(g, rnd, 0.15, true);
        operators.forEach((o) => seen.add(o));
        expect(operators.length).to.be.greaterThan(0);
        expect(paramsInRange(draft), JSON.stringify(draft.indicators)).to.equal(true);
        expect(repairDraft(toDraft(draft)), JSON.stringify(draft)).to.deep.equal([]);
        expect(Genome.is({ ...draft, lineage: { generation: 1, parentIds: [uuid(1)], origin: 'mutation' } })).to.equal(true);
        g = draft;
      }
      for (const op of ['mutate:period', 'mutate:swap-indicator', 'mutate:threshold', 'mutate:exit-rule', 'mutate:risk', 'mutate:op'])
        expect([...seen]).to.include(op);
    });

    it('an integer parameter moves by a Gaussian step and is rounded; the MACD short stays below the long', () => {
      const rnd = mulberry32(14);
      const macd: Draft = { ...toDraft(smaCrossoverGenome()), indicators: [{ id: 'm', name: 'macd', params: { short: 99, long: 100, signal: 9 } }] };
      for (let i = 0; i < 1000; i++) {
        const { draft } = mutateGenes(macd, rnd, 1);
        const p = draft.indicators[0]!.params;
        expect(p['short']!).to.be.lessThan(p['long']!);
        expect(paramsInRange(draft)).to.equal(true);
      }
    });
  });

  describe('fingerprint', () => {
    const g = rsiMeanReversionGenome();
    it('is equal for genomes that differ only in lineage, indicator ids or the order of indicators and symbols', () => {
      const other = {
        ...g,
        lineage: { ...g.lineage, generation: 7, origin: 'mutation', parentIds: [uuid(3)], operators: ['mutate:period'] },
      } as unknown as Genome;
      expect(genomeFingerprint(other)).to.equal(genomeFingerprint(g));
      const renamed = JSON.parse(JSON.stringify(g).replaceAll('"rsi14"', '"r"').replaceAll('"bb"', '"z"')) as Genome;
      renamed.indicators.reverse();
      renamed.symbols.reverse();
      expect(genomeFingerprint(renamed)).to.equal(genomeFingerprint(g));
      expect(genomeFingerprint(g)).to.match(/^[0-9a-f]{16}$/);
    });
    it('differs when behaviour changes: a parameter, a threshold, an exit rule, a symbol', () => {
      const edits: ((d: Draft) => void)[] = [
        (d) => (d.indicators[0]!.params['period'] = 15),
        (d) => (d.entry.conditions[0]!.right = { value: 31 }),
        (d) => (d.exitRules.stopLoss = 0.03),
        (d) => (d.symbols = ['BTCUSDT', 'SOLUSDT']),
        (d) => (d.entry.mode = 'any'),
      ];
      const prints = new Set([genomeFingerprint(g)]);
      for (const edit of edits) {
        const d = toDraft(g);
        edit(d);
        prints.add(genomeFingerprint(d));
      }
      expect(prints.size).to.equal(edits.length + 1);
    });
  });

  describe('nextGeneration', () => {
    const pop = population(100, 21, (i) => Math.sin(i) * 2);

    it('makes `size` valid children: 10% elite, 30% random, the rest crossover or mutation with parents and operators', () => {
      const { children, stats } = nextGeneration(pop, { size: 100, symbols: SYMBOLS, generation: 4, cycleId: '2023-12-30', seed: 5 }, mulberry32(22));
      expect(children).to.have.length(100);
      expect(stats.elite).to.equal(10);
      expect(stats.random).to.be.at.least(30);
      expect(stats.crossover).to.be.greaterThan(stats.mutation);
      const ids = new Set(pop.map((s) => s.id));
      for (const { genome, fingerprint } of children) {
        expect(Genome.is(genome)).to.equal(true);
        expect(genome.lineage).to.include({ generation: 4, cycleId: '2023-12-30', seed: 5 });
        expect(fingerprint).to.equal(genomeFingerprint(genome));
        const { origin, parentIds, operators } = genome.lineage;
        expect(parentIds.every((p) => ids.has(p))).to.equal(true);
        if (origin === 'crossover') {
          expect(parentIds).to.have.length(2);
          expect(operators![0]).to.match(/^crossover:/);
        }
        if (origin === 'mutation') {
          expect(parentIds).to.have.length(1);
          expect(operators!.some((o) => o.startsWith('mutate:'))).to.equal(true);
        }
      }
      // No child repeats a tested genome or another child, except the elite (carried on purpose).
      const tested = new Set(pop.map((s) => genomeFingerprint(s.genome)));
      const fresh = children.filter((c) => c.genome.lineage.origin !== 'elite').map((c) => c.fingerprint);
      expect(fresh.some((f) => tested.has(f))).to.equal(false);
      expect(new Set(fresh).size).to.equal(fresh.length);
    });

    it('skips fingerprints listed as already tested', () => {
      const first = nextGeneration(pop, { size: 60, symbols: SYMBOLS, randomShare: 0 }, mulberry32(23));
      const tested = new Set(first.children.filter((c) => c.genome.lineage.origin !== 'elite').map((c) => c.fingerprint));
      const again = nextGeneration(pop, { size: 60, symbols: SYMBOLS, randomShare: 0, tested }, mulberry32(23));
      expect(again.children.filter((c) => c.genome.lineage.origin !== 'elite').some((c) => tested.has(c.fingerprint))).to.equal(false);
      expect(again.stats.duplicatesRedrawn).to.be.greaterThan(0);
    });

    it("the population's fingerprints, when given, are the ones it would compute: the same generation", () => {
      const withFingerprints = pop.map((s) => ({ ...s, fingerprint: genomeFingerprint(s.genome) }));
      const run = (p: readonly Scored[]) => nextGeneration(p, { size: 80, symbols: SYMBOLS }, mulberry32(41));
      expect(run(withFingerprints)).to.deep.equal(run(pop));
      // A child equal in behaviour to a population genome is refused whether its fingerprint is given or computed.
      const clones = nextGeneration(withFingerprints, { size: 80, symbols: SYMBOLS, randomShare: 0, mutationRate: 0, crossoverRate: 0 }, mulberry32(42));
      const parents = new Set(withFingerprints.map((s) => s.fingerprint));
      expect(clones.children.filter((c) => c.genome.lineage.origin !== 'elite').some((c) => parents.has(c.fingerprint))).to.equal(false);
    });

    it('same seed, same generation; another seed, another one', () => {
      const run = (seed: number) => nextGeneration(pop, { size: 80, symbols: SYMBOLS, selection: 'rank' }, mulberry32(seed));
      expect(run(30)).to.deep.equal(run(30));
      expect(run(30).children.map((c) => c.fingerprint)).to.not.deep.equal(run(31).children.map((c) => c.fingerprint));
    });

    it('an empty or tiny population explores with random genomes and says so', () => {
      for (const tiny of [[], population(3, 4), population(10, 4, () => null)]) {
        const { children, notes, stats } = nextGeneration(tiny, { size: 20, symbols: SYMBOLS }, mulberry32(5));
        expect(children).to.have.length(20);
        expect(stats.random).to.equal(20);
        expect(children.every((c) => c.genome.lineage.origin === 'random' && Genome.is(c.genome))).to.equal(true);
        expect(notes.join()).to.match(/population of \d+ scored < 4: exploring with random genomes/);
      }
    });
  });

  describe('the gate', () => {
    const lineage = { generation: 1, parentIds: [uuid(1)], origin: 'mutation' as const, operators: ['mutate:period'] };
    it('repairs what it can: a parameter out of range is clipped, a missing exit gets a stop-loss', () => {
      const d = toDraft(smaCrossoverGenome());
      d.indicators[0]!.params['period'] = 900;
      d.exit.conditions = [];
      const done = finalize(d, lineage, { rnd: mulberry32(1), symbols: SYMBOLS });
      expect(done.replaced).to.equal(false);
      expect(done.repairs).to.have.members(['repair:clamp-param', 'repair:add-stop-loss']);
      expect(done.genome.indicators[0]!.params['period']).to.equal(500);
      expect(done.genome.exitRules.stopLoss).to.equal(0.02);
      expect(done.genome.lineage.operators).to.deep.equal(['mutate:period', 'repair:clamp-param', 'repair:add-stop-loss']);
    });
    it('replaces what it cannot (no entry left) with a random genome whose lineage says so', () => {
      const d = toDraft(smaCrossoverGenome());
      d.entry.conditions = [{ left: { indicator: 'nowhere' }, op: 'gt', right: { price: 'close' } }];
      const done = finalize(d, lineage, { rnd: mulberry32(1), symbols: SYMBOLS });
      expect(done.replaced).to.equal(true);
      expect(Genome.is(done.genome)).to.equal(true);
      expect(done.genome.lineage).to.deep.include({ origin: 'random', parentIds: [], operators: ['random:replaces-invalid'] });
    });
  });
});
