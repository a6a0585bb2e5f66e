// Order book snapshots in PostgreSQL (table order_book_snapshots, views order_book_daily_liquidity and
// market_daily_metrics; migration 1700000000006). Levels go in as jsonb and are checked again on the way out.
import type pg from 'pg';
import { pgPoolFrom, type PgPoolHandle, type PgPoolSource } from '../db/pg-pool.js';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import type { OrderBookSnapshot, OrderBookSnapshotRepository } from '../../application/market-data/order-book-snapshots.js';
import { BookLevelsCodec, type LiquidityMetrics } from '../../domain/market/liquidity.js';

export type OrderBookStoreOptions = PgPoolSource;

/** One pair's UTC day: liquidity from the snapshots, volume from the candles (null where that source has nothing). */
export interface DailyMarketMetrics {
  readonly exchange: string;
  readonly symbol: string;
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly snapshots: number;
  readonly avgSpread: number | null;
  readonly avgRelativeSpread: number | null;
  /** Bid + ask depth within ±0.5 % of mid, quote units, averaged over the day's snapshots. */
  readonly avgDepth05Quote: number | null;
  readonly avgDepth1Quote: number | null;
  readonly avgDepth1Base: number | null;
  readonly avgImbalance1: number | null;
  /** Base volume traded. */
  readonly volume: number | null;
  /** The exchange's quote volume, when every candle of the day had one. */
  readonly quoteVolume: number | null;
  /** Quote volume with volume × close standing in where the exchange's figure is missing. */
  readonly quoteVolumeEstimate: number | null;
  /** Share of the day the candles behind the volume span (1 = complete). */
  readonly volumeCoverage: number | null;
}

const NumOrNull = t.union([t.number, t.null]);
const SnapshotRow = t.type({
  exchange: t.string,
  symbol: t.string,
  taken_at_ms: t.string,
  depth: t.number,
  bids: BookLevelsCodec,
  asks: BookLevelsCodec,
  best_bid: NumOrNull,
  best_ask: NumOrNull,
  mid: NumOrNull,
  spread: NumOrNull,
  relative_spread: NumOrNull,
  bid_depth_05_base: NumOrNull,
  bid_depth_05_quote: NumOrNull,
  ask_depth_05_base: NumOrNull,
  ask_depth_05_quote: NumOrNull,
  bid_depth_1_base: NumOrNull,
  bid_depth_1_quote: NumOrNull,
  ask_depth_1_base: NumOrNull,
  ask_depth_1_quote: NumOrNull,
  imbalance_1: NumOrNull,
});
type SnapshotRow = t.TypeOf<typeof SnapshotRow>;

const metricsOf = (r: SnapshotRow): LiquidityMetrics | undefined => {
  const { best_bid, best_ask, mid, spread, relative_spread } = r;
  if (best_bid === null || best_ask === null || mid === null || spread === null || relative_spread === null) return undefined;
  const n = (v: number | null) => v ?? 0;
  return {
    bestBid: best_bid,
    bestAsk: best_ask,
    mid,
    spread,
    relativeSpread: relative_spread,
    depth05: {
      bid: { base: n(r.bid_depth_05_base), quote: n(r.bid_depth_05_quote) },
      ask: { base: n(r.ask_depth_05_base), quote: n(r.ask_depth_05_quote) },
    },
    depth1: {
      bid: { base: n(r.bid_depth_1_base), quote: n(r.bid_depth_1_quote) },
      ask: { base: n(r.ask_depth_1_base), quote: n(r.ask_depth_1_quote) },
    },
    imbalance1: r.imbalance_1 ?? undefined,
  };
};

const rowOf = (s: OrderBookSnapshot) => {
  const m = s.metrics;
  return {
    exchange: s.exchange,
    symbol: s.symbol,
    taken_at_ms: s.takenAt,
    depth: s.depth,
    bids: s.bids,
    asks: s.asks,
    best_bid: m?.bestBid ?? null,
    best_ask: m?.bestAsk ?? null,
    mid: m?.mid ?? null,
    spread: m?.spread ?? null,
    relative_spread: m?.relativeSpread ?? null,
    bid_depth_05_base: m?.depth05.bid.base ?? null,
    bid_depth_05_quote: m?.depth05.bid.quote ?? null,
    ask_depth_05_base: m?.depth05.ask.base ?? null,
    ask_depth_05_quote: m?.depth05.ask.quote ?? null,
    bid_depth_1_base: m?.depth1.bid.base ?? null,
    bid_depth_1_quote: m?.depth1.bid.quote ?? null,
    ask_depth_1_base: m?.depth1.ask.base ?? null,
    ask_depth_1_quote: m?.depth1.ask.quote ?? null,
    imbalance_1: m?.imbalance1 ?? null,
  };
};

