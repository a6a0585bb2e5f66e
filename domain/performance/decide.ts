// The decider of a strategy's performance stream: a day of an account is closed once, and days of an account close in
// order (a day at or before the account's last closed day is refused), so a re-run of the trading desk after a crash
// can only add the days still missing. An account's final day (it ended and was closed at market) is its last: a
// day after it is refused too, so an ended account's record cannot grow again.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { PerformanceEvent, TradingDayClosed } from './events.js';

export interface CloseTradingDay {
  readonly type: 'CloseTradingDay';
  readonly data: TradingDayClosed['data'];
}
export type PerformanceCommand = CloseTradingDay;

export interface PerformanceState {
  /** Last closed day (YYYY-MM-DD) of each account. */
  readonly lastDay: Readonly<Record<string, string>>;
  /** The accounts whose final day is closed. */
  readonly ended: Readonly<Record<string, true>>;
}

export interface DayAlreadyClosed {
  readonly kind: 'DayAlreadyClosed';
  readonly account: string;
  readonly day: string;
  readonly lastDay: string;
}

export interface AccountEnded {
  readonly kind: 'AccountEnded';
  readonly account: string;
  readonly day: string;
  /** Its final day. */
  readonly lastDay: string;
}

export type PerformanceRefusal = DayAlreadyClosed | AccountEnded;

export const initialPerformanceState = (): PerformanceState => ({ lastDay: {}, ended: {} });

export const evolvePerformance = (state: PerformanceState, event: PerformanceEvent): PerformanceState => ({
  lastDay: { ...state.lastDay, [event.data.account]: event.data.day },
  ended: event.data.final === true ? { ...state.ended, [event.data.account]: true } : state.ended,
});

export const decidePerformance = (command: PerformanceCommand, state: PerformanceState): Either<PerformanceRefusal, readonly PerformanceEvent[]> => {
  const { account, day } = command.data;
  const lastDay = state.lastDay[account];
  if (lastDay !== undefined && day <= lastDay) return either.left({ kind: 'DayAlreadyClosed', account, day, lastDay });
  if (lastDay !== undefined && state.ended[account] === true) return either.left({ kind: 'AccountEnded', account, day, lastDay });
  return either.right([{ type: 'TradingDayClosed', data: command.data }]);
};

export const performanceDecider = { decide: decidePerformance, evolve: evolvePerformance, initialState: initialPerformanceState };
