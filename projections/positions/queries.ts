// Reading the positions read model (the API's GET /api/positions and GET /api/pnl).
//
// Unrealised P&L is computed when asked, not stored: a position is marked at the close of the latest stored candle of
// its symbol on its exchange (any interval: the candle whose close time, open time + interval, is the latest), so it
// moves with the candle store and not with the order streams. A ccxt-style symbol (`BTC/USDT`) is looked up without
// its slash. A position with no candle has no mark and no unrealised P&L (null; the P&L answer counts them).
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export const POSITION_STATUSES = ['open', 'closed', 'all'] as const;
export type PositionStatus = (typeof POSITION_STATUSES)[number];
export const PNL_GROUPS = ['total', 'account', 'strategy', 'symbol', 'day'] as const;
export type PnlGroup = (typeof PNL_GROUPS)[number];

export interface PositionFilter {
  readonly account?: string;
  readonly strategyId?: string;
  readonly exchange?: string;
  readonly symbol?: string;
}

const filterOn = (q: PositionFilter, alias: string) => {
  const col = (name: string) => sql.identifier([alias, name]);
  return [
    ...(q.account === undefined ? [] : [sql.fragment`${col('account')} = ${q.account}`]),
    ...(q.strategyId === undefined ? [] : [sql.fragment`${col('strategy_id')} = ${q.strategyId}`]),
    ...(q.exchange === undefined ? [] : [sql.fragment`${col('exchange')} = ${q.exchange}`]),
    ...(q.symbol === undefined ? [] : [sql.fragment`${col('symbol')} = ${q.symbol}`]),
  ];
};
const and = (parts: ReturnType<typeof filterOn>) => sql.join([sql.fragment`TRUE`, ...parts], sql.fragment` AND `);

/**
 * The exchanges the candle store holds, found by a loose index scan of its primary key (a few index probes, not a
 * scan of the table); evaluated once per query.
 */
const candleExchanges = sql.fragment`(
  WITH RECURSIVE e (exchange) AS (
    SELECT min(exchange) FROM candles
    UNION ALL
    SELECT (SELECT min(exchange) FROM candles WHERE exchange > e.exchange) FROM e WHERE e.exchange IS NOT NULL)
  SELECT coalesce(array_agg(exchange) FILTER (WHERE exchange IS NOT NULL), '{}') FROM e)`;

/**
 * The positions (alias p) with their mark (m.price, m.at) and unrealised P&L (u), as a FROM clause. A position on the
 * paper venue (`paper`: the pipeline's desk, paper sessions) trades stored candles of another exchange: it is marked
 * by the latest candle of its symbol on any exchange.
 */
const markedPositions = sql.fragment`
  trading_positions p
  LEFT JOIN LATERAL (
    SELECT c.close AS price, c.open_time + iv.ms AS close_ms
      FROM (VALUES ('1m', 60000), ('5m', 300000), ('15m', 900000), ('1h', 3600000), ('4h', 14400000), ('1d', 86400000)) AS iv (name, ms)
      CROSS JOIN LATERAL unnest(CASE WHEN p.exchange = 'paper' THEN ${candleExchanges} ELSE ARRAY[p.exchange] END) AS x (exchange)
      CROSS JOIN LATERAL (
        SELECT close, open_time FROM candles
         WHERE exchange = x.exchange AND symbol = replace(p.symbol, '/', '') AND "interval" = iv.name
         ORDER BY open_time DESC LIMIT 1) c
     ORDER BY c.open_time + iv.ms DESC, iv.ms, x.exchange
     LIMIT 1) m ON p.quantity <> 0
  CROSS JOIN LATERAL (SELECT CASE WHEN p.quantity = 0 THEN 0 ELSE (m.price - p.average_price) * p.quantity END AS pnl) u`;

