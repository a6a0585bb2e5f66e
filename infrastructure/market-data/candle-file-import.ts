// Importing candle CSV files (plain or gzip) into the candle store: each file is streamed line by line
// through the domain's CSV reader and written in batches (the next batch is parsed while the previous one is
// written). Every file gets a report: rows read, inserted, unchanged, completed, conflicts and rejected lines
// (with line numbers), and the gaps in what the file holds. Files that are not candles are skipped with a note.
// A file cut short keeps the rows before the cut; a gzip file that fails its check is refused whole (gzip-check.ts).
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CandleStore, CandleWriteResult } from '../../application/ports/candle-store.js';
import { candleCsvReader, parseCandleHeader } from '../../domain/market/candle-csv.js';
import { isCsvFileName, resolveSeriesKey } from '../../domain/market/candle-file-name.js';
import type { Candle, SeriesKey } from '../../domain/market/candles.js';
import { findGaps, missingCandles, type Gap } from '../../domain/market/gaps.js';
import { tradingCalendarOf, type TradingCalendar } from '../../domain/market/trading-slots.js';
import { checkGzipFile } from './gzip-check.js';
import { lineBatches } from './text-lines.js';

export interface CandleFileReport {
  readonly file: string;
  readonly key: SeriesKey | undefined;
  /** Set when the file holds no candles (another kind of CSV) or names no series: nothing was read. */
  readonly skipped: string | undefined;
  /**
   * Set when the file could not be read (wrong header, unreadable or cut gzip); counts cover what was read before,
   * and that is stored. Also set, with no key, when the exchange or symbol the file would get is not valid.
   */
  readonly error: string | undefined;
  /** Data rows read (not the header, not blank lines). */
  readonly rowsRead: number;
  readonly inserted: number;
  readonly unchanged: number;
  readonly completed: number;
  readonly conflicts: readonly { readonly line: number; readonly openTime: number; readonly reason: string }[];
  readonly rejected: readonly { readonly line: number; readonly reason: string }[];
  /** Gaps between the candles the file holds (not counting what the store had before), on the market's calendar. */
  readonly gaps: readonly Gap[];
  readonly calendar: TradingCalendar | undefined;
  readonly missing: number;
}

export interface CandleImportOptions {
  /** Overrides what the file name says (all three are needed for a file not named `<exchange>_<SYMBOL>_<interval>.csv[.gz]`). */
  readonly override?: Partial<SeriesKey>;
  /** Candles per write; default 20 000. */
  readonly batchSize?: number;
}

const firstLine = async (file: string): Promise<string> => {
  for await (const lines of lineBatches(file)) if (lines.length > 0) return lines[0]!;
  return '';
};

const emptyReport = (file: string, extra: Partial<CandleFileReport>): CandleFileReport => ({
  file,
  key: undefined,
  skipped: undefined,
  error: undefined,
  rowsRead: 0,
  inserted: 0,
  unchanged: 0,
  completed: 0,
  conflicts: [],
  rejected: [],
  gaps: [],
  calendar: undefined,
  missing: 0,
  ...extra,
});

/** Why a file whose name says no series is not imported, looking at its header to say what it holds. */
const skipNote = async (file: string, why: string): Promise<string> => {
  const header = await firstLine(file).catch(() => '');
  if (parseCandleHeader(header)._tag === 'Right') return `candle columns, but ${why}`;
  const note = `not a candle file (header "${header.slice(0, 80)}")`;
  // Fear & Greed and the macro closes come as dated series: say which importer takes them.
  return /^(date|observation_date),/.test(header) ? `${note}: a daily series, imported by \`npm run import:sentiment -- ${file}\`` : note;
};

