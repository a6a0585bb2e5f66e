// The generation policy as specifications: Beta posteriors count successes and failures, Thompson sampling
// concentrates on the rewarded arm (in that regime only), sampled genomes are valid, the state survives JSON,
// and the regime classifier reads real BTCUSDT 1h months the way a trader would.
import { expect } from 'chai';
import { isRight } from 'fp-ts/lib/Either.js';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import { betaMean, sampleBeta } from '../../domain/learning/policy/beta.js';
import { DEFAULT_REGIME, classifyRegime, type Regime } from '../../domain/learning/policy/regime.js';
import { PolicyCodec, armsOf, initialPolicy, samplePolicyGenome, updatePolicy } from '../../domain/learning/policy/policy.js';
import { Genome } from '../../domain/strategy/genome.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { btcusdt1h } from '../indicators/real-candles.js';
import { SYMBOLS } from './support.js';

describe('learning: policy (Thompson-sampling bandits per gene and regime)', () => {
  it('a Beta draw has the posterior mean: Beta(2, 5) averages 2/7 over 20,000 seeded draws', () => {
    const rnd = mulberry32(1);
    let s = 0;
    for (let i = 0; i < 20_000; i++) s += sampleBeta({ alpha: 2, beta: 5 }, rnd);
    expect(s / 20_000).to.be.closeTo(2 / 7, 0.005);
    expect(betaMean({ alpha: 0.5, beta: 0.5 })).to.equal(0.5);
    let small = 0;
    for (let i = 0; i < 20_000; i++) small += sampleBeta({ alpha: 0.5, beta: 1.5 }, rnd);
    expect(small / 20_000).to.be.closeTo(0.25, 0.01);
  });

  it('updatePolicy adds one success (reward > threshold) or failure per arm the genome expresses, immutably', () => {
    const p0 = initialPolicy({ decay: 1 });
    const sma = smaCrossoverGenome(); // momentum, sma, long_only, 1h, BTCUSDT
    const rsi = rsiMeanReversionGenome(); // mean_reversion, rsi + bbands, BTCUSDT + ETHUSDT
    const p1 = updatePolicy(p0, 'trend_low_vol', [
      { genome: sma, reward: 1.2 },
      { genome: sma, reward: 0.4 },
      { genome: sma, reward: -0.3 },
      { genome: rsi, reward: null },
      { genome: rsi, reward: 0 }, // not above the threshold 0: a failure
    ]);
    const post = p1.regimes.trend_low_vol!;
    expect(post['strategyType']).to.deep.equal({ momentum: { alpha: 3, beta: 2 }, mean_reversion: { alpha: 1, beta: 3 } });
    expect(post['indicator']).to.deep.equal({ sma: { alpha: 3, beta: 2 }, rsi: { alpha: 1, beta: 3 }, bbands: { alpha: 1, beta: 3 } });
    expect(post['symbol']).to.deep.equal({ BTCUSDT: { alpha: 3, beta: 4 }, ETHUSDT: { alpha: 1, beta: 3 } });
    // Periods 10 and 30 fall in the low (2–13) and mid (13–79) thirds: each gets every SMA result.
    expect(post['param:sma.period']).to.deep.equal({ low: { alpha: 3, beta: 2 }, mid: { alpha: 3, beta: 2 } });
    // rsi < 30 is in the low third of [20, 80], rsi > 55 in the middle one.
    expect(post['threshold:rsi']).to.deep.equal({ low: { alpha: 1, beta: 3 }, mid: { alpha: 1, beta: 3 } });
    expect(p0.regimes).to.deep.equal({});
    expect(p1.updates).to.equal(1);
    expect(p1.regimes.range_low_vol).to.equal(undefined);
    // Decay shrinks old evidence towards the prior Beta(1, 1) before adding new results.
    const p2 = updatePolicy(p1, 'trend_low_vol', [], { decay: 0.5 });
    expect(p2.regimes.trend_low_vol!['strategyType']!['momentum']).to.deep.equal({ alpha: 2, beta: 1.5 });
  });

  it('sampling concentrates on a rewarded arm, in the rewarded regime only', () => {
    const rnd = mulberry32(2);
    const regime: Regime = 'trend_high_vol';
    const share = (p: ReturnType<typeof initialPolicy>, r: Regime) =>
      Array.from({ length: 400 }, () => samplePolicyGenome(p, r, SYMBOLS, rnd)).filter((g) => g.strategyType === 'breakout').length / 400;
    let policy = initialPolicy();
    expect(share(policy, regime)).to.be.closeTo(0.25, 0.07);
    for (let cycle = 0; cycle < 10; cycle++) {
      const genomes = Array.from({ length: 60 }, () => samplePolicyGenome(policy, regime, SYMBOLS, rnd));
      policy = updatePolicy(
        policy,
        regime,
        genomes.map((genome) => ({ genome, reward: genome.strategyType === 'breakout' ? 1 : -1 })),
      );
    }
    expect(share(policy, regime)).to.be.greaterThan(0.9);
    expect(share(policy, 'range_low_vol')).to.be.closeTo(0.25, 0.07);
  });

  it('also learns which third of a parameter range pays (rsi period)', () => {
    const rnd = mulberry32(3);
    let policy = initialPolicy();
    for (let cycle = 0; cycle < 15; cycle++) {
      const genomes = Array.from({ length: 80 }, () => samplePolicyGenome(policy, 'range_low_vol', SYMBOLS, rnd));
      policy = updatePolicy(
        policy,
        'range_low_vol',
        genomes.map((genome) => ({ genome, reward: armsOf(genome)['param:rsi.period']?.includes('high') ? 1 : -1 })),
      );
    }
    const rsiPeriods = Array.from({ length: 400 }, () => samplePolicyGenome(policy, 'range_low_vol', SYMBOLS, rnd)).flatMap((g) =>
      g.indicators.filter((i) => i.name === 'rsi').map((i) => i.params['period']!),
    );
    expect(rsiPeriods.length).to.be.greaterThan(100);
    expect(rsiPeriods.filter((p) => p >= 21.5).length / rsiPeriods.length).to.be.greaterThan(0.8); // high third of log [2, 100]
  });

  it('sampled genomes are valid policy genomes trading one of the given symbols; same seed, same genome', () => {
    const rnd = mulberry32(4);
    const policy = initialPolicy({ timeframes: ['1h', '4h'] });
    for (let i = 0; i < 2000; i++) {
      const g = samplePolicyGenome(policy, 'range_high_vol', SYMBOLS, rnd, { generation: 3, cycleId: '2023-12-30' });
      expect(Genome.is(g)).to.equal(true);
      expect(g.lineage).to.deep.include({ origin: 'policy', generation: 3, parentIds: [] });
      expect(g.symbols).to.have.length(1);
      expect(SYMBOLS).to.include(g.symbols[0]);
      expect(['1h', '4h']).to.include(g.timeframe);
    }
    const again = (seed: number) => samplePolicyGenome(policy, 'range_high_vol', SYMBOLS, mulberry32(seed));
    expect(again(9)).to.deep.equal(again(9));
  });

  it('draws parameters from insight priors when given (rsi.period in [20, 24])', () => {
    const rnd = mulberry32(5);
    const priors = { paramRanges: { 'rsi.period': { low: 20, high: 24 } }, exitRuleRanges: {}, preferred: {}, avoided: {} };
    const periods = Array.from({ length: 1500 }, () => samplePolicyGenome(initialPolicy(), 'trend_low_vol', SYMBOLS, rnd, { priors, priorWeight: 1 })).flatMap(
      (g) => g.indicators.filter((i) => i.name === 'rsi').map((i) => i.params['period']!),
    );
    expect(periods.length).to.be.greaterThan(50);
    expect(periods.every((p) => p >= 20 && p <= 24)).to.equal(true);
  });

  it('the state is plain JSON that PolicyCodec accepts', () => {
    const rnd = mulberry32(6);
    const genomes = Array.from({ length: 30 }, () => samplePolicyGenome(initialPolicy(), 'trend_low_vol', SYMBOLS, rnd));
    const policy = updatePolicy(
      initialPolicy(),
      'trend_low_vol',
      genomes.map((genome, i) => ({ genome, reward: i % 3 === 0 ? 1 : -1 })),
    );
    const json = JSON.parse(JSON.stringify(policy));
    expect(json).to.deep.equal(policy);
    expect(isRight(PolicyCodec.decode(json))).to.equal(true);
    expect(isRight(PolicyCodec.decode({ ...json, decay: 2 }))).to.equal(false);
  });

  describe('classifyRegime on real BTCUSDT 1h candles (each month against the history before it)', () => {
    const candles = btcusdt1h();
    const indexOf = (iso: string) => {
      const t = Date.parse(iso);
      let i = 0;
      while (i < candles.length && candles.openTime[i]! < t) i++;
      return i;
    };
    const month = (m: string, next: string) => {
      const start = indexOf(`${m}-01T00:00:00Z`);
      const end = indexOf(`${next}-01T00:00:00Z`);
      return classifyRegime(candles.close.subarray(0, end), { window: end - start });
    };
    // Trend t-statistics / σ vs history median, as computed here: 2021-10 1.91, 0.65% < 0.75%; 2022-06 1.77,
    // 0.99% > 0.75%; 2023-07 0.53, 0.29% < 0.66%; 2022-05 0.70, 0.89% > 0.71%.
    it('2021-10 (43.7k → 61.3k, steady rally): trend, low volatility', () => expect(month('2021-10', '2021-11').regime).to.equal('trend_low_vol'));
    it('2022-06 (31.9k → 19.9k, the Celsius/3AC selloff): trend, high volatility', () => expect(month('2022-06', '2022-07').regime).to.equal('trend_high_vol'));
    it('2023-07 (30.5k → 29.2k, the quietest month in the data): range, low volatility', () =>
      expect(month('2023-07', '2023-08').regime).to.equal('range_low_vol'));
    it('2022-05 (37.7k → 31.8k with the LUNA crash and rebound): range, high volatility', () =>
      expect(month('2022-05', '2022-06').regime).to.equal('range_high_vol'));
    it('no data: the default regime, with a note', () => {
      const r = classifyRegime(new Float64Array(0));
      expect(r.regime).to.equal(DEFAULT_REGIME);
      expect(r.notes.join()).to.match(/no data/);
      expect(classifyRegime(new Float64Array([NaN, NaN, 5])).regime).to.equal(DEFAULT_REGIME);
    });
  });
});
