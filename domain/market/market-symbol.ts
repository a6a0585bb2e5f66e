// Which exchange ids and symbols a market series may have, in one place: the import CLI, the file names and the
// codecs ask here. Crypto exchanges use the genome's MarketSymbol (`BTCUSDT`, no separator); stock exchanges
// (nasdaq, nyse, …) use tickers (`GOOG`, `BRK.B`). When symbol formats become per exchange, they change here.
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { MarketSymbol } from '../strategy/genome.js';
import { ExchangeId } from './exchange.js';
import { isEquityVenue } from './trading-slots.js';

export { ExchangeId } from './exchange.js';

export interface TickerBrand {
  readonly Ticker: unique symbol;
}
/** A stock ticker: a capital letter, then up to 9 capital letters, digits or dots (`GOOG`, `BRK.B`). */
export const Ticker = t.brand(t.string, (s): s is t.Branded<string, TickerBrand> => /^[A-Z][A-Z0-9.]{0,9}$/.test(s), 'Ticker');

interface SymbolFormat {
  readonly codec: t.Mixed;
  readonly description: string;
}

const PAIR: SymbolFormat = { codec: MarketSymbol, description: '5 to 20 capital letters and digits, the pair without a separator (e.g. BTCUSDT)' };
const TICKER: SymbolFormat = { codec: Ticker, description: 'a ticker of 1 to 10 capital letters, digits and dots (e.g. GOOG)' };

/** A value as a message quotes it: long ones cut (a message must stay readable whatever was typed). */
const quoted = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

const formatOf = (exchange: string): SymbolFormat => (isEquityVenue(exchange) ? TICKER : PAIR);

export const checkExchange = (exchange: string): Either<string, ExchangeId> =>
  ExchangeId.is(exchange)
    ? either.right(exchange)
    : either.left(`exchange ${quoted(exchange)} is not an exchange id: expected 2 to 32 lower-case letters and digits, starting with a letter (e.g. binance)`);

/**
 * Checks a symbol as `exchange` spells it. Without an exchange (a CLI option given before the file names one), a
 * symbol is accepted when some exchange's format accepts it; the file's own exchange is checked later.
 */
export const checkSymbol = (symbol: string, exchange?: string): Either<string, string> => {
  const formats = exchange === undefined ? [PAIR, TICKER] : [formatOf(exchange)];
  if (formats.some((f) => f.codec.is(symbol))) return either.right(symbol);
  const where = exchange === undefined ? 'a market symbol' : `a ${exchange} symbol`;
  return either.left(`symbol ${quoted(symbol)} is not ${where}: expected ${formats.map((f) => f.description).join(', or ')}`);
};
