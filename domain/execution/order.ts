// What an order is, as every part of the trading core says it: the runner's intents, the order streams, the paper
// exchange and the ccxt adapter all speak this vocabulary. How each type fills on a bar is the fill model's
// (fill-model.ts); what an order's stream records is events.ts.
//
// Types, as on Binance spot and in nautilus_trader:
// - market: fills at once (on a bar: at the next open), taker fee and slippage. `quoteQuantity` instead of
//   `quantity` spends (buy) or raises (sell) that much quote currency, as Binance's quoteOrderQty does: the fill
//   model sizes an entry from equity at the fill, and a notional is what makes that the same live and on paper.
// - limit: rests at `price`, fills there (maker) when the price reaches it; marketable at placement → taker.
// - stop_market: triggers when the price reaches `stopPrice`, then fills as a market order (a gap: at the open).
// - stop_limit: triggers at `stopPrice`, then rests as a limit at `price`.
// - take_profit: a resting exit at `price`, filled at that price (maker) when reached, never better.
// - trailing_stop: a stop_market whose stop follows the best price since placement by `trailing` (percent or amount).
import * as t from 'io-ts';
import { boundedNonEmptyString, IdString, Name } from '../primitives/codecs.js';

export const ORDER_TYPES = ['market', 'limit', 'stop_market', 'stop_limit', 'take_profit', 'trailing_stop'] as const;
export const OrderType = t.keyof({ market: null, limit: null, stop_market: null, stop_limit: null, take_profit: null, trailing_stop: null }, 'OrderType');
export type OrderType = t.TypeOf<typeof OrderType>;

export const OrderSide = t.keyof({ buy: null, sell: null }, 'OrderSide');
export type OrderSide = t.TypeOf<typeof OrderSide>;

/** GTC rests until cancelled; IOC fills what it can at once and cancels the rest; FOK fills entirely at once or not at all. */
export const TimeInForce = t.keyof({ GTC: null, IOC: null, FOK: null }, 'TimeInForce');
export type TimeInForce = t.TypeOf<typeof TimeInForce>;

export interface PositiveBrand {
  readonly Positive: unique symbol;
}
/** A finite number above zero: quantities, prices, notionals. */
export const Positive = t.brand(t.number, (n): n is t.Branded<number, PositiveBrand> => Number.isFinite(n) && n > 0, 'Positive');
export type Positive = t.TypeOf<typeof Positive>;

/** How far a trailing stop follows the best price: a fraction of it (`percent`, 0.02 = 2%) or an amount of quote currency. */
export const Trailing = t.type({ kind: t.keyof({ percent: null, amount: null }), value: Positive }, 'Trailing');
export type Trailing = t.TypeOf<typeof Trailing>;

export interface ClientOrderIdBrand {
  readonly ClientOrderId: unique symbol;
}
/**
 * The id MasterTrade gives an order, sent to the exchange as its client order id, so that a retried placement is the
 * same order (Binance: newClientOrderId, `^[.A-Z:/a-z0-9_-]{1,36}$`; we keep to letters, digits, `_` and `-`).
 */
export const ClientOrderId = t.brand(t.string, (s): s is t.Branded<string, ClientOrderIdBrand> => /^[A-Za-z0-9_-]{1,36}$/.test(s), 'ClientOrderId');
export type ClientOrderId = t.TypeOf<typeof ClientOrderId>;

/** A symbol as the order's exchange spells it; its format is the exchange's to check (domain/market/market-symbol.ts). */
export const OrderSymbol = boundedNonEmptyString(40, 'OrderSymbol');

/**
 * One order as placed. Which fields a type needs (price for limit, stopPrice for stops, trailing for trailing_stop,
 * exactly one of quantity / quoteQuantity, quoteQuantity only on market orders) is checked by the order decider.
 */
export const OrderSpec = t.intersection(
  [
    t.type({
      clientOrderId: ClientOrderId,
      symbol: OrderSymbol,
      side: OrderSide,
      type: OrderType,
    }),
    t.partial({
      quantity: Positive,
      quoteQuantity: Positive,
      price: Positive,
      stopPrice: Positive,
      trailing: Trailing,
      timeInForce: TimeInForce,
      /** Only reduces a position (a protective exit never opens one). */
      reduceOnly: t.boolean,
      /** Orders of one group cancel each other: the first to fill cancels the rest (a bracket's stop-loss and take-profit). */
      ocoGroup: IdString,
      /** Why the order exists, for the record: `entry`, `exit`, `stop_loss`, `take_profit`, `trailing_stop`, `kill_switch`. */
      purpose: Name,
    }),
  ],
  'OrderSpec',
);
export type OrderSpec = t.TypeOf<typeof OrderSpec>;