const COLUMNS = `exchange, symbol, depth, bids, asks, best_bid, best_ask, mid, spread, relative_spread,
  bid_depth_05_base, bid_depth_05_quote, ask_depth_05_base, ask_depth_05_quote,
  bid_depth_1_base, bid_depth_1_quote, ask_depth_1_base, ask_depth_1_quote, imbalance_1`;

export class PostgresOrderBookStore implements OrderBookSnapshotRepository {
  private readonly handle: PgPoolHandle;
  private readonly pool: pg.Pool;

  constructor(options: OrderBookStoreOptions) {
    this.handle = pgPoolFrom(options);
    this.pool = this.handle.pool;
  }

  async save(snapshots: readonly OrderBookSnapshot[]): Promise<number> {
    if (snapshots.length === 0) return 0;
    // One statement for the whole round; times go in as epoch ms and are turned into timestamptz exactly.
    const { rowCount } = await this.pool.query(
      `INSERT INTO order_book_snapshots (taken_at, ${COLUMNS})
       SELECT timestamptz 'epoch' + x.taken_at_ms * interval '1 millisecond', ${COLUMNS}
       FROM jsonb_to_recordset($1::jsonb) AS x (
         exchange text, symbol text, taken_at_ms bigint, depth integer, bids jsonb, asks jsonb,
         best_bid float8, best_ask float8, mid float8, spread float8, relative_spread float8,
         bid_depth_05_base float8, bid_depth_05_quote float8, ask_depth_05_base float8, ask_depth_05_quote float8,
         bid_depth_1_base float8, bid_depth_1_quote float8, ask_depth_1_base float8, ask_depth_1_quote float8,
         imbalance_1 float8)
       ON CONFLICT (exchange, symbol, taken_at) DO NOTHING`,
      [JSON.stringify(snapshots.map(rowOf))],
    );
    return rowCount ?? 0;
  }

  /** Snapshots with from <= takenAt < to (UTC ms), oldest first. */
  async list(exchange: string, symbol: string, range: { readonly from: number; readonly to: number }): Promise<OrderBookSnapshot[]> {
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT (extract(epoch FROM taken_at) * 1000)::bigint::text AS taken_at_ms, ${COLUMNS}
       FROM order_book_snapshots
       WHERE exchange = $1 AND symbol = $2
         AND taken_at >= timestamptz 'epoch' + $3::bigint * interval '1 millisecond'
         AND taken_at < timestamptz 'epoch' + $4::bigint * interval '1 millisecond'
       ORDER BY taken_at`,
      [exchange, symbol, range.from, range.to],
    );
    return rows.map((raw) => {
      const row = SnapshotRow.decode(raw);
      if (isLeft(row)) throw new Error(`order_book_snapshots: unreadable row: ${PathReporter.report(row).join('; ')}`);
      const r = row.right;
      return {
        exchange: r.exchange,
        symbol: r.symbol,
        takenAt: Number(r.taken_at_ms),
        depth: r.depth,
        bids: r.bids,
        asks: r.asks,
        metrics: metricsOf(r),
      };
    });
  }

  /** Volume and liquidity per UTC day, days `fromDay` to `toDay` inclusive (`YYYY-MM-DD`). */
  async daily(exchange: string, symbol: string, fromDay: string, toDay: string): Promise<DailyMarketMetrics[]> {
    const { rows } = await this.pool.query<DailyMarketMetrics>(
      `SELECT exchange, symbol, to_char(day, 'YYYY-MM-DD') AS day, snapshots,
         avg_spread AS "avgSpread", avg_relative_spread AS "avgRelativeSpread",
         avg_depth_05_quote AS "avgDepth05Quote", avg_depth_1_quote AS "avgDepth1Quote", avg_depth_1_base AS "avgDepth1Base",
         avg_imbalance_1 AS "avgImbalance1", volume, quote_volume AS "quoteVolume",
         quote_volume_estimate AS "quoteVolumeEstimate", volume_coverage AS "volumeCoverage"
       FROM market_daily_metrics
       WHERE exchange = $1 AND symbol = $2 AND day BETWEEN $3::date AND $4::date
       ORDER BY day`,
      [exchange, symbol, fromDay, toDay],
    );
    return rows;
  }

  async close(): Promise<void> {
    await this.handle.release();
  }
}
