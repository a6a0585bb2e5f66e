import { expect } from 'chai';
import { Account, ExitReason, fillConfig, positionQuantity } from '../../domain/execution/fill-model.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { backtestSymbol } from '../../domain/backtest/engine.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { ExitRules, RiskParameters } from '../../domain/strategy/genome.js';
import { H, T0, bars, flat, thresholdGenome } from './helpers.js';

const NO_FEES = fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 });
const ALL_IN = { positionSize: 1, riskPerTrade: 1 } as RiskParameters;
const account = (rules: { stopLoss?: number; takeProfit?: number; trailingStop?: number }, config = NO_FEES, risk = ALL_IN, cash = 10_000) =>
  new Account(cash, config, rules as ExitRules, risk, H);
const near = (a: number, b: number) => expect(a).to.be.closeTo(b, 1e-9 * Math.max(1, Math.abs(b)));

describe('fill model', () => {
  it('fills a signal from bar t at bar t+1 open, never at the signal bar close', () => {
    // close > 100 first at bar 2 (close 105): the entry is at bar 3's open (107), not at 105.
    const s = bars([
      [100, 100, 100, 99],
      [99, 101, 98, 100],
      [100, 106, 99, 105],
      [107, 108, 106, 107],
      [107, 107, 107, 107],
    ]);
    const r = backtestSymbol(compileGenome(thresholdGenome(100, 0)), s, new IndicatorCache(), { fill: { takerFee: 0 } });
    expect(r.trades).to.have.length(1);
    const t = r.trades[0]!;
    expect(t.entryTime).to.equal(T0 + 3 * H);
    expect(t.entryPrice).to.equal(107);
    // still open at the end: closed at the last close, dated at that bar's close
    expect(t.exitPrice).to.equal(107);
    expect(t.exitTime).to.equal(T0 + 5 * H);
    expect(r.closedAtEnd).to.equal(true);
  });

  it('takes the stop, not the target, when both are inside one bar', () => {
    const a = account({ stopLoss: 0.05, takeProfit: 0.05 });
    a.moveToAtOpen(1, 100, T0, 0);
    expect(a.checkExitsInBar(100, 106, 94, T0, 0)).to.equal(ExitReason.stopLoss);
    expect(a.trades[0]!.exitPrice).to.equal(95);
    near(a.cash, 10_000 - 100 * 5);
  });

  it('fills the target at its own price, with the maker fee and no slippage', () => {
    const a = account({ stopLoss: 0.05, takeProfit: 0.05 }, fillConfig({ takerFee: 0.002, makerFee: 0.0005, slippage: 0.01 }));
    a.moveToAtOpen(1, 100, T0, 0);
    const entry = a.trades.length === 0 ? a.entryPrice : NaN;
    expect(entry).to.equal(101); // 1% adverse slippage on the market entry
    expect(a.checkExitsInBar(102, 110, 100, T0 + H, 1)).to.equal(ExitReason.takeProfit);
    const t = a.trades[0]!;
    near(t.exitPrice, 101 * 1.05);
    near(t.fees, t.quantity * 101 * 0.002 + t.quantity * 101 * 1.05 * 0.0005);
  });

  it('fills a gap through the stop at the open (the worse price)', () => {
    const a = account({ stopLoss: 0.05 });
    a.moveToAtOpen(1, 100, T0, 0);
    expect(a.checkExitsInBar(100, 101, 99, T0, 0)).to.equal(0);
    a.endOfBar(101, 99);
    expect(a.checkExitsInBar(90, 92, 88, T0 + H, 1)).to.equal(ExitReason.stopLoss);
    expect(a.trades[0]!.exitPrice).to.equal(90);
    expect(a.trades[0]!.barsHeld).to.equal(2);
    // a short's stop gapped through from below
    const b = account({ stopLoss: 0.05 });
    b.moveToAtOpen(-1, 100, T0, 0);
    expect(b.checkExitsInBar(110, 112, 108, T0 + H, 1)).to.equal(ExitReason.stopLoss);
    expect(b.trades[0]!.exitPrice).to.equal(110);
  });

  it('ratchets the trailing stop with closed bars only and never lowers it', () => {
    const a = account({ trailingStop: 0.1 });
    a.moveToAtOpen(1, 100, T0, 0);
    near(a.trailPrice, 90);
    expect(a.checkExitsInBar(100, 120, 95, T0, 0)).to.equal(0);
    a.endOfBar(120, 95);
    near(a.trailPrice, 108);
    // this bar's high (130 → 117) must not move the stop its own low (115) is checked against
    expect(a.checkExitsInBar(118, 130, 115, T0 + H, 1)).to.equal(0);
    a.endOfBar(130, 115);
    near(a.trailPrice, 117);
    a.endOfBar(125, 118); // a lower high: the stop stays
    near(a.trailPrice, 117);
    expect(a.checkExitsInBar(120, 121, 110, T0 + 3 * H, 3)).to.equal(ExitReason.trailingStop);
    near(a.trades[0]!.exitPrice, 117);
  });

  it('uses the nearer of stop-loss and trailing stop', () => {
    const a = account({ stopLoss: 0.05, trailingStop: 0.1 });
    a.moveToAtOpen(1, 100, T0, 0);
    a.endOfBar(120, 99); // trail → 108, above the 95 stop
    expect(a.checkExitsInBar(110, 111, 100, T0 + H, 1)).to.equal(ExitReason.trailingStop);
    near(a.trades[0]!.exitPrice, 108);
  });

  it('charges fees and slippage on both sides of a signal round trip', () => {
    const cfg = fillConfig({ takerFee: 0.002, makerFee: 0.002, slippage: 0.01 });
    const a = account({}, cfg);
    a.moveToAtOpen(1, 100, T0, 0);
    const qty = 10_000 / (101 * 1.002);
    near(a.qty, qty);
    near(a.cash, 10_000 - qty * 101 * 0.002);
    near(a.equityAt(101), 10_000 - qty * 101 * 0.002);
    a.moveToAtOpen(0, 110, T0 + H, 1);
    const t = a.trades[0]!;
    near(t.exitPrice, 110 * 0.99);
    const fees = qty * 101 * 0.002 + qty * 108.9 * 0.002;
    near(t.fees, fees);
    near(t.pnl, qty * (108.9 - 101) - fees);
    near(a.cash, 10_000 + t.pnl);
    near(t.returnPct, t.pnl / (qty * 101));
    expect(t.barsHeld).to.equal(1);
  });

  it('sizes by positionSize, capped so the stop loses at most riskPerTrade of equity', () => {
    const risk = { positionSize: 0.5, riskPerTrade: 0.01 } as RiskParameters;
    // no stop: half the equity
    near(positionQuantity(10_000, 100, 1, risk, Infinity, NO_FEES), 50);
    // 2% stop: 1% of 10,000 = 100 at risk → 50 units … but positionSize allows 50: equal
    near(positionQuantity(10_000, 100, 1, risk, 0.02, NO_FEES), 50);
    // 4% stop: 100 / 4 = 25 units
    near(positionQuantity(10_000, 100, 1, risk, 0.04, NO_FEES), 25);
    // with fees and slippage, the loss at the stop is still exactly 1% of equity
    const cfg = fillConfig({ takerFee: 0.001, makerFee: 0.001, slippage: 0.002 });
    const a = new Account(10_000, cfg, { stopLoss: 0.04 } as ExitRules, risk, H);
    a.moveToAtOpen(1, 100, T0, 0);
    a.checkExitsInBar(100, 100, 90, T0, 0);
    near(a.cash, 10_000 - 100);
    // a short is sized the same way
    near(positionQuantity(10_000, 100, -1, risk, 0.04, NO_FEES), 25);
  });

  it('trades the short side: profits when the price falls, target below, stop above', () => {
    const a = account({ takeProfit: 0.05, stopLoss: 0.05 });
    a.moveToAtOpen(-1, 100, T0, 0);
    near(a.equityAt(90), 10_000 + 100 * 10);
    expect(a.checkExitsInBar(99, 100, 94, T0, 0)).to.equal(ExitReason.takeProfit);
    const t = a.trades[0]!;
    expect(t.side).to.equal('short');
    near(t.exitPrice, 95);
    near(t.pnl, 100 * 5);
    const b = account({ takeProfit: 0.05, stopLoss: 0.05 });
    b.moveToAtOpen(-1, 100, T0, 0);
    expect(b.checkExitsInBar(100, 106, 94, T0, 0)).to.equal(ExitReason.stopLoss); // both in range: the stop
    near(b.trades[0]!.pnl, -100 * 5);
  });

  it('runs long_short as stop-and-reverse through the engine', () => {
    // entry: close > 100 (long), exit: close < 100 (short)
    const g = thresholdGenome(100, 100, { direction: 'long_short' });
    const s = bars(flat([101, 102, 99, 98, 103, 103]));
    const r = backtestSymbol(compileGenome(g), s, new IndicatorCache(), { fill: { takerFee: 0 } });
    expect(r.trades.map((t) => [t.side, t.entryPrice, t.exitPrice])).to.deep.equal([
      ['long', 102, 98],
      ['short', 98, 103],
      ['long', 103, 103],
    ]);
    near(r.finalEquity, 10_000 * (98 / 102) * (1 - 5 / 98)); // the short lost 5 per unit
  });
});
