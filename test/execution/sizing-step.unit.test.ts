// Sizing steps (fractional, whole units, the exchange's lot size) in the one fill model, with hand-made numbers: the
// quantity positionQuantity gives, what the engine's two loops and the paper path (runner → paper exchange) open (signals only, and with
// resting exits), each checked against a quantity worked out by hand.
import { expect } from 'chai';
import { fillConfig, positionQuantity } from '../../domain/execution/fill-model.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { backtestSymbol } from '../../domain/backtest/engine.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { RiskParameters } from '../../domain/strategy/genome.js';
import { bars, thresholdGenome } from '../backtest/helpers.js';
import { paperPath } from '../support/engine-vs-paper.js';

const ALL_IN = { positionSize: 1, riskPerTrade: 1 } as RiskParameters;
const config = (quantityStep: number) => fillConfig({ takerFee: 0, makerFee: 0, slippage: 0, quantityStep });

describe('sizing step (fill model)', () => {
  it('floors the quantity to the step: fractional 10,000 / 30 = 333.33…, whole 333, lot 0.25 → 333.25, lot 7 → 329', () => {
    expect(positionQuantity(10_000, 30, 1, ALL_IN, Infinity, config(0))).to.be.closeTo(333.3333333, 1e-6);
    expect(positionQuantity(10_000, 30, 1, ALL_IN, Infinity, config(1))).to.equal(333);
    expect(positionQuantity(10_000, 30, 1, ALL_IN, Infinity, config(0.25))).to.equal(333.25);
    expect(positionQuantity(10_000, 30, 1, ALL_IN, Infinity, config(7))).to.equal(329); // 47 lots of 7
    expect(positionQuantity(10_000, 30, -1, ALL_IN, Infinity, config(1)), 'shorts too').to.equal(333);
  });

  it('floors after the fee and the risk cap: 0.1% fee → 10,000 / 100.1 = 99.9 → 99; a 4% stop risking 2% → 49.99…96 in floating point → 49 (truncated, as the exchange would)', () => {
    const fee = fillConfig({ takerFee: 0.001, makerFee: 0.001, slippage: 0, quantityStep: 1 });
    expect(positionQuantity(10_000, 100, 1, ALL_IN, Infinity, fee)).to.equal(99);
    // Loss per unit of notional at a 4% stop without fees: 1 − 0.96, which is 0.040000000000000036 in doubles, so the
    // capped notional is 200 / 0.04… = 4999.999999999996 and the quantity just under 50. A lot floor never rounds up
    // (ccxt truncates the same way), so 49: a step floor must not hand out more than the arithmetic allows.
    expect(1 - 0.96).to.be.above(0.04);
    expect(positionQuantity(10_000, 100, 1, { positionSize: 1, riskPerTrade: 0.02 } as RiskParameters, 0.04, config(1))).to.equal(49);
    // A 25% stop is exact in doubles (1 − 0.75 = 0.25): 200 / 0.25 = 800 of notional, 8 units at 100.
    expect(positionQuantity(10_000, 100, 1, { positionSize: 1, riskPerTrade: 0.02 } as RiskParameters, 0.25, config(1))).to.equal(8);
  });

  it('keeps a quantity that is a whole number of lots up to rounding, and reads it without float noise (0.3 of 0.1 lots, not 0.2)', () => {
    // 0.3 / 0.1 = 2.9999999999999996 in floating point: a plain floor would lose a lot.
    expect(positionQuantity(30, 100, 1, ALL_IN, Infinity, config(0.1))).to.equal(0.3);
    expect(positionQuantity(0.7, 1, 1, ALL_IN, Infinity, config(0.001))).to.equal(0.7);
  });

  it('opens nothing when the quantity floors to 0 (both engine loops)', () => {
    expect(positionQuantity(50, 100, 1, ALL_IN, Infinity, config(1))).to.equal(0);
    const s = bars([
      [100, 100, 100, 101],
      [100, 110, 95, 105],
      [105, 106, 104, 105],
    ]);
    for (const exitRules of [{}, { stopLoss: 0.5 }]) {
      const r = backtestSymbol(compileGenome(thresholdGenome(100, 0, { exitRules, risk: ALL_IN })), s, new IndicatorCache(), {
        initialCapital: 50,
        fill: config(1),
      });
      expect(r.trades, JSON.stringify(exitRules)).to.have.length(0);
      expect(r.finalEquity).to.equal(50);
    }
  });

  it('the engine, with and without resting exits, opens the same whole quantity as the paper path and the hand: 10,000 / 30 → 333', () => {
    // close > 29 at bar 0 → entry at bar 1's open (30); held to the end, closed at the last close (33).
    const s = bars([
      [29, 30, 28, 30],
      [30, 31, 29, 31],
      [31, 34, 30, 33],
    ]);
    for (const exitRules of [{}, { stopLoss: 0.5 }, { takeProfit: 0.5 }]) {
      const r = backtestSymbol(compileGenome(thresholdGenome(29, 0, { exitRules, risk: ALL_IN })), s, new IndicatorCache(), {
        initialCapital: 10_000,
        fill: config(1),
      });
      expect(r.trades, JSON.stringify(exitRules)).to.have.length(1);
      expect(r.trades[0]!.quantity).to.equal(333);
      expect(r.trades[0]!.pnl).to.equal(333 * 3);
      expect(r.finalEquity).to.equal(10_000 + 999);
    }
    const paper = paperPath(
      compileGenome(thresholdGenome(29, 0, { exitRules: { stopLoss: 0.5 }, risk: ALL_IN })),
      s,
      0,
      3,
      config(1),
      10_000,
      new IndicatorCache(),
    );
    expect(
      paper.trades.map((t) => t.quantity),
      'paper path',
    ).to.deep.equal([333]);
    expect(paper.cash).to.equal(10_000 + 999);
  });

  it('fillConfig refuses a negative or non-finite step', () => {
    expect(() => fillConfig({ quantityStep: -1 })).to.throw(RangeError, /quantityStep/);
    expect(() => fillConfig({ quantityStep: NaN })).to.throw(RangeError, /quantityStep/);
  });
});
