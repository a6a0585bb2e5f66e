// The second-round options of the daily cycle (doc/learning.md, "Second round"), seeded: the deflated filter
// (OOS deflated Sharpe with trials = N instead of a fixed OOS Sharpe bar) and breadth among the GA's parents.
import { expect } from 'chai';
import { expectedMaxSharpe } from '../../domain/backtest/metrics/deflated-sharpe.js';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import {
  filterVerdict,
  initialLearner,
  OOS_GATE,
  oosDeflatedSharpe,
  runCycle,
  type BacktestFn,
  type Figures,
  type Metrics,
  type Window,
} from '../../domain/learning/cycle.js';
import { freshRandom } from '../../domain/learning/genetic/genes.js';
import type { Scored } from '../../domain/learning/genetic/selection.js';
import { nichedParents } from '../../domain/learning/generator.js';
import { STRATEGY_TYPES, type Genome } from '../../domain/strategy/genome.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2023, 0, 1);
const inSample: Window = { from: T0, to: T0 + 20 * DAY };
const outOfSample: Window = { from: inSample.to, to: inSample.to + 14 * DAY };
const base = { cycleId: '2023-02-04', symbols: ['BTCUSDT'], inSample, outOfSample, regime: 'range_low_vol' as const, seed: 5, filter: OOS_GATE };
// The OOS gate alone (the subject here): these fixtures carry no win rate for the platform's thresholds.
const PPY = 8760;
const BARS = 336;
const f = (sharpe: number, tradeCount: number): Figures => ({ sharpe, tradeCount, totalReturn: sharpe / 100, maxDrawdown: 0.05 });
const oosMetrics = (sharpe: number): Metrics => ({
  sharpe,
  tradeCount: 10,
  totalReturn: sharpe / 100,
  maxDrawdown: 0.05,
  skew: 0,
  excessKurtosis: 0,
  bars: BARS,
  periodsPerYear: PPY,
});

describe('learning cycle, second round: the deflated filter', () => {
  it('rejects an OOS Sharpe that clears the fixed bar but is below the expected maximum of N skill-less trials', () => {
    const variance = 25; // annualised Sharpe ratios of the cycle spread with s.d. 5
    const sr0 = expectedMaxSharpe(500, variance / PPY) * Math.sqrt(PPY); // ≈ 15, annualised
    expect(sr0).to.be.within(12, 18);
    const below = oosDeflatedSharpe(oosMetrics(3), 500, variance)!;
    const above = oosDeflatedSharpe(oosMetrics(sr0 + 10), 500, variance)!;
    expect(below).to.be.lessThan(0.5);
    expect(above).to.be.greaterThan(0.5);
    // The fixed filter passes Sharpe 3; the deflated one does not, and it passes a Sharpe well above SR₀.
    expect(filterVerdict(f(1, 40), f(3, 10), OOS_GATE)).to.equal(undefined);
    expect(filterVerdict(f(1, 40), f(3, 10), OOS_GATE, { oosDeflatedSharpe: below, min: 0.5 })).to.match(/^OOS deflated Sharpe 0\.\d{3} ≤ 0.5/);
    expect(filterVerdict(f(1, 40), f(sr0 + 10, 10), OOS_GATE, { oosDeflatedSharpe: above, min: 0.5 })).to.equal(undefined);
    // The trade-count and IS checks still apply, and an uncomputable DSR is a refusal.
    expect(filterVerdict(f(1, 40), f(sr0 + 10, 2), OOS_GATE, { oosDeflatedSharpe: above, min: 0.5 })).to.match(/2 OOS trades < 3/);
    expect(filterVerdict(f(-1, 40), f(sr0 + 10, 10), OOS_GATE, { oosDeflatedSharpe: above, min: 0.5 })).to.match(/IS Sharpe/);
    expect(filterVerdict(f(1, 40), f(sr0 + 10, 10), OOS_GATE, { oosDeflatedSharpe: null, min: 0.5 })).to.equal('no OOS deflated Sharpe');
  });

  it('in a seeded cycle, passes only OOS Sharpe ratios above the expected maximum of N trials, fewer than the fixed filter', () => {
    // OOS Sharpe of the k-th genome backtested (annualised): a bulk between −2 and 7, then 100, 150, 200; IS Sharpe 1.
    const oosSharpe = (k: number) => (k < 57 ? (k % 10) - 2 : [100, 150, 200][k - 57]!);
    const engine = (): BacktestFn => {
      let k = 0;
      return (_g, w) => (w.from === inSample.from ? oosMetrics(1) : oosMetrics(oosSharpe(k++)));
    };
    const size = 60;
    const fixed = runCycle(initialLearner(), { ...base, cycle: 0, size }, engine(), mulberry32(11));
    const deflated = runCycle(initialLearner(), { ...base, cycle: 0, size, filterMode: 'deflated' }, engine(), mulberry32(11));
    const sharpes = deflated.records.map((r) => r.outOfSample!.sharpe!);
    const mean = sharpes.reduce((s, x) => s + x, 0) / size;
    const variance = sharpes.reduce((s, x) => s + (x - mean) ** 2, 0) / (size - 1);
    const sr0 = expectedMaxSharpe(size, variance / PPY) * Math.sqrt(PPY);
    expect(fixed.passed.length).to.equal(42); // 39 of the bulk (Sharpe 1 … 7) and the three outliers
    expect(deflated.passed.length).to.be.greaterThan(0);
    expect(deflated.passed.length).to.be.lessThan(fixed.passed.length);
    for (const r of deflated.records) {
      expect(r.passed).to.equal(r.outOfSample!.sharpe! > sr0 + 1e-9, `Sharpe ${r.outOfSample!.sharpe} vs SR₀ ${sr0}`);
      if (!r.passed) expect(r.rejectedBecause).to.match(/OOS deflated Sharpe/);
    }
    // The same genomes, the same figures and the same learner feed: only the verdicts differ.
    expect(deflated.records.map((r) => r.fingerprint)).to.deep.equal(fixed.records.map((r) => r.fingerprint));
    expect(deflated.records.map((r) => r.fitness)).to.deep.equal(fixed.records.map((r) => r.fitness));
  });
});

