// The JSON format the generic social-sentiment adapter reads. No provider is wired in: any service (or a small
// proxy in front of one) that answers in this format can be used.
//
//   GET <url>[?symbols=BTC,ETH&from=2024-05-01&to=2024-05-31]          (query parameters only when asked for)
//   200, application/json:
//   { "data": [
//       { "symbol": "BTC", "day": "2024-05-01", "score": 0.21, "mentions": 1532 },
//       { "symbol": "ETH", "time": "2024-05-01T13:00:00Z", "score": -0.05, "mentions": 410 } ] }
//
//   symbol    2-20 characters A-Z 0-9 (a coin, `BTC`, or a pair, `BTCUSDT`)
//   day       a UTC day `YYYY-MM-DD` — or — time: an ISO-8601 UTC instant; exactly one of the two
//   score     -1 (all negative) … 1 (all positive)
//   mentions  whole number >= 0 of posts/comments the score rests on
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { SocialSentimentBatch, RowProblem } from '../../application/ports/sentiment-source.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { IsoTimestamp, NonNegativeInt } from '../../domain/primitives/codecs.js';
import { Day, SocialSymbol, type SocialSourceName } from '../../domain/market/daily-series.js';
import type { SocialSentiment } from '../../domain/market/social-sentiment.js';

export const SentimentScore = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly SentimentScore: unique symbol }> => Number.isFinite(n) && n >= -1 && n <= 1,
  'SentimentScore',
);

export const SocialSentimentEntry = t.intersection(
  [t.type({ symbol: SocialSymbol, score: SentimentScore, mentions: NonNegativeInt }), t.union([t.type({ day: Day }), t.type({ time: IsoTimestamp })])],
  'SocialSentimentEntry',
);

export const SocialSentimentResponse = t.type({ data: t.array(t.unknown) }, 'SocialSentimentResponse');

export const parseSocialSentiment = (json: unknown, source: SocialSourceName): Either<string, SocialSentimentBatch> => {
  const decoded = SocialSentimentResponse.decode(json);
  if (either.isLeft(decoded)) return either.left(`not a social-sentiment answer: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  const readings: SocialSentiment[] = [];
  const rejected: RowProblem[] = [];
  decoded.right.data.forEach((raw, i) => {
    const where = `data[${i}]`;
    if (typeof raw === 'object' && raw !== null && 'day' in raw && 'time' in raw)
      return void rejected.push({ where, message: 'has both day and time: give one' });
    const entry = SocialSentimentEntry.decode(raw);
    if (either.isLeft(entry)) return void rejected.push({ where, message: formatFieldErrors(fieldErrors(entry.left)) });
    const e = entry.right;
    const at = 'day' in e ? { day: e.day } : { time: Date.parse(e.time) };
    readings.push({ source, symbol: e.symbol, at, score: e.score, mentions: e.mentions });
  });
  return either.right({ readings, rejected });
};
