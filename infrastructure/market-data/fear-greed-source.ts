// The Crypto Fear & Greed Index from alternative.me's JSON API (the whole history with limit=0).
import { either, taskEither } from 'fp-ts';
import { pipe } from 'fp-ts/lib/function.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { DailySeriesBatch, DailySeriesSource, SourceError } from '../../application/ports/sentiment-source.js';
import { FEAR_GREED } from '../../domain/market/daily-series.js';
import { parseFearGreedApi } from './fear-greed-format.js';
import { DEFAULT_TIMEOUT_MS, httpGetText, parseJsonBody } from './http-text.js';

export const ALTERNATIVE_ME_FNG_URL = 'https://api.alternative.me/fng/?limit=0&format=json';

export interface FearGreedSourceOptions {
  readonly url?: string;
  readonly timeoutMs?: number;
}

export const alternativeMeFearGreedSource = (options: FearGreedSourceOptions = {}): DailySeriesSource => {
  const name = 'alternative.me';
  const url = options.url ?? ALTERNATIVE_ME_FNG_URL;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name,
    series: FEAR_GREED,
    fetch: (): TaskEither<SourceError, DailySeriesBatch> =>
      pipe(
        httpGetText(name, url, timeoutMs),
        taskEither.chainEitherK((res) => parseJsonBody(name, url, res.body)),
        taskEither.chainEitherK((json) =>
          pipe(
            parseFearGreedApi(json, name),
            either.mapLeft((message): SourceError => ({ kind: 'bad-response', source: name, url, message })),
          ),
        ),
      ),
  };
};
