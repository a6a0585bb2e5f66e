// Reading a sentiment or macro file from disk (plain or .gz) and telling by its header which format it is:
// `date,value,classification` is Fear & Greed; `date,close` and FRED's `observation_date,<SERIES>` are macro closes,
// whose series FRED's header names, or else the file name does (sp500…, nasdaq…, vix…).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { DailySeriesBatch } from '../../application/ports/sentiment-source.js';
import type { MacroSeries } from '../../domain/market/daily-series.js';
import { readCsv } from './csv-rows.js';
import { FEAR_GREED_CSV_HEADER, parseFearGreedCsv } from './fear-greed-format.js';
import { isMacroCsvHeader, macroSeriesOfCsvHeader, parseMacroCsv } from './macro-close-format.js';

export type SentimentFileError =
  /** Not one of the formats (a candle file in the same folder, say): a folder import skips it. */
  { readonly kind: 'unrecognized'; readonly message: string } | { readonly kind: 'invalid'; readonly message: string };

/** Which macro series a file name suggests, e.g. `sp500_daily.csv.gz` → sp500. */
export const macroSeriesOfFileName = (file: string): MacroSeries | undefined => {
  const base = path.basename(file).toLowerCase();
  if (/sp500|s&p|spx|gspc/.test(base)) return 'sp500';
  if (/nasdaq|ixic/.test(base)) return 'nasdaq';
  if (/vix/.test(base)) return 'vix';
  return undefined;
};

export const readTextFile = async (file: string): Promise<string> => {
  const bytes = await readFile(file);
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
};

/** Parses the text of `file` in whichever of the formats its header shows. */
export const parseSentimentText = (
  file: string,
  text: string,
  options: { readonly series?: MacroSeries } = {},
): Either<SentimentFileError, DailySeriesBatch> => {
  const csv = readCsv(text);
  const source = `file:${path.basename(file)}`;
  const invalid = (message: string): SentimentFileError => ({ kind: 'invalid', message });
  if (!csv) return either.left({ kind: 'unrecognized', message: 'empty file' });
  if (csv.header.join(',') === FEAR_GREED_CSV_HEADER.join(',')) return either.mapLeft(invalid)(parseFearGreedCsv(text, source));
  if (isMacroCsvHeader(csv.header)) {
    // FRED's header names its series; the file name is only a hint for headers that do not.
    const series = options.series ?? (macroSeriesOfCsvHeader(csv.header) ? undefined : macroSeriesOfFileName(file));
    return either.mapLeft(invalid)(parseMacroCsv(text, series ? { series, source } : { source }));
  }
  return either.left({
    kind: 'unrecognized',
    message: `header ${csv.header.join(',')} is neither ${FEAR_GREED_CSV_HEADER.join(',')} nor date,close / observation_date,<SERIES>`,
  });
};

export const parseSentimentFile = async (
  file: string,
  options: { readonly series?: MacroSeries } = {},
): Promise<Either<SentimentFileError, DailySeriesBatch>> => parseSentimentText(file, await readTextFile(file), options);
