// The fill rules on hand-made bars, each case run through BOTH paths (the backtest engine and the paper exchange via
// the strategy runner), which must agree to the last bit, and checked against numbers worked out by hand (comments).
import { expect } from 'chai';
import { compileGenome } from '../../domain/backtest/compile.js';
import { entryNotional, fillConfig, positionQuantity, type FillConfig } from '../../domain/execution/fill-model.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { RiskParameters } from '../../domain/strategy/genome.js';
import { H, T0, bars, flat, thresholdGenome } from '../backtest/helpers.js';
import { enginePath, firstDifference, paperPath, type PathResult } from '../support/engine-vs-paper.js';

const NO_FEES = fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 });
const ALL_IN = { positionSize: 1, riskPerTrade: 1 };
const near = (a: number, b: number) => expect(a).to.be.closeTo(b, 1e-9 * Math.max(1, Math.abs(b)));

/** Both paths over all of `s`; they must agree exactly; the engine's result is returned for the hand checks. */
const run = (genome: unknown, s: CandleSeries, cfg: FillConfig = NO_FEES, capital = 10_000): PathResult => {
  const compiled = compileGenome(genome);
  const cache = new IndicatorCache();
  const a = enginePath(compiled, s, 0, s.length, cfg, capital, cache);
  const b = paperPath(compiled, s, 0, s.length, cfg, capital, cache);
  expect(firstDifference(a, b), 'engine vs paper').to.equal(undefined);
  return a;
};

/** Long when close > 100 (never exits on a signal): the exit rules do the work. */
const longAbove100 = (exitRules: object, extra: object = {}) => thresholdGenome(100, 0, { exitRules, risk: ALL_IN, ...extra });
/** Short when close < 100 (long_short; the long side needs close > 1e9). */
const shortBelow100 = (exitRules: object) => thresholdGenome(1e9, 100, { exitRules, risk: ALL_IN, direction: 'long_short' });

