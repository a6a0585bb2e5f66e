// The average-cost P&L arithmetic (domain/positions/average-cost.ts) against cases worked out by hand, each with a
// cash check (what was paid and received, fees included) in its comment; then a seeded property against the plainest
// independent reference there is: total P&L = cash received − cash paid + position × mark.
import { expect } from 'chai';
import fc from 'fast-check';
import { applyFill, FLAT, unrealisedPnl, type Position, type PositionFill } from '../../domain/positions/average-cost.js';
import { feeInQuote, fillWithFee } from '../../domain/positions/fee.js';
import { splitPair } from '../../domain/positions/pair.js';

const buy = (quantity: number, price: number, fee = 0): PositionFill => ({ side: 'buy', quantity, price, fee });
const sell = (quantity: number, price: number, fee = 0): PositionFill => ({ side: 'sell', quantity, price, fee });

/** Folds fills from flat; the realised P&L of each fill, and the position after each. */
const run = (fills: readonly PositionFill[], from: Position = FLAT) => {
  let position = from;
  const realised: number[] = [];
  const positions: Position[] = [];
  for (const f of fills) {
    const o = applyFill(position, f);
    position = o.position;
    realised.push(o.realisedPnl);
    positions.push(position);
  }
  return { position, realised, positions };
};

const close = (actual: number, expected: number) => expect(actual).to.be.closeTo(expected, 1e-9);
const samePosition = (actual: Position, expected: Position) => {
  close(actual.quantity, expected.quantity);
  close(actual.averagePrice, expected.averagePrice);
};

