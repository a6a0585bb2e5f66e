// The market data collector: incremental candle updates per interval, the daily pair selection (with history
// for newly selected pairs), gap repair, retention, and order-book snapshots — each on its own UTC schedule.
// Offline, the exchange is guarded (application/market-data/source-reachability.ts): after a few network failures
// it counts as unreachable, the jobs stop calling it until the next attempt is due (1, 2, 4 … 30 min), one warning
// says what happened and how to run without a network, and /health shows data collection as degraded.
import { either } from 'fp-ts';
import { downloadHistory, applyRetention } from '../../application/market-data/history.js';
import { updateSeries } from '../../application/market-data/backfill.js';
import { repairGaps } from '../../application/market-data/gap-repair.js';
import { startOrderBookSnapshots, takeSnapshots, type Snapshotter } from '../../application/market-data/order-book-snapshots.js';
import { previousSelection, selectPairs, utcDay } from '../../application/market-data/pair-selection.js';
import { describeMarketDataError, type MarketDataSource } from '../../application/ports/market-data-source.js';
import { guardSource, type ReachabilityListener, type ReachabilityPolicy } from '../../application/market-data/source-reachability.js';
import { INTERVALS, type Interval } from '../../domain/market/candles.js';
import { DEFAULT_RULES } from '../../domain/selection/score-pairs.js';
import { collectionStatusRecorder } from '../../infrastructure/market-data/collection-status-store.js';
import { CcxtMarketDataSource } from '../../infrastructure/market-data/ccxt-source.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { PostgresOrderBookStore } from '../../infrastructure/market-data/order-book-store.js';
import { schedule, type Scheduled } from '../../infrastructure/scheduling/schedule.js';
import type { Platform } from '../platform.js';

// A minute after each candle closes (seconds field first): the exchange has published it by then.
const UPDATE_CRON: Record<Interval, string> = {
  '1m': '5 * * * * *',
  '5m': '10 */5 * * * *',
  '15m': '15 */15 * * * *',
  '1h': '20 0 * * * *',
  '4h': '25 0 */4 * * *',
  '1d': '30 0 0 * * *',
};
/** How far back an update reaches for a series that has nothing stored yet. */
const FIRST_UPDATE_DAYS: Record<Interval, number> = { '1m': 1, '5m': 3, '15m': 7, '1h': 30, '4h': 90, '1d': 365 };

/** What /health shows of data collection. */
export type DataCollectionHealth =
  | { readonly status: 'ok'; readonly source: 'ccxt'; readonly exchange: string }
  | { readonly status: 'off'; readonly source: 'none'; readonly note: string }
  | {
      readonly status: 'degraded';
      readonly source: 'ccxt';
      readonly exchange: string;
      readonly reason: string;
      readonly unreachableSince: string;
      readonly lastError: string;
      readonly failedAttempts: number;
      readonly nextAttemptAt: string;
      readonly offline: string;
    };

const IMPORT_HOW_TO =
  'import candle files with `npm run import -- <file or folder>…`, e.g. `npm run import -- ../shared/data` ' +
  '(files named <exchange>_<SYMBOL>_<interval>.csv or .csv.gz, e.g. binance_BTCUSDT_1h.csv.gz; from another terminal while this runs, or before)';

const OFFLINE_HOW_TO = `Without a network, start with MARKET_DATA_SOURCE=none and ${IMPORT_HOW_TO}.`;

/**
 * The one line a first start on an empty database gets: without candles nothing can be selected, backtested or traded,
 * and offline the collector's failures alone would not say where data comes from.
 */
export const noMarketDataHowTo = (md: { readonly source: 'ccxt' | 'none'; readonly exchange: string; readonly defaultSymbols: readonly string[] }): string =>
  `no market data stored yet: ${IMPORT_HOW_TO}. ` +
  (md.source === 'ccxt'
    ? `Or let the collector download it from ${md.exchange} (needs a network): it asks for ${md.defaultSymbols.join(', ')} after each candle closes, the first time within a minute.`
    : 'MARKET_DATA_SOURCE=none: nothing is downloaded (unset it to download from the exchange, which needs a network).');

/** A backfill line about a call that did not reach the exchange (a retry, an interruption). */
const carriesNetworkError = (o: object): boolean => {
  const kind = (o as { error?: { kind?: unknown } }).error?.kind;
  return kind === 'NetworkError' || kind === 'Timeout';
};

export interface CollectorOptions {
  /** The source to collect from; default: ccxt on EXCHANGE (none with MARKET_DATA_SOURCE=none). */
  readonly source?: MarketDataSource;
  /** When an unreachable exchange is tried again. */
  readonly reachability?: ReachabilityPolicy;
  /** False: the jobs are built but not scheduled (no cron, no snapshot timer); run them with `job.run()`. Default true. */
  readonly scheduled?: boolean;
}

