// The learner's features and the genome fingerprint, checked by hand against the templates and small variations.
import { expect } from 'chai';
import { COMPARISON_OPS, genomeFeatures } from '../../domain/learning/features.js';
import { canonicalGenome, fnv1a64, genomeFingerprint, stableJson } from '../../domain/learning/fingerprint.js';
import { INDICATOR_NAMES } from '../../domain/indicators/catalog.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';

const PARENT_A = '0b7f6a52-3c1d-4e9f-8a2b-6c5d4e3f2a1b';
const PARENT_B = '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716';

/** Every `uses_<name>` flag at 0 but those named. */
const usesOnly = (...used: string[]) => Object.fromEntries(INDICATOR_NAMES.map((n) => [`uses_${n}`, used.includes(n) ? 1 : 0]));
const ops = (side: 'entry' | 'exit', counts: Record<string, number>) => Object.fromEntries(COMPARISON_OPS.map((op) => [`${side}.op.${op}`, counts[op] ?? 0]));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a genome as plain JSON, broken on purpose
const edit = (g: Genome, change: (draft: any) => void): Genome => {
  const draft = JSON.parse(JSON.stringify(g));
  change(draft);
  return draft as Genome;
};

describe('learning: genome features', () => {
  it('the SMA crossover: two SMAs (the first use gives sma.period), one cross each way, no thresholds or exit rules', () => {
    expect(genomeFeatures(smaCrossoverGenome(10, 30))).to.deep.equal({
      strategy_type: 'momentum',
      direction: 'long_only',
      timeframe: '1h',
      symbol: 'BTCUSDT',
      symbol_count: 1,
      indicator_count: 2,
      ...usesOnly('sma'),
      'sma.period': 10,
      'entry.mode': 'all',
      'entry.condition_count': 1,
      ...ops('entry', { crosses_above: 1 }),
      'exit.mode': 'any',
      'exit.condition_count': 1,
      ...ops('exit', { crosses_below: 1 }),
      'risk.positionSize': 1,
      'risk.riskPerTrade': 0.02,
      'lineage.generation': 0,
      'lineage.origin': 'manual',
      'lineage.parent_count': 0,
    });
  });

  it('the RSI mean reversion: RSI thresholds 30 (entry) and 55 (exit), Bollinger parameters, every exit rule and risk parameter', () => {
    const f = genomeFeatures(rsiMeanReversionGenome());
    expect(f).to.deep.equal({
      strategy_type: 'mean_reversion',
      direction: 'long_only',
      timeframe: '1h',
      symbol: 'BTCUSDT',
      symbol_count: 2,
      indicator_count: 2,
      ...usesOnly('rsi', 'bbands'),
      'rsi.period': 14,
      'bbands.period': 20,
      'bbands.stddev': 2,
      'entry.mode': 'all',
      'entry.condition_count': 2,
      ...ops('entry', { lt: 2 }),
      'exit.mode': 'any',
      'exit.condition_count': 1,
      ...ops('exit', { gt: 1 }),
      'rsi.threshold_min': 30,
      'rsi.threshold_max': 55,
      'exitRules.takeProfit': 0.04,
      'exitRules.stopLoss': 0.02,
      'exitRules.trailingStop': 0.015,
      'risk.positionSize': 0.25,
      'risk.riskPerTrade': 0.01,
      'risk.maxOpenPositions': 2,
      'lineage.generation': 0,
      'lineage.origin': 'manual',
      'lineage.parent_count': 0,
    });
    // NaN-free: every value a finite number or a label.
    for (const v of Object.values(f)) expect(typeof v === 'string' || Number.isFinite(v)).to.equal(true);
  });

  it('a constant on the left counts as a threshold too; stochastic outputs share one threshold range; predictions have theirs', () => {
    const g = edit(rsiMeanReversionGenome(), (d) => {
      d.strategyType = 'hybrid';
      d.indicators.push({ id: 'st', name: 'stoch', params: { k: 14, kslow: 3, d: 3 } });
      d.indicators.push({ id: 'rsi7', name: 'rsi', params: { period: 7 } });
      d.entry.conditions.push({ left: { value: 20 }, op: 'gt', right: { indicator: 'st', output: 'k' } });
      d.entry.conditions.push({ left: { indicator: 'rsi7' }, op: 'gte', right: { value: 25 } });
      d.exit.conditions.push({ left: { indicator: 'st', output: 'd' }, op: 'crosses_above', right: { value: 80 } });
      d.exit.conditions.push({ left: { prediction: 'up_probability' }, op: 'lt', right: { value: 0.4 } });
      d.lineage = { generation: 3, parentIds: [PARENT_A, PARENT_B], origin: 'crossover' };
    });
    const f = genomeFeatures(g);
    expect(f).to.include({
      strategy_type: 'hybrid',
      indicator_count: 4,
      uses_stoch: 1,
      'stoch.k': 14,
      'stoch.kslow': 3,
      'stoch.d': 3,
      'rsi.period': 14, // the first use
      'rsi.threshold_min': 25, // 30 and 55 from rsi14, 25 from rsi7
      'rsi.threshold_max': 55,
      'stoch.threshold_min': 20,
      'stoch.threshold_max': 80,
      'prediction.up_probability.threshold_min': 0.4,
      'prediction.up_probability.threshold_max': 0.4,
      'entry.condition_count': 4,
      'entry.op.gt': 1,
      'entry.op.gte': 1,
      'entry.op.lt': 2,
      'exit.op.crosses_above': 1,
      'exit.op.lt': 1,
      'lineage.generation': 3,
      'lineage.origin': 'crossover',
      'lineage.parent_count': 2,
    });
    expect(f).to.not.have.property('bbands.threshold_min'); // compared with the price, not a constant
  });

  it('absent exit rules and maxOpenPositions are left out, not NaN', () => {
    const f = genomeFeatures(edit(rsiMeanReversionGenome(), (d) => ((d.exitRules = { stopLoss: 0.03 }), delete d.risk.maxOpenPositions)));
    expect(f['exitRules.stopLoss']).to.equal(0.03);
    expect(f).to.not.have.any.keys('exitRules.takeProfit', 'exitRules.trailingStop', 'risk.maxOpenPositions');
  });
});

