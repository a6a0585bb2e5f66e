// Filling a candle series from an exchange page by page, and keeping it up to date.
// The store is the only record of progress, so a backfill stopped anywhere (a crash, an outage, an abort)
// continues where it stopped: later candles are fetched forward from the last stored one, earlier ones
// backward from the first stored one. Either way the stored candles stay one unbroken run, and a resumed
// backfill neither leaves a hole nor fetches a stored candle again.
import pRetry from 'p-retry';
import { isRight, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { Clock } from '../ports/clock.js';
import { describeMarketDataError, isTransient, type MarketDataError, type MarketDataSource } from '../ports/market-data-source.js';
import { INTERVAL_MS, type Candle, type SeriesKey } from '../../domain/market/candles.js';

export interface BackfillLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface BackfillDeps {
  readonly source: MarketDataSource;
  readonly store: Pick<CandleStore, 'writeCandles' | 'bounds'>;
  readonly clock: Clock;
  readonly log?: BackfillLog;
  /** Waits out a rate limit. Default: a timer. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface BackfillOptions {
  /** Candles asked for per request. Default 1000 (Binance's maximum). */
  readonly pageSize?: number;
  /** Retries of one page after a transient failure, with doubling delays. Defaults: 5 retries, 500 ms to 30 s. */
  readonly retry?: { readonly retries?: number; readonly minDelayMs?: number; readonly maxDelayMs?: number };
  /** Wait after a rate limit that did not say how long. Default 60 s. */
  readonly rateLimitWaitMs?: number;
  /** Longest wait honoured after a rate limit, whatever the exchange asked. Default 10 min. */
  readonly maxRateLimitWaitMs?: number;
  /** Checked between pages and during a retry's wait: the backfill stops cleanly, and the next one resumes. */
  readonly signal?: AbortSignal;
}

/** Open times are UTC ms; `to` is exclusive. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export interface BackfillReport {
  readonly key: SeriesKey;
  readonly pages: number;
  readonly fetched: number;
  readonly inserted: number;
  readonly unchanged: number;
  readonly completed: number;
  readonly conflicts: number;
  /** True when the signal stopped it before the range was done. */
  readonly aborted: boolean;
}

/** The source kept failing (or failed for good). What was written before stays written: run again to resume. */
export interface BackfillFailure {
  readonly error: MarketDataError;
  readonly report: BackfillReport;
}

// p-retry wants exceptions; this carries the typed error through it and back out.
class SourceFailure extends Error {
  constructor(readonly error: MarketDataError) {
    super(describeMarketDataError(error));
  }
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const alignUp = (t: number, step: number) => Math.ceil(t / step) * step;

export const backfillSeries = async (
  deps: BackfillDeps,
  key: SeriesKey,
  range: TimeRange,
  options: BackfillOptions = {},
): Promise<Either<BackfillFailure, BackfillReport>> => {
  const { source, store, clock, log } = deps;
  const sleep = deps.sleep ?? timer;
  const step = INTERVAL_MS[key.interval];
  const pageSize = options.pageSize ?? 1000;
  const retries = options.retry?.retries ?? 5;
  const stopped = () => options.signal?.aborted === true;
  let report: BackfillReport = { key, pages: 0, fetched: 0, inserted: 0, unchanged: 0, completed: 0, conflicts: 0, aborted: false };

  const fetchPage = async (since: number): Promise<readonly Candle[]> => {
    let lastFailure: SourceFailure | undefined;
    try {
      return await pRetry(
        async () => {
          const page = await source.fetchCandles(key.symbol, key.interval, since, pageSize);
          if (isRight(page)) return page.right;
          throw (lastFailure = new SourceFailure(page.left));
        },
        {
          retries,
          minTimeout: options.retry?.minDelayMs ?? 500,
          maxTimeout: options.retry?.maxDelayMs ?? 30_000,
          // The signal also ends a retry's wait: a stopping collector, or a source known to be unreachable.
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          shouldRetry: ({ error }) => error instanceof SourceFailure && isTransient(error.error) && !stopped(),
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (!(error instanceof SourceFailure) || !isTransient(error.error) || retriesLeft === 0 || stopped()) return;
            // A retry is routine (info); the failure that stops the backfill is the warning.
            log?.info({ key, since, attemptNumber, retriesLeft, error: error.error }, 'candle page failed, retrying');
            // Back off as long as the exchange asked before the ordinary retry delay: hammering a 429 earns a ban.
            if (error.error.kind === 'RateLimited') {
              await sleep(Math.min(error.error.retryAfterMs ?? options.rateLimitWaitMs ?? 60_000, options.maxRateLimitWaitMs ?? 600_000));
            }
          },
        },
      );
    } catch (err) {
      // Aborted during a retry's wait: the failure that led to it is the outcome.
      if (stopped() && lastFailure !== undefined && !(err instanceof SourceFailure)) throw lastFailure;
      throw err;
    }
  };

