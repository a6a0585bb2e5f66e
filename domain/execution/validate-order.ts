// The rules an order must keep before anything reaches an exchange: the fields its type needs (and no field it would
// ignore), one way to say its size, exits that only reduce, and the venue's market rules (tick, lot step, minimum and
// maximum quantity, minimum notional). A broken rule names the field, so the refusal recorded on the order says what
// to fix.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { Bracket, OrderRequest } from './events.js';
import type { MarketRules } from './market-rules.js';
import type { OrderSpec, OrderType } from './order.js';

export interface InvalidField {
  readonly field: string;
  readonly message: string;
}

type PriceField = 'price' | 'stopPrice' | 'trailing';
/** Which price fields each type needs; the others it must not carry. */
// (A trailing stop may carry a stopPrice: its stop level at placement, before the trail moves it — what the runner
// places at an entry fill and the paper exchange trails from; without one it trails from the last price.)
const NEEDS: Readonly<Record<OrderType, readonly PriceField[]>> = {
  market: [],
  limit: ['price'],
  stop_market: ['stopPrice'],
  stop_limit: ['stopPrice', 'price'],
  take_profit: ['price'],
  trailing_stop: ['trailing'],
};
const PRICE_FIELDS: readonly PriceField[] = ['price', 'stopPrice', 'trailing'];
/** Types that rest at a limit price, where a time in force means something. */
const LIMIT_LIKE: ReadonlySet<OrderType> = new Set(['limit', 'stop_limit', 'take_profit']);
/** Types that only ever close a position: they must say reduceOnly. */
const EXIT_ONLY: ReadonlySet<OrderType> = new Set(['take_profit', 'trailing_stop']);

// Floating point: 0.3 / 0.1 is 2.9999999999999996. A whole multiple within a relative 1e-9 is a whole multiple.
const RELATIVE_EPSILON = 1e-9;
export const isMultipleOf = (value: number, step: number): boolean => {
  const r = value / step;
  return Math.abs(r - Math.round(r)) <= RELATIVE_EPSILON * Math.max(1, Math.abs(r));
};

const bad = (field: string, message: string): Either<InvalidField, void> => either.left({ field, message });
const ok: Either<InvalidField, void> = either.right(undefined);

/** The fields of the spec its type needs, and only those; one size; exits reduce. Needs no market rules. */
export const checkShape = (spec: OrderSpec, at = 'spec'): Either<InvalidField, void> => {
  const needs = NEEDS[spec.type];
  for (const f of needs) if (spec[f] === undefined) return bad(`${at}.${f}`, `a ${spec.type} order needs ${f}`);
  for (const f of PRICE_FIELDS)
    if (!needs.includes(f) && spec[f] !== undefined && !(f === 'stopPrice' && spec.type === 'trailing_stop'))
      return bad(`${at}.${f}`, `a ${spec.type} order has no ${f}`);
  if (spec.trailing?.kind === 'percent' && spec.trailing.value >= 1)
    return bad(`${at}.trailing.value`, `a trailing distance in percent is a fraction below 1 (0.02 = 2%), got ${spec.trailing.value}`);
  if (spec.quantity !== undefined && spec.quoteQuantity !== undefined) return bad(`${at}.quoteQuantity`, 'give quantity or quoteQuantity, not both');
  if (spec.quoteQuantity !== undefined && spec.type !== 'market') return bad(`${at}.quoteQuantity`, 'only a market order can be sized in quote currency');
  if (spec.timeInForce !== undefined && !LIMIT_LIKE.has(spec.type)) return bad(`${at}.timeInForce`, `a ${spec.type} order has no time in force`);
  if (EXIT_ONLY.has(spec.type) && spec.reduceOnly !== true) return bad(`${at}.reduceOnly`, `a ${spec.type} order is an exit: it must be reduceOnly`);
  return ok;
};

