// Where daily sentiment and macro series come from (alternative.me, FRED, a social-sentiment service, CSV files),
// and the typed failures they report. A source returns what it could read plus the rows it had to refuse.
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import type { DailyObservation, Day, SeriesId, SocialSymbol } from '../../domain/market/daily-series.js';
import type { SocialSentiment } from '../../domain/market/social-sentiment.js';

/** Why a whole fetch failed; `source` names the adapter (`alternative.me`, `fred:SP500`, `social:<name>`). */
export type SourceError =
  | { readonly kind: 'timeout'; readonly source: string; readonly url: string; readonly afterMs: number }
  | { readonly kind: 'http-status'; readonly source: string; readonly url: string; readonly status: number; readonly body: string }
  | { readonly kind: 'network'; readonly source: string; readonly url: string; readonly message: string }
  | { readonly kind: 'bad-response'; readonly source: string; readonly url: string; readonly message: string };

export const describeSourceError = (e: SourceError): string => {
  switch (e.kind) {
    case 'timeout':
      return `${e.source}: no complete answer from ${e.url} within ${e.afterMs} ms`;
    case 'http-status':
      return `${e.source}: ${e.url} answered HTTP ${e.status}${e.body ? `: ${e.body}` : ''}`;
    case 'network':
      return `${e.source}: cannot reach ${e.url}: ${e.message}`;
    case 'bad-response':
      return `${e.source}: unexpected answer from ${e.url}: ${e.message}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
};

/** A row or entry that was refused; the rest of the input is still used. */
export interface RowProblem {
  /** 1-based line in a CSV file (the header is line 1); undefined for JSON entries. */
  readonly line?: number;
  /** Where, for people: `line 12` or `data[3]`. */
  readonly where: string;
  readonly message: string;
}

export interface DailySeriesBatch {
  readonly series: SeriesId;
  /** Valid observations in day order, at most one per day. */
  readonly observations: readonly DailyObservation[];
  readonly rejected: readonly RowProblem[];
  /** Days the source lists without a value (FRED's `.` on holidays): not errors, just nothing to store. */
  readonly missing: readonly Day[];
}

/** A daily series fetched from a remote source (alternative.me, FRED). */
export interface DailySeriesSource {
  readonly name: string;
  readonly series: SeriesId;
  fetch(): TaskEither<SourceError, DailySeriesBatch>;
}

export interface SocialSentimentQuery {
  readonly symbols?: readonly SocialSymbol[];
  readonly from?: Day;
  readonly to?: Day;
}

export interface SocialSentimentBatch {
  readonly readings: readonly SocialSentiment[];
  readonly rejected: readonly RowProblem[];
}

/** Social sentiment per symbol (score -1..1, mention counts) from one provider. */
export interface SocialSentimentSource {
  readonly name: string;
  fetch(query?: SocialSentimentQuery): TaskEither<SourceError, SocialSentimentBatch>;
}