const PositionRow = z.object({
  account: z.string(),
  strategyId: z.string().nullable(),
  exchange: z.string(),
  symbol: z.string(),
  side: z.enum(['long', 'short', 'flat']),
  quantity: z.number(),
  averagePrice: z.number().nullable(),
  realisedPnl: z.number(),
  fees: z.number(),
  otherFees: z.record(z.number()),
  mark: z.object({ price: z.number(), at: z.string() }).nullable(),
  unrealisedPnl: z.number().nullable(),
  fills: z.number(),
  openedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type PositionListRow = z.infer<typeof PositionRow>;

const whereStatus = (status: PositionStatus) =>
  status === 'open' ? sql.fragment`p.quantity <> 0` : status === 'closed' ? sql.fragment`p.quantity = 0` : sql.fragment`TRUE`;

export const listPositions = (
  db: CommonQueryMethods,
  q: PositionFilter & { readonly status: PositionStatus; readonly limit: number; readonly offset: number },
): Promise<readonly PositionListRow[]> =>
  db.any(sql.type(PositionRow)`
    SELECT p.account, nullif(p.strategy_id, '') AS "strategyId", p.exchange, p.symbol,
           CASE WHEN p.quantity > 0 THEN 'long' WHEN p.quantity < 0 THEN 'short' ELSE 'flat' END AS side,
           p.quantity, CASE WHEN p.quantity = 0 THEN NULL ELSE p.average_price END AS "averagePrice",
           p.realised_pnl AS "realisedPnl", p.fees, p.other_fees AS "otherFees",
           CASE WHEN m.price IS NULL THEN NULL
                ELSE json_build_object('price', m.price, 'at', to_char(to_timestamp(m.close_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END AS mark,
           u.pnl AS "unrealisedPnl", p.fills, p.opened_at AS "openedAt", p.updated_at AS "updatedAt"
      FROM ${markedPositions}
     WHERE ${and([...filterOn(q, 'p'), whereStatus(q.status)])}
     ORDER BY p.updated_at DESC, p.account, p.strategy_id, p.exchange, p.symbol
     LIMIT ${q.limit} OFFSET ${q.offset}`);

export const countPositions = (db: CommonQueryMethods, q: PositionFilter & { readonly status: PositionStatus }): Promise<number> =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`
    SELECT count(*) AS n FROM trading_positions p WHERE ${and([...filterOn(q, 'p'), whereStatus(q.status)])}`);

export interface PnlQuery extends PositionFilter {
  readonly groupBy: PnlGroup;
  /** Fills at or after (epoch ms). */
  readonly from?: number;
  /** Fills before (epoch ms). */
  readonly to?: number;
}

const PnlRow = z.object({
  account: z.string().nullable().optional(),
  strategyId: z.string().nullable().optional(),
  symbol: z.string().nullable().optional(),
  day: z.string().nullable().optional(),
  realisedPnl: z.number(),
  fees: z.number(),
  fills: z.number(),
  unrealisedPnl: z.number().nullable(),
  openPositions: z.number(),
  unmarkedPositions: z.number(),
  totalPnl: z.number().nullable(),
});
export type PnlRow = z.infer<typeof PnlRow>;

/** The grouping key's expression on fills (alias f) and positions (alias p), and its output column. */
const groupKey = (g: PnlGroup, alias: string) => {
  const a = sql.identifier([alias]);
  switch (g) {
    case 'total':
      return sql.fragment`''`;
    case 'account':
      return sql.fragment`${a}.account`;
    case 'strategy':
      return sql.fragment`${a}.strategy_id`;
    case 'symbol':
      return sql.fragment`${a}.symbol`;
    case 'day':
      return alias === 'f' ? sql.fragment`${a}.day::text` : sql.fragment`NULL::text`;
    default: {
      const unknown: never = g;
      throw new Error(`unknown P&L grouping ${String(unknown)}`);
    }
  }
};

const keyColumn = (g: PnlGroup) => {
  switch (g) {
    case 'total':
      return sql.fragment``;
    case 'account':
      return sql.fragment`k AS account,`;
    case 'strategy':
      return sql.fragment`nullif(k, '') AS "strategyId",`;
    case 'symbol':
      return sql.fragment`k AS symbol,`;
    case 'day':
      return sql.fragment`k AS day,`;
    default: {
      const unknown: never = g;
      throw new Error(`unknown P&L grouping ${String(unknown)}`);
    }
  }
};

const pnlSources = (q: PnlQuery) => {
  const time = [
    ...(q.from === undefined ? [] : [sql.fragment`f.filled_at >= to_timestamp(${q.from / 1000})`]),
    ...(q.to === undefined ? [] : [sql.fragment`f.filled_at < to_timestamp(${q.to / 1000})`]),
  ];
  // Unrealised P&L is of today's open positions; it has no day, so a per-day answer has none.
  const open = q.groupBy === 'day' ? sql.fragment`FALSE` : sql.fragment`p.quantity <> 0`;
  return sql.fragment`
    WITH r AS (
      SELECT ${groupKey(q.groupBy, 'f')} AS k, sum(f.realised_pnl) AS realised, coalesce(sum(f.fee_quote), 0) AS fees, count(*) AS fills
        FROM trading_fills f WHERE ${and([...filterOn(q, 'f'), ...time])} GROUP BY 1),
    u AS (
      SELECT ${groupKey(q.groupBy, 'p')} AS k, sum(u.pnl) AS unrealised, count(*) AS open, count(*) FILTER (WHERE m.price IS NULL) AS unmarked
        FROM ${markedPositions} WHERE ${and([...filterOn(q, 'p'), open])} GROUP BY 1),
    g AS (
      SELECT coalesce(r.k, u.k) AS k, coalesce(r.realised, 0) AS realised, coalesce(r.fees, 0) AS fees, coalesce(r.fills, 0) AS fills,
             CASE WHEN ${q.groupBy === 'day' ? sql.fragment`TRUE` : sql.fragment`FALSE`} THEN NULL ELSE coalesce(u.unrealised, 0) END AS unrealised,
             coalesce(u.open, 0) AS open, coalesce(u.unmarked, 0) AS unmarked
        FROM r FULL JOIN u ON r.k = u.k)`;
};

/**
 * Realised P&L, fees and fills of the fills in [from, to), and the unrealised P&L of the positions open now, per group.
 * `total` is one row (also when nothing has filled). Groups are in key order (days ascending).
 */
export const pnl = async (db: CommonQueryMethods, q: PnlQuery & { readonly limit: number; readonly offset: number }): Promise<readonly PnlRow[]> => {
  const rows = await db.any(sql.type(PnlRow)`
    ${pnlSources(q)}
    SELECT ${keyColumn(q.groupBy)} realised AS "realisedPnl", fees, fills, unrealised AS "unrealisedPnl", open AS "openPositions",
           unmarked AS "unmarkedPositions", realised + unrealised AS "totalPnl"
      FROM g ORDER BY k LIMIT ${q.limit} OFFSET ${q.offset}`);
  if (q.groupBy === 'total' && rows.length === 0 && q.offset === 0 && q.limit > 0)
    return [{ realisedPnl: 0, fees: 0, fills: 0, unrealisedPnl: 0, openPositions: 0, unmarkedPositions: 0, totalPnl: 0 }];
  return rows;
};

export const countPnlGroups = async (db: CommonQueryMethods, q: PnlQuery): Promise<number> =>
  q.groupBy === 'total' ? 1 : db.oneFirst(sql.type(z.object({ n: z.number() }))`${pnlSources(q)} SELECT count(*) AS n FROM g`);

const BalanceRow = z.object({ account: z.string(), exchange: z.string(), asset: z.string(), change: z.number(), updatedAt: z.string() });
export type BalanceRow = z.infer<typeof BalanceRow>;

/** What fills did to each asset (deposits are not in the log: see the migration). */
export const listBalances = (db: CommonQueryMethods, q: { readonly account?: string; readonly exchange?: string }): Promise<readonly BalanceRow[]> =>
  db.any(sql.type(BalanceRow)`
    SELECT account, exchange, asset, change, updated_at AS "updatedAt" FROM trading_balances b
     WHERE ${and(filterOn(q, 'b'))} ORDER BY account, exchange, asset LIMIT 1000`);
