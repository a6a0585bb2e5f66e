// The paper exchange: a venue in memory that matches orders on candles with the one fill model
// (domain/execution/fill-model.ts, matching.ts), for paper sessions and for replaying history. It holds many accounts
// (one per strategy or paper session) and trades the markets it is given.
//
// Driven bar by bar, per symbol (application/trading/runner-replay.ts does it): openBar → matchBar → closeBar.
// - openBar: market orders placed since the last bar fill at this open (slippage, taker fee). Until matchBar, a
//   market order placed in reaction to a fill (a reversal's entry after its exit) also fills at this open, and a
//   resting order placed now (the protective exits of a fresh entry) is matched against this very bar.
// - matchBar: the resting orders against the bar's open, high and low (matching.ts), OCO groups resolved, the rest of
//   a filled order's group cancelled. Orders placed from now on wait for the next bar.
// - closeBar: trailing stops ratchet with the closed bar. settleAtClose: the end of a session, market orders still
//   waiting fill at the last close (the backtest's end_of_data).
//
// Accounts are margin accounts without leverage, in one quote currency: opening a position, long or short, locks its
// notional at entry from the quote balance and pays the fee from it; closing books the P&L and releases the notional.
// No borrow cost, funding or interest on shorts. An order that would need more than the free quote balance is refused
// (INSUFFICIENT_FUNDS; a relative 1e-9 is allowed for the rounding of an entry sized to the whole equity). A short that
// loses more than the account holds (the price more than doubling) is the one way cash goes below zero, as in the
// backtest; a real margin venue would have liquidated it.
//
// Balances are reported as a spot venue reports them (the Exchange port's contract): a long position is base held and
// its notional at entry is out of the quote total; a short's notional is quote in use. A resting order that is not
// reduce-only holds what it may spend while it rests (a buy: quote at its price; a sell: the base it sells, and quote
// for any part that would open a short) — in Balance.used, not spendable by another order — and gives it back when it
// fills or ends. Reduce-only orders hold nothing: they close what the position already locks. Market orders wait for
// the next open and hold nothing; their funds are checked again at the fill. shortSelling: false makes the account a
// spot account: a sell beyond the free base held is INSUFFICIENT_FUNDS, at placement and at the fill.
//
// precision 'exchange' (default) enforces the markets' lot size and tick (quoteQuantity orders round down to the lot),
// 'fractional' trades the unrounded quantities and prices a backtest computes. The minimum notional holds in both.
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type {
  Balance,
  Exchange,
  ExchangeFailure,
  ExchangeFailureCode,
  ExchangeFill,
  ExchangeOrder,
  ExchangeOrderStatus,
} from '../../../application/ports/exchange.js';
import { fillFee, marketFillPrice, quantityForNotional, type FillConfig } from '../../../domain/execution/fill-model.js';
import { floorToStep } from '../../../domain/execution/steps.js';
import type { MarketRules } from '../../../domain/execution/market-rules.js';
import {
  fillInBar,
  firstInBar,
  ratchetAfterBar,
  trailingLevel,
  type BarFill,
  type RestingOrder,
  type RestingType,
} from '../../../domain/execution/matching.js';
import { ORDER_TYPES, type ClientOrderId, type OrderSpec, type OrderType } from '../../../domain/execution/order.js';
import type { ExchangeId } from '../../../domain/market/exchange.js';

export interface PaperExchangeOptions {
  readonly id?: ExchangeId;
  readonly markets: readonly MarketRules[];
  readonly fill: FillConfig;
  /** Quote balance an account starts with, the first time it is named. */
  readonly initialCapital: number;
  readonly precision?: 'exchange' | 'fractional';
  /** Default true (a margin account, the backtest's); false: a spot account that sells only the base it holds. */
  readonly shortSelling?: boolean;
}

/** What the paper exchange tells about orders as bars pass: fills, and orders it ended itself or on request. */
export interface PaperListener {
  onFill(account: string, order: ExchangeOrder, fill: ExchangeFill): void;
  onOrderEnded(account: string, order: ExchangeOrder, reason: string): void;
}

export interface PaperPosition {
  readonly symbol: string;
  /** Signed: positive long, negative short. */
  readonly quantity: number;
  readonly entryPrice: number;
}

