// The engine against an independent, deliberately plain implementation of the same strategy on real data:
// SMA(10)/SMA(30) crossover, long only, all in, signals at the close filled at the next open, 0.1% fee per side,
// a position still open at the end closed at the last close. Nothing here uses the engine's code.
import { expect } from 'chai';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { backtestSymbol } from '../../domain/backtest/engine.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { btcusdt1h } from '../indicators/real-candles.js';

interface RefTrade {
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  quantity: number;
  pnl: number;
}

const plainSma = (xs: Float64Array, period: number): number[] => {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (i < period - 1) {
      out.push(NaN);
      continue;
    }
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += xs[j]!;
    out.push(sum / period);
  }
  return out;
};

const reference = (openTime: Float64Array, open: Float64Array, close: Float64Array, capital: number, fee: number) => {
  const fast = plainSma(close, 10);
  const slow = plainSma(close, 30);
  const n = close.length;
  let cash = capital;
  let qty = 0;
  let inPosition = false;
  let entryPrice = 0;
  let entryTime = 0;
  let entryCost = 0; // cash spent on the entry, fee included
  const trades: RefTrade[] = [];
  let wantBuy = false;
  let wantSell = false;
  const sell = (price: number, time: number) => {
    const proceeds = qty * price * (1 - fee);
    trades.push({ entryTime, exitTime: time, entryPrice, exitPrice: price, quantity: qty, pnl: proceeds - entryCost });
    cash += proceeds;
    qty = 0;
    inPosition = false;
  };
  for (let t = 0; t < n; t++) {
    // 1. act at this bar's open on what the previous close decided
    if (wantBuy && !inPosition) {
      entryPrice = open[t]!;
      qty = cash / (entryPrice * (1 + fee));
      entryCost = cash;
      cash = 0;
      entryTime = openTime[t]!;
      inPosition = true;
    } else if (wantSell && inPosition) sell(open[t]!, openTime[t]!);
    wantBuy = wantSell = false;
    // 2. decide at this bar's close
    if (t >= 1) {
      const crossUp = fast[t - 1]! <= slow[t - 1]! && fast[t]! > slow[t]!;
      const crossDown = fast[t - 1]! >= slow[t - 1]! && fast[t]! < slow[t]!;
      if (!inPosition && crossUp) wantBuy = true;
      if (inPosition && crossDown) wantSell = true;
    }
  }
  if (inPosition) sell(close[n - 1]!, openTime[n - 1]! + 3_600_000);
  return { trades, finalEquity: cash };
};

const close = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b)).to.be.at.most(tol * Math.max(1, Math.abs(a), Math.abs(b)));

describe('backtest engine vs an independent SMA(10)/SMA(30) crossover on BTCUSDT 1h', () => {
  it('gives the same trade list and final equity', () => {
    const s = btcusdt1h();
    const ref = reference(s.openTime, s.open, s.close, 10_000, 0.001);
    const result = backtestSymbol(compileGenome(smaCrossoverGenome(10, 30, ['BTCUSDT'])), s, new IndicatorCache(), {
      initialCapital: 10_000,
      fill: { takerFee: 0.001, makerFee: 0.001, slippage: 0 },
    });
    expect(ref.trades.length).to.be.greaterThan(300);
    expect(result.trades.length).to.equal(ref.trades.length);
    ref.trades.forEach((r, i) => {
      const e = result.trades[i]!;
      expect(e.side).to.equal('long');
      expect(e.entryTime, `trade ${i} entry`).to.equal(r.entryTime);
      expect(e.exitTime, `trade ${i} exit`).to.equal(r.exitTime);
      expect(e.entryPrice).to.equal(r.entryPrice);
      expect(e.exitPrice).to.equal(r.exitPrice);
      close(e.quantity, r.quantity);
      close(e.pnl, r.pnl, 1e-7);
    });
    close(result.finalEquity, ref.finalEquity);
    close(result.equity[result.equity.length - 1]!, ref.finalEquity);
    expect(Object.values(result.storedMetrics).every(Number.isFinite)).to.equal(true);
  });
});