export interface Collector {
  readonly jobs: readonly Scheduled[];
  /** One order-book snapshot round now, as the snapshot timer takes it. */
  snapshotRound(): Promise<void>;
  /** A plain function (handed to /health on its own). */
  readonly health: () => DataCollectionHealth;
  /** The pairs being collected: the latest selection, or the configured defaults before the first one. */
  symbols(): Promise<readonly string[]>;
  selectNow(asOf?: Date): ReturnType<typeof selectPairs>;
  stop(): Promise<void>;
}

export const startCollector = (platform: Platform, options: CollectorOptions = {}): Collector => {
  const { log, clock, store } = platform;
  const md = platform.config.marketData;
  const scheduled = options.scheduled ?? true;
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 4, source: `ccxt:${md.exchange}` });
  const status = collectionStatusRecorder(platform.pool);
  const inner: MarketDataSource | undefined =
    options.source ?? (md.source === 'ccxt' ? new CcxtMarketDataSource({ clock, exchangeId: md.exchange }) : undefined);
  if (!inner) log.info('MARKET_DATA_SOURCE=none: no exchange calls; import candles with `npm run import`');
  let outages = 0;
  const listener: ReachabilityListener = {
    unreachable: (r) => {
      outages += 1;
      // The how-to once per process; a later outage only says that it happened.
      log.warn(
        { exchange: r.exchange, error: describeMarketDataError(r.lastError), since: r.since.toISOString(), nextAttemptAt: r.nextAttemptAt.toISOString() },
        `cannot reach ${r.exchange}: market data collection pauses and tries again at ${r.nextAttemptAt.toISOString()}, then less and less often (up to every ${Math.round((options.reachability?.maxRetryMs ?? 30 * 60_000) / 60_000)} min).` +
          (outages === 1 ? ` ${OFFLINE_HOW_TO}` : ''),
      );
    },
    reachableAgain: (r) =>
      log.info({ exchange: r.exchange, downSeconds: Math.round(r.downMs / 1000) }, `${r.exchange} answers again: market data collection resumed`),
  };
  const guard = inner === undefined ? undefined : guardSource(inner, { clock, listener, ...(options.reachability ? { policy: options.reachability } : {}) });
  const source = guard?.source;
  const stopping = new AbortController();
  const orderBooks = new PostgresOrderBookStore({ connectionString: platform.databaseUrl });
  // While the exchange is known unreachable, each failed call is a detail (debug): the one warning said it all.
  const unreachable = () => guard?.reachability().state === 'unreachable';
  const backfillLog = {
    // Offline, each retry would be a network error at info level every minute: the guard's warning says it once.
    // A retry before the exchange counts as unreachable is routine too; what follows is the warning's to say.
    info: (o: object, m: string) => (carriesNetworkError(o) && ('attemptNumber' in o || unreachable()) ? log.debug(o, m) : log.info(o, m)),
    warn: (o: object, m: string) => (unreachable() ? log.debug(o, m) : log.warn(o, m)),
  };

  let snapshots: Snapshotter | undefined;
  const symbols = async () => {
    const latest = await previousSelection(store, utcDay(new Date(clock.now().getTime() + 86_400_000)));
    return latest?.selected ?? md.defaultSymbols;
  };

  const selectNow = async (asOf = clock.now()) => {
    const result = await selectPairs(
      { store, candles, clock, ids: platform.ids, depth: undefined },
      {
        exchange: md.exchange,
        interval: '1h',
        lookbackDays: 30,
        rules: { ...DEFAULT_RULES, topN: md.topN, minCoverage: 0.8 },
      },
      asOf,
    );
    if (either.isLeft(result)) {
      log.warn({ failure: result.left }, 'pair selection made no choice');
      return result;
    }
    log.info({ day: result.right.day, selected: result.right.selected, added: result.right.added }, 'pairs selected');
    // Follow the new selection with the order-book snapshots too.
    await snapshots?.stop();
    await startSnapshots();
    if (source)
      for (const symbol of result.right.added) {
        if (!guard.attemptDue()) break;
        const h = await downloadHistory({ source, store: candles, clock, log: backfillLog, status }, md.exchange, symbol, undefined, {
          signal: AbortSignal.any([stopping.signal, guard.signal()]),
        });
        if (h.errors.length > 0) log.warn({ symbol, errors: h.errors }, 'history download incomplete');
      }
    return result;
  };

  const updateInterval = async (interval: Interval) => {
    if (!guard || !source) return;
    for (const symbol of await symbols()) {
      // Unreachable and no attempt due: nothing is asked (and nothing recorded) until the next attempt.
      if (!guard.attemptDue() || stopping.signal.aborted) return;
      const key = { exchange: md.exchange, symbol, interval };
      const signal = AbortSignal.any([stopping.signal, guard.signal()]);
      const r = await updateSeries({ source, store: candles, clock, log: backfillLog }, key, clock.now().getTime() - FIRST_UPDATE_DAYS[interval] * 86_400_000, {
        signal,
      });
      const at = clock.now();
      if (either.isLeft(r)) await status.failed({ source: `${md.exchange}:candles`, symbol, interval, at, error: describeMarketDataError(r.left.error) });
      else {
        const b = await candles.bounds(key);
        await status.succeeded({ source: `${md.exchange}:candles`, symbol, interval, at, lastObservationAt: b?.last, observations: b?.count });
      }
    }
  };

  const jobs: Scheduled[] = [
    ...INTERVALS.map((interval) => schedule(`update ${interval}`, UPDATE_CRON[interval], log, () => updateInterval(interval), { paused: !scheduled })),
    schedule('pair selection', md.pairSelectionCron, log, () => selectNow(), { paused: !scheduled }),
    schedule(
      'gap repair',
      '0 30 1 * * *',
      log,
      async () => {
        for (const s of await candles.listSeries()) {
          // An unreachable exchange fills nothing: the gaps are only reported.
          const report = await repairGaps({ candles, clock, source: guard?.attemptDue() ? source : undefined, status }, s);
          if (report.remaining.length > 0)
            log.info({ series: s, gaps: report.remaining.length, filled: report.filled }, 'gaps remain (exchange outages are kept as gaps)');
        }
      },
      { paused: !scheduled },
    ),
    schedule(
      'retention',
      '0 0 4 * * *',
      log,
      async () => {
        const hf = md.retentionHighFrequencyDays;
        const deleted = await applyRetention(candles, { '1m': hf, '5m': hf, '15m': hf, '1d': md.retentionDailyDays });
        log.info({ deleted }, 'retention applied');
      },
      { paused: !scheduled },
    ),
  ];

  const snapshotDeps = () =>
    source === undefined
      ? undefined
      : { source, repository: orderBooks, clock, log: { info: (o: object, m: string) => log.debug(o, m), warn: backfillLog.warn } };
  const startSnapshots = async () => {
    const deps = snapshotDeps();
    if (!deps || md.orderBookIntervalSeconds === 0 || !scheduled) return;
    snapshots = startOrderBookSnapshots(deps, { symbols: [...(await symbols())], depth: 100, cadence: { everyMs: md.orderBookIntervalSeconds * 1000 } });
  };
  void startSnapshots().catch((err) => log.error({ err }, 'order-book snapshots did not start'));
  const dataCheck = candles
    .listSeries()
    .then((series) => {
      if (series.length === 0) log.warn({ source: md.source, exchange: md.exchange }, noMarketDataHowTo(md));
    })
    .catch((err) => log.error({ err }, 'could not tell whether market data is stored'));
  log.info({ source: md.source, exchange: md.exchange, intervals: INTERVALS }, 'collector started');

  const health = (): DataCollectionHealth => {
    if (!guard) return { status: 'off', source: 'none', note: 'MARKET_DATA_SOURCE=none: candles come from `npm run import`' };
    const r = guard.reachability();
    if (r.state === 'reachable') return { status: 'ok', source: 'ccxt', exchange: md.exchange };
    return {
      status: 'degraded',
      source: 'ccxt',
      exchange: md.exchange,
      reason: `cannot reach ${r.exchange}`,
      unreachableSince: r.since.toISOString(),
      lastError: describeMarketDataError(r.lastError),
      failedAttempts: r.failedAttempts,
      nextAttemptAt: r.nextAttemptAt.toISOString(),
      offline: OFFLINE_HOW_TO,
    };
  };

  return {
    jobs,
    symbols,
    selectNow,
    health,
    snapshotRound: async () => {
      const deps = snapshotDeps();
      if (deps) await takeSnapshots(deps, { symbols: [...(await symbols())], depth: 100 });
    },
    stop: async () => {
      // Ends the retries' waits of a running job at once; then the jobs, the snapshots, the connections.
      stopping.abort(new Error('the collector is stopping'));
      await Promise.all(jobs.map((j) => j.stop()));
      await snapshots?.stop();
      await source?.close();
      await dataCheck;
      await candles.close();
      await orderBooks.close();
    },
  };
};
