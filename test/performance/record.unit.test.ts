// recordStats: the daily statistics of an account's record, against figures worked by hand.
import { expect } from 'chai';
import { recordStats, type TradingDay } from '../../domain/performance/record.js';

const day = (d: string, equity: number, dayReturn: number, trades = 0, position = 0): TradingDay => ({
  day: d,
  equity,
  dayReturn,
  trades,
  tradesTotal: 0,
  position,
});

describe('performance record statistics', () => {
  it('given four days 100 → 110 → 99 → 108.9 → 108.9: Sharpe, total return, drawdown, trades', () => {
    // returns +10%, −10%, +10%, 0: mean 0.025; squared deviations 0.005625 + 0.015625 + 0.005625 + 0.000625 = 0.0275;
    // sample sd = sqrt(0.0275 / 3) = 0.0957427; Sharpe = 0.025 / 0.0957427 × sqrt(365) = 0.2611165 × 19.1049732 = 4.98862.
    const s = recordStats(100, [
      day('2022-03-01', 110, 0.1, 1, 2),
      day('2022-03-02', 99, -0.1, 2),
      day('2022-03-03', 108.9, 0.1, 0, 1),
      day('2022-03-04', 108.9, 0),
    ]);
    expect(s.days).to.equal(4);
    expect(s.sharpe).to.be.closeTo(4.98862, 1e-5);
    expect(s.totalReturn).to.be.closeTo(0.089, 1e-12);
    // The peak 110 falls to 99: 10%.
    expect(s.maxDrawdown).to.be.closeTo(0.1, 1e-12);
    expect(s.trades).to.equal(3);
    expect(s.daysInMarket).to.equal(2);
  });

  it('given a first day below the initial capital: the initial capital is the first peak', () => {
    const s = recordStats(1000, [day('2022-03-01', 950, -0.05), day('2022-03-02', 1045, 0.1)]);
    expect(s.maxDrawdown).to.be.closeTo(0.05, 1e-12);
  });

  it('given one day, or days without dispersion: no Sharpe', () => {
    expect(recordStats(100, [day('2022-03-01', 101, 0.01)]).sharpe).to.equal(null);
    expect(recordStats(100, [day('2022-03-01', 100, 0), day('2022-03-02', 100, 0)]).sharpe).to.equal(null);
    expect(recordStats(100, []).totalReturn).to.equal(0);
  });
});
