// The Crypto Fear & Greed Index in its two formats:
// - alternative.me's JSON API (https://api.alternative.me/fng/?limit=0&format=json), newest first:
//     {"name":"Fear and Greed Index",
//      "data":[{"value":"47","value_classification":"Neutral","timestamp":"1777248000","time_until_update":"3600"}, …],
//      "metadata":{"error":null}}
//   `value` is a number 0-100 written as a string, `timestamp` epoch seconds as a string (00:00 UTC of the day),
//   `time_until_update` only on the newest entry. A non-null `metadata.error` fails the whole answer.
// - the CSV of ../shared/data: `date,value,classification` (date = UTC day of the reading).
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { DailySeriesBatch } from '../../application/ports/sentiment-source.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { Day, FEAR_GREED, utcDayOf } from '../../domain/market/daily-series.js';
import { publicationTime } from '../../domain/market/publication-time.js';
import { readCsv } from './csv-rows.js';
import { DailyBatchBuilder } from './daily-batch.js';
import { EpochSecondsString, FearGreedScore, Label } from './daily-codecs.js';

export const FearGreedApiEntry = t.intersection(
  [
    t.type({ value: FearGreedScore, value_classification: Label, timestamp: EpochSecondsString }),
    t.partial({ time_until_update: t.union([t.string, t.number]) }),
  ],
  'FearGreedApiEntry',
);

// Entries are decoded one by one, so one bad entry is refused without losing the others.
export const FearGreedApiResponse = t.intersection(
  [t.type({ data: t.array(t.unknown) }), t.partial({ name: t.string, metadata: t.partial({ error: t.union([t.null, t.string]) }) })],
  'FearGreedApiResponse',
);

export const FearGreedCsvRow = t.type({ date: Day, value: FearGreedScore, classification: Label }, 'FearGreedCsvRow');

export const FEAR_GREED_CSV_HEADER = ['date', 'value', 'classification'] as const;

/** The answer of alternative.me's API; Left when it is not that format at all or reports an error. */
export const parseFearGreedApi = (json: unknown, source = 'alternative.me'): Either<string, DailySeriesBatch> => {
  const decoded = FearGreedApiResponse.decode(json);
  if (either.isLeft(decoded)) return either.left(`not a Fear & Greed answer: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  const error = decoded.right.metadata?.error;
  if (typeof error === 'string' && error.trim() !== '') return either.left(`the API reports an error: ${error}`);
  const batch = new DailyBatchBuilder(FEAR_GREED);
  decoded.right.data.forEach((raw, i) => {
    const where = `data[${i}]`;
    const entry = FearGreedApiEntry.decode(raw);
    if (either.isLeft(entry)) return batch.reject(where, formatFieldErrors(fieldErrors(entry.left)));
    const { value, value_classification, timestamp } = entry.right;
    const day = utcDayOf(timestamp * 1000);
    // The rule says 00:00 UTC of the day; an entry stamped later than that is not public before its own stamp.
    const publishedAt = Math.max(publicationTime(FEAR_GREED, day), timestamp * 1000);
    batch.add({ series: FEAR_GREED, day, value, label: value_classification, publishedAt, source }, where);
  });
  return either.right(batch.build());
};

/** The `date,value,classification` CSV; Left when the header is not that one. */
export const parseFearGreedCsv = (text: string, source: string): Either<string, DailySeriesBatch> => {
  const csv = readCsv(text);
  if (!csv) return either.left('empty file');
  if (csv.header.join(',') !== FEAR_GREED_CSV_HEADER.join(','))
    return either.left(`expected the header ${FEAR_GREED_CSV_HEADER.join(',')}, got ${csv.header.join(',')}`);
  const batch = new DailyBatchBuilder(FEAR_GREED);
  for (const { line, fields } of csv.rows) {
    const where = `line ${line}`;
    if (fields.length !== 3) {
      batch.reject(where, `expected 3 fields, got ${fields.length}`, line);
      continue;
    }
    const row = FearGreedCsvRow.decode({ date: fields[0], value: fields[1], classification: fields[2] });
    if (either.isLeft(row)) {
      batch.reject(where, formatFieldErrors(fieldErrors(row.left)), line);
      continue;
    }
    const { date, value, classification } = row.right;
    batch.add({ series: FEAR_GREED, day: date, value, label: classification, publishedAt: publicationTime(FEAR_GREED, date), source }, where, line);
  }
  return either.right(batch.build());
};