describe('learning: genome fingerprint', () => {
  const bigintFnv = (text: string) => {
    let h = 0xcbf29ce484222325n;
    for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
    return h.toString(16).padStart(16, '0');
  };

  it('FNV-1a 64 gives the published test vectors and agrees with a BigInt reference', () => {
    expect(fnv1a64('')).to.equal('cbf29ce484222325');
    expect(fnv1a64('a')).to.equal('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).to.equal('85944171f73967e8');
    for (const s of ['genome', stableJson(rsiMeanReversionGenome()), 'déjà vu ✓ 📈', 'x'.repeat(1000)]) expect(fnv1a64(s)).to.equal(bigintFnv(s));
  });

  it('stable JSON sorts keys at every level and drops undefined members', () => {
    expect(stableJson({ b: 1, a: { d: [1, { z: 1, y: undefined }], c: 'x' } })).to.equal('{"a":{"c":"x","d":[1,{"z":1}]},"b":1}');
  });

  it('genomes differing only in lineage have the same fingerprint', () => {
    const a = rsiMeanReversionGenome();
    const b = edit(a, (d) => (d.lineage = { generation: 7, parentIds: [PARENT_A], origin: 'mutation', operators: ['mutate:rsi.period'], seed: 9 }));
    expect(genomeFingerprint(b))
      .to.equal(genomeFingerprint(a))
      .and.to.match(/^[0-9a-f]{16}$/);
  });

  it('renaming indicators or reordering declarations and conditions changes nothing', () => {
    const a = rsiMeanReversionGenome();
    const b = edit(a, (d) => {
      d.indicators.reverse();
      d.indicators.find((i: { id: string }) => i.id === 'rsi14').id = 'osc';
      for (const c of [...d.entry.conditions, ...d.exit.conditions]) for (const o of [c.left, c.right]) if (o.indicator === 'rsi14') o.indicator = 'osc';
      d.entry.conditions.reverse();
      d.risk = { maxOpenPositions: 2, riskPerTrade: 0.01, positionSize: 0.25 };
    });
    expect(genomeFingerprint(b)).to.equal(genomeFingerprint(a));
    expect(canonicalGenome(b)).to.deep.equal(canonicalGenome(a));
  });

  it('anything that changes behaviour changes it', () => {
    const a = rsiMeanReversionGenome();
    const variants = [
      edit(a, (d) => (d.indicators[0].params.period = 15)),
      edit(a, (d) => (d.entry.conditions[0].right.value = 29)),
      edit(a, (d) => (d.entry.conditions[0].op = 'lte')),
      edit(a, (d) => (d.entry.mode = 'any')),
      edit(a, (d) => (d.exitRules.stopLoss = 0.025)),
      edit(a, (d) => delete d.exitRules.trailingStop),
      edit(a, (d) => (d.risk.positionSize = 0.5)),
      edit(a, (d) => (d.timeframe = '4h')),
      edit(a, (d) => (d.symbols = ['BTCUSDT'])),
      edit(a, (d) => (d.direction = 'long_short')),
      edit(a, (d) => (d.strategyType = 'hybrid')),
    ];
    const prints = new Set([a, ...variants].map(genomeFingerprint));
    expect(prints.size).to.equal(variants.length + 1);
    expect(genomeFingerprint(smaCrossoverGenome(10, 30))).to.not.equal(genomeFingerprint(smaCrossoverGenome(30, 10)));
  });
});