interface Position {
  qty: number;
  entryPrice: number;
}

interface PaperAccount {
  cash: number;
  readonly positions: Map<string, Position>;
  readonly orders: Map<string, PaperOrder>;
  /** The resting orders that hold funds (not reduce-only), until they fill or end. */
  readonly holding: Set<PaperOrder>;
}

interface PaperOrder {
  readonly account: string;
  readonly spec: OrderSpec;
  readonly exchangeOrderId: string;
  readonly buy: boolean;
  /** The matcher's view, for resting types. */
  readonly resting: RestingOrder | undefined;
  status: ExchangeOrderStatus;
  quantity: number;
  filledQuantity: number;
  averagePrice: number;
  readonly createdAt: number;
  updatedAt: number;
  readonly fills: ExchangeFill[];
  /** What the order holds while it rests: quote, and base of its symbol (set at placement, 0 when it holds nothing). */
  holdQuote: number;
  holdBase: number;
}

interface Book {
  readonly rules: MarketRules;
  phase: 'idle' | 'open' | 'matched';
  openTime: number;
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Last price known: the open during a bar's open phase, else the last close (NaN before the first bar). */
  last: number;
  /** Market orders waiting for an open. */
  market: PaperOrder[];
  resting: PaperOrder[];
  draining: boolean;
}

const failure = (code: ExchangeFailureCode, message: string): ExchangeFailure => ({ code, message, retryable: false });
const invalid = (spec: OrderSpec, field: string, why: string): ExchangeFailure => failure('INVALID_ORDER', `${spec.clientOrderId}: ${field} ${why}`);
const FUNDS_TOLERANCE = 1e-9;
const ALL_TYPES: ReadonlySet<OrderType> = new Set(ORDER_TYPES);

/** A multiple of `step` up to rounding (1e-9 of a step). */
const onStep = (x: number, step: number): boolean => Math.abs(x / step - Math.round(x / step)) <= 1e-9;

export class PaperExchange {
  readonly id: ExchangeId;
  private readonly books = new Map<string, Book>();
  private readonly accounts = new Map<string, PaperAccount>();
  private readonly listeners: PaperListener[] = [];
  private readonly quote: string;
  private readonly fractional: boolean;
  private readonly shortSelling: boolean;
  private seq = 0;

  constructor(private readonly options: PaperExchangeOptions) {
    this.id = options.id ?? ('paper' as ExchangeId);
    if (!(Number.isFinite(options.initialCapital) && options.initialCapital >= 0))
      throw new RangeError(`initialCapital must be ≥ 0, got ${options.initialCapital}`);
    const quotes = new Set(options.markets.map((m) => m.quote));
    if (quotes.size > 1) throw new RangeError(`a paper exchange trades in one quote currency, got ${[...quotes].join(', ')}`);
    this.quote = options.markets[0]?.quote ?? 'USDT';
    this.fractional = options.precision === 'fractional';
    this.shortSelling = options.shortSelling ?? true;
    for (const rules of options.markets)
      this.books.set(rules.symbol, {
        rules,
        phase: 'idle',
        openTime: NaN,
        closeTime: NaN,
        open: NaN,
        high: NaN,
        low: NaN,
        close: NaN,
        last: NaN,
        market: [],
        resting: [],
        draining: false,
      });
  }

  subscribe(listener: PaperListener): void {
    this.listeners.push(listener);
  }

  // --- the bar feed

  /** A new bar opens on `symbol`: market orders waiting fill at its open. */
  openBar(symbol: string, openTime: number, closeTime: number, open: number, high: number, low: number, close: number): void {
    const b = this.book(symbol);
    b.openTime = openTime;
    b.closeTime = closeTime;
    b.open = open;
    b.high = high;
    b.low = low;
    b.close = close;
    b.last = open;
    b.phase = 'open';
    if (b.market.length > 0) this.drainMarket(b, open, openTime);
  }

