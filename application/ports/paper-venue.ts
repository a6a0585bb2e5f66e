// What a paper session needs of its venue: a bar-driven exchange in memory (infrastructure/exchange/paper/
// paper-exchange.ts implements it), made by the composition root from the session's settings.
import type { Either } from 'fp-ts/lib/Either.js';
import type { FillConfig } from '../../domain/execution/fill-model.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import type { ExchangeId } from '../../domain/market/exchange.js';
import type { Exchange, ExchangeFailure, ExchangeFill, ExchangeOrder } from './exchange.js';

export interface PaperVenueOptions {
  readonly id: ExchangeId;
  readonly markets: readonly MarketRules[];
  readonly fill: FillConfig;
  /** Quote balance each account starts with. */
  readonly initialCapital: number;
  readonly precision: 'exchange' | 'fractional';
}

/** Fills, and orders the venue ended itself or on request, as bars pass. Called synchronously. */
export interface PaperVenueListener {
  onFill(account: string, order: ExchangeOrder, fill: ExchangeFill): void;
  onOrderEnded(account: string, order: ExchangeOrder, reason: string): void;
}

export interface PaperVenue {
  readonly id: ExchangeId;
  subscribe(listener: PaperVenueListener): void;
  /** The bar feed, per symbol: open (market orders fill), match (resting orders), close (trailing stops follow). */
  openBar(symbol: string, openTime: number, closeTime: number, open: number, high: number, low: number, close: number): void;
  matchBar(symbol: string): void;
  closeBar(symbol: string): void;
  /** The end: market orders still waiting fill at the last close. */
  settleAtClose(symbol: string): void;
  /** Synchronous placement and cancellation for one account (the DirectRouter's). */
  place(account: string, spec: OrderSpec): Either<ExchangeFailure, ExchangeOrder>;
  cancel(account: string, symbol: string, clientOrderId: ClientOrderId): Either<ExchangeFailure, ExchangeOrder>;
  /** The Exchange port for one account (the executor's). */
  exchange(account: string): Exchange;
  cash(account: string): number;
  positions(account: string): readonly { readonly symbol: string; readonly quantity: number; readonly entryPrice: number }[];
}

export type PaperVenueFactory = (options: PaperVenueOptions) => PaperVenue;
