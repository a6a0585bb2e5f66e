// Which exchange ids and symbols a market series may have, in one place: the import CLI, the file names, the genome
// and the backtest requests ask here. A symbol's format belongs to its exchange: crypto exchanges spell a pair without
// a separator (`BTCUSDT`), stock exchanges (nasdaq, nyse, …) use tickers (`GOOG`, `BRK.B`). A genome, whose exchange is
// not part of it, accepts a symbol in any exchange's format (MarketSymbol); where the exchange is known (a backtest
// job, an import) checkSymbol holds the symbol to that exchange's format.
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { ExchangeId } from './exchange.js';
import { isEquityVenue } from './trading-slots.js';

export { ExchangeId } from './exchange.js';

export interface PairSymbolBrand {
  readonly PairSymbol: unique symbol;
}
/** A crypto pair as the exchanges and ../shared/data spell it, without separator: 5 to 20 capitals and digits (`BTCUSDT`). */
export const PairSymbol = t.brand(t.string, (s): s is t.Branded<string, PairSymbolBrand> => /^[A-Z0-9]{5,20}$/.test(s), 'PairSymbol');

export interface TickerBrand {
  readonly Ticker: unique symbol;
}
/** A stock ticker: a capital letter, then up to 9 capital letters, digits or dots (`GOOG`, `BRK.B`). */
export const Ticker = t.brand(t.string, (s): s is t.Branded<string, TickerBrand> => /^[A-Z][A-Z0-9.]{0,9}$/.test(s), 'Ticker');

export interface MarketSymbolBrand {
  readonly MarketSymbol: unique symbol;
}
/**
 * A symbol in some exchange's format (a pair or a ticker): what a genome, an event or a request may name when the
 * exchange is not part of the value. Bounded by the formats (at most 20 characters).
 */
export const MarketSymbol = t.brand(t.string, (s): s is t.Branded<string, MarketSymbolBrand> => PairSymbol.is(s) || Ticker.is(s), 'MarketSymbol');
export type MarketSymbol = t.TypeOf<typeof MarketSymbol>;

interface SymbolFormat {
  readonly codec: t.Mixed;
  readonly description: string;
}

const PAIR: SymbolFormat = { codec: PairSymbol, description: '5 to 20 capital letters and digits, the pair without a separator (e.g. BTCUSDT)' };
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

/** The symbols that `exchange` does not spell that way, as field problems at `path`.<index>. */
export const symbolProblems = (symbols: readonly string[], exchange: string, path: string): { path: string; message: string }[] =>
  symbols.flatMap((s, i) => {
    const checked = checkSymbol(s, exchange);
    return either.isLeft(checked) ? [{ path: `${path}.${i}`, message: checked.left }] : [];
  });