  /** The resting orders of `symbol` against the current bar. */
  matchBar(symbol: string): void {
    const b = this.book(symbol);
    b.phase = 'matched';
    const n = b.resting.length;
    if (n === 0) return;
    const slippage = this.options.fill.slippage;
    let hits: { o: PaperOrder; f: BarFill }[] | undefined;
    for (let i = 0; i < n; i++) {
      const o = b.resting[i]!;
      const f = fillInBar(o.resting!, b.open, b.high, b.low, slippage);
      if (f !== undefined) (hits ??= []).push({ o, f });
    }
    if (hits === undefined) return;
    // One fill per OCO group and account: the first in the bar (matching.ts firstInBar); hits are in placement order.
    const chosen: { o: PaperOrder; f: BarFill }[] = [];
    const best = new Map<string, number>();
    for (const h of hits) {
      const g = h.o.spec.ocoGroup;
      if (g === undefined) {
        chosen.push(h);
        continue;
      }
      const key = `${h.o.account}\u0000${g}`;
      const at = best.get(key);
      if (at === undefined) {
        best.set(key, chosen.length);
        chosen.push(h);
      } else if (firstInBar(h.o.resting!, h.f, chosen[at]!.o.resting!, chosen[at]!.f)) chosen[at] = h;
    }
    for (const { o, f } of chosen) {
      if (o.status !== 'open') continue; // ended by a listener meanwhile
      const time = b.closeTime;
      this.execute(b, o, o.quantity, f.price, f.taker ? this.options.fill.takerFee : this.options.fill.makerFee, f.taker ? 'taker' : 'maker', time);
    }
  }

  /** The bar has closed: trailing stops follow it; market orders now wait for the next open. */
  closeBar(symbol: string): void {
    const b = this.book(symbol);
    b.phase = 'idle';
    b.last = b.close;
    const resting = b.resting;
    for (let i = 0; i < resting.length; i++) ratchetAfterBar(resting[i]!.resting!, b.high, b.low);
  }

  /** The end of a session: market orders still waiting fill at the last bar's close, dated at its close time. */
  settleAtClose(symbol: string): void {
    const b = this.book(symbol);
    if (b.market.length > 0) this.drainMarket(b, b.close, b.closeTime);
  }

  // --- orders

  place(account: string, spec: OrderSpec): Either<ExchangeFailure, ExchangeOrder> {
    const a = this.account(account);
    const existing = a.orders.get(spec.clientOrderId);
    if (existing !== undefined) return E.right(snapshot(existing)); // idempotent on clientOrderId
    const b = this.books.get(spec.symbol);
    if (b === undefined) return E.left(failure('UNKNOWN_SYMBOL', `${this.id} has no market ${spec.symbol}`));
    const invalid = this.check(spec, b, a);
    if (invalid !== undefined) return E.left(invalid);
    const buy = spec.side === 'buy';
    const time = b.phase === 'open' ? b.openTime : Number.isNaN(b.closeTime) ? 0 : b.closeTime;
    const resting = spec.type === 'market' ? undefined : restingOf(spec, buy, b.last);
    const o: PaperOrder = {
      account,
      spec,
      exchangeOrderId: `paper-${++this.seq}`,
      buy,
      resting,
      status: 'open',
      quantity: spec.quantity ?? 0,
      filledQuantity: 0,
      averagePrice: NaN,
      createdAt: time,
      updatedAt: time,
      fills: [],
      holdQuote: 0,
      holdBase: 0,
    };
    a.orders.set(spec.clientOrderId, o);
    if (resting !== undefined && spec.reduceOnly !== true) this.hold(a, o, b);
    if (resting !== undefined) b.resting.push(o);
    else {
      b.market.push(o);
      // In a bar's open phase a market order fills at that open (the reaction to a fill at the open).
      if (b.phase === 'open' && !b.draining) this.drainMarket(b, b.open, b.openTime);
    }
    return E.right(snapshot(o));
  }

  cancel(account: string, symbol: string, clientOrderId: ClientOrderId): Either<ExchangeFailure, ExchangeOrder> {
    const o = this.accounts.get(account)?.orders.get(clientOrderId);
    if (o === undefined || o.spec.symbol !== symbol) return E.left(failure('UNKNOWN_ORDER', `no order ${clientOrderId} on ${symbol} for ${account}`));
    if (o.status === 'open') this.end(o, 'cancelled', 'cancelled on request');
    return E.right(snapshot(o));
  }

