// The positions read model: the fills ledger (`trading_fills`, with the P&L each fill realised), the position of every
// (account, strategy, exchange, symbol) by the average-cost method (`trading_positions`), and what fills did to each
// asset's balance (`trading_balances`), folded from the order streams. The arithmetic is domain/positions/; how it
// is read (marks, P&L per day) is queries.ts and doc/positions.md.
//
// A fill event does not repeat its order's account, strategy, symbol and side: OrderPlaced gives them, kept in
// `position_orders`. A batch reads what it needs (the orders of its fills placed in earlier batches, the positions
// they touch, which of its fills were applied before), folds its fills in log order in memory, then writes a few
// set-based statements. A fill already in the ledger — the same event, or the same trade of the same order reported
// twice — is passed over, so a batch reaching it again changes nothing.
import { sql, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';
import type { DecodedEvent, Projection } from '../projection.js';
import { ORDER_CATEGORY, type OrderEventOf } from '../../domain/execution/events.js';
import { applyFill } from '../../domain/positions/average-cost.js';
import { fillWithFee } from '../../domain/positions/fee.js';
import { splitPair } from '../../domain/positions/pair.js';
import { unnestRows, type Column } from '../unnest.js';

export type PositionEvent = OrderEventOf<'OrderPlaced'> | OrderEventOf<'OrderPartiallyFilled'> | OrderEventOf<'OrderFilled'>;
type FillEvent = OrderEventOf<'OrderPartiallyFilled'> | OrderEventOf<'OrderFilled'>;

interface OrderContext {
  readonly client_order_id: string;
  readonly account: string;
  readonly strategy_id: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
}

interface PositionRow {
  account: string;
  strategy_id: string;
  exchange: string;
  symbol: string;
  quantity: number;
  average_price: number;
  realised_pnl: number;
  fees: number;
  other_fees: Record<string, number>;
  fills: number;
  opened_at: string | null;
  updated_at: string;
}

const Context = z.object({
  client_order_id: z.string(),
  account: z.string(),
  strategy_id: z.string(),
  exchange: z.string(),
  symbol: z.string(),
  side: z.enum(['buy', 'sell']),
});
const StoredPosition = z.object({
  account: z.string(),
  strategy_id: z.string(),
  exchange: z.string(),
  symbol: z.string(),
  quantity: z.number(),
  average_price: z.number(),
  realised_pnl: z.number(),
  fees: z.number(),
  other_fees: z.record(z.number()),
  fills: z.number(),
  opened_at: z.string().nullable(),
  updated_at: z.string(),
});
const StoredBalance = z.object({ account: z.string(), exchange: z.string(), asset: z.string(), change: z.number(), updated_at: z.string() });
const AppliedFill = z.object({ event_id: z.string(), client_order_id: z.string(), trade_id: z.string() });

const positionKey = (p: { account: string; strategy_id: string; exchange: string; symbol: string }) =>
  JSON.stringify([p.account, p.strategy_id, p.exchange, p.symbol]);
const tradeKey = (clientOrderId: string, tradeId: string) => JSON.stringify([clientOrderId, tradeId]);
const iso = (ms: number) => new Date(ms).toISOString();
const isFill = (e: DecodedEvent<PositionEvent>): e is DecodedEvent<FillEvent> => e.event.type !== 'OrderPlaced';

const placementOf = (d: OrderEventOf<'OrderPlaced'>['data']): OrderContext => ({
  client_order_id: d.clientOrderId,
  account: d.account,
  strategy_id: d.strategyId ?? '',
  exchange: d.exchange,
  symbol: d.spec.symbol,
  side: d.spec.side,
});

export interface PositionBatchInput {
  readonly events: readonly DecodedEvent<PositionEvent>[];
  /** The orders of the batch's fills placed in earlier batches. */
  readonly contexts: ReadonlyMap<string, OrderContext>;
  /** The stored positions the batch's fills touch. */
  readonly positions: ReadonlyMap<string, PositionRow>;
  /** Event ids and (order, trade) keys of fills already in the ledger. */
  readonly appliedEvents: ReadonlySet<string>;
  readonly appliedTrades: ReadonlySet<string>;
  /** The stored balance changes of the batch's accounts (added to fill by fill, so any batching gives the same sums). */
  readonly balances: ReadonlyMap<string, BalanceRow>;
}

interface BalanceRow {
  account: string;
  exchange: string;
  asset: string;
  change: number;
  updated_at: string;
}
const balanceKey = (account: string, exchange: string, asset: string) => JSON.stringify([account, exchange, asset]);

/** What a batch writes. */
export interface PositionBatchOutput {
  readonly contexts: OrderContext[];
  readonly fills: Record<string, unknown>[];
  readonly positions: PositionRow[];
  readonly balances: BalanceRow[];
}

/** Folds a batch in log order (pure: everything it reads is in `input`). */
export const foldPositionBatch = (input: PositionBatchInput): PositionBatchOutput => {
  const contexts = new Map(input.contexts);
  const newContexts: OrderContext[] = [];
  const positions = new Map(input.positions);
  const touched = new Set<string>();
  const appliedEvents = new Set(input.appliedEvents);
  const appliedTrades = new Set(input.appliedTrades);
  const fills: Record<string, unknown>[] = [];
  const balances = new Map(input.balances);
  const movedBalances = new Set<string>();
  const moveBalance = (ctx: OrderContext, asset: string, change: number, at: string) => {
    const key = balanceKey(ctx.account, ctx.exchange, asset);
    const b = balances.get(key);
    balances.set(key, { account: ctx.account, exchange: ctx.exchange, asset, change: (b?.change ?? 0) + change, updated_at: at });
    movedBalances.add(key);
  };

  for (const e of input.events) {
    if (!isFill(e)) {
      const d = (e.event as OrderEventOf<'OrderPlaced'>).data;
      if (contexts.has(d.clientOrderId)) continue; // placed in an earlier batch that reached us again
      const ctx = placementOf(d);
      contexts.set(d.clientOrderId, ctx);
      newContexts.push(ctx);
      continue;
    }
    const f = e.event.data;
    const trade = tradeKey(f.clientOrderId, f.tradeId);
    if (appliedEvents.has(e.recorded.eventId) || appliedTrades.has(trade)) continue;
    appliedEvents.add(e.recorded.eventId);
    appliedTrades.add(trade);
    const ctx = contexts.get(f.clientOrderId);
    if (ctx === undefined)
      throw new Error(`positions projection: ${e.event.type} at ${e.recorded.streamName}@${e.recorded.revision} for an order with no OrderPlaced before it`);

    const at = iso(f.time);
    const key = positionKey(ctx);
    const before: PositionRow = positions.get(key) ?? {
      account: ctx.account,
      strategy_id: ctx.strategy_id,
      exchange: ctx.exchange,
      symbol: ctx.symbol,
      quantity: 0,
      average_price: 0,
      realised_pnl: 0,
      fees: 0,
      other_fees: {},
      fills: 0,
      opened_at: null,
      updated_at: at,
    };
    const { fill, fee } = fillWithFee(ctx.symbol, { side: ctx.side, quantity: f.quantity, price: f.price, fee: f.fee, feeCurrency: f.feeCurrency });
    const outcome = applyFill({ quantity: before.quantity, averagePrice: before.average_price }, fill);
    const after = outcome.position;
    // Opened now when it was flat or the fill flipped it through zero.
    const reopened = after.quantity !== 0 && (before.quantity === 0 || Math.sign(after.quantity) !== Math.sign(before.quantity));
    const row: PositionRow = {
      ...before,
      quantity: after.quantity,
      average_price: after.averagePrice,
      realised_pnl: before.realised_pnl + outcome.realisedPnl,
      fees: before.fees + fill.fee,
      other_fees: fee.kind === 'other' ? { ...before.other_fees, [fee.currency]: (before.other_fees[fee.currency] ?? 0) + fee.amount } : before.other_fees,
      fills: before.fills + 1,
      opened_at: after.quantity === 0 ? null : reopened ? at : before.opened_at,
      updated_at: at,
    };
    positions.set(key, row);
    touched.add(key);

    fills.push({
      event_id: e.recorded.eventId,
      client_order_id: f.clientOrderId,
      trade_id: f.tradeId,
      account: ctx.account,
      strategy_id: ctx.strategy_id,
      exchange: ctx.exchange,
      symbol: ctx.symbol,
      side: ctx.side,
      price: f.price,
      quantity: f.quantity,
      fee: f.fee,
      fee_currency: f.feeCurrency,
      fee_quote: fee.kind === 'other' ? null : fill.fee,
      liquidity: f.liquidity,
      realised_pnl: outcome.realisedPnl,
      position_after: after.quantity,
      filled_at: at,
      day: at.slice(0, 10),
    });

    const pair = splitPair(ctx.symbol);
    const sign = ctx.side === 'buy' ? 1 : -1;
    moveBalance(ctx, pair.base, sign * f.quantity, at);
    moveBalance(ctx, pair.quote, -sign * f.quantity * f.price, at);
    if (f.fee !== 0) moveBalance(ctx, f.feeCurrency.toUpperCase(), 0 - f.fee, at);
  }
  return { contexts: newContexts, fills, positions: [...touched].map((k) => positions.get(k)!), balances: [...movedBalances].map((k) => balances.get(k)!) };
};

const json = (rows: unknown) => JSON.stringify(rows);

const readInputs = async (tx: DatabaseTransactionConnection, events: readonly DecodedEvent<PositionEvent>[]) => {
  const fillEvents = events.filter(isFill);
  const orderIds = [...new Set(fillEvents.map((e) => e.event.data.clientOrderId))];
  // Orders placed in this batch need no lookup: the OrderPlaced says where their fills go, and a batch is a stretch
  // of the log, so any fill of theirs already in the ledger came from this very stretch and is found by its event id.
  const placedHere = new Map<string, OrderContext>();
  for (const e of events) if (!isFill(e)) placedHere.set(e.event.data.clientOrderId, placementOf((e.event as OrderEventOf<'OrderPlaced'>).data));
  const placedBefore = orderIds.filter((id) => !placedHere.has(id));
  const contexts = new Map<string, OrderContext>();
  if (placedBefore.length > 0)
    for (const c of await tx.any(sql.type(Context)`
      SELECT client_order_id, account, strategy_id, exchange, symbol, side FROM position_orders WHERE client_order_id = ANY(${sql.array(placedBefore, 'text')})`))
      contexts.set(c.client_order_id, c);
  const appliedEvents = new Set<string>();
  const appliedTrades = new Set<string>();
  if (fillEvents.length > 0)
    for (const a of await tx.any(sql.type(AppliedFill)`
      SELECT event_id::text AS event_id, client_order_id, trade_id FROM trading_fills
       WHERE event_id = ANY(${sql.array(
         fillEvents.map((e) => e.recorded.eventId),
         'uuid',
       )}) OR client_order_id = ANY(${sql.array(placedBefore, 'text')})`)) {
      appliedEvents.add(a.event_id);
      appliedTrades.add(tradeKey(a.client_order_id, a.trade_id));
    }
  // The positions the fills touch: of orders placed before this batch, or in it.
  const keys = new Map<string, OrderContext>();
  for (const id of orderIds) {
    const c = contexts.get(id) ?? placedHere.get(id);
    if (c !== undefined) keys.set(positionKey(c), c);
  }
  const positions = new Map<string, PositionRow>();
  if (keys.size > 0)
    for (const p of await tx.any(sql.type(StoredPosition)`
      SELECT p.account, p.strategy_id, p.exchange, p.symbol, p.quantity, p.average_price, p.realised_pnl, p.fees, p.other_fees, p.fills,
             to_json(p.opened_at)#>>'{}' AS opened_at, to_json(p.updated_at)#>>'{}' AS updated_at
        FROM trading_positions p
        JOIN jsonb_to_recordset(${json([...keys.values()])}::jsonb) AS k (account text, strategy_id text, exchange text, symbol text)
          ON (p.account, p.strategy_id, p.exchange, p.symbol) = (k.account, k.strategy_id, k.exchange, k.symbol)`))
      positions.set(positionKey(p), {
        ...p,
        opened_at: p.opened_at === null ? null : new Date(p.opened_at).toISOString(),
        updated_at: new Date(p.updated_at).toISOString(),
      });
  const accounts = [
    ...new Map([...keys.values()].map((c) => [JSON.stringify([c.account, c.exchange]), { account: c.account, exchange: c.exchange }])).values(),
  ];
  const balances = new Map<string, BalanceRow>();
  if (accounts.length > 0)
    for (const b of await tx.any(sql.type(StoredBalance)`
      SELECT b.account, b.exchange, b.asset, b.change, to_json(b.updated_at)#>>'{}' AS updated_at
        FROM trading_balances b
        JOIN jsonb_to_recordset(${json(accounts)}::jsonb) AS k (account text, exchange text) ON (b.account, b.exchange) = (k.account, k.exchange)`))
      balances.set(balanceKey(b.account, b.exchange, b.asset), { ...b, updated_at: new Date(b.updated_at).toISOString() });
  return { contexts, positions, appliedEvents, appliedTrades, balances };
};

const FILL_COLUMNS: Readonly<Record<string, Column<Record<string, unknown>>>> = {
  event_id: ['uuid', (f) => f['event_id']],
  client_order_id: ['text', (f) => f['client_order_id']],
  trade_id: ['text', (f) => f['trade_id']],
  account: ['text', (f) => f['account']],
  strategy_id: ['text', (f) => f['strategy_id']],
  exchange: ['text', (f) => f['exchange']],
  symbol: ['text', (f) => f['symbol']],
  side: ['text', (f) => f['side']],
  price: ['float8', (f) => f['price']],
  quantity: ['float8', (f) => f['quantity']],
  fee: ['float8', (f) => f['fee']],
  fee_currency: ['text', (f) => f['fee_currency']],
  fee_quote: ['float8', (f) => f['fee_quote']],
  liquidity: ['text', (f) => f['liquidity']],
  realised_pnl: ['float8', (f) => f['realised_pnl']],
  position_after: ['float8', (f) => f['position_after']],
  filled_at: ['timestamptz', (f) => f['filled_at']],
  day: ['date', (f) => f['day']],
};

const write = async (tx: DatabaseTransactionConnection, out: PositionBatchOutput) => {
  if (out.contexts.length > 0)
    await tx.query(sql.unsafe`
      INSERT INTO position_orders (client_order_id, account, strategy_id, exchange, symbol, side)
      SELECT client_order_id, account, strategy_id, exchange, symbol, side
        FROM ${unnestRows(out.contexts, {
          client_order_id: ['text', (c) => c.client_order_id],
          account: ['text', (c) => c.account],
          strategy_id: ['text', (c) => c.strategy_id],
          exchange: ['text', (c) => c.exchange],
          symbol: ['text', (c) => c.symbol],
          side: ['text', (c) => c.side],
        })}
      ON CONFLICT (client_order_id) DO NOTHING`);
  if (out.fills.length > 0)
    await tx.query(sql.unsafe`
      INSERT INTO trading_fills (event_id, client_order_id, trade_id, account, strategy_id, exchange, symbol, side, price, quantity, fee,
                                 fee_currency, fee_quote, liquidity, realised_pnl, position_after, filled_at, day)
      SELECT event_id, client_order_id, trade_id, account, strategy_id, exchange, symbol, side, price, quantity, fee,
             fee_currency, fee_quote, liquidity, realised_pnl, position_after, filled_at, day
        FROM ${unnestRows(out.fills, FILL_COLUMNS)}`);
  if (out.positions.length > 0)
    await tx.query(sql.unsafe`
      INSERT INTO trading_positions (account, strategy_id, exchange, symbol, quantity, average_price, realised_pnl, fees, other_fees, fills,
                                     opened_at, updated_at)
      SELECT account, strategy_id, exchange, symbol, quantity, average_price, realised_pnl, fees, other_fees, fills, opened_at, updated_at
        FROM ${unnestRows(out.positions, {
          account: ['text', (p) => p.account],
          strategy_id: ['text', (p) => p.strategy_id],
          exchange: ['text', (p) => p.exchange],
          symbol: ['text', (p) => p.symbol],
          quantity: ['float8', (p) => p.quantity],
          average_price: ['float8', (p) => p.average_price],
          realised_pnl: ['float8', (p) => p.realised_pnl],
          fees: ['float8', (p) => p.fees],
          other_fees: ['jsonb', (p) => p.other_fees],
          fills: ['int4', (p) => p.fills],
          opened_at: ['timestamptz', (p) => p.opened_at],
          updated_at: ['timestamptz', (p) => p.updated_at],
        })}
      ON CONFLICT (account, strategy_id, exchange, symbol) DO UPDATE SET
        quantity = excluded.quantity, average_price = excluded.average_price, realised_pnl = excluded.realised_pnl, fees = excluded.fees,
        other_fees = excluded.other_fees, fills = excluded.fills, opened_at = excluded.opened_at, updated_at = excluded.updated_at`);
  if (out.balances.length > 0)
    await tx.query(sql.unsafe`
      INSERT INTO trading_balances (account, exchange, asset, change, updated_at)
      SELECT account, exchange, asset, change, updated_at
        FROM ${unnestRows(out.balances, {
          account: ['text', (b) => b.account],
          exchange: ['text', (b) => b.exchange],
          asset: ['text', (b) => b.asset],
          change: ['float8', (b) => b.change],
          updated_at: ['timestamptz', (b) => b.updated_at],
        })}
      ON CONFLICT (account, exchange, asset) DO UPDATE SET change = excluded.change, updated_at = excluded.updated_at`);
};

export const positionsProjection: Projection<PositionEvent> = {
  name: 'positions',
  version: 1,
  filter: { categories: [ORDER_CATEGORY], eventTypes: ['OrderPlaced', 'OrderPartiallyFilled', 'OrderFilled'] },
  tables: ['trading_balances', 'trading_positions', 'trading_fills', 'position_orders'],
  async applyBatch(tx, events) {
    if (events.length === 0) return;
    const inputs = await readInputs(tx, events);
    await write(tx, foldPositionBatch({ events, ...inputs }));
  },
};
