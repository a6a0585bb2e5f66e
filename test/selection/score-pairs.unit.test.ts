import { expect } from 'chai';
import { either } from 'fp-ts';
import { emptySeries } from '../../domain/market/candles.js';
import { candidateMetrics, type CandidateMetrics } from '../../domain/selection/candidate-metrics.js';
import { decideSelection, type SelectPairs } from '../../domain/selection/decide.js';
import { PairsSelectedData } from '../../domain/selection/events.js';
import { DEFAULT_RULES, percentileRanks, scorePairs } from '../../domain/selection/score-pairs.js';

const metrics = (symbol: string, m: Partial<CandidateMetrics>): CandidateMetrics => ({
  symbol,
  bars: 720,
  quoteVolumePerDay: 5e7,
  volatility: 0.6,
  liquidity: 1e6,
  liquiditySource: 'amihud',
  trendStrength: 0.2,
  ...m,
});

describe('pair selection scoring', () => {
  it('ranks values as percentiles, ties sharing their average rank', () => {
    expect(percentileRanks([10, 30, 20])).to.deep.equal([0, 1, 0.5]);
    expect(percentileRanks([5, 5, 1])).to.deep.equal([0.75, 0.75, 0]);
    expect(percentileRanks([7])).to.deep.equal([1]);
  });

  it('combines the parts with the configured weights', () => {
    const c = [metrics('AAAUSDT', { quoteVolumePerDay: 3e8 }), metrics('BBBUSDT', { quoteVolumePerDay: 1e8, trendStrength: 0.9 })];
    const volumeOnly = scorePairs(c, { ...DEFAULT_RULES, weights: { volume: 1, volatility: 0, liquidity: 0, trend: 0 } });
    expect(volumeOnly.map((s) => [s.symbol, s.score])).to.deep.equal([
      ['AAAUSDT', 1],
      ['BBBUSDT', 0],
    ]);
    const trendOnly = scorePairs(c, { ...DEFAULT_RULES, weights: { volume: 0, volatility: 0, liquidity: 0, trend: 2 } });
    expect(trendOnly[0]!.symbol).to.equal('BBBUSDT');
    // equal weights: AAA wins volume (1) and ties the rest (0.5 each) → (1 + 0.5 + 0.5 + 0) / 4 = 0.5; BBB → (0 + .5 + .5 + 1) / 4 = 0.5
    const equal = scorePairs(c, { ...DEFAULT_RULES, weights: { volume: 1, volatility: 1, liquidity: 1, trend: 1 } });
    expect(equal.map((s) => s.score)).to.deep.equal([0.5, 0.5]);
    expect(equal.map((s) => s.symbol)).to.deep.equal(['AAAUSDT', 'BBBUSDT']); // tie broken by symbol
  });

  it('makes thin and short-lived candidates ineligible, with the reason', () => {
    const scored = scorePairs([metrics('THINUSDT', { quoteVolumePerDay: 10 }), metrics('NEWUSDT', { bars: 50 }), metrics('OKUSDT', {})], {
      ...DEFAULT_RULES,
      minBars: 600,
    });
    expect(scored[0]!.symbol).to.equal('OKUSDT');
    expect(scored.find((s) => s.symbol === 'THINUSDT')!.ineligibleReason).to.match(/traded value/);
    expect(scored.find((s) => s.symbol === 'NEWUSDT')!.ineligibleReason).to.match(/only 50 candles/);
  });

  it('counts volatility above the cap as the lowest', () => {
    const scored = scorePairs([metrics('WILDUSDT', { volatility: 9 }), metrics('CALMUSDT', { volatility: 0.3 })], {
      ...DEFAULT_RULES,
      weights: { volume: 0, volatility: 1, liquidity: 0, trend: 0 },
    });
    expect(scored[0]!.symbol).to.equal('CALMUSDT');
  });

  it('measures a hand-checked series', () => {
    // closes 100, 110, 99, 108.9: |moves| 10 + 11 + 9.9 = 30.9, net 8.9 → efficiency 0.28802…
    const s = emptySeries({ exchange: 'x', symbol: 'ABCUSDT', interval: '1h' }, 4);
    [100, 110, 99, 108.9].forEach((c, i) => {
      s.close[i] = c;
      s.volume[i] = 10;
    });
    const m = candidateMetrics('ABCUSDT', s, { from: 0, to: 4 }, 8760, 3_600_000)!;
    expect(m.trendStrength).to.be.closeTo(8.9 / 30.9, 1e-12);
    // traded value: 10 × (100 + 110 + 99 + 108.9) = 4179 over 4 hours = 1/6 day → 25,074 per day
    expect(m.quoteVolumePerDay).to.be.closeTo(4179 * 6, 1e-9);
    const r = [Math.log(1.1), Math.log(0.9), Math.log(1.1)];
    const mean = (r[0]! + r[1]! + r[2]!) / 3;
    const variance = r.reduce((a, x) => a + (x - mean) ** 2, 0) / 2;
    expect(m.volatility).to.be.closeTo(Math.sqrt(variance * 8760), 1e-12);
    expect(m.liquiditySource).to.equal('amihud');
  });
});

describe("deciding a day's selection", () => {
  const command = (over: Partial<SelectPairs> = {}): SelectPairs => ({
    type: 'SelectPairs',
    day: '2023-12-30',
    asOf: '2023-12-30T02:00:00.000Z',
    exchange: 'binance',
    interval: '1h',
    window: { start: '2023-11-30T02:00:00.000Z', end: '2023-12-30T02:00:00.000Z' },
    rules: { ...DEFAULT_RULES, topN: 2 },
    candidates: [metrics('AAAUSDT', { quoteVolumePerDay: 3e8 }), metrics('BBBUSDT', { quoteVolumePerDay: 2e8 }), metrics('CCCUSDT', {})],
    previous: ['BBBUSDT', 'ZZZUSDT'],
    ...over,
  });

  it('records every candidate, the top N, and what was added and removed; the event decodes', () => {
    const r = decideSelection(command(), false);
    expect(either.isRight(r)).to.equal(true);
    if (either.isLeft(r)) return;
    expect(r.right.data.candidates).to.have.length(3);
    expect(r.right.data.selected).to.have.length(2);
    expect(r.right.data.added).to.deep.equal(r.right.data.selected.filter((s) => s !== 'BBBUSDT'));
    expect(r.right.data.removed).to.include('ZZZUSDT');
    expect(either.isRight(PairsSelectedData.decode(r.right.data))).to.equal(true);
  });

  it('refuses a second selection for the same day', () => {
    const r = decideSelection(command(), true);
    expect(either.isLeft(r) && r.left.kind).to.equal('AlreadySelected');
  });

  it('refuses to select when no candidate is eligible, saying so', () => {
    const r = decideSelection(command({ candidates: [metrics('THINUSDT', { quoteVolumePerDay: 1 })] }), false);
    expect(either.isLeft(r) && r.left).to.include({ kind: 'NoEligibleCandidates' });
  });
});