describe('positions: average-cost P&L', () => {
  it('long: the opening fees join the cost basis, partial and full closes realise net of their fee', () => {
    const r = run([buy(2, 100, 0.2), buy(1, 106, 0.1), sell(1, 110, 0.11), sell(2, 99, 0.198)]);
    // buy 2 @ 100 fee 0.2: basis 200.2 → avg 100.1
    samePosition(r.positions[0]!, { quantity: 2, averagePrice: 100.1 });
    // buy 1 @ 106 fee 0.1: basis 200.2 + 106.1 = 306.3 over 3 → avg 102.1
    samePosition(r.positions[1]!, { quantity: 3, averagePrice: 102.1 });
    // sell 1 @ 110 fee 0.11: (110 − 102.1) × 1 − 0.11 = 7.79; the average of what is left stays 102.1
    close(r.realised[2]!, 7.79);
    samePosition(r.positions[2]!, { quantity: 2, averagePrice: 102.1 });
    // sell 2 @ 99 fee 0.198: (99 − 102.1) × 2 − 0.198 = −6.398, flat
    close(r.realised[3]!, -6.398);
    expect(r.position).to.deep.equal(FLAT);
    // Cash: paid 200 + 0.2 + 106 + 0.1 = 306.3, received 110 − 0.11 + 198 − 0.198 = 307.692 → +1.392
    close(
      r.realised.reduce((a, b) => a + b, 0),
      1.392,
    );
    expect(r.realised.slice(0, 2)).to.deep.equal([0, 0]);
  });

  it('short: the opening fee lowers the basis, buying back realises (average − price) × closed − fee', () => {
    const r = run([sell(4, 50, 0.2), buy(1, 40, 0.04), buy(3, 52, 0.156)]);
    // sell 4 @ 50 fee 0.2: raised 199.8 → avg 49.95, quantity −4
    samePosition(r.positions[0]!, { quantity: -4, averagePrice: 49.95 });
    // marked at 45: (49.95 − 45) × 4 = 19.8
    close(unrealisedPnl(r.positions[0]!, 45), 19.8);
    // buy 1 @ 40 fee 0.04: (49.95 − 40) × 1 − 0.04 = 9.91
    close(r.realised[1]!, 9.91);
    samePosition(r.positions[1]!, { quantity: -3, averagePrice: 49.95 });
    // buy 3 @ 52 fee 0.156: (49.95 − 52) × 3 − 0.156 = −6.306
    close(r.realised[2]!, -6.306);
    expect(r.position).to.deep.equal(FLAT);
    // Cash: received 200 − 0.2 = 199.8, paid 40.04 + 156.156 = 196.196 → +3.604 = 9.91 − 6.306
  });

  it('a sell larger than the long flips it through zero, the fee split by quantity between the two parts', () => {
    const r = run([buy(2, 100), sell(5, 110, 1.1), buy(3, 105)]);
    // sell 5 @ 110 fee 1.1: closes 2 with 1.1 × 2/5 = 0.44 of the fee: (110 − 100) × 2 − 0.44 = 19.56
    close(r.realised[1]!, 19.56);
    // opens 3 short with the other 0.66: (110 × 3 − 0.66) / 3 = 109.78
    samePosition(r.positions[1]!, { quantity: -3, averagePrice: 109.78 });
    // buy 3 @ 105: (109.78 − 105) × 3 = 14.34
    close(r.realised[2]!, 14.34);
    // Cash: −200 + (550 − 1.1) − 315 = 33.9 = 19.56 + 14.34
    expect(r.position).to.deep.equal(FLAT);
  });

  it('a buy larger than the short flips it long', () => {
    const r = run([sell(1, 20), buy(3, 18, 0.54)]);
    // closes 1 with 0.54 / 3 = 0.18 of the fee: (20 − 18) × 1 − 0.18 = 1.82
    close(r.realised[1]!, 1.82);
    // opens 2 long with 0.36: (36 + 0.36) / 2 = 18.18
    samePosition(r.position, { quantity: 2, averagePrice: 18.18 });
    // marked at 19: (19 − 18.18) × 2 = 1.64
    close(unrealisedPnl(r.position, 19), 1.64);
  });

  it('a close that differs from the position by floating-point dust leaves it flat, not a dust position', () => {
    const r = run([buy(0.1, 10), buy(0.2, 10), sell(0.3, 12)]);
    expect(r.position).to.deep.equal(FLAT);
    // (12 − 10) × 0.3 = 0.6
    close(r.realised[2]!, 0.6);
  });

  it('a flat position has no unrealised P&L; a long is marked net of its opening fee', () => {
    expect(unrealisedPnl(FLAT, 123)).to.equal(0);
    // buy 2 @ 100 fee 0.2 → avg 100.1; at 105: (105 − 100.1) × 2 = 9.8
    close(unrealisedPnl(applyFill(FLAT, buy(2, 100, 0.2)).position, 105), 9.8);
  });

  it('realised + unrealised equals the cash flow plus the position at the mark, for any sequence of fills (seeded)', () => {
    const fillArb = fc.record({
      side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
      quantity: fc.integer({ min: 1, max: 1000 }).map((n) => n / 100),
      price: fc.integer({ min: 100, max: 100_000 }).map((n) => n / 100),
      feeRate: fc.constantFrom(0, 0.001, 0.00075),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 100, max: 100_000 }), (fills, markCents) => {
        const mark = markCents / 100;
        let position = FLAT;
        let realised = 0;
        // The reference: a cash account and a signed quantity, nothing else.
        let cash = 0;
        let quantity = 0;
        for (const f of fills) {
          const fee = f.quantity * f.price * f.feeRate;
          const o = applyFill(position, { side: f.side, quantity: f.quantity, price: f.price, fee });
          position = o.position;
          realised += o.realisedPnl;
          cash += (f.side === 'buy' ? -1 : 1) * f.quantity * f.price - fee;
          quantity += f.side === 'buy' ? f.quantity : -f.quantity;
        }
        expect(position.quantity).to.be.closeTo(quantity, 1e-6);
        expect(realised + unrealisedPnl(position, mark)).to.be.closeTo(cash + quantity * mark, 1e-6);
      }),
      { seed: 20240601, numRuns: 500 },
    );
  });
});

