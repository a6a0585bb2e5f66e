// Reading the `trading_orders` read model (the API's GET /api/orders): newest placement first, filtered and paged.
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

export { ORDER_STATUSES, type OrderStatus } from './projection.js';

const OrderRow = z.object({
  clientOrderId: z.string(),
  account: z.string(),
  strategyId: z.string().nullable(),
  exchange: z.string(),
  symbol: z.string(),
  side: z.string(),
  type: z.string(),
  status: z.string(),
  spec: z.unknown(),
  execution: z.unknown(),
  parentOrderId: z.string().nullable(),
  exchangeOrderId: z.string().nullable(),
  filledQuantity: z.number(),
  averageFillPrice: z.number().nullable(),
  fees: z.record(z.number()),
  fills: z.number(),
  ended: z.unknown(),
  placedAt: z.string(),
  updatedAt: z.string(),
  revision: z.number(),
});
export type OrderListRow = z.infer<typeof OrderRow>;

export interface OrderFilter {
  readonly account?: string;
  readonly strategyId?: string;
  readonly exchange?: string;
  readonly symbol?: string;
  readonly status?: string;
  /** Placed at or after (epoch ms). */
  readonly from?: number;
  /** Placed before (epoch ms). */
  readonly to?: number;
}

const where = (q: OrderFilter) =>
  sql.join(
    [
      sql.fragment`TRUE`,
      ...(q.account === undefined ? [] : [sql.fragment`account = ${q.account}`]),
      ...(q.strategyId === undefined ? [] : [sql.fragment`strategy_id = ${q.strategyId}`]),
      ...(q.exchange === undefined ? [] : [sql.fragment`exchange = ${q.exchange}`]),
      ...(q.symbol === undefined ? [] : [sql.fragment`symbol = ${q.symbol}`]),
      ...(q.status === undefined ? [] : [sql.fragment`status = ${q.status}`]),
      ...(q.from === undefined ? [] : [sql.fragment`placed_at >= to_timestamp(${q.from / 1000})`]),
      ...(q.to === undefined ? [] : [sql.fragment`placed_at < to_timestamp(${q.to / 1000})`]),
    ],
    sql.fragment` AND `,
  );

export const listOrders = (db: CommonQueryMethods, q: OrderFilter & { readonly limit: number; readonly offset: number }): Promise<readonly OrderListRow[]> =>
  db.any(sql.type(OrderRow)`
    SELECT client_order_id AS "clientOrderId", account, nullif(strategy_id, '') AS "strategyId", exchange, symbol, side, type, status,
           spec, execution, parent_order_id AS "parentOrderId", exchange_order_id AS "exchangeOrderId",
           filled_quantity AS "filledQuantity", average_fill_price AS "averageFillPrice", fees, fills, ended,
           placed_at AS "placedAt", updated_at AS "updatedAt", revision
      FROM trading_orders
     WHERE ${where(q)}
     ORDER BY placed_at DESC, client_order_id
     LIMIT ${q.limit} OFFSET ${q.offset}`);

export const countOrders = (db: CommonQueryMethods, q: OrderFilter): Promise<number> =>
  db.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*) AS n FROM trading_orders WHERE ${where(q)}`);