  /** Writes the page's candles inside [low, high) and returns them. */
  const writePage = async (page: readonly Candle[], low: number, high: number): Promise<Candle[]> => {
    const inside = page.filter((c) => c.openTime >= low && c.openTime < high);
    report = { ...report, pages: report.pages + 1, fetched: report.fetched + page.length };
    if (inside.length === 0) return inside;
    const written = await store.writeCandles(key, inside);
    report = {
      ...report,
      inserted: report.inserted + written.inserted,
      unchanged: report.unchanged + written.unchanged,
      completed: report.completed + written.completed,
      conflicts: report.conflicts + written.conflicts.length,
    };
    if (written.conflicts.length > 0) log?.warn({ key, conflicts: written.conflicts.slice(0, 5) }, 'exchange candles disagree with stored ones; stored kept');
    return inside;
  };

  const from = alignUp(range.from, step);

  try {
    const bounds = await store.bounds(key);

    // Before the stored run: backward, one page at a time, so what is stored stays contiguous.
    if (bounds !== undefined && bounds.first > from) {
      let end = Math.min(bounds.first, range.to);
      while (end > from && !stopped()) {
        const start = Math.max(from, end - pageSize * step);
        const inside = await writePage(await fetchPage(start), start, end);
        // Nothing in a whole page before the first candle: the market did not trade yet.
        if (inside.length === 0) break;
        end = start;
      }
    }

    // After the stored run (or from the start): forward until the range ends or no closed candle is left.
    let cursor = bounds === undefined ? from : Math.max(from, bounds.last + step);
    while (cursor < range.to && cursor + step <= clock.now().getTime() && !stopped()) {
      const inside = await writePage(await fetchPage(cursor), cursor, range.to);
      if (inside.length === 0) break;
      cursor = inside[inside.length - 1]!.openTime + step;
    }
  } catch (err) {
    if (err instanceof SourceFailure) {
      // Stopped by the signal (the collector stopping, or the source known to be unreachable, which its owner
      // has already said once): not a warning of its own.
      if (stopped()) log?.info({ key, error: err.error, report }, 'backfill interrupted; the next run resumes it');
      else log?.warn({ key, error: err.error, report }, 'backfill stopped; run it again to resume');
      return left({ error: err.error, report: { ...report, aborted: stopped() } });
    }
    // Aborted between a page's answer and its use: what is written stays written.
    if (stopped()) return right({ ...report, aborted: true });
    throw err;
  }
  report = { ...report, aborted: stopped() };
  log?.info({ ...report }, 'backfill done');
  return right(report);
};

/**
 * Brings a series up to now (any interval, 1m to 1d): every closed candle after the last stored one.
 * `startIfEmpty` is where a series with nothing stored yet begins; it is ignored once candles are stored.
 */
export const updateSeries = async (
  deps: BackfillDeps,
  key: SeriesKey,
  startIfEmpty: number,
  options: BackfillOptions = {},
): Promise<Either<BackfillFailure, BackfillReport>> => {
  const bounds = await deps.store.bounds(key);
  const from = bounds === undefined ? startIfEmpty : bounds.last + INTERVAL_MS[key.interval];
  return backfillSeries(deps, key, { from, to: deps.clock.now().getTime() }, options);
};