  order(account: string, symbol: string, clientOrderId: ClientOrderId): Either<ExchangeFailure, ExchangeOrder> {
    const o = this.accounts.get(account)?.orders.get(clientOrderId);
    return o === undefined || o.spec.symbol !== symbol
      ? E.left(failure('UNKNOWN_ORDER', `no order ${clientOrderId} on ${symbol} for ${account}`))
      : E.right(snapshot(o));
  }

  openOrders(account: string, symbol?: string): readonly ExchangeOrder[] {
    const a = this.accounts.get(account);
    if (a === undefined) return [];
    return [...a.orders.values()].filter((o) => o.status === 'open' && (symbol === undefined || o.spec.symbol === symbol)).map(snapshot);
  }

  /** The account's cash (quote, P&L realised, fees paid): the backtest's cash. */
  cash(account: string): number {
    return this.account(account).cash;
  }

  /** As a spot venue reports them: a long is base held, its notional at entry out of the quote; a short's is quote used. */
  balances(account: string): Readonly<Record<string, Balance>> {
    const a = this.account(account);
    let longs = 0;
    let shorts = 0;
    for (const p of a.positions.values())
      if (p.qty > 0) longs += p.qty * p.entryPrice;
      else if (p.qty < 0) shorts -= p.qty * p.entryPrice;
    const total = a.cash - longs;
    const used = shorts + quoteHeld(a, undefined);
    const out: Record<string, Balance> = { [this.quote]: { total, used, free: Math.max(0, total - used) } };
    for (const [symbol, p] of a.positions)
      if (p.qty > 0) {
        const held = baseHeld(a, symbol, undefined);
        out[this.books.get(symbol)!.rules.base] = { total: p.qty, used: held, free: Math.max(0, p.qty - held) };
      }
    return out;
  }

  positions(account: string): readonly PaperPosition[] {
    return [...this.account(account).positions].filter(([, p]) => p.qty !== 0).map(([symbol, p]) => ({ symbol, quantity: p.qty, entryPrice: p.entryPrice }));
  }

  /** Every account's cash and open positions: the portfolio on this venue. */
  portfolio(): { readonly cash: number; readonly accounts: number; readonly positions: readonly (PaperPosition & { readonly account: string })[] } {
    let cash = 0;
    const positions: (PaperPosition & { account: string })[] = [];
    for (const [name, a] of this.accounts) {
      cash += a.cash;
      for (const p of this.positions(name)) positions.push({ ...p, account: name });
    }
    return { cash, accounts: this.accounts.size, positions };
  }

  /** The Exchange port for one account. */
  exchange(account: string): Exchange {
    const markets = new Map(this.options.markets.map((m) => [m.symbol, m]));
    return {
      id: this.id,
      nativeTypes: ALL_TYPES,
      markets: () => TE.right(markets),
      placeOrder: (spec) => TE.fromEither(this.place(account, spec)),
      cancelOrder: (symbol, id) => TE.fromEither(this.cancel(account, symbol, id)),
      fetchOrder: (symbol, id) => TE.fromEither(this.order(account, symbol, id)),
      fetchOpenOrders: (symbol) => TE.right(this.openOrders(account, symbol)),
      fetchBalances: () => TE.right(this.balances(account)),
    };
  }

  // --- internals

  private book(symbol: string): Book {
    const b = this.books.get(symbol);
    if (b === undefined) throw new Error(`paper exchange: no market ${symbol} (a bar fed for a symbol it was not given)`);
    return b;
  }

  private account(name: string): PaperAccount {
    let a = this.accounts.get(name);
    if (a === undefined) {
      a = { cash: this.options.initialCapital, positions: new Map(), orders: new Map(), holding: new Set() };
      this.accounts.set(name, a);
    }
    return a;
  }

  /** Fills the waiting market orders at `reference` (the open, or the close at the end), including those placed meanwhile. */
  private drainMarket(b: Book, reference: number, time: number): void {
    b.draining = true;
    try {
      while (b.market.length > 0) {
        const o = b.market.shift()!;
        if (o.status !== 'open') continue;
        const price = marketFillPrice(o.buy, reference, this.options.fill.slippage);
        let qty = o.spec.quantity ?? quantityForNotional(o.spec.quoteQuantity!, price);
        if (o.spec.quantity === undefined) {
          // As an exchange floors a quote-amount order to its lot; with fractional precision, to the run's sizing step.
          const step = this.fractional ? this.options.fill.quantityStep : b.rules.amountStep;
          if (step > 0) qty = floorToStep(qty, step);
        }
        if (!(qty > 0)) {
          this.end(o, 'rejected', 'quote quantity below one lot at the fill price');
          continue;
        }
        o.quantity = qty;
        this.execute(b, o, qty, price, this.options.fill.takerFee, 'taker', time);
      }
    } finally {
      b.draining = false;
    }
  }

