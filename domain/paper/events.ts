// The record of a paper session, on the stream `paper-<sessionId>`: what it ran and with which settings when it
// started (every account with its strategy, the symbols, the interval, the market's exchange, the resolved run
// settings, the default risk limits, the replay window or "live", who started it), and why it stopped with each
// account's summary. The orders themselves are on their order-<id> streams, the risk decisions on risk-<account>.
import * as t from 'io-ts';
import { RunSettings } from '../execution/run-settings.js';
import { OrderSymbol } from '../execution/order.js';
import { ExchangeId } from '../market/exchange.js';
import { Actor, boundedArray, EpochMs, Finite, IdString, NonNegativeInt, Text } from '../primitives/codecs.js';
import { RiskLimits } from '../risk/limits.js';
import { Genome, Timeframe } from '../strategy/genome.js';

export const paperSessionStream = (sessionId: string): string => `paper-${sessionId}`;

export const PAPER_SESSION_BOUNDS = { accounts: 200 } as const;

/** One account of the session: the symbol it trades and its strategy (by id, by genome, or both). */
export const PaperSessionAccount = t.intersection(
  [t.type({ account: IdString, symbol: OrderSymbol }), t.partial({ strategyId: IdString, genome: Genome })],
  'PaperSessionAccount',
);
export type PaperSessionAccount = t.TypeOf<typeof PaperSessionAccount>;

/** Candles replayed from the store over [from, to) (open times), or live candles as the collector closes them. */
export const PaperSessionWindow = t.union(
  [t.type({ kind: t.literal('replay'), from: EpochMs, to: EpochMs }), t.type({ kind: t.literal('live') })],
  'PaperSessionWindow',
);
export type PaperSessionWindow = t.TypeOf<typeof PaperSessionWindow>;

/** What one account ended with. */
export const PaperAccountSummary = t.type(
  {
    account: IdString,
    symbol: OrderSymbol,
    trades: NonNegativeInt,
    /** Orders the runner sent (each an order-<id> stream). */
    ordersPlaced: NonNegativeInt,
    /** Refused by a risk rule before reaching the venue. */
    ordersRefused: NonNegativeInt,
    /** Rejected by the venue. */
    ordersRejected: NonNegativeInt,
    finalEquity: Finite,
    /** finalEquity / initial capital − 1. */
    totalReturn: Finite,
  },
  'PaperAccountSummary',
);
export type PaperAccountSummary = t.TypeOf<typeof PaperAccountSummary>;

export const PaperStopReason = t.keyof({ end_of_data: null, stopped: null, failed: null }, 'PaperStopReason');
export type PaperStopReason = t.TypeOf<typeof PaperStopReason>;

export const PaperSessionEventData = {
  PaperSessionStarted: t.type({
    sessionId: IdString,
    accounts: boundedArray(PaperSessionAccount, PAPER_SESSION_BOUNDS.accounts),
    interval: Timeframe,
    /** The exchange whose market (candles, symbol format) the session trades; the venue is the paper exchange. */
    exchange: ExchangeId,
    /** The run settings resolved: the configuration's defaults with the caller's overrides. */
    settings: RunSettings,
    /** The limits of an account whose risk stream sets none. */
    riskLimits: RiskLimits,
    window: PaperSessionWindow,
    startedBy: Actor,
    at: EpochMs,
  }),
  PaperSessionStopped: t.intersection([
    t.type({
      sessionId: IdString,
      reason: PaperStopReason,
      at: EpochMs,
      /** Candles fed to the session. */
      candles: NonNegativeInt,
      accounts: boundedArray(PaperAccountSummary, PAPER_SESSION_BOUNDS.accounts),
      /** Recordings that failed during the session (a session with any is not a faithful record). */
      failures: NonNegativeInt,
    }),
    t.partial({ message: Text }),
  ]),
} as const;

export type PaperSessionEventType = keyof typeof PaperSessionEventData;
export type PaperSessionEventOf<K extends PaperSessionEventType> = { readonly type: K; readonly data: t.TypeOf<(typeof PaperSessionEventData)[K]> };
export type PaperSessionEvent = { [K in PaperSessionEventType]: PaperSessionEventOf<K> }[PaperSessionEventType];
