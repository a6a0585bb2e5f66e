// Daily closes of the S&P 500, NASDAQ Composite and VIX from FRED: by default its keyless CSV download
// (fredgraph.csv?id=<SERIES>); a URL of the JSON API (series/observations with file_type=json) works too,
// the answer's first character tells which format came back.
import { either, taskEither } from 'fp-ts';
import { pipe } from 'fp-ts/lib/function.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { DailySeriesBatch, DailySeriesSource, SourceError } from '../../application/ports/sentiment-source.js';
import { macroSeriesId, type MacroSeries } from '../../domain/market/daily-series.js';
import { DEFAULT_TIMEOUT_MS, httpGetText, parseJsonBody } from './http-text.js';
import { FRED_SERIES_IDS, parseFredJson, parseMacroCsv } from './macro-close-format.js';

export const fredGraphCsvUrl = (fredId: string): string => `https://fred.stlouisfed.org/graph/fredgraph.csv?id=${encodeURIComponent(fredId)}`;

export interface FredSourceOptions {
  readonly series: MacroSeries;
  readonly url?: string;
  readonly timeoutMs?: number;
}

export const fredDailyCloseSource = (options: FredSourceOptions): DailySeriesSource => {
  const fredId = FRED_SERIES_IDS[options.series];
  const name = `fred:${fredId}`;
  const url = options.url ?? fredGraphCsvUrl(fredId);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const bad = (message: string): SourceError => ({ kind: 'bad-response', source: name, url, message });
  return {
    name,
    series: macroSeriesId(options.series),
    fetch: (): TaskEither<SourceError, DailySeriesBatch> =>
      pipe(
        httpGetText(name, url, timeoutMs),
        taskEither.chainEitherK((res) =>
          res.body.trimStart().startsWith('{')
            ? pipe(
                parseJsonBody(name, url, res.body),
                either.chain((json) => pipe(parseFredJson(json, options.series, name), either.mapLeft(bad))),
              )
            : pipe(parseMacroCsv(res.body, { series: options.series, source: name }), either.mapLeft(bad)),
        ),
      ),
  };
};