describe('positions: a fee in the quote currency', () => {
  it('counts a quote-asset fee as it is and a base-asset fee at the fill price', () => {
    expect(feeInQuote('BTCUSDT', 30_000, { amount: 0.5, currency: 'USDT' })).to.deep.equal({ kind: 'quote', amount: 0.5 });
    // 0.001 BTC at 30,000 = 30 USDT
    expect(feeInQuote('BTCUSDT', 30_000, { amount: 0.001, currency: 'BTC' })).to.deep.equal({ kind: 'base', amount: 30 });
    expect(feeInQuote('USDCUSDT', 1.0001, { amount: 0.2, currency: 'USDT' })).to.deep.equal({ kind: 'quote', amount: 0.2 });
    expect(feeInQuote('BTC/USDT', 30_000, { amount: 0.5, currency: 'usdt' })).to.deep.equal({ kind: 'quote', amount: 0.5 });
  });

  it('takes a base-asset fee out of the quantity a buy receives (as the venue balance does) and counts its worth as a quote fee', () => {
    // buy 1 BTC @ 30,000, fee 0.001 BTC: holds 0.999 BTC for 30,000 USDT = 0.999 @ 30,000 + a 30 USDT fee
    const buy = fillWithFee('BTCUSDT', { side: 'buy', quantity: 1, price: 30_000, fee: 0.001, feeCurrency: 'BTC' });
    expect(buy.fill).to.deep.equal({ side: 'buy', quantity: 0.999, price: 30_000, fee: 30 });
    const position = applyFill(FLAT, buy.fill).position;
    // basis 0.999 × 30,000 + 30 = 30,000 for 0.999 → 30,030.03…
    close(position.averagePrice * position.quantity, 30_000);
    // Selling what the venue holds (0.999) at 31,000, fee 30.969 USDT, closes it: 30,969 − 30.969 − 30,000 = 938.031
    const sell = fillWithFee('BTCUSDT', { side: 'sell', quantity: 0.999, price: 31_000, fee: 30.969, feeCurrency: 'USDT' });
    const closed = applyFill(position, sell.fill);
    expect(closed.position).to.deep.equal(FLAT);
    close(closed.realisedPnl, 938.031);
    // A sell charged in base gives up quantity + fee.
    expect(fillWithFee('ETHBTC', { side: 'sell', quantity: 2, price: 0.05, fee: 0.002, feeCurrency: 'ETH' }).fill.quantity).to.equal(2.002);
    // A fee in a third asset leaves the fill as reported, with no quote fee.
    expect(fillWithFee('BTCUSDT', { side: 'buy', quantity: 1, price: 10, fee: 0.01, feeCurrency: 'BNB' }).fill).to.deep.equal({
      side: 'buy',
      quantity: 1,
      price: 10,
      fee: 0,
    });
  });

  it('reports a fee in a third asset apart, unconverted', () => {
    expect(feeInQuote('BTCUSDT', 30_000, { amount: 0.01, currency: 'BNB' })).to.deep.equal({ kind: 'other', currency: 'BNB', amount: 0.01 });
    expect(feeInQuote('BTCUSDT', 30_000, { amount: 0, currency: 'BNB' })).to.deep.equal({ kind: 'quote', amount: 0 });
  });
});

describe('positions: the base and quote of a symbol', () => {
  it('splits at the longest known quote suffix, or at a slash', () => {
    expect(splitPair('BTCUSDT')).to.deep.equal({ base: 'BTC', quote: 'USDT' });
    expect(splitPair('ETHBTC')).to.deep.equal({ base: 'ETH', quote: 'BTC' });
    expect(splitPair('BTCFDUSD')).to.deep.equal({ base: 'BTC', quote: 'FDUSD' }); // not BTCFD / USD
    expect(splitPair('USDCUSDT')).to.deep.equal({ base: 'USDC', quote: 'USDT' });
    expect(splitPair('BTC/USDT')).to.deep.equal({ base: 'BTC', quote: 'USDT' });
  });

  it('keeps a symbol with no known quote whole, with quote "?"', () => {
    expect(splitPair('GOOG')).to.deep.equal({ base: 'GOOG', quote: '?' });
    expect(splitPair('USDT')).to.deep.equal({ base: 'USDT', quote: '?' });
  });
});
