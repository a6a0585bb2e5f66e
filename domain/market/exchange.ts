// An exchange's id as the system stores it: the ccxt id (`binance`, `okx`, `bitfinex2`), or a stock exchange's name an
// import gave a market (`nasdaq`): lower-case letters and digits. Which exchanges exist is the candle store's to say;
// this is the one shape every event, request, file name and setting keeps.
import * as t from 'io-ts';

export interface ExchangeIdBrand {
  readonly ExchangeId: unique symbol;
}
export const ExchangeId = t.brand(t.string, (s): s is t.Branded<string, ExchangeIdBrand> => /^[a-z][a-z0-9]{1,31}$/.test(s), 'ExchangeId');
export type ExchangeId = t.TypeOf<typeof ExchangeId>;
