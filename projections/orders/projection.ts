// The `trading_orders` read model: one row per order stream (`order-<clientOrderId>`), where the order stands and
// what has filled. A batch reads the rows of the orders it touches (one SELECT), folds their events in memory, and
// writes them back with one upsert; an event at or below a row's stored revision was applied before and is passed
// over, so a batch that reaches it again changes nothing.
import { sql, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { DecodedEvent, Projection } from '../projection.js';
import { unnestRows, type Column } from '../unnest.js';
import { ORDER_CATEGORY, ORDER_EVENT_TYPES, type OrderEvent, type OrderRequest } from '../../domain/execution/events.js';

export const ORDER_STATUSES = ['placed', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

interface OrderRow {
  client_order_id: string;
  account: string;
  strategy_id: string;
  exchange: string;
  symbol: string;
  side: string;
  type: string;
  status: OrderStatus;
  spec: unknown;
  execution: Record<string, unknown> | null;
  parent_order_id: string | null;
  exchange_order_id: string | null;
  filled_quantity: number;
  average_fill_price: number | null;
  fees: Record<string, number>;
  fills: number;
  ended: Record<string, unknown> | null;
  placed_at: string;
  updated_at: string;
  revision: number;
}

const StoredRow = z.object({
  client_order_id: z.string(),
  account: z.string(),
  strategy_id: z.string(),
  exchange: z.string(),
  symbol: z.string(),
  side: z.string(),
  type: z.string(),
  status: z.enum(ORDER_STATUSES),
  spec: z.unknown(),
  execution: z.record(z.unknown()).nullable(),
  parent_order_id: z.string().nullable(),
  exchange_order_id: z.string().nullable(),
  filled_quantity: z.number(),
  average_fill_price: z.number().nullable(),
  fees: z.record(z.number()),
  fills: z.number(),
  ended: z.record(z.unknown()).nullable(),
  placed_at: z.string(),
  updated_at: z.string(),
  revision: z.number(),
});

const iso = (ms: number) => new Date(ms).toISOString();

const newRow = (
  request: OrderRequest,
  clientOrderId: string,
  status: OrderStatus,
  execution: Record<string, unknown> | null,
  at: string,
  revision: number,
): OrderRow => ({
  client_order_id: clientOrderId,
  account: request.account,
  strategy_id: request.strategyId ?? '',
  exchange: request.exchange,
  symbol: request.spec.symbol,
  side: request.spec.side,
  type: request.spec.type,
  status,
  spec: request.spec,
  execution,
  parent_order_id: request.parentOrderId ?? null,
  exchange_order_id: null,
  filled_quantity: 0,
  average_fill_price: null,
  fees: {},
  fills: 0,
  ended: null,
  placed_at: at,
  updated_at: at,
  revision,
});

const unknownOrder = (e: DecodedEvent<OrderEvent>) =>
  new Error(`orders projection: ${e.event.type} at ${e.recorded.streamName}@${e.recorded.revision} for an order with no OrderPlaced before it`);

/** Folds one event into its order's row (undefined: the order is not known yet). */
const evolve = (row: OrderRow | undefined, e: DecodedEvent<OrderEvent>): OrderRow => {
  const { event } = e;
  const revision = Number(e.recorded.revision);
  const at = iso(event.data.time);
  if (event.type === 'OrderPlaced') {
    if (row) throw new Error(`orders projection: ${e.recorded.streamName} is placed twice`);
    return newRow(event.data, event.data.clientOrderId, 'placed', { ...event.data.execution }, at, revision);
  }
  if (event.type === 'OrderRejected' && row === undefined) {
    // Refused before it was placed: the rejection carries the order.
    if (event.data.order === undefined) throw unknownOrder(e);
    return { ...newRow(event.data.order, event.data.clientOrderId, 'rejected', null, at, revision), ended: { ...event.data.rejection } };
  }
  if (row === undefined) throw unknownOrder(e);
  const next: OrderRow = { ...row, updated_at: at, revision };
  switch (event.type) {
    case 'OrderTriggered':
      next.execution = {
        ...(row.execution ?? {}),
        triggeredAt: at,
        triggerPrice: event.data.triggerPrice,
        ...(event.data.limitPrice === undefined ? {} : { limitPrice: event.data.limitPrice }),
      };
      return next;
    case 'OrderAccepted':
      next.exchange_order_id = event.data.exchangeOrderId;
      // A fill can be reported before the acceptance is seen: the acceptance does not undo it.
      if (row.status === 'placed') next.status = 'accepted';
      return next;
    case 'OrderPartiallyFilled':
    case 'OrderFilled':
      next.status = event.type === 'OrderFilled' ? 'filled' : 'partially_filled';
      next.filled_quantity = event.data.cumulativeQuantity;
      next.average_fill_price = event.data.averagePrice;
      next.fees = { ...row.fees, [event.data.feeCurrency]: (row.fees[event.data.feeCurrency] ?? 0) + event.data.fee };
      next.fills = row.fills + 1;
      return next;
    case 'OrderCancelled':
      next.status = 'cancelled';
      next.ended = { by: event.data.by, reason: event.data.reason, at };
      return next;
    case 'OrderRejected':
      next.status = 'rejected';
      next.ended = { ...event.data.rejection, at };
      return next;
    case 'OrderExpired':
      next.status = 'expired';
      next.ended = { reason: event.data.reason, at };
      return next;
    default: {
      const unknown: never = event;
      throw new Error(`orders projection: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

const loadRows = async (tx: DatabaseTransactionConnection, ids: readonly string[]): Promise<Map<string, OrderRow>> => {
  const rows = await tx.any(sql.type(StoredRow)`
    SELECT client_order_id, account, strategy_id, exchange, symbol, side, type, status, spec, execution, parent_order_id,
           exchange_order_id, filled_quantity, average_fill_price, fees, fills, ended,
           to_json(placed_at)#>>'{}' AS placed_at, to_json(updated_at)#>>'{}' AS updated_at, revision
      FROM trading_orders WHERE client_order_id = ANY(${sql.array(ids, 'text')})`);
  return new Map(
    rows.map((r) => [
      r.client_order_id,
      { ...r, spec: r.spec, placed_at: new Date(r.placed_at).toISOString(), updated_at: new Date(r.updated_at).toISOString() },
    ]),
  );
};

/** Folds a batch onto the stored rows; only the rows it changed come back. */
export const foldOrderBatch = (stored: ReadonlyMap<string, OrderRow>, events: readonly DecodedEvent<OrderEvent>[]): OrderRow[] => {
  const rows = new Map(stored);
  const changed = new Set<string>();
  for (const e of events) {
    const id = e.event.data.clientOrderId;
    const row = rows.get(id);
    if (row !== undefined && Number(e.recorded.revision) <= row.revision) continue; // applied before
    rows.set(id, evolve(row, e));
    changed.add(id);
  }
  return [...changed].map((id) => rows.get(id)!);
};

const ORDER_COLUMNS: Readonly<Record<string, Column<OrderRow>>> = {
  client_order_id: ['text', (r) => r.client_order_id],
  account: ['text', (r) => r.account],
  strategy_id: ['text', (r) => r.strategy_id],
  exchange: ['text', (r) => r.exchange],
  symbol: ['text', (r) => r.symbol],
  side: ['text', (r) => r.side],
  type: ['text', (r) => r.type],
  status: ['text', (r) => r.status],
  spec: ['jsonb', (r) => r.spec],
  execution: ['jsonb', (r) => r.execution],
  parent_order_id: ['text', (r) => r.parent_order_id],
  exchange_order_id: ['text', (r) => r.exchange_order_id],
  filled_quantity: ['float8', (r) => r.filled_quantity],
  average_fill_price: ['float8', (r) => r.average_fill_price],
  fees: ['jsonb', (r) => r.fees],
  fills: ['int4', (r) => r.fills],
  ended: ['jsonb', (r) => r.ended],
  placed_at: ['timestamptz', (r) => r.placed_at],
  updated_at: ['timestamptz', (r) => r.updated_at],
  revision: ['int8', (r) => r.revision],
};

export const ordersProjection: Projection<OrderEvent> = {
  name: 'orders',
  version: 1,
  filter: { categories: [ORDER_CATEGORY], eventTypes: ORDER_EVENT_TYPES },
  tables: ['trading_orders'],
  async applyBatch(tx, events) {
    if (events.length === 0) return;
    // An order whose first event (revision 0) is in the batch is read from nowhere: the batch holds its whole stream so
    // far, and the fold from revision 0 is its row (the upsert's revision guard keeps a newer stored one). A rebuild's
    // orders are nearly all such: their lookups were about 2 s of its database time (doc/benchmarks.md).
    const born = new Set<string>();
    for (const e of events) if (e.recorded.revision === 0n) born.add(e.event.data.clientOrderId);
    const earlier = [...new Set(events.map((e) => e.event.data.clientOrderId))].filter((id) => !born.has(id));
    const stored = earlier.length > 0 ? await loadRows(tx, earlier) : new Map<string, OrderRow>();
    const rows = foldOrderBatch(stored, events);
    if (rows.length === 0) return;
    await tx.query(sql.unsafe`
      INSERT INTO trading_orders (client_order_id, account, strategy_id, exchange, symbol, side, type, status, spec, execution,
                                  parent_order_id, exchange_order_id, filled_quantity, average_fill_price, fees, fills, ended,
                                  placed_at, updated_at, revision)
      SELECT client_order_id, account, strategy_id, exchange, symbol, side, type, status, spec, execution,
             parent_order_id, exchange_order_id, filled_quantity, average_fill_price, fees, fills, ended,
             placed_at, updated_at, revision
        FROM ${unnestRows(rows, ORDER_COLUMNS)}
      ON CONFLICT (client_order_id) DO UPDATE SET
        status = excluded.status, execution = excluded.execution, exchange_order_id = excluded.exchange_order_id,
        filled_quantity = excluded.filled_quantity, average_fill_price = excluded.average_fill_price, fees = excluded.fees,
        fills = excluded.fills, ended = excluded.ended, updated_at = excluded.updated_at, revision = excluded.revision
      WHERE trading_orders.revision < excluded.revision`);
  },
};
