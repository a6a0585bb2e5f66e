// The performance decider: a day of an account closes once, days of an account close in order, and nothing follows an
// account's final day.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { decidePerformance, evolvePerformance, initialPerformanceState, type CloseTradingDay, type PerformanceState } from '../../domain/performance/decide.js';

const close = (account: string, day: string, final?: true): CloseTradingDay =>
  ({
    type: 'CloseTradingDay',
    data: {
      strategyId: 'x',
      mode: 'paper',
      account,
      day,
      initialCapital: 100,
      equity: 101,
      dayReturn: 0.01,
      trades: 0,
      tradesTotal: 0,
      position: 0,
      at: 0,
      ...(final ? { final } : {}),
    },
  }) as unknown as CloseTradingDay;

const given = (...commands: CloseTradingDay[]): PerformanceState =>
  commands.reduce((state, c) => {
    const decided = decidePerformance(c, state);
    if (either.isLeft(decided)) throw new Error(`given: ${JSON.stringify(decided.left)}`);
    return decided.right.reduce(evolvePerformance, state);
  }, initialPerformanceState());

describe('performance decider', () => {
  it('given paper-a closed 2022-03-02: 03-02 and 03-01 are refused, 03-03 and another account’s 03-02 are closed', () => {
    const state = given(close('paper-a', '2022-03-02'));
    expect(decidePerformance(close('paper-a', '2022-03-02'), state)).to.deep.equal(
      either.left({ kind: 'DayAlreadyClosed', account: 'paper-a', day: '2022-03-02', lastDay: '2022-03-02' }),
    );
    expect(either.isLeft(decidePerformance(close('paper-a', '2022-03-01'), state))).to.equal(true);
    const next = decidePerformance(close('paper-a', '2022-03-03'), state);
    expect(either.isRight(next) && next.right.map((e) => [e.type, e.data.day])).to.deep.equal([['TradingDayClosed', '2022-03-03']]);
    expect(either.isRight(decidePerformance(close('live-a', '2022-03-02'), state))).to.equal(true);
  });

  it('given paper-a’s final day 2022-03-04: a later day is refused (AccountEnded), the final day again is DayAlreadyClosed, live-a goes on', () => {
    const state = given(close('paper-a', '2022-03-03'), close('paper-a', '2022-03-04', true));
    expect(decidePerformance(close('paper-a', '2022-03-05'), state)).to.deep.equal(
      either.left({ kind: 'AccountEnded', account: 'paper-a', day: '2022-03-05', lastDay: '2022-03-04' }),
    );
    expect(decidePerformance(close('paper-a', '2022-03-04', true), state)).to.deep.equal(
      either.left({ kind: 'DayAlreadyClosed', account: 'paper-a', day: '2022-03-04', lastDay: '2022-03-04' }),
    );
    const other = decidePerformance(close('live-a', '2022-03-05'), state);
    expect(either.isRight(other) && other.right.map((e) => [e.data.account, e.data.day, e.data.final])).to.deep.equal([['live-a', '2022-03-05', undefined]]);
  });

  it('a final day is recorded with its mark: given paper-a 2022-03-03, its final 03-04 is TradingDayClosed with final: true', () => {
    const decided = decidePerformance(close('paper-a', '2022-03-04', true), given(close('paper-a', '2022-03-03')));
    expect(either.isRight(decided) && decided.right.map((e) => [e.type, e.data.day, e.data.final])).to.deep.equal([['TradingDayClosed', '2022-03-04', true]]);
  });
});