describe('fill rules on hand-made bars (engine and paper exchange)', () => {
  it('fills a signal from bar t at bar t+1 open, never at the signal bar close', () => {
    // close > 100 first at bar 2 (close 105): the entry is at bar 3's open (107), not at 105; still open at the end:
    // closed at the last close (107), dated at that bar's close (T0 + 5h).
    const r = run(
      thresholdGenome(100, 0),
      bars([[100, 100, 100, 99], [99, 101, 98, 100], [100, 106, 99, 105], [107, 108, 106, 107], flat([107])[0]!]),
      fillConfig({ takerFee: 0 }),
    );
    expect(r.trades).to.have.length(1);
    expect(r.trades[0]).to.include({ entryTime: T0 + 3 * H, entryPrice: 107, exitPrice: 107, exitTime: T0 + 5 * H, barsHeld: 2 });
    expect(r.exitReasons).to.deep.equal(['end_of_data']);
  });

  it('takes the stop, not the target, when both lie inside one bar (long and short)', () => {
    // Long 100 units at 100 (10,000 all in, no fees); stop 95, target 105; bar 1 spans 94–106 → the stop: −500.
    const s = bars([flat([101])[0]!, [100, 106, 94, 100], flat([100])[0]!]);
    const r = run(longAbove100({ stopLoss: 0.05, takeProfit: 0.05 }), s);
    expect(r.exitReasons).to.deep.equal(['stop_loss']);
    expect(r.trades[0]).to.include({ entryPrice: 100, exitPrice: 95, quantity: 100, pnl: -500, exitTime: T0 + 2 * H, barsHeld: 1 });
    expect(Array.from(r.equity)).to.deep.equal([10_000, 9_500, 9_500]);
    // Short 100 at 100: stop 105, target 95; the same bar → the stop: −500.
    const t = run(shortBelow100({ stopLoss: 0.05, takeProfit: 0.05 }), bars([flat([99])[0]!, [100, 106, 94, 100], flat([100])[0]!]));
    expect(t.exitReasons).to.deep.equal(['stop_loss']);
    expect(t.trades[0]).to.include({ side: 'short', exitPrice: 105, pnl: -500 });
  });

  it('fills a gap through the stop at the open, with the taker fee', () => {
    // Taker 0.1%: qty = 10,000 / (100 × 1.001) = 99.9000999…; stop 95; bar 2 opens at 90 → exit at 90.
    // pnl = qty × (90 − 100) − qty × 100 × 0.001 − qty × 90 × 0.001 = −10.19 × qty = −1,017.98201798…
    const cfg = fillConfig({ takerFee: 0.001, makerFee: 0, slippage: 0 });
    const r = run(longAbove100({ stopLoss: 0.05 }), bars([flat([101])[0]!, [100, 101, 99, 100], [90, 92, 88, 91]]), cfg);
    expect(r.exitReasons).to.deep.equal(['stop_loss']);
    expect(r.trades[0]!.exitPrice).to.equal(90);
    expect(r.trades[0]!.barsHeld).to.equal(2);
    near(r.trades[0]!.pnl, -1017.982017982018);
    near(r.trades[0]!.fees, 0.19 * (10_000 / 100.1));
    // A short's stop gapped through from below: short at 100, stop 105, bar opens at 110 → exit at 110, −1,000.
    const t = run(shortBelow100({ stopLoss: 0.05 }), bars([flat([99])[0]!, [100, 101, 99, 100], [110, 112, 108, 111]]));
    expect(t.trades[0]).to.include({ exitPrice: 110, pnl: -1000 });
  });

  it('fills the target at its own price with the maker fee and no slippage, never better on a gap', () => {
    // Slippage 1%: entry at 100 × 1.01 = 101; taker 0.2%: qty = 10,000 / (101 × 1.002) = 98.812276…
    // Target 5%: 101 × 1.05 = 106.05. Bar 2 gaps open to 110 → still 106.05. Maker 0.05% on the exit.
    // pnl = qty × (106.05 − 101) − qty × 101 × 0.002 − qty × 106.05 × 0.0005 = qty × 4.794975
    const cfg = fillConfig({ takerFee: 0.002, makerFee: 0.0005, slippage: 0.01 });
    const r = run(longAbove100({ takeProfit: 0.05 }), bars([flat([101])[0]!, [100, 101, 99.5, 100.5], [110, 112, 109, 111]]), cfg);
    const qty = 10_000 / (101 * 1.002);
    expect(r.exitReasons).to.deep.equal(['take_profit']);
    near(r.trades[0]!.exitPrice, 106.05);
    near(r.trades[0]!.quantity, qty);
    near(r.trades[0]!.fees, qty * 101 * 0.002 + qty * 106.05 * 0.0005);
    near(r.trades[0]!.pnl, qty * 4.794975);
  });

  it('ratchets the trailing stop with closed bars only and never lowers it', () => {
    // Long at 100, trail 10% → 90. Bar 1 (high 120, low 95): its own high must not move the stop its low is checked
    // against (with it, 108 ≥ 95 would exit here) → after it, 108. Bar 2 (130/115) → 117. Bar 3 (125/118): a lower
    // high, the stop stays 117. Bar 4's low 110 → exit at 117: +1,700.
    const s = bars([flat([101])[0]!, [100, 120, 95, 118], [118, 130, 115, 125], [125, 125, 118, 120], [120, 121, 110, 115]]);
    const r = run(longAbove100({ trailingStop: 0.1 }), s);
    expect(r.exitReasons).to.deep.equal(['trailing_stop']);
    near(r.trades[0]!.exitPrice, 117);
    near(r.trades[0]!.pnl, 1700);
    expect(r.trades[0]!.exitTime).to.equal(T0 + 5 * H);
  });

  it('uses the nearer of stop-loss and trailing stop; a tie goes to the stop-loss', () => {
    // Stop 95, trail 10% → 90, after bar 1 (high 120) → 108: the nearer; bar 2's low 100 → trailing exit at 108.
    const r = run(longAbove100({ stopLoss: 0.05, trailingStop: 0.1 }), bars([flat([101])[0]!, [100, 120, 99, 110], [110, 111, 100, 105]]));
    expect(r.exitReasons).to.deep.equal(['trailing_stop']);
    near(r.trades[0]!.exitPrice, 108);
    // Stop 10% and trail 10%: both at 90 → the stop-loss.
    const t = run(longAbove100({ stopLoss: 0.1, trailingStop: 0.1 }), bars([flat([101])[0]!, [100, 100, 89, 95]]));
    expect(t.exitReasons).to.deep.equal(['stop_loss']);
  });

  it('runs long_short as stop-and-reverse: the reversal fills at the same open', () => {
    // Long at 102 (bar 1), out and short at 98 (bar 3), out and long at 103 (bar 5), closed at the end at 103.
    const r = run(thresholdGenome(100, 100, { direction: 'long_short', risk: ALL_IN }), bars(flat([101, 102, 99, 98, 103, 103])));
    expect(r.trades.map((t) => [t.side, t.entryPrice, t.exitPrice, t.entryTime])).to.deep.equal([
      ['long', 102, 98, T0 + H],
      ['short', 98, 103, T0 + 3 * H],
      ['long', 103, 103, T0 + 5 * H],
    ]);
    near(r.cash, 10_000 * (98 / 102) * (1 - 5 / 98)); // the short lost 5 per unit
  });

  it('sizes by positionSize, capped so that the stop loses at most riskPerTrade of equity', () => {
    const risk = { positionSize: 0.5, riskPerTrade: 0.01 } as RiskParameters;
    near(positionQuantity(10_000, 100, 1, risk, Infinity, NO_FEES), 50); // half the equity
    near(positionQuantity(10_000, 100, 1, risk, 0.02, NO_FEES), 50); // 1% of 10,000 at a 2% stop: 50 units — equal
    near(positionQuantity(10_000, 100, 1, risk, 0.04, NO_FEES), 25); // at a 4% stop: 25 units
    near(positionQuantity(10_000, 100, -1, risk, 0.04, NO_FEES), 25); // a short the same way
    near(entryNotional(10_000, 1, risk, 0.04, NO_FEES), 2500); // the same as a notional, whatever the price
    // With fees and slippage the loss at the stop is still exactly 1% of equity: 10,000 → 9,900.
    const cfg = fillConfig({ takerFee: 0.001, makerFee: 0.001, slippage: 0.002 });
    const r = run(longAbove100({ stopLoss: 0.04 }, { risk }), bars([flat([101])[0]!, [100, 100, 90, 95]]), cfg);
    near(r.cash, 9_900);
  });
});
