// Order types a venue lacks, carried out by the executor: it holds the order, watches the prices, and when the trigger
// is reached submits a market (stops, trailing stops) or a limit order (stop-limit, take-profit, limit) under the same
// client order id. The trigger rules are the fill model's (fill-model.ts): a resting order is checked against each
// bar's high and low, and a trailing stop trails the best high (a sell) or low (a buy) of the bars CLOSED since it
// was placed — a bar's own extreme moves the stop only after that bar.
import type { Execution, SubmittedType } from './events.js';
import type { OrderSpec, OrderType } from './order.js';

/** What a venue does not hold natively is submitted as this when it triggers. */
const SUBMITS_AS: Readonly<Record<OrderType, SubmittedType>> = {
  market: 'market',
  limit: 'limit',
  stop_market: 'market',
  stop_limit: 'limit',
  take_profit: 'limit',
  trailing_stop: 'market',
};

/** Native when the venue has the type; otherwise emulated, saying how and why. */
export const executionFor = (type: OrderType, nativeTypes: ReadonlySet<OrderType>, exchange: string): Execution =>
  nativeTypes.has(type)
    ? { mode: 'native' }
    : {
        mode: 'emulated',
        submitsAs: SUBMITS_AS[type],
        why: `${exchange} has no native ${type} order: the executor holds it and submits a ${SUBMITS_AS[type]} order when it triggers`,
      };

/** A price observation: a bar's range, or a single trade price (high = low). */
export interface PriceRange {
  readonly high: number;
  readonly low: number;
}

/** The price at which the order triggers now; `best` is a trailing stop's best price so far. */
export const triggerLevel = (spec: OrderSpec, best: number): number => {
  switch (spec.type) {
    case 'stop_market':
    case 'stop_limit':
      return spec.stopPrice ?? NaN;
    case 'limit':
    case 'take_profit':
      return spec.price ?? NaN;
    case 'trailing_stop': {
      const trail = spec.trailing;
      if (trail === undefined) return NaN;
      const sell = spec.side === 'sell';
      if (trail.kind === 'percent') return sell ? best * (1 - trail.value) : best * (1 + trail.value);
      return sell ? best - trail.value : best + trail.value;
    }
    case 'market':
      return NaN;
    default: {
      const unknown: never = spec.type;
      throw new Error(`triggerLevel: unhandled type ${String(unknown)}`);
    }
  }
};

/**
 * Whether the range reaches the trigger. Stops (and trailing stops) trigger on the adverse move — a sell when the low
 * falls to the level, a buy when the high rises to it; limits and take-profits when the price comes to them — a sell
 * when the high rises to the level, a buy when the low falls to it. A market order triggers at once.
 */
export const reaches = (spec: OrderSpec, level: number, range: PriceRange): boolean => {
  if (spec.type === 'market') return true;
  if (!Number.isFinite(level)) return false;
  const stopLike = spec.type === 'stop_market' || spec.type === 'stop_limit' || spec.type === 'trailing_stop';
  const sell = spec.side === 'sell';
  return stopLike === sell ? range.low <= level : range.high >= level;
};

/** A trailing stop's best price after a closed bar: the highest high for a sell, the lowest low for a buy. */
export const ratchet = (spec: OrderSpec, best: number, range: PriceRange): number =>
  spec.side === 'sell' ? Math.max(best, range.high) : Math.min(best, range.low);

/** The order the executor submits when an emulated order triggers: the same id, size and side, as `submitsAs`. */
export const submittedSpec = (spec: OrderSpec, submitsAs: SubmittedType): OrderSpec => {
  const { price, stopPrice: _stop, trailing: _trailing, timeInForce, type: _type, ...rest } = spec;
  return submitsAs === 'limit'
    ? { ...rest, type: 'limit', ...(price !== undefined ? { price } : {}), ...(timeInForce !== undefined ? { timeInForce } : {}) }
    : { ...rest, type: 'market' };
};
