// Live accounts a crash left open. When a strategy leaves Live the desk cancels its account's orders and closes its
// position; a process killed between the StrategyDeactivated (or StrategyRetired) and that flatten leaves them on the
// exchange, and a fresh desk trades only Live strategies. So at its first tick a desk reads, from the order record
// alone, every live account's orders (the OrderPlaced events of the log, one pass in pages) and keeps those of an
// account that is not Live now and still has an order not ended or a position open: the desk flattens them.
//
// A position is read from the runner's client order ids ('position' ids, live-desk.ts): `<prefix>-<entry bar>` is
// the position's group, `-e` its entry, `-s|t|r` its protective exits, `-x|d|k<n>` its exits. A group is open when its
// entry has filled and no exit of the group has filled completely (every exit the runner sends is for the whole
// position); what is held is the entry's fills as the runner books them (booked: a buy's fee in the coin bought
// shrinks it) less the exits' fills, on the lot size. A flatten's sell fills completely: the group is closed, and the
// next desk finds nothing to do — it is done once.
import { either } from 'fp-ts';
import { decodeAll, decodeEvent } from '../events/decode-event.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { FillNotice } from '../trading/order-router.js';
import { booked } from './live-fills.js';
import { ORDER_CATEGORY, orderStream, type FillData, type OrderEvent } from '../../domain/execution/events.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import { orderDecider } from '../../domain/execution/order-decider.js';
import { isLive, type OrderState } from '../../domain/execution/order-state.js';
import type { OrderSide } from '../../domain/execution/order.js';
import { floorToStep } from '../../domain/execution/steps.js';

/** A live account by its orders: the strategy and exchange they name, and their client order ids in log order. */
export interface LiveAccountOrders {
  readonly account: string;
  readonly strategyId: string | undefined;
  readonly exchange: string;
  readonly orders: readonly string[];
}

/** One order folded from its stream, with its fills. */
export interface FoldedOrder {
  readonly clientOrderId: string;
  readonly state: Exclude<OrderState, { readonly status: 'Initial' }>;
  readonly fills: readonly FillData[];
}

/** A position a group of orders holds: what sells (or buys) it back. */
export interface OpenGroup {
  readonly group: string;
  readonly symbol: string;
  /** The side that closes it (the entry's other side). */
  readonly side: OrderSide;
  /** Booked quantity held, on the lot size; NaN without the market's rules (open by the structure alone). */
  readonly quantity: number;
  /** Exits (x, d, k) the group has on record: the flatten's id takes the next number. */
  readonly exits: number;
  /** The last fill price of the group (a price to judge the flatten at when no candle is stored). */
  readonly lastPrice: number;
}

export interface LeftOpen {
  /** Orders not ended (held, placed, accepted, partly filled). */
  readonly openOrders: readonly string[];
  readonly groups: readonly OpenGroup[];
}

const LIVE_ACCOUNT = /^live-/;
const POSITION_ID = /^(.+)-([exdkstr])(\d*)$/;

/** Every live account's orders, from the OrderPlaced events of the log (and refusals before placement, which hold the request). */
export const liveAccountOrders = async (store: EventStore, pageSize = 1000): Promise<Map<string, LiveAccountOrders>> => {
  const out = new Map<string, { account: string; strategyId: string | undefined; exchange: string; orders: string[] }>();
  let from: Position | undefined;
  for (;;) {
    const page = await store.readAll({
      ...(from === undefined ? {} : { from }),
      maxCount: pageSize,
      filter: { categories: [ORDER_CATEGORY], eventTypes: ['OrderPlaced', 'OrderRejected'] },
    });
    for (const recorded of page) {
      const decoded = decodeEvent<OrderEvent>(recorded);
      if (either.isLeft(decoded)) throw new Error(`live desk: ${recorded.streamName} does not decode: ${decoded.left.message}`);
      const e = decoded.right.event;
      const request = e.type === 'OrderPlaced' ? e.data : e.type === 'OrderRejected' ? e.data.order : undefined;
      if (request === undefined || !LIVE_ACCOUNT.test(request.account)) continue;
      let a = out.get(request.account);
      if (a === undefined) out.set(request.account, (a = { account: request.account, strategyId: request.strategyId, exchange: request.exchange, orders: [] }));
      if (!a.orders.includes(e.data.clientOrderId)) a.orders.push(e.data.clientOrderId);
    }
    if (page.length > 0) from = page[page.length - 1]!.position;
    if (page.length < pageSize) break;
  }
  return out;
};

