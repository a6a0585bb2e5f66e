// The market data collector: incremental candle updates per interval, the daily pair selection (with history
// for newly selected pairs), gap repair, retention, and order-book snapshots — each on its own UTC schedule.
import { either } from 'fp-ts';
import { downloadHistory, applyRetention } from '../../application/market-data/history.js';
import { updateSeries } from '../../application/market-data/backfill.js';
import { repairGaps } from '../../application/market-data/gap-repair.js';
import { startOrderBookSnapshots, type Snapshotter } from '../../application/market-data/order-book-snapshots.js';
import { previousSelection, selectPairs, utcDay } from '../../application/market-data/pair-selection.js';
import { describeMarketDataError, type MarketDataSource } from '../../application/ports/market-data-source.js';
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

export interface Collector {
  readonly jobs: readonly Scheduled[];
  /** The pairs being collected: the latest selection, or the configured defaults before the first one. */
  symbols(): Promise<readonly string[]>;
  selectNow(asOf?: Date): ReturnType<typeof selectPairs>;
  stop(): Promise<void>;
}

export const startCollector = (platform: Platform): Collector => {
  const { log, clock, store } = platform;
  const md = platform.config.marketData;
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 4, source: `ccxt:${md.exchange}` });
  const status = collectionStatusRecorder(platform.pool);
  const source: MarketDataSource | undefined = md.source === 'ccxt' ? new CcxtMarketDataSource({ clock, exchangeId: md.exchange }) : undefined;
  if (!source) log.info('MARKET_DATA_SOURCE=none: no exchange calls; import candles with `npm run import`');
  const orderBooks = new PostgresOrderBookStore({ connectionString: platform.databaseUrl });
  const backfillLog = { info: (o: object, m: string) => log.info(o, m), warn: (o: object, m: string) => log.warn(o, m) };

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
        const h = await downloadHistory({ source, store: candles, clock, log: backfillLog, status }, md.exchange, symbol);
        if (h.errors.length > 0) log.warn({ symbol, errors: h.errors }, 'history download incomplete');
      }
    return result;
  };

  const updateInterval = async (interval: Interval) => {
    if (!source) return;
    for (const symbol of await symbols()) {
      const key = { exchange: md.exchange, symbol, interval };
      const r = await updateSeries({ source, store: candles, clock, log: backfillLog }, key, clock.now().getTime() - FIRST_UPDATE_DAYS[interval] * 86_400_000);
      const at = clock.now();
      if (either.isLeft(r)) await status.failed({ source: `${md.exchange}:candles`, symbol, interval, at, error: describeMarketDataError(r.left.error) });
      else {
        const b = await candles.bounds(key);
        await status.succeeded({ source: `${md.exchange}:candles`, symbol, interval, at, lastObservationAt: b?.last, observations: b?.count });
      }
    }
  };

  const jobs: Scheduled[] = [
    ...INTERVALS.map((interval) => schedule(`update ${interval}`, UPDATE_CRON[interval], log, () => updateInterval(interval))),
    schedule('pair selection', md.pairSelectionCron, log, () => selectNow()),
    schedule('gap repair', '0 30 1 * * *', log, async () => {
      for (const s of await candles.listSeries()) {
        const report = await repairGaps({ candles, clock, source, status }, s);
        if (report.remaining.length > 0) log.info({ series: s, gaps: report.remaining.length, filled: report.filled }, 'gaps remain (exchange outages are kept as gaps)');
      }
    }),
    schedule('retention', '0 0 4 * * *', log, async () => {
      const hf = md.retentionHighFrequencyDays;
      const deleted = await applyRetention(candles, { '1m': hf, '5m': hf, '15m': hf, '1d': md.retentionDailyDays });
      log.info({ deleted }, 'retention applied');
    }),
  ];

  const startSnapshots = async () => {
    if (!source || md.orderBookIntervalSeconds === 0) return;
    snapshots = startOrderBookSnapshots(
      { source, repository: orderBooks, clock, log: { info: (o, m) => log.debug(o, m), warn: (o, m) => log.warn(o, m) } },
      { symbols: [...(await symbols())], depth: 100, cadence: { everyMs: md.orderBookIntervalSeconds * 1000 } },
    );
  };
  void startSnapshots().catch((err) => log.error({ err }, 'order-book snapshots did not start'));
  log.info({ source: md.source, exchange: md.exchange, intervals: INTERVALS }, 'collector started');

  return {
    jobs,
    symbols,
    selectNow,
    stop: async () => {
      for (const j of jobs) j.stop();
      await snapshots?.stop();
      await source?.close();
      await candles.close();
      await orderBooks.close();
    },
  };
};
