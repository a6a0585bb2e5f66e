// The performance decider: a day of an account closes once, days of an account close in order.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { decidePerformance, evolvePerformance, initialPerformanceState, type CloseTradingDay } from '../../domain/performance/decide.js';

const close = (account: string, day: string): CloseTradingDay =>
  ({
    type: 'CloseTradingDay',
    data: { strategyId: 'x', mode: 'paper', account, day, initialCapital: 100, equity: 101, dayReturn: 0.01, trades: 0, tradesTotal: 0, position: 0, at: 0 },
  }) as unknown as CloseTradingDay;

describe('performance decider', () => {
  it('given paper-a closed 2022-03-02: 03-02 and 03-01 are refused, 03-03 and another account’s 03-02 are closed', () => {
    const first = decidePerformance(close('paper-a', '2022-03-02'), initialPerformanceState());
    expect(either.isRight(first)).to.equal(true);
    const state = (either.isRight(first) ? first.right : []).reduce(evolvePerformance, initialPerformanceState());
    expect(decidePerformance(close('paper-a', '2022-03-02'), state)).to.deep.equal(
      either.left({ kind: 'DayAlreadyClosed', account: 'paper-a', day: '2022-03-02', lastDay: '2022-03-02' }),
    );
    expect(either.isLeft(decidePerformance(close('paper-a', '2022-03-01'), state))).to.equal(true);
    const next = decidePerformance(close('paper-a', '2022-03-03'), state);
    expect(either.isRight(next) && next.right.map((e) => [e.type, e.data.day])).to.deep.equal([['TradingDayClosed', '2022-03-03']]);
    expect(either.isRight(decidePerformance(close('live-a', '2022-03-02'), state))).to.equal(true);
  });
});