describe('learning cycle, second round: breadth among GA parents', () => {
  const rnd = mulberry32(21);
  const genomeOf = (type: (typeof STRATEGY_TYPES)[number]): Genome => ({
    ...freshRandom({ rnd, symbols: ['BTCUSDT'], timeframe: '1h' }, { generation: 0, operators: ['random:exploration'] }),
    strategyType: type,
  });
  // 100 scored genomes: the best 60 are all momentum, then 8 of each other type.
  const population: Scored[] = [];
  for (let i = 0; i < 60; i++) population.push({ id: `m${i}`, genome: genomeOf('momentum'), fitness: 100 - i });
  STRATEGY_TYPES.filter((t) => t !== 'momentum').forEach((t, j) => {
    for (let i = 0; i < 10; i++) population.push({ id: `${t}${i}`, genome: genomeOf(t), fitness: 30 - i - j / 10 });
  });
  population.push({ id: 'unscored', genome: genomeOf('breakout'), fitness: null });

  it('caps the share of one strategy type in a pool of the best, best first', () => {
    const pool = nichedParents(population, { poolShare: 0.2, maxTypeShare: 0.25 });
    expect(pool).to.have.length(20); // 20% of the 100 scored
    const counts = new Map<string, number>();
    for (const s of pool) counts.set(s.genome.strategyType, (counts.get(s.genome.strategyType) ?? 0) + 1);
    expect(counts.get('momentum')).to.equal(5); // the cap, ceil(0.25 · 20)
    expect(counts.size).to.be.at.least(4);
    expect(pool.slice(0, 5).map((s) => s.id)).to.deep.equal(['m0', 'm1', 'm2', 'm3', 'm4']);
    for (let i = 1; i < pool.length; i++) expect(pool[i]!.fitness!).to.be.at.most(pool[i - 1]!.fitness!);
    expect(pool.some((s) => s.id === 'unscored')).to.equal(false);
    // Without a binding cap it is plain truncation.
    expect(nichedParents(population, { poolShare: 0.2, maxTypeShare: 1 }).every((s) => s.genome.strategyType === 'momentum')).to.equal(true);
  });

  it('in a seeded cycle, GA children have only pool members as parents', () => {
    const history = population.filter((s) => s.fitness !== null).map((s, i) => ({ ...s, i }));
    const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const state = {
      ...initialLearner(),
      history: history.map((s) => ({
        id: uuid(s.i),
        cycle: 0,
        genome: s.genome,
        fingerprint: `fp${s.i}`,
        origin: 'random' as const,
        regime: 'range_low_vol' as const,
        inSample: f(1, 10),
        outOfSample: f(s.fitness!, 10),
        oosDeflatedSharpe: null,
        passed: true,
        fitness: s.fitness,
      })),
    };
    const niche = { poolShare: 0.2, maxTypeShare: 0.25 };
    const allowed = new Set(nichedParents(state.history, niche).map((s) => s.id));
    const r = runCycle(
      state,
      { ...base, cycle: 1, size: 40, shares: { ga: 1, policy: 0, random: 0 }, parentNiche: niche },
      () => oosMetrics(1),
      mulberry32(31),
    );
    const children = r.records.filter((x) => x.origin === 'ga');
    expect(children.length).to.be.greaterThan(20);
    for (const c of children) for (const p of c.genome.lineage.parentIds) expect(allowed.has(p), p).to.equal(true);
  });
});
