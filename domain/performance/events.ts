// A strategy's trading record, day by day, on the stream `performance-<strategyId>`: one TradingDayClosed per
// account (its paper account while it is in paper or live, its live account while it is live) and UTC day, written
// when the day's last bar has closed. The ranking read model, the monitor and the paper evaluation read these;
// the orders behind them are on their order-<id> streams (live) or re-derived from the candles (paper).
import * as t from 'io-ts';
import { EpochMs, Finite, IdString, NonNegativeInt, Uuid } from '../primitives/codecs.js';
import { UtcDay } from '../risk/events.js';

export const PERFORMANCE_CATEGORY = 'performance';
export const performanceStream = (strategyId: string): string => `${PERFORMANCE_CATEGORY}-${strategyId}`;

export const TradingMode = t.keyof({ paper: null, live: null }, 'TradingMode');
export type TradingMode = t.TypeOf<typeof TradingMode>;

export const PerformanceEventData = {
  TradingDayClosed: t.type({
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
    /** Close time of the day's last bar. */
    at: EpochMs,
  }),
} as const;

export type PerformanceEventType = keyof typeof PerformanceEventData;
export type PerformanceEventOf<K extends PerformanceEventType> = { readonly type: K; readonly data: t.TypeOf<(typeof PerformanceEventData)[K]> };
export type PerformanceEvent = { [K in PerformanceEventType]: PerformanceEventOf<K> }[PerformanceEventType];
export type TradingDayClosed = PerformanceEventOf<'TradingDayClosed'>;
export const PERFORMANCE_EVENT_TYPES = Object.keys(PerformanceEventData) as PerformanceEventType[];