  /** One complete fill of `o`, if the account can take it; listeners told; the rest of its OCO group cancelled. */
  private execute(b: Book, o: PaperOrder, qty: number, price: number, feeRate: number, liquidity: 'maker' | 'taker', time: number): void {
    const a = this.account(o.account);
    a.holding.delete(o); // it fills now or ends: what it held is its own to spend
    const symbol = b.rules.symbol;
    let p = a.positions.get(symbol);
    if (p === undefined) {
      p = { qty: 0, entryPrice: 0 };
      a.positions.set(symbol, p);
    }
    const delta = o.buy ? qty : -qty;
    if (o.spec.reduceOnly === true && !(p.qty !== 0 && Math.sign(p.qty) !== Math.sign(delta) && qty <= Math.abs(p.qty) * (1 + 1e-12))) {
      this.end(o, 'expired', 'reduce-only order with no position left to reduce');
      return;
    }
    const fee = fillFee(qty, price, feeRate);
    // The part that adds exposure must be covered by the free quote balance.
    const adding = p.qty === 0 || Math.sign(p.qty) === Math.sign(delta) ? qty : Math.max(0, qty - Math.abs(p.qty));
    if (!this.shortSelling && !o.buy && qty > Math.max(0, p.qty) * (1 + 1e-12)) {
      this.end(o, 'rejected', `INSUFFICIENT_FUNDS: a spot account sells only the base it holds: ${qty} to sell, ${Math.max(0, p.qty)} held`);
      return;
    }
    if (adding > 0) {
      const free = a.cash - marginOf(a) - quoteHeld(a, o);
      const required = adding * price + fee;
      if (required - free > FUNDS_TOLERANCE * Math.max(1, Math.abs(free))) {
        this.end(o, 'rejected', `INSUFFICIENT_FUNDS: the fill needs ${required} ${this.quote}, ${Math.max(0, free)} free`);
        return;
      }
    }
    this.book_(a, p, delta, qty, price, fee);
    const fill: ExchangeFill = { tradeId: `${o.exchangeOrderId}-1`, price, quantity: qty, fee, feeCurrency: this.quote, liquidity, time };
    o.fills.push(fill);
    o.filledQuantity = qty;
    o.averagePrice = price;
    o.status = 'filled';
    o.updatedAt = time;
    this.remove(o);
    const snap = snapshot(o);
    for (const l of this.listeners) l.onFill(o.account, snap, fill);
    const group = o.spec.ocoGroup;
    if (group !== undefined) {
      // The group's other open orders are in this symbol's book (an OCO group is one symbol's).
      for (const list of [b.resting, b.market])
        for (let i = list.length - 1; i >= 0; i--) {
          const x = list[i]!;
          if (x.account === o.account && x.spec.ocoGroup === group && x.status === 'open') this.end(x, 'cancelled', `OCO: ${o.spec.clientOrderId} filled`);
        }
    }
  }

  /** The account's books after a fill: the backtest's arithmetic (entry fee out of cash; on close, gross − fee in). */
  private book_(a: PaperAccount, p: Position, delta: number, qty: number, price: number, fee: number): void {
    if (p.qty === 0) {
      a.cash -= fee;
      p.qty = delta;
      p.entryPrice = price;
      return;
    }
    if (Math.sign(p.qty) === Math.sign(delta)) {
      const held = Math.abs(p.qty);
      p.entryPrice = (held * p.entryPrice + qty * price) / (held + qty);
      p.qty += delta;
      a.cash -= fee;
      return;
    }
    const held = Math.abs(p.qty);
    if (qty >= held * (1 - 1e-12) && qty <= held * (1 + 1e-12)) {
      // A whole close: exactly the engine's cash += side × qty × (price − entry) − fee.
      a.cash += p.qty * (price - p.entryPrice) - fee;
      p.qty = 0;
      return;
    }
    if (qty < held) {
      a.cash += Math.sign(p.qty) * qty * (price - p.entryPrice) - fee;
      p.qty += delta;
      return;
    }
    // Through zero: close the position, open the rest the other way at this price.
    a.cash += p.qty * (price - p.entryPrice) - fee;
    p.qty = p.qty + delta;
    p.entryPrice = price;
  }

