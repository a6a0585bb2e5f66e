// How tight and how deep a market is around its mid price, from one order book snapshot.
// Pure: a book in, numbers out. No ordering is assumed: the best prices are searched for, and the depth
// bands sum every level inside them, so a book sent worst-first or unsorted gives the same figures.
import * as t from 'io-ts';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { Finite } from '../primitives/codecs.js';

/** One price level: price in quote units, amount in base units. */
export type BookLevel = readonly [price: number, amount: number];

/** An order book as a source hands it over. Times are UTC epoch milliseconds. */
export interface OrderBook {
  readonly timestamp: number;
  /** Buy orders, best (highest) first as exchanges send them. */
  readonly bids: readonly BookLevel[];
  /** Sell orders, best (lowest) first. */
  readonly asks: readonly BookLevel[];
}

/** A level as it crosses a boundary (an exchange reply, a jsonb column): two finite numbers. */
export const BookLevelCodec = t.tuple([Finite, Finite], 'BookLevel');
export const BookLevelsCodec = t.array(BookLevelCodec, 'BookLevels');

/** Liquidity on one side of the book inside a band around mid. */
export interface SideDepth {
  /** Sum of amounts, in base units (BTC for BTCUSDT). */
  readonly base: number;
  /** Sum of price × amount, in quote units (USDT). */
  readonly quote: number;
}

export interface BandDepth {
  readonly bid: SideDepth;
  readonly ask: SideDepth;
}

export interface LiquidityMetrics {
  readonly bestBid: number;
  readonly bestAsk: number;
  readonly mid: number;
  /** bestAsk − bestBid, in quote units. */
  readonly spread: number;
  /** spread / mid (0.001 = 10 bp). */
  readonly relativeSpread: number;
  /** Bids priced ≥ mid·(1 − 0.5 %), asks priced ≤ mid·(1 + 0.5 %). */
  readonly depth05: BandDepth;
  /** The same within ±1 %. */
  readonly depth1: BandDepth;
  /**
   * (bid − ask) / (bid + ask) of the base amounts within ±1 %: +1 all bids, −1 all asks.
   * Base, not quote, so the figure compares quantities offered, not their (slightly different) prices.
   * Undefined when neither side has anything inside the band.
   */
  readonly imbalance1: number | undefined;
}

export type LiquidityProblem =
  | { readonly kind: 'EmptySide'; readonly side: 'bids' | 'asks' | 'both' }
  | { readonly kind: 'CrossedBook'; readonly bestBid: number; readonly bestAsk: number };

// A level exactly on a band edge belongs to the band; mid·(1 ± f) is rarely exact in binary floating point.
const EDGE_TOLERANCE = 1e-12;

const liveLevels = (levels: readonly BookLevel[]): readonly BookLevel[] => levels.filter(([, amount]) => amount > 0);

export const bestBid = (book: Pick<OrderBook, 'bids'>): number | undefined => {
  const live = liveLevels(book.bids);
  return live.length === 0 ? undefined : Math.max(...live.map(([p]) => p));
};

export const bestAsk = (book: Pick<OrderBook, 'asks'>): number | undefined => {
  const live = liveLevels(book.asks);
  return live.length === 0 ? undefined : Math.min(...live.map(([p]) => p));
};

export const midPrice = (bid: number, ask: number): number => (bid + ask) / 2;

const sideDepth = (levels: readonly BookLevel[], inside: (price: number) => boolean): SideDepth => {
  let base = 0;
  let quote = 0;
  for (const [price, amount] of levels) {
    if (amount > 0 && inside(price)) {
      base += amount;
      quote += price * amount;
    }
  }
  return { base, quote };
};

/** Depth on each side within ±fraction of mid (fraction 0.01 = 1 %). */
export const depthWithin = (book: Pick<OrderBook, 'bids' | 'asks'>, mid: number, fraction: number): BandDepth => {
  const slack = mid * EDGE_TOLERANCE;
  const low = mid * (1 - fraction) - slack;
  const high = mid * (1 + fraction) + slack;
  return {
    bid: sideDepth(book.bids, (p) => p >= low),
    ask: sideDepth(book.asks, (p) => p <= high),
  };
};

export const imbalance = (band: BandDepth): number | undefined => {
  const total = band.bid.base + band.ask.base;
  return total > 0 ? (band.bid.base - band.ask.base) / total : undefined;
};

/** All metrics of one book, or why there are none (a side is empty, or the book is crossed). */
export const liquidityMetrics = (book: Pick<OrderBook, 'bids' | 'asks'>): Either<LiquidityProblem, LiquidityMetrics> => {
  const bid = bestBid(book);
  const ask = bestAsk(book);
  if (bid === undefined || ask === undefined) {
    return left({ kind: 'EmptySide', side: bid === undefined && ask === undefined ? 'both' : bid === undefined ? 'bids' : 'asks' });
  }
  // A locked book (bid = ask) still has a mid; a crossed one is a stale or broken snapshot.
  if (bid > ask) return left({ kind: 'CrossedBook', bestBid: bid, bestAsk: ask });
  const mid = midPrice(bid, ask);
  const depth1 = depthWithin(book, mid, 0.01);
  return right({
    bestBid: bid,
    bestAsk: ask,
    mid,
    spread: ask - bid,
    relativeSpread: (ask - bid) / mid,
    depth05: depthWithin(book, mid, 0.005),
    depth1,
    imbalance1: imbalance(depth1),
  });
};
