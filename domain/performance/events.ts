// A strategy's trading record, day by day, on the stream `performance-<strategyId>`: one TradingDayClosed per
// account (its paper account while it is in paper or live, its live account while it is live) and UTC day, written
// when the day's last bar has closed — and, when the trading desk closes an account that ended (its strategy retired,
// its live period deactivated), one last day marked `final`: the partial day up to the close at market, so the
// closing fill's P&L is in the record. The ranking read model, the monitor and the paper evaluation read these; the orders behind them are
// on their order-<id> streams.
import * as t from 'io-ts';
import { EpochMs, Finite, IdString, NonNegativeInt, Uuid } from '../primitives/codecs.js';
import { UtcDay } from '../risk/events.js';

export const PERFORMANCE_CATEGORY = 'performance';
export const performanceStream = (strategyId: string): string => `${PERFORMANCE_CATEGORY}-${strategyId}`;

export const TradingMode = t.keyof({ paper: null, live: null }, 'TradingMode');
export type TradingMode = t.TypeOf<typeof TradingMode>;

export const PerformanceEventData = {
  TradingDayClosed: t.intersection([
    t.type({
      strategyId: Uuid,
      mode: TradingMode,
      account: IdString,
      day: UtcDay,
      /** The account's capital when it started trading. */
      initialCapital: Finite,
      /** Cash plus the open position at the day's last close. */
      equity: Finite,
      /** equity / the previous day's equity (the initial capital on the first day) − 1. */
      dayReturn: Finite,
      /** Trades closed during the day, and since the account started. */
      trades: NonNegativeInt,
      tradesTotal: NonNegativeInt,
      /** The signed quantity held at the day's last close (0 when flat). */
      position: Finite,
      /** Close time of the day's last bar (of a final day: the close, when its exit at market filled). */
      at: EpochMs,
    }),
    // Absent on every day but an account's last (and on every event recorded before it existed).
    t.partial({
      /**
       * The account's last day: it ended (its strategy retired, its live period deactivated) and its position was closed
       * at market at `at`; the day holds its bars up to then (none when `at` is the day's first instant: the exit filled
       * at the close of the previous day's last bar). No day of the account follows it.
       */
      final: t.literal(true),
    }),
  ]),
} as const;

export type PerformanceEventType = keyof typeof PerformanceEventData;
export type PerformanceEventOf<K extends PerformanceEventType> = { readonly type: K; readonly data: t.TypeOf<(typeof PerformanceEventData)[K]> };
export type PerformanceEvent = { [K in PerformanceEventType]: PerformanceEventOf<K> }[PerformanceEventType];
export type TradingDayClosed = PerformanceEventOf<'TradingDayClosed'>;
export const PERFORMANCE_EVENT_TYPES = Object.keys(PerformanceEventData) as PerformanceEventType[];