/** The orders folded from their streams (an order refused before placement has no state to fold: left out). */
export const foldOrders = async (store: EventStore, ids: readonly string[]): Promise<FoldedOrder[]> => {
  const out: FoldedOrder[] = [];
  for (const id of ids) {
    const decoded = decodeAll<OrderEvent>(await store.readStream(orderStream(id)));
    if (either.isLeft(decoded)) throw new Error(`live desk: order ${id} does not decode: ${decoded.left.message}`);
    let state: OrderState = orderDecider.initialState();
    const fills: FillData[] = [];
    for (const { event: e } of decoded.right) {
      state = orderDecider.evolve(state, e);
      if (e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled') fills.push(e.data);
    }
    if (state.status !== 'Initial') out.push({ clientOrderId: id, state, fills });
  }
  return out;
};

/**
 * What an account leaves open (pure): its orders not ended, and the groups whose entry filled and no exit filled
 * completely. With the market's rules (`rulesOf`) a group's quantity is computed, and a group holding less than a lot
 * (the dust a buy's fee leaves) is not open.
 */
export const leftOpen = (orders: readonly FoldedOrder[], rulesOf?: (symbol: string) => MarketRules | undefined): LeftOpen => {
  const openOrders = orders.filter((o) => isLive(o.state)).map((o) => o.clientOrderId);
  const groups = new Map<string, { entry?: FoldedOrder; others: FoldedOrder[] }>();
  for (const o of orders) {
    const m = POSITION_ID.exec(o.clientOrderId);
    if (m === null) continue;
    let g = groups.get(m[1]!);
    if (g === undefined) groups.set(m[1]!, (g = { others: [] }));
    if (m[2] === 'e') g.entry = o;
    else g.others.push(o);
  }
  const open: OpenGroup[] = [];
  for (const [group, g] of groups) {
    const entry = g.entry;
    if (entry === undefined || entry.fills.length === 0) continue;
    if (g.others.some((o) => o.state.status === 'Filled')) continue;
    const spec = entry.state.order.request.spec;
    const rules = rulesOf?.(spec.symbol);
    let quantity = Number.NaN;
    if (rules !== undefined) {
      let held = 0;
      const { account } = entry.state.order.request;
      for (const f of entry.fills) {
        const notice: FillNotice = { ...f, account, clientOrderId: spec.clientOrderId, symbol: spec.symbol, side: spec.side, complete: false };
        held += booked(rules, f.feeCurrency, notice).quantity;
      }
      for (const o of g.others) for (const f of o.fills) held -= f.quantity;
      // Differences of decimals in floating point (0.03 − 0.01 = 0.019999…): a millionth of a lot is a rounding error.
      quantity = floorToStep(held + rules.amountStep * 1e-6, rules.amountStep);
      if (!(quantity >= rules.amountStep)) continue;
    }
    const all = [entry, ...g.others].flatMap((o) => o.fills).sort((a, b) => a.time - b.time);
    open.push({
      group,
      symbol: spec.symbol,
      side: spec.side === 'buy' ? 'sell' : 'buy',
      quantity,
      exits: g.others.filter((o) => /^[xdk]/.test(POSITION_ID.exec(o.clientOrderId)![2]!)).length,
      lastPrice: all[all.length - 1]!.price,
    });
  }
  return { openOrders, groups: open };
};
