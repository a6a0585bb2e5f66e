// Liquidity metrics on a small book checked by hand.
//
//   bids            asks
//   99.5  × 2       100.5 × 1
//   99.2  × 2       100.8 × 2
//   98.6  × 3       101.2 × 4
//   98.0  × 10      102.0 × 10
//
// best bid 99.5, best ask 100.5 → mid 100, spread 1, relative spread 1 / 100 = 0.01.
// ±0.5 % of 100 = [99.5, 100.5]: bids 99.5×2 (on the edge: included) → base 2, quote 199;
//                                 asks 100.5×1 (on the edge) → base 1, quote 100.5.
// ±1 % = [99, 101]: bids 99.5×2 + 99.2×2 → base 4, quote 199 + 198.4 = 397.4;
//                   asks 100.5×1 + 100.8×2 → base 3, quote 100.5 + 201.6 = 302.1.
// imbalance within 1 % (base): (4 − 3) / (4 + 3) = 1/7.
import { expect } from 'chai';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { liquidityMetrics, type BookLevel, type LiquidityMetrics } from '../../domain/market/liquidity.js';

const bids: BookLevel[] = [
  [99.5, 2],
  [99.2, 2],
  [98.6, 3],
  [98.0, 10],
];
const asks: BookLevel[] = [
  [100.5, 1],
  [100.8, 2],
  [101.2, 4],
  [102.0, 10],
];

const metricsOf = (b: readonly BookLevel[], a: readonly BookLevel[]): LiquidityMetrics => {
  const m = liquidityMetrics({ bids: b, asks: a });
  if (isLeft(m)) throw new Error(JSON.stringify(m.left));
  return m.right;
};

describe('liquidity metrics', () => {
  it('mid, spread and relative spread', () => {
    const m = metricsOf(bids, asks);
    expect([m.bestBid, m.bestAsk, m.mid, m.spread]).to.deep.equal([99.5, 100.5, 100, 1]);
    expect(m.relativeSpread).to.be.closeTo(0.01, 1e-15);
  });

  it('depth within ±0.5 %, levels on the band edge included', () => {
    const { depth05 } = metricsOf(bids, asks);
    expect(depth05.bid.base).to.equal(2);
    expect(depth05.bid.quote).to.be.closeTo(199, 1e-9);
    expect(depth05.ask.base).to.equal(1);
    expect(depth05.ask.quote).to.be.closeTo(100.5, 1e-9);
  });

  it('depth within ±1 %', () => {
    const { depth1 } = metricsOf(bids, asks);
    expect(depth1.bid.base).to.equal(4);
    expect(depth1.bid.quote).to.be.closeTo(397.4, 1e-9);
    expect(depth1.ask.base).to.equal(3);
    expect(depth1.ask.quote).to.be.closeTo(302.1, 1e-9);
  });

  it('imbalance within 1 % is (bid − ask) / (bid + ask) of the base amounts', () => {
    expect(metricsOf(bids, asks).imbalance1).to.be.closeTo(1 / 7, 1e-15);
    expect(
      metricsOf(
        [[99.9, 5]],
        [
          [100.1, 0.5],
          [150, 100],
        ],
      ).imbalance1,
    ).to.be.closeTo((5 - 0.5) / 5.5, 1e-15);
  });

  it('gives the same figures whatever order the levels come in', () => {
    expect(metricsOf([...bids].reverse(), [asks[2]!, asks[0]!, asks[3]!, asks[1]!])).to.deep.equal(metricsOf(bids, asks));
  });

  it('ignores empty levels', () => {
    expect(metricsOf([[99.9, 0], ...bids], [[100.1, 0], ...asks])).to.deep.equal(metricsOf(bids, asks));
  });

  it('has no imbalance when nothing lies within 1 % of mid', () => {
    const m = metricsOf([[90, 1]], [[110, 1]]);
    expect(m.mid).to.equal(100);
    expect(m.depth1).to.deep.equal({ bid: { base: 0, quote: 0 }, ask: { base: 0, quote: 0 } });
    expect(m.imbalance1).to.equal(undefined);
  });

  it('an empty side or a crossed book has no metrics, and says why', () => {
    expect(liquidityMetrics({ bids: [], asks })).to.deep.equal({ _tag: 'Left', left: { kind: 'EmptySide', side: 'bids' } });
    expect(liquidityMetrics({ bids, asks: [] })).to.deep.equal({ _tag: 'Left', left: { kind: 'EmptySide', side: 'asks' } });
    expect(liquidityMetrics({ bids: [], asks: [] })).to.deep.equal({ _tag: 'Left', left: { kind: 'EmptySide', side: 'both' } });
    expect(liquidityMetrics({ bids: [[101, 1]], asks: [[100, 1]] })).to.deep.equal({
      _tag: 'Left',
      left: { kind: 'CrossedBook', bestBid: 101, bestAsk: 100 },
    });
    // Locked (bid = ask): zero spread, still a book.
    const locked = liquidityMetrics({ bids: [[100, 1]], asks: [[100, 1]] });
    expect(isRight(locked) && locked.right.spread).to.equal(0);
  });
});