/** Imports one file; bad content goes into the report. Throws only when the store fails. */
export const importCandleFile = async (store: CandleStore, file: string, options: CandleImportOptions = {}): Promise<CandleFileReport> => {
  const name = path.basename(file);
  const resolved = resolveSeriesKey(name, options.override);
  if (resolved._tag === 'Left')
    return resolved.left.kind === 'unnamed'
      ? emptyReport(file, { skipped: await skipNote(file, resolved.left.message) })
      : emptyReport(file, { error: `not imported: ${resolved.left.message}` });
  const key = resolved.right;
  // A gzip file damaged in the middle decodes to wrong rows before its check fails: it is refused whole.
  const gzip = /\.gz$/i.test(file) ? await checkGzipFile(file) : undefined;
  if (gzip?.kind === 'damaged')
    return emptyReport(file, {
      key,
      calendar: tradingCalendarOf(key.exchange),
      error: `damaged gzip (${gzip.message}): nothing imported, none of its rows can be trusted`,
    });
  const batchSize = options.batchSize ?? 20_000;
  const source = `csv:${name}`;

  const reader = candleCsvReader(key.interval);
  const rejected: { line: number; reason: string }[] = [];
  const conflicts: { line: number; openTime: number; reason: string }[] = [];
  let totals = { inserted: 0, unchanged: 0, completed: 0 };
  let rowsRead = 0;
  let error: string | undefined;
  // Accepted open times (ascending: the reader rejects anything else), for the gap report.
  let times = new Float64Array(4096);
  let accepted = 0;

  let batch: Candle[] = [];
  let batchLines: number[] = [];
  // One write in flight while the next batch is parsed; its failure is kept and rethrown, never left unhandled.
  let inFlight: Promise<void> = Promise.resolve();
  // Boxed: a write rejected with `undefined` is a failure too.
  let writeFailure: { readonly cause: unknown } | undefined;
  const write = async (candles: Candle[], lines: number[]): Promise<void> => {
    const r: CandleWriteResult = await store.writeCandles(key, candles, { source });
    totals = { inserted: totals.inserted + r.inserted, unchanged: totals.unchanged + r.unchanged, completed: totals.completed + r.completed };
    if (r.conflicts.length > 0) {
      const lineOf = new Map(candles.map((c, i) => [c.openTime, lines[i]!]));
      for (const c of r.conflicts) conflicts.push({ line: lineOf.get(c.openTime) ?? 0, ...c });
    }
  };
  const settle = async () => {
    await inFlight;
    if (writeFailure !== undefined) throw writeFailure.cause;
  };
  const flush = async () => {
    await settle();
    if (batch.length > 0) inFlight = write(batch, batchLines).catch((e: unknown) => void (writeFailure = { cause: e }));
    batch = [];
    batchLines = [];
  };

  let linesSeen = 0;
  try {
    reading: for await (const lines of lineBatches(file)) {
      for (const text of lines) {
        linesSeen++;
        const o = reader.readLine(text);
        if (o.kind === 'candle') {
          rowsRead++;
          batch.push(o.candle);
          batchLines.push(o.line);
          if (accepted === times.length) {
            const bigger = new Float64Array(times.length * 2);
            bigger.set(times);
            times = bigger;
          }
          times[accepted++] = o.candle.openTime;
          if (batch.length >= batchSize) await flush();
        } else if (o.kind === 'rejected') {
          rowsRead++;
          rejected.push({ line: o.line, reason: o.reason });
        } else if (o.kind === 'file-rejected') {
          error = o.reason;
          break reading;
        }
      }
    }
  } catch (err) {
    if (writeFailure !== undefined) throw err;
    // What was read before the damage is still imported (a cut or trailing bytes leave the rows before them right).
    const why = gzip?.kind === 'cut' ? ' (the file is cut short)' : gzip?.kind === 'trailing' ? ' (bytes after the end of the gzip data)' : '';
    error = `unreadable after line ${linesSeen}: ${(err as Error).message}${why}`;
  }
  if (linesSeen === 0 && error === undefined) error = 'empty file: no header';
  await flush();
  await settle();

  const calendar = tradingCalendarOf(key.exchange);
  const gaps = findGaps(times.subarray(0, accepted), key.interval, calendar.slots);
  conflicts.sort((a, b) => a.line - b.line);
  return { file, key, skipped: undefined, error, rowsRead, ...totals, conflicts, rejected, gaps, calendar, missing: missingCandles(gaps) };
};

/** The files to import: each path given, and every .csv / .csv.gz directly inside a given folder, by name. */
export const candleFilesIn = async (paths: readonly string[]): Promise<string[]> => {
  const files: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${p}: ${e.code === 'ENOENT' ? 'no such file or folder' : e.message}`);
    });
    if (info.isDirectory()) {
      const names = (await readdir(p)).filter(isCsvFileName).sort();
      files.push(...names.map((n) => path.join(p, n)));
    } else files.push(p);
  }
  return files;
};

/**
 * Imports every file, `concurrency` at a time (parsing one file while another is written measured about
 * 1.7× faster on two cores), yielding the reports in file order as soon as each is done.
 */
export async function* importCandleFiles(
  store: CandleStore,
  paths: readonly string[],
  options: CandleImportOptions & { readonly concurrency?: number } = {},
): AsyncGenerator<CandleFileReport> {
  const files = await candleFilesIn(paths);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  // Settled into values at once, so a failure waiting its turn is never an unhandled rejection.
  const start = (file: string) =>
    importCandleFile(store, file, options).then(
      (report) => ({ report }),
      (error: unknown) => ({ error }),
    );
  const running: ReturnType<typeof start>[] = [];
  let next = 0;
  while (next < files.length && running.length < concurrency) running.push(start(files[next++]!));
  while (running.length > 0) {
    const done = await running.shift()!;
    if ('error' in done) throw done.error;
    if (next < files.length) running.push(start(files[next++]!));
    yield done.report;
  }
}
