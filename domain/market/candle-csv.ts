// Reading candle CSV (`open_time_ms,open,high,low,close,volume[,quote_volume,trades]`) one line at a time:
// the header is checked column by column, every row goes through an io-ts codec, and rows must move forward
// in time. Each problem names its line; a bad row is rejected and the rest of the file still reads.
// Pure: the caller owns the file and feeds the lines (so files of any size stream through).
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { sameCandleValues, type Candle, type Interval } from './candles.js';
import { candleProblems, validCandle } from './candle-validation.js';

export const REQUIRED_COLUMNS = ['open_time_ms', 'open', 'high', 'low', 'close', 'volume'] as const;
export const OPTIONAL_COLUMNS = ['quote_volume', 'trades'] as const;
export type CandleColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const ALL_COLUMNS: readonly CandleColumn[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];
const EXPECTED_HEADER = `${REQUIRED_COLUMNS.join(',')}[,${OPTIONAL_COLUMNS.join(',')}]`;

/** The columns a file has: the six required ones, then optionally quote_volume, then optionally trades. */
export interface CandleCsvLayout {
  readonly columns: readonly CandleColumn[];
}

const splitHeader = (line: string): string[] =>
  line
    .replace(/^\uFEFF/, '')
    .split(',')
    .map((c) => c.trim().toLowerCase());

/** Checks the header; a Left names the first column out of place, the missing ones or the extra ones. */
export const parseCandleHeader = (line: string): Either<string, CandleCsvLayout> => {
  const got = splitHeader(line);
  if (got.length === 1 && got[0] === '') return either.left(`empty header, expected ${EXPECTED_HEADER}`);
  if (got[0] === 'date') return either.left(`not a candle file: header "${got.join(',')}" is a dated series, expected ${EXPECTED_HEADER}`);
  for (let i = 0; i < got.length; i++) {
    const want = ALL_COLUMNS[i];
    if (want === undefined) return either.left(`unexpected column ${i + 1} "${got[i]}" after trades, expected ${EXPECTED_HEADER}`);
    if (got[i] !== want) {
      const elsewhere = got.indexOf(want);
      const why =
        elsewhere >= 0
          ? `; "${want}" is column ${elsewhere + 1}: the columns are in the wrong order`
          : i < REQUIRED_COLUMNS.length
            ? `; column "${want}" is missing`
            : '';
      return either.left(`column ${i + 1} is "${got[i]}" where "${want}" belongs${why} (expected ${EXPECTED_HEADER})`);
    }
  }
  if (got.length < REQUIRED_COLUMNS.length)
    return either.left(
      `missing column${REQUIRED_COLUMNS.length - got.length > 1 ? 's' : ''} ${REQUIRED_COLUMNS.slice(got.length).join(', ')} (expected ${EXPECTED_HEADER})`,
    );
  return either.right({ columns: got as CandleColumn[] });
};

// Strict decimal: Number() alone would take '' as 0, ' 1 ' as 1 and '0x10' as 16.
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER_RE = /^\d+$/;

/** A finite decimal number written in a CSV field. */
export const DecimalField = new t.Type<number, string, unknown>(
  'DecimalField',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => {
    if (typeof u !== 'string' || !DECIMAL_RE.test(u)) return t.failure(u, c, `not a number: "${String(u)}"`);
    const n = Number(u);
    return Number.isFinite(n) ? t.success(n) : t.failure(u, c, `not a finite number: "${u}"`);
  },
  String,
);

/** A non-negative whole number (epoch milliseconds, trade counts) written in a CSV field. */
export const CountField = new t.Type<number, string, unknown>(
  'CountField',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => {
    if (typeof u !== 'string' || !INTEGER_RE.test(u)) return t.failure(u, c, `not a non-negative whole number: "${String(u)}"`);
    const n = Number(u);
    return Number.isSafeInteger(n) ? t.success(n) : t.failure(u, c, `too large: "${u}"`);
  },
  String,
);

const fieldCodec = (column: CandleColumn): t.Type<number, string, unknown> => (column === 'open_time_ms' || column === 'trades' ? CountField : DecimalField);

const FIELD_KEYS: Record<CandleColumn, keyof Candle> = {
  open_time_ms: 'openTime',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  quote_volume: 'quoteVolume',
  trades: 'trades',
};

/**
 * io-ts codec of one CSV row (the line's text) into a valid candle on the interval's grid.
 * Optional columns may be empty (unknown). Failure messages are prefixed with the column they concern.
 */
