// A social-sentiment provider reached over HTTP, answering in the JSON format of social-sentiment-format.ts.
// The URL and the provider's name (which becomes part of the series id `social:<name>:<symbol>`) are configuration.
import { either, taskEither } from 'fp-ts';
import { pipe } from 'fp-ts/lib/function.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { SocialSentimentBatch, SocialSentimentQuery, SocialSentimentSource, SourceError } from '../../application/ports/sentiment-source.js';
import type { SocialSourceName } from '../../domain/market/daily-series.js';
import { DEFAULT_TIMEOUT_MS, httpGetText, parseJsonBody } from './http-text.js';
import { parseSocialSentiment } from './social-sentiment-format.js';

export interface HttpSocialSentimentOptions {
  readonly name: SocialSourceName;
  readonly url: string;
  readonly timeoutMs?: number;
}

const withQuery = (base: string, q: SocialSentimentQuery | undefined): string => {
  const url = new URL(base);
  if (q?.symbols && q.symbols.length > 0) url.searchParams.set('symbols', q.symbols.join(','));
  if (q?.from) url.searchParams.set('from', q.from);
  if (q?.to) url.searchParams.set('to', q.to);
  return url.toString();
};

export const httpSocialSentimentSource = (options: HttpSocialSentimentOptions): SocialSentimentSource => {
  const name = `social:${options.name}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name,
    fetch: (query?: SocialSentimentQuery): TaskEither<SourceError, SocialSentimentBatch> => {
      const url = withQuery(options.url, query);
      return pipe(
        httpGetText(name, url, timeoutMs),
        taskEither.chainEitherK((res) => parseJsonBody(name, url, res.body)),
        taskEither.chainEitherK((json) =>
          pipe(
            parseSocialSentiment(json, options.name),
            either.mapLeft((message): SourceError => ({ kind: 'bad-response', source: name, url, message })),
          ),
        ),
      );
    },
  };
};
