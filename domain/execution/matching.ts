// Matching resting orders against one bar, with the fill model's rules (fill-model.ts): the paper exchange's core,
// pure (the book's orders are plain records it updates in place; no clock, no I/O). Market orders are not here: they
// fill at the next bar's open (the paper exchange does that before it calls matchBar).
//
// Per bar, for the resting orders of one symbol:
// - stop_market / trailing_stop: a sell stop fills at the open when the bar opens at or below it (a gap), else at the
//   stop when the low reaches it; a buy stop mirrors it. Slippage and taker fee.
// - take_profit: a sell fills at its own price when the high reaches it (a buy: the low), never better; maker fee.
// - limit: like take_profit; but on the first bar it meets, a limit already marketable at the open fills at the open
//   as a taker (with slippage), as a marketable limit does at placement.
// - stop_limit: the stop triggers as a stop_market's would; it then rests as a limit at its price and fills (maker,
//   at that price, never better) in the trigger bar when the trigger price was at or beyond it, else on a later bar.
// - One OCO group fills at most one order per bar: a stop beats a limit (the order of prices inside a bar is
//   unknown: assume the worse); among triggered stops the nearer one (a sell: the highest; a buy: the lowest), a tie
//   to the stop_market over the trailing_stop. The paper exchange cancels the rest of the group.
// - After the bar has closed, trailing stops ratchet with its high (sell) or low (buy): closed bars only.
import { buyStopReference, buyTargetReached, marketFillPrice, sellStopReference, sellTargetReached, trailLevel } from './fill-model.js';
import type { Trailing } from './order.js';

export type RestingType = 'limit' | 'stop_market' | 'stop_limit' | 'take_profit' | 'trailing_stop';

/** A resting order as the matcher sees it. `stop` moves (trailing) and `triggered` / `fresh` change as bars pass. */
export interface RestingOrder {
  readonly buy: boolean;
  readonly type: RestingType;
  /** Trigger level (stop_market, stop_limit, trailing_stop), NaN otherwise. */
  stop: number;
  /** Limit price (limit, take_profit, stop_limit), NaN otherwise. */
  readonly limit: number;
  readonly trailing: Trailing | undefined;
  /** A stop_limit whose stop has triggered: it now rests as a limit. */
  triggered: boolean;
  /** Not yet matched against any bar (a marketable limit fills at its first open). */
  fresh: boolean;
  readonly ocoGroup: string | undefined;
}

/** How one order fills in a bar: the price (slippage included) and whether it took liquidity. */
export interface BarFill {
  readonly price: number;
  readonly taker: boolean;
  /** 0 for a stop-type fill, 1 for a limit-type fill (an OCO group prefers 0). */
  readonly rank: 0 | 1;
}

const isStop = (o: RestingOrder): boolean => o.type === 'stop_market' || o.type === 'trailing_stop';

/** The reference price a stop-type trigger fills at in this bar (the open on a gap), NaN when not reached. */
const stopReference = (o: RestingOrder, open: number, high: number, low: number): number =>
  o.buy ? buyStopReference(o.stop, open, high) : sellStopReference(o.stop, open, low);

const limitReached = (o: RestingOrder, high: number, low: number): boolean => (o.buy ? buyTargetReached(o.limit, low) : sellTargetReached(o.limit, high));

/**
 * Where `o` fills in the bar, or undefined. Updates the order's state (a stop_limit's trigger, a limit's `fresh`)
 * whether it fills or not: call it once per order per bar.
 */
export const fillInBar = (o: RestingOrder, open: number, high: number, low: number, slippage: number): BarFill | undefined => {
  if (isStop(o)) {
    const ref = stopReference(o, open, high, low);
    return ref === ref ? { price: marketFillPrice(o.buy, ref, slippage), taker: true, rank: 0 } : undefined;
  }
  if (o.type === 'take_profit') return limitReached(o, high, low) ? { price: o.limit, taker: false, rank: 1 } : undefined;
  if (o.type === 'limit') {
    const fresh = o.fresh;
    o.fresh = false;
    if (fresh && (o.buy ? open <= o.limit : open >= o.limit)) return { price: marketFillPrice(o.buy, open, slippage), taker: true, rank: 1 };
    return limitReached(o, high, low) ? { price: o.limit, taker: false, rank: 1 } : undefined;
  }
  // stop_limit
  if (!o.triggered) {
    const ref = stopReference(o, open, high, low);
    if (ref !== ref) return undefined;
    o.triggered = true;
    const marketable = o.buy ? ref <= o.limit : ref >= o.limit;
    return marketable ? { price: o.limit, taker: false, rank: 0 } : undefined;
  }
  return limitReached(o, high, low) ? { price: o.limit, taker: false, rank: 1 } : undefined;
};

/**
 * Whether `a` fills strictly before `b` when both orders of one OCO group fill in a bar: a stop-type fill before a
 * limit-type one; between stops the nearer (sell: the higher stop; buy: the lower), at equal stops the stop_market
 * before the trailing_stop. Otherwise not (the earlier placed order keeps its place).
 */
export const firstInBar = (a: RestingOrder, fa: BarFill, b: RestingOrder, fb: BarFill): boolean => {
  if (fa.rank !== fb.rank) return fa.rank < fb.rank;
  if (fa.rank === 1) return false;
  if (a.stop !== b.stop) return a.buy ? a.stop < b.stop : a.stop > b.stop;
  return a.type !== 'trailing_stop' && b.type === 'trailing_stop';
};

/** A trailing stop's level from a price: a sell stop below it, a buy stop above it (percent or amount). */
export const trailingLevel = (buy: boolean, price: number, trailing: Trailing): number =>
  trailing.kind === 'percent' ? trailLevel(buy ? -1 : 1, price, trailing.value) : buy ? price + trailing.value : price - trailing.value;

/**
 * After a bar has closed with the order still resting: a trailing stop follows the bar's high (sell) or low (buy),
 * never back. (Keeping the level rather than the best price gives the same levels: rounding is monotonic.)
 */
export const ratchetAfterBar = (o: RestingOrder, high: number, low: number): void => {
  if (o.type !== 'trailing_stop' || o.trailing === undefined) return;
  if (o.buy) {
    const level = trailingLevel(true, low, o.trailing);
    if (level < o.stop || o.stop !== o.stop) o.stop = level;
  } else {
    const level = trailingLevel(false, high, o.trailing);
    if (level > o.stop || o.stop !== o.stop) o.stop = level;
  }
};
