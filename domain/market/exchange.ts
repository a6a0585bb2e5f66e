// An exchange's id as the system stores it: the ccxt id (`binance`, `kraken`), or a name an import gave a market
// (`nasdaq`). Which exchanges exist is the candle store's to say; this is only the shape every stored event keeps.
import * as t from 'io-ts';

export interface ExchangeIdBrand { readonly ExchangeId: unique symbol }
export const ExchangeId = t.brand(t.string, (s): s is t.Branded<string, ExchangeIdBrand> => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(s), 'ExchangeId');
export type ExchangeId = t.TypeOf<typeof ExchangeId>;
