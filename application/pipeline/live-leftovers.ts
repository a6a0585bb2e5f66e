// Live accounts a crash left open. When a strategy leaves Live the desk cancels its account's orders and closes its
// position; a process killed between the StrategyDeactivated (or StrategyRetired) and that flatten leaves them on the
// exchange, and a fresh desk trades only Live strategies. So at every tick the desk reads the log's live orders on
// from where it stopped (the OrderPlaced events, in pages: the whole log at its first tick), and an account that is
// not Live and still has an order not ended or a position open is flattened by the desk.
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

/** What a scan of the log found: the live accounts by their orders, and where it stopped (the next scan goes on from there). */
export interface LiveOrdersScan {
  readonly accounts: ReadonlyMap<string, LiveAccountOrders>;
  /** Accounts with an order seen in this scan (every account the first time). */
  readonly touched: ReadonlySet<string>;
  readonly position: Position | undefined;
}

/**
 * The live accounts' orders, from the OrderPlaced events of the log after `from` (and refusals before placement,
 * which hold the request), added to `known`. The log's reading shows an event once no older transaction is still
 * open: what was appended a moment ago may come at a later scan, which is why the desk scans at every tick.
 */
export const scanLiveOrders = async (
  store: EventStore,
  known: ReadonlyMap<string, LiveAccountOrders>,
  from: Position | undefined,
  pageSize = 1000,
): Promise<LiveOrdersScan> => {
  const out = new Map<string, { account: string; strategyId: string | undefined; exchange: string; orders: string[] }>();
  for (const [name, a] of known) out.set(name, { ...a, orders: [...a.orders] });
  const touched = new Set<string>();
  let position = from;
  for (;;) {
    const page = await store.readAll({
      ...(position === undefined ? {} : { from: position }),
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
      touched.add(request.account);
    }
    if (page.length > 0) position = page[page.length - 1]!.position;
    if (page.length < pageSize) break;
  }
  return { accounts: out, touched, position };
};

/**
 * An account's orders folded from their streams: those the scan saw, and every order of their groups by the runner's
 * ids (`-e`, `-s|t|r`, `-x|d|k<n>` while numbers are taken), read from the streams themselves — an exit the scan has
 * not shown yet still closes its group, so a position sold a moment ago is not sold again.
 */
export const foldAccountOrders = async (store: EventStore, seen: readonly string[]): Promise<FoldedOrder[]> => {
  const folded = await foldOrders(store, seen);
  // Orders only close a group: the groups to read in full are those its seen orders leave open, and the newest one
  // (where a crash may have left an order the scan has not shown). Older closed groups cost nothing more.
  const groups = new Set(leftOpen(folded).groups.map((g) => g.group));
  let newest: { group: string; at: number } | undefined;
  for (const id of seen) {
    const m = POSITION_ID.exec(id);
    const at = m === null ? NaN : parseInt(m[1]!.slice(m[1]!.lastIndexOf('-') + 1), 36);
    if (m !== null && at === at && (newest === undefined || at > newest.at)) newest = { group: m[1]!, at };
  }
  if (newest !== undefined) groups.add(newest.group);
  if (groups.size === 0) return folded;
  const ids = new Set(seen);
  const exists = async (id: string) => (await store.readStream(orderStream(id), { maxCount: 1 })).length > 0;
  for (const g of groups) {
    for (const letter of ['e', 's', 't', 'r']) if (await exists(`${g}-${letter}`)) ids.add(`${g}-${letter}`);
    // Exit numbers are shared by x, d and k; two numbers in a row with no order end the search.
    for (let n = 1, missing = 0; missing < 2; n++) {
      let found = false;
      for (const letter of ['x', 'd', 'k'])
        if (await exists(`${g}-${letter}${n}`)) {
          ids.add(`${g}-${letter}${n}`);
          found = true;
        }
      missing = found ? 0 : missing + 1;
    }
  }
  const more = await foldOrders(
    store,
    [...ids].filter((id) => !seen.includes(id)),
  );
  return [...folded, ...more];
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