  /** What a resting order holds from now until it fills or ends: a sell the free base it sells, the rest in quote. */
  private hold(a: PaperAccount, o: PaperOrder, b: Book): void {
    const r = o.resting!;
    const at = r.limit === r.limit ? r.limit : r.stop === r.stop ? r.stop : b.last;
    const p = a.positions.get(o.spec.symbol)?.qty ?? 0;
    const covered = o.buy ? Math.max(0, -p) : Math.max(0, p - baseHeld(a, o.spec.symbol, undefined));
    const fromPosition = Math.min(o.quantity, covered);
    if (!o.buy) o.holdBase = fromPosition;
    o.holdQuote = (o.quantity - fromPosition) * at;
    if (o.holdBase > 0 || o.holdQuote > 0) a.holding.add(o);
  }

  private end(o: PaperOrder, status: 'cancelled' | 'rejected' | 'expired', reason: string): void {
    o.status = status;
    this.accounts.get(o.account)?.holding.delete(o);
    this.remove(o);
    const snap = snapshot(o);
    for (const l of this.listeners) l.onOrderEnded(o.account, snap, reason);
  }

  private remove(o: PaperOrder): void {
    const b = this.books.get(o.spec.symbol)!;
    const list = o.resting === undefined ? b.market : b.resting;
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
  }

  /** Why a placement is refused, or undefined. */
  private check(spec: OrderSpec, b: Book, a: PaperAccount): ExchangeFailure | undefined {
    const { type } = spec;
    if ((spec.quantity === undefined) === (spec.quoteQuantity === undefined)) return invalid(spec, 'quantity', 'or quoteQuantity: exactly one is required');
    if (spec.quoteQuantity !== undefined && type !== 'market') return invalid(spec, 'quoteQuantity', 'is for market orders only');
    if ((type === 'limit' || type === 'take_profit' || type === 'stop_limit') && spec.price === undefined)
      return invalid(spec, 'price', `is required for ${type}`);
    if ((type === 'stop_market' || type === 'stop_limit') && spec.stopPrice === undefined) return invalid(spec, 'stopPrice', `is required for ${type}`);
    if (type === 'trailing_stop' && spec.trailing === undefined) return invalid(spec, 'trailing', 'is required for trailing_stop');
    if (type === 'trailing_stop' && spec.stopPrice === undefined && !(b.last > 0))
      return invalid(spec, 'stopPrice', 'is required before the first bar (no price to trail from)');
    const r = b.rules;
    if (!this.fractional) {
      if (spec.quantity !== undefined && !onStep(spec.quantity, r.amountStep))
        return invalid(spec, 'quantity', `${spec.quantity} is not a multiple of the lot size ${r.amountStep}`);
      for (const k of ['price', 'stopPrice'] as const) {
        const v = spec[k];
        if (v !== undefined && !onStep(v, r.priceTick)) return invalid(spec, k, `${v} is off the tick size ${r.priceTick}`);
      }
      if (spec.quantity !== undefined && r.minAmount !== undefined && spec.quantity < r.minAmount)
        return invalid(spec, 'quantity', `${spec.quantity} is below the minimum ${r.minAmount}`);
      if (spec.quantity !== undefined && r.maxAmount !== undefined && spec.quantity > r.maxAmount)
        return invalid(spec, 'quantity', `${spec.quantity} is above the maximum ${r.maxAmount}`);
    }
    const reference = spec.price ?? spec.stopPrice ?? b.last;
    const notional = spec.quoteQuantity ?? spec.quantity! * reference;
    if (r.minNotional !== undefined && notional < r.minNotional)
      return failure('BELOW_MIN_NOTIONAL', `${spec.clientOrderId}: notional ${notional} is below ${r.symbol}'s minimum ${r.minNotional}`);
    const p = a.positions.get(spec.symbol);
    const held = p?.qty ?? 0;
    const delta = spec.side === 'buy' ? 1 : -1;
    if (spec.reduceOnly === true) {
      if (held === 0 || Math.sign(held) === delta)
        return invalid(spec, 'reduceOnly', `: no ${delta === 1 ? 'short' : 'long'} position on ${spec.symbol} to reduce`);
      return undefined;
    }
    // A sell first spends the base held and not held by resting orders; on a spot account it spends nothing else.
    const qtyAt = spec.quantity ?? notional / reference;
    const baseFree = delta === -1 && held > 0 ? Math.max(0, held - baseHeld(a, spec.symbol, undefined)) : 0;
    if (!this.shortSelling && delta === -1 && qtyAt > baseFree * (1 + 1e-12))
      return {
        code: 'INSUFFICIENT_FUNDS',
        message: `${spec.clientOrderId}: sells ${qtyAt} ${r.base}, ${baseFree} free (a spot account sells only the base it holds)`,
        retryable: false,
      };
    // Funds for the part that adds exposure, judged at the reference price with the taker fee (checked again at the fill).
    if (notional === notional) {
      // A buy covers a short first, a sell spends the free base first; the rest adds exposure.
      const adding =
        delta === 1 ? (held >= 0 ? notional : Math.max(0, qtyAt + held) * reference) : held <= 0 ? notional : Math.max(0, qtyAt - baseFree) * reference;
      const free = a.cash - marginOf(a) - quoteHeld(a, undefined);
      if (adding > 0 && adding * (1 + this.options.fill.takerFee) - free > FUNDS_TOLERANCE * Math.max(1, Math.abs(free)))
        return {
          code: 'INSUFFICIENT_FUNDS',
          message: `${spec.clientOrderId}: needs ${adding * (1 + this.options.fill.takerFee)} ${this.quote}, ${Math.max(0, free)} free`,
          retryable: false,
        };
    }
    return undefined;
  }
}

