// What an exchange allows on one market (ccxt's `market.precision` and `market.limits`): the lot size a quantity
// must be a multiple of, the tick a price must be a multiple of, the smallest quantity and notional. Sizing rounds to
// them and the order decider refuses what breaks them, before anything reaches the exchange.
import * as t from 'io-ts';
import { Name } from '../primitives/codecs.js';
import { OrderSymbol, Positive } from './order.js';

export const MarketRules = t.intersection(
  [
    t.type({
      symbol: OrderSymbol,
      base: Name,
      quote: Name,
      /** Quantities are whole multiples of this (Binance LOT_SIZE stepSize). */
      amountStep: Positive,
      /** Prices are whole multiples of this (Binance PRICE_FILTER tickSize). */
      priceTick: Positive,
    }),
    t.partial({
      minAmount: Positive,
      maxAmount: Positive,
      /** quantity × price must reach this (Binance NOTIONAL / MIN_NOTIONAL). */
      minNotional: Positive,
    }),
  ],
  'MarketRules',
);
export type MarketRules = t.TypeOf<typeof MarketRules>;
