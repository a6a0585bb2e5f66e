// Which series a candle file holds, read from its name: `<exchange>_<SYMBOL>_<interval>.csv[.gz]`
// (e.g. `binance_BTCUSDT_1h.csv.gz`, `nasdaq_GOOG_1d.csv.gz`), with explicit overrides taking precedence. The
// exchange and the symbol, from the name or the overrides, are checked as the rest of the system spells them.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { INTERVALS, type Interval, type SeriesKey } from './candles.js';
import { checkExchange, checkSymbol } from './market-symbol.js';

const NAME_RE = /^([A-Za-z0-9]+)_([A-Za-z0-9.-]+)_([0-9]+[a-zA-Z])\.csv(\.gz)?$/;
const CSV_RE = /\.csv(\.gz)?$/i;

export const isCsvFileName = (name: string): boolean => CSV_RE.test(name);

export const isInterval = (s: string): s is Interval => (INTERVALS as readonly string[]).includes(s);

const EXPECTED = 'expected <exchange>_<SYMBOL>_<interval>.csv[.gz] with interval one of ' + INTERVALS.join(', ');

/** The parts the name spells (exchange lower case as ccxt's ids, symbol upper case), not yet checked. */
const nameParts = (fileName: string): Either<string, SeriesKey> => {
  const m = NAME_RE.exec(fileName);
  if (!m) return either.left(`"${fileName}" is not named like a candle file (${EXPECTED})`);
  const interval = m[3]!;
  if (!isInterval(interval)) return either.left(`"${fileName}": "${interval}" is not an interval (${EXPECTED})`);
  return either.right({ exchange: m[1]!.toLowerCase(), symbol: m[2]!.toUpperCase(), interval });
};

/** The exchange id, then the symbol as that exchange spells it. */
export const checkSeriesKey = (key: SeriesKey): Either<string, SeriesKey> => {
  const exchange = checkExchange(key.exchange);
  if (either.isLeft(exchange)) return exchange;
  const symbol = checkSymbol(key.symbol, key.exchange);
  return either.isLeft(symbol) ? symbol : either.right(key);
};

export const seriesKeyFromFileName = (fileName: string): Either<string, SeriesKey> => {
  const parts = nameParts(fileName);
  if (either.isLeft(parts)) return parts;
  const checked = checkSeriesKey(parts.right);
  return either.isLeft(checked) ? either.left(`"${fileName}": ${checked.left}`) : checked;
};

/**
 * Why a file gets no series: `unnamed`, its name says none and the overrides do not name all three parts (another
 * kind of file: skipped); `invalid`, the exchange or symbol it would get is not one (an error).
 */
export interface SeriesKeyProblem {
  readonly kind: 'unnamed' | 'invalid';
  readonly message: string;
}

/** The file name's key with the override's parts on top; an unnamed file needs all three parts overridden. */
export const resolveSeriesKey = (fileName: string, override: Partial<SeriesKey> = {}): Either<SeriesKeyProblem, SeriesKey> => {
  const { exchange, symbol, interval } = override;
  const fromName = exchange !== undefined && symbol !== undefined && interval !== undefined ? undefined : nameParts(fileName);
  if (fromName !== undefined && either.isLeft(fromName))
    return either.left({ kind: 'unnamed', message: `${fromName.left}; give --exchange, --symbol and --interval to import it anyway` });
  const named = fromName?.right;
  const key: SeriesKey = { exchange: exchange ?? named!.exchange, symbol: symbol ?? named!.symbol, interval: interval ?? named!.interval };
  const problemOf = (checked: Either<string, unknown>, option: string, given: string | undefined): string | undefined =>
    either.isLeft(checked) ? `${checked.left}${given === undefined ? ` (from the file name: give ${option} to name it)` : ''}` : undefined;
  const problem = problemOf(checkExchange(key.exchange), '--exchange', exchange) ?? problemOf(checkSymbol(key.symbol, key.exchange), '--symbol', symbol);
  return problem === undefined ? either.right(key) : either.left({ kind: 'invalid', message: `"${fileName}": ${problem}` });
};