/** The quote held by `a`'s resting orders, but `except`'s. */
const quoteHeld = (a: PaperAccount, except: PaperOrder | undefined): number => {
  let h = 0;
  for (const o of a.holding) if (o !== except) h += o.holdQuote;
  return h;
};

/** The base of `symbol` held by `a`'s resting sells, but `except`'s. */
const baseHeld = (a: PaperAccount, symbol: string, except: PaperOrder | undefined): number => {
  let h = 0;
  for (const o of a.holding) if (o !== except && o.spec.symbol === symbol) h += o.holdBase;
  return h;
};

const marginOf = (a: PaperAccount): number => {
  let m = 0;
  for (const p of a.positions.values()) if (p.qty !== 0) m += Math.abs(p.qty) * p.entryPrice;
  return m;
};

const restingOf = (spec: OrderSpec, buy: boolean, last: number): RestingOrder => {
  const type = spec.type as RestingType;
  let stop = type === 'stop_market' || type === 'stop_limit' || type === 'trailing_stop' ? (spec.stopPrice ?? NaN) : NaN;
  if (type === 'trailing_stop' && stop !== stop) stop = trailingLevel(buy, last, spec.trailing!);
  return {
    buy,
    type,
    stop,
    limit: type === 'limit' || type === 'take_profit' || type === 'stop_limit' ? spec.price! : NaN,
    trailing: spec.trailing,
    triggered: false,
    fresh: true,
    ocoGroup: spec.ocoGroup,
  };
};

const snapshot = (o: PaperOrder): ExchangeOrder => {
  const out: { -readonly [K in keyof ExchangeOrder]: ExchangeOrder[K] } = {
    clientOrderId: o.spec.clientOrderId,
    exchangeOrderId: o.exchangeOrderId,
    symbol: o.spec.symbol,
    side: o.spec.side,
    type: o.spec.type,
    status: o.status,
    quantity: o.quantity,
    filledQuantity: o.filledQuantity,
    averagePrice: o.averagePrice,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    fills: o.fills.slice(),
  };
  if (o.spec.price !== undefined) out.price = o.spec.price;
  if (o.spec.stopPrice !== undefined) out.stopPrice = o.spec.stopPrice;
  return out;
};
