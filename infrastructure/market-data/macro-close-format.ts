// Daily closes of the S&P 500, NASDAQ Composite and VIX in the formats they come in:
// - FRED's CSV (fred.stlouisfed.org/graph/fredgraph.csv?id=SP500): header `observation_date,SP500` (older downloads:
//   `DATE,SP500`; some saved copies: `observation_date,value`); a day without a value (a holiday) is written `.`
//   (or, in recent downloads, left empty) and is skipped, not refused.
// - FRED's JSON API (api.stlouisfed.org/fred/series/observations?…&file_type=json):
//     {"realtime_start":…, "count":…, "observations":[{"realtime_start":"…","realtime_end":"…","date":"2024-05-01","value":"5018.39"}, …]}
//   with `"."` for a missing value.
// - the CSV of ../shared/data: `date,close`.
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { DailySeriesBatch } from '../../application/ports/sentiment-source.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { Day, MACRO_SERIES, macroSeriesId, type MacroSeries } from '../../domain/market/daily-series.js';
import { publicationTime } from '../../domain/market/publication-time.js';
import { readCsv } from './csv-rows.js';
import { DailyBatchBuilder } from './daily-batch.js';
import { PositiveClose } from './daily-codecs.js';

/** FRED series ids of the macro series. */
export const FRED_SERIES_IDS: Readonly<Record<MacroSeries, string>> = { sp500: 'SP500', nasdaq: 'NASDAQCOM', vix: 'VIXCLS' };

export const macroSeriesOfFredId = (id: string): MacroSeries | undefined => MACRO_SERIES.find((m) => FRED_SERIES_IDS[m] === id.toUpperCase());

export const MacroCloseRow = t.type({ date: Day, close: PositiveClose }, 'MacroCloseRow');

export const FredJsonResponse = t.type({ observations: t.array(t.unknown) }, 'FredJsonResponse');
export const FredJsonObservation = t.type({ date: Day, value: t.string }, 'FredJsonObservation');

const isMissing = (cell: string) => cell === '.' || cell === '';

/** Which macro series a CSV header is about, when the header says it: FRED names the series in its second column. */
export const macroSeriesOfCsvHeader = (header: readonly string[]): MacroSeries | undefined =>
  header.length === 2 && (header[0] === 'observation_date' || header[0] === 'date') ? macroSeriesOfFredId(header[1]!) : undefined;

export const isMacroCsvHeader = (header: readonly string[]): boolean =>
  header.length === 2 &&
  ((header[0] === 'date' && header[1] === 'close') ||
    header[0] === 'observation_date' ||
    (header[0] === 'date' && macroSeriesOfFredId(header[1]!) !== undefined));

/**
 * A FRED CSV or a `date,close` CSV. The series comes from FRED's header when it names one, else from `series`;
 * Left when the header is neither format, or names another series than `series`.
 */
export const parseMacroCsv = (text: string, options: { readonly series?: MacroSeries; readonly source: string }): Either<string, DailySeriesBatch> => {
  const csv = readCsv(text);
  if (!csv) return either.left('empty file');
  if (!isMacroCsvHeader(csv.header)) return either.left(`expected the header date,close or FRED's observation_date,<SERIES>, got ${csv.header.join(',')}`);
  const named = macroSeriesOfCsvHeader(csv.header);
  if (named && options.series && named !== options.series) return either.left(`the file holds ${FRED_SERIES_IDS[named]}, not ${options.series}`);
  const macro = named ?? options.series;
  if (!macro) return either.left(`cannot tell which series the file holds (header ${csv.header.join(',')}): name it (${MACRO_SERIES.join(', ')})`);
  const series = macroSeriesId(macro);
  const batch = new DailyBatchBuilder(series);
  for (const { line, fields } of csv.rows) {
    const where = `line ${line}`;
    if (fields.length !== 2) {
      batch.reject(where, `expected 2 fields, got ${fields.length}`, line);
      continue;
    }
    if (isMissing(fields[1]!)) {
      const day = Day.decode(fields[0]);
      if (either.isLeft(day)) batch.reject(where, formatFieldErrors(fieldErrors(day.left)).replace('(root)', 'date'), line);
      else batch.addMissing(day.right, where, line);
      continue;
    }
    const row = MacroCloseRow.decode({ date: fields[0], close: fields[1] });
    if (either.isLeft(row)) {
      batch.reject(where, formatFieldErrors(fieldErrors(row.left)), line);
      continue;
    }
    const { date, close } = row.right;
    batch.add({ series, day: date, value: close, publishedAt: publicationTime(series, date), source: options.source }, where, line);
  }
  return either.right(batch.build());
};

/** The observations answer of FRED's JSON API for one macro series. */
export const parseFredJson = (json: unknown, macro: MacroSeries, source: string): Either<string, DailySeriesBatch> => {
  const decoded = FredJsonResponse.decode(json);
  if (either.isLeft(decoded)) return either.left(`not a FRED observations answer: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  const series = macroSeriesId(macro);
  const batch = new DailyBatchBuilder(series);
  decoded.right.observations.forEach((raw, i) => {
    const where = `observations[${i}]`;
    const obs = FredJsonObservation.decode(raw);
    if (either.isLeft(obs)) return batch.reject(where, formatFieldErrors(fieldErrors(obs.left)));
    if (isMissing(obs.right.value.trim())) return batch.addMissing(obs.right.date, where);
    const close = PositiveClose.decode(obs.right.value);
    if (either.isLeft(close)) return batch.reject(where, `value: ${formatFieldErrors(fieldErrors(close.left)).replace(/^\(root\): /, '')}`);
    batch.add({ series, day: obs.right.date, value: close.right, publishedAt: publicationTime(series, obs.right.date), source }, where);
  });
  return either.right(batch.build());
};