export const candleCsvRow = (layout: CandleCsvLayout, interval: Interval): t.Type<Candle, string, unknown> => {
  const codecs = layout.columns.map(fieldCodec);
  const optional = layout.columns.map((c) => (OPTIONAL_COLUMNS as readonly string[]).includes(c));
  const keys = layout.columns.map((c) => FIELD_KEYS[c]);
  const candle = validCandle(interval);
  return new t.Type<Candle, string, unknown>(
    `CandleCsvRow(${layout.columns.join(',')})`,
    candle.is,
    (u, ctx) => {
      if (typeof u !== 'string') return t.failure(u, ctx, 'expected a line of text');
      const fields = u.split(',');
      if (fields.length !== codecs.length)
        return t.failure(u, ctx, `${fields.length} field${fields.length === 1 ? '' : 's'} where the header has ${codecs.length} (${layout.columns.join(',')})`);
      const decoded: Record<string, number> = {};
      const errors: t.ValidationError[] = [];
      for (let i = 0; i < fields.length; i++) {
        const raw = fields[i]!.trim();
        if (raw === '' && optional[i]) continue;
        const r = codecs[i]!.validate(raw, ctx);
        if (r._tag === 'Left') for (const e of r.left) errors.push({ ...e, message: `${layout.columns[i]}: ${e.message ?? 'invalid'}` });
        else decoded[keys[i]!] = r.right;
      }
      if (errors.length > 0) return t.failures(errors);
      const problems = candleProblems(decoded as unknown as Candle, interval);
      return problems.length === 0 ? t.success(decoded as unknown as Candle) : t.failure(u, ctx, problems.join('; '));
    },
    (c) => layout.columns.map((col) => (c[FIELD_KEYS[col]] === undefined ? '' : String(c[FIELD_KEYS[col]]))).join(','),
  );
};

const errorText = (errors: t.Errors): string => errors.map((e) => e.message ?? 'invalid').join('; ');

export type CsvLineOutcome =
  | { readonly kind: 'header'; readonly layout: CandleCsvLayout }
  | { readonly kind: 'candle'; readonly line: number; readonly candle: Candle }
  | { readonly kind: 'rejected'; readonly line: number; readonly reason: string }
  | { readonly kind: 'blank' }
  /** The header is wrong: nothing in the file can be read. Further lines are 'ignored'. */
  | { readonly kind: 'file-rejected'; readonly reason: string }
  | { readonly kind: 'ignored' };

export interface CandleCsvReader {
  /** Feeds the next physical line (without its line break); line 1 is the header. */
  readLine(text: string): CsvLineOutcome;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A reader for one file. Rows must be in strictly ascending open time: a row that repeats the previous
 * open time is a duplicate, one that goes back in time is out of order; both are rejected (the first
 * candle for a time is kept), because a row out of place may carry a wrong time.
 */
export const candleCsvReader = (interval: Interval): CandleCsvReader => {
  let lineNo = 0;
  let row: t.Type<Candle, string, unknown> | undefined;
  let rejectedFile = false;
  let last: { line: number; candle: Candle } | undefined;
  return {
    readLine(raw: string): CsvLineOutcome {
      lineNo++;
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (rejectedFile) return { kind: 'ignored' };
      if (row === undefined) {
        const header = parseCandleHeader(text);
        if (header._tag === 'Left') {
          rejectedFile = true;
          return { kind: 'file-rejected', reason: `line ${lineNo}: ${header.left}` };
        }
        row = candleCsvRow(header.right, interval);
        return { kind: 'header', layout: header.right };
      }
      if (text.trim() === '') return { kind: 'blank' };
      const decoded = row.decode(text);
      if (decoded._tag === 'Left') return { kind: 'rejected', line: lineNo, reason: errorText(decoded.left) };
      const candle = decoded.right;
      if (last !== undefined && candle.openTime <= last.candle.openTime) {
        const reason =
          candle.openTime === last.candle.openTime
            ? `duplicate open time ${iso(candle.openTime)} of line ${last.line}` +
              (sameCandleValues(candle, last.candle) ? ' (same values)' : ' with different values') +
              `; line ${last.line}'s candle is kept`
            : `out of order: opens at ${iso(candle.openTime)}, before line ${last.line}'s candle at ${iso(last.candle.openTime)}; rows must be in ascending time`;
        return { kind: 'rejected', line: lineNo, reason };
      }
      last = { line: lineNo, candle };
      return { kind: 'candle', line: lineNo, candle };
    },
  };
};

export interface ParsedCandleCsv {
  readonly layout: CandleCsvLayout | undefined;
  /** Set when the header is wrong and nothing was read. */
  readonly fileError: string | undefined;
  readonly candles: readonly Candle[];
  /** The line number of each candle, index for index. */
  readonly lines: readonly number[];
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  /** Data rows seen (not counting the header and blank lines). */
  readonly rowsRead: number;
}

/** Reads a whole file's lines at once (small files, tests); importers stream through candleCsvReader instead. */
export const parseCandleCsv = (lines: Iterable<string>, interval: Interval): ParsedCandleCsv => {
  const reader = candleCsvReader(interval);
  let layout: CandleCsvLayout | undefined;
  let fileError: string | undefined;
  const candles: Candle[] = [];
  const lineNumbers: number[] = [];
  const rejected: { line: number; reason: string }[] = [];
  let rowsRead = 0;
  for (const line of lines) {
    const o = reader.readLine(line);
    if (o.kind === 'header') layout = o.layout;
    else if (o.kind === 'file-rejected') fileError = o.reason;
    else if (o.kind === 'candle') {
      rowsRead++;
      candles.push(o.candle);
      lineNumbers.push(o.line);
    } else if (o.kind === 'rejected') {
      rowsRead++;
      rejected.push({ line: o.line, reason: o.reason });
    }
  }
  if (layout === undefined && fileError === undefined) fileError = 'empty file: no header';
  return { layout, fileError, candles, lines: lineNumbers, rejected, rowsRead };
};
