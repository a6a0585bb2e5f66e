// The decider of a strategy's performance stream: a day of an account is closed once, and days of an account close in
// order (a day at or before the account's last closed day is refused), so a re-run of the trading desk after a crash
// can only add the days still missing.
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
}

export interface DayAlreadyClosed {
  readonly kind: 'DayAlreadyClosed';
  readonly account: string;
  readonly day: string;
  readonly lastDay: string;
}

export const initialPerformanceState = (): PerformanceState => ({ lastDay: {} });

export const evolvePerformance = (state: PerformanceState, event: PerformanceEvent): PerformanceState => ({
  lastDay: { ...state.lastDay, [event.data.account]: event.data.day },
});

export const decidePerformance = (command: PerformanceCommand, state: PerformanceState): Either<DayAlreadyClosed, readonly PerformanceEvent[]> => {
  const { account, day } = command.data;
  const lastDay = state.lastDay[account];
  if (lastDay !== undefined && day <= lastDay) return either.left({ kind: 'DayAlreadyClosed', account, day, lastDay });
  return either.right([{ type: 'TradingDayClosed', data: command.data }]);
};

export const performanceDecider = { decide: decidePerformance, evolve: evolvePerformance, initialState: initialPerformanceState };
