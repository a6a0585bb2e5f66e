// Which series a candle file holds, read from its name: `<exchange>_<SYMBOL>_<interval>.csv[.gz]`
// (e.g. `binance_BTCUSDT_1h.csv.gz`, `nasdaq_GOOG_1d.csv.gz`), with explicit overrides taking precedence.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { INTERVALS, type Interval, type SeriesKey } from './candles.js';

const NAME_RE = /^([A-Za-z0-9]+)_([A-Za-z0-9.-]+)_([0-9]+[a-zA-Z])\.csv(\.gz)?$/;
const CSV_RE = /\.csv(\.gz)?$/i;

export const isCsvFileName = (name: string): boolean => CSV_RE.test(name);

export const isInterval = (s: string): s is Interval => (INTERVALS as readonly string[]).includes(s);

const EXPECTED = 'expected <exchange>_<SYMBOL>_<interval>.csv[.gz] with interval one of ' + INTERVALS.join(', ');

/** Exchange ids are lower case (ccxt's), symbols upper case. */
export const seriesKeyFromFileName = (fileName: string): Either<string, SeriesKey> => {
  const m = NAME_RE.exec(fileName);
  if (!m) return either.left(`"${fileName}" is not named like a candle file (${EXPECTED})`);
  const interval = m[3]!;
  if (!isInterval(interval)) return either.left(`"${fileName}": "${interval}" is not an interval (${EXPECTED})`);
  return either.right({ exchange: m[1]!.toLowerCase(), symbol: m[2]!.toUpperCase(), interval });
};

/** The file name's key with the override's parts on top; an unnamed file needs all three parts overridden. */
export const resolveSeriesKey = (fileName: string, override: Partial<SeriesKey> = {}): Either<string, SeriesKey> => {
  const { exchange, symbol, interval } = override;
  if (exchange !== undefined && symbol !== undefined && interval !== undefined) return either.right({ exchange, symbol, interval });
  const fromName = seriesKeyFromFileName(fileName);
  if (fromName._tag === 'Left') return either.left(`${fromName.left}; give --exchange, --symbol and --interval to import it anyway`);
  return either.right({
    exchange: exchange ?? fromName.right.exchange,
    symbol: symbol ?? fromName.right.symbol,
    interval: interval ?? fromName.right.interval,
  });
};