/** The venue's rules for the prices and the size; `referencePrice` judges the notional of an order without a price. */
export const checkMarketRules = (spec: OrderSpec, rules: MarketRules, referencePrice: number, at = 'spec'): Either<InvalidField, void> => {
  if (spec.symbol !== rules.symbol) return bad(`${at}.symbol`, `the market rules are for ${rules.symbol}, not ${spec.symbol}`);
  for (const f of ['price', 'stopPrice'] as const) {
    const v = spec[f];
    if (v !== undefined && !isMultipleOf(v, rules.priceTick)) return bad(`${at}.${f}`, `${f} ${v} is not a multiple of the tick size ${rules.priceTick}`);
  }
  if (spec.trailing?.kind === 'amount' && !isMultipleOf(spec.trailing.value, rules.priceTick))
    return bad(`${at}.trailing.value`, `a trailing amount of ${spec.trailing.value} is not a multiple of the tick size ${rules.priceTick}`);
  const q = spec.quantity;
  if (q !== undefined) {
    if (!isMultipleOf(q, rules.amountStep)) return bad(`${at}.quantity`, `quantity ${q} is not a multiple of the lot step ${rules.amountStep}`);
    if (rules.minAmount !== undefined && q < rules.minAmount) return bad(`${at}.quantity`, `quantity ${q} is below the minimum ${rules.minAmount}`);
    if (rules.maxAmount !== undefined && q > rules.maxAmount) return bad(`${at}.quantity`, `quantity ${q} is above the maximum ${rules.maxAmount}`);
  }
  if (rules.minNotional !== undefined) {
    const notional = q !== undefined ? q * (spec.price ?? spec.stopPrice ?? referencePrice) : (spec.quoteQuantity ?? 0);
    // A NaN reference price would pass every comparison: an order whose notional cannot be judged is refused.
    if (!(Number.isFinite(notional) && notional > 0)) return bad('referencePrice', `the notional cannot be judged at a reference price of ${referencePrice}`);
    if (notional < rules.minNotional)
      return bad(q !== undefined ? `${at}.quantity` : `${at}.quoteQuantity`, `the notional ${notional} is below the minimum notional ${rules.minNotional}`);
  }
  return ok;
};

/** A bracket's children: exits on the other side, in the group, sized by the entry's fill (so they carry no size). */
const checkBracket = (entry: OrderSpec, bracket: Bracket, rules: MarketRules, referencePrice: number): Either<InvalidField, void> => {
  if (entry.reduceOnly === true) return bad('bracket', 'an exit (reduceOnly) has no bracket');
  if (bracket.children.length === 0) return bad('bracket.children', 'a bracket has a stop-loss, a take-profit, or both');
  const ids = new Set<string>([entry.clientOrderId]);
  for (const [i, child] of bracket.children.entries()) {
    const at = `bracket.children.${i}`;
    if (ids.has(child.clientOrderId)) return bad(`${at}.clientOrderId`, `${child.clientOrderId} is already used by this bracket`);
    ids.add(child.clientOrderId);
    if (child.symbol !== entry.symbol) return bad(`${at}.symbol`, `a bracket's orders are all on ${entry.symbol}`);
    if (child.side === entry.side) return bad(`${at}.side`, `a bracket's exit is on the other side of its entry (${entry.side})`);
    if (child.ocoGroup !== bracket.ocoGroup) return bad(`${at}.ocoGroup`, `a bracket's exits are in its OCO group ${bracket.ocoGroup}`);
    if (child.reduceOnly !== true) return bad(`${at}.reduceOnly`, 'a bracket exit must be reduceOnly');
    if (child.quantity !== undefined || child.quoteQuantity !== undefined)
      return bad(`${at}.quantity`, "a bracket exit is sized by its entry's fill: give it no quantity");
    if (child.type === 'market') return bad(`${at}.type`, 'a bracket exit rests: a market order has no place in it');
    const shape = checkShape(child, at);
    if (either.isLeft(shape)) return shape;
    // The exit is judged with the entry's size: it will carry the filled quantity.
    const sized = entry.quantity !== undefined ? { ...child, quantity: entry.quantity } : child;
    const priced = checkMarketRules(sized, rules, referencePrice, at);
    if (either.isLeft(priced)) return priced;
  }
  return ok;
};

/** Every rule an order request must keep; `rules` undefined means the venue does not list the symbol. */
export const validateOrder = (request: OrderRequest, rules: MarketRules | undefined, referencePrice: number): Either<InvalidField, void> => {
  const { spec } = request;
  if (rules === undefined) return bad('spec.symbol', `${request.exchange} has no market ${spec.symbol}`);
  const shape = checkShape(spec);
  if (either.isLeft(shape)) return shape;
  if (spec.quantity === undefined && spec.quoteQuantity === undefined)
    return bad('spec.quantity', 'an order needs a quantity (or, for a market order, a quoteQuantity)');
  if (spec.ocoGroup !== undefined && request.parentOrderId === undefined && spec.reduceOnly !== true)
    return bad('spec.ocoGroup', 'orders that cancel each other are exits: an OCO order must be reduceOnly');
  const market = checkMarketRules(spec, rules, referencePrice);
  if (either.isLeft(market)) return market;
  return request.bracket === undefined ? ok : checkBracket(spec, request.bracket, rules, referencePrice);
};
