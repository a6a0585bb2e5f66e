// How much to buy or sell when a strategy opens a position: a fixed fraction of equity at risk given the stop
// distance, capped by the share of equity a position may take, then made into an order the exchange accepts
// (quantity down to the lot size, stop price to the tick, refused below the minimum quantity or notional).
//
// The formula is the fill model's, once: the notional is domain/execution/fill-model.ts entryNotional — positionSize of
// equity committed with the entry fee, capped so that a fill at the stop (slippage, both fees) loses at most
// riskPerTrade of equity — for the expected entry fill F (the reference price moved against us by the slippage) and
// the stop's distance from F after the stop is rounded to the tick TOWARD the entry (a long's up, a short's down), so
// rounding never widens the distance at risk. Then what only an order needs:
//   q = min(entryNotional / F, maxNotional / F, market maxAmount), down to the lot size, the caps checked again on
//   the rounded figures, refused below the minimum quantity or notional.
// Unrounded, q is the fill model's positionQuantity for the same inputs (a test holds the two together). A gap
// through the stop can lose more than the budget: no sizing prevents that.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { entryNotional, marketFillPrice, quantityForNotional, stopLossPerNotional, type FillConfig } from '../execution/fill-model.js';
import type { MarketRules } from '../execution/market-rules.js';
import type { OrderSide } from '../execution/order.js';
import type { RiskParameters } from '../strategy/genome.js';
import { ceilToStep, floorToStep } from '../execution/steps.js';

export interface SizingInput {
  readonly equity: number;
  readonly side: OrderSide;
  /** The price the entry is judged at: the last close for a market order. */
  readonly price: number;
  /** The protective stop's distance from the entry fill as a fraction (the genome's exitRules.stopLoss); none: capped only. */
  readonly stopDistance?: number;
  readonly risk: RiskParameters;
  readonly costs: Pick<FillConfig, 'takerFee' | 'slippage'>;
  readonly market: MarketRules;
  /** A further cap in quote currency (e.g. the room left under the account's max position size). */
  readonly maxNotional?: number;
}

/** Which cap decided the quantity. */
export type SizingBound = 'risk_per_trade' | 'position_size' | 'max_notional' | 'max_amount';

export interface SizedOrder {
  /** A whole number of lots. */
  readonly quantity: number;
  /** The expected entry fill (reference price and slippage). */
  readonly entryPrice: number;
  /** On the tick; absent without a stop. */
  readonly stopPrice?: number;
  /** quantity × entryPrice. */
  readonly notional: number;
  /** What the position loses if the stop fills: price move, slippage and both fees (0 without a stop). */
  readonly riskAtStop: number;
  readonly bound: SizingBound;
}

export type SizingRefusal =
  | {
      readonly kind: 'InvalidSizingInput';
      readonly field: 'equity' | 'price' | 'stopDistance' | 'maxNotional';
      readonly value: number;
      readonly message: string;
    }
  | { readonly kind: 'StopWithinOneTick'; readonly entryPrice: number; readonly stopPrice: number; readonly tick: number; readonly message: string }
  | { readonly kind: 'BelowMinimumQuantity'; readonly quantity: number; readonly minimum: number; readonly message: string }
  | { readonly kind: 'BelowMinimumNotional'; readonly notional: number; readonly minimum: number; readonly quantity: number; readonly message: string };

const invalid = (field: 'equity' | 'price' | 'stopDistance' | 'maxNotional', value: number, must: string): Either<SizingRefusal, SizedOrder> =>
  either.left({ kind: 'InvalidSizingInput', field, value, message: `${field} must be ${must}, got ${value}` });

export const sizeOrder = (input: SizingInput): Either<SizingRefusal, SizedOrder> => {
  const { equity, price, stopDistance, risk, costs, market, maxNotional } = input;
  if (!(Number.isFinite(equity) && equity > 0)) return invalid('equity', equity, 'a finite amount above 0');
  if (!(Number.isFinite(price) && price > 0)) return invalid('price', price, 'a finite price above 0');
  if (stopDistance !== undefined && !(stopDistance > 0 && stopDistance < 1)) return invalid('stopDistance', stopDistance, 'a fraction in (0, 1)');
  if (maxNotional !== undefined && !(maxNotional >= 0)) return invalid('maxNotional', maxNotional, 'an amount ≥ 0');

  const sign = input.side === 'buy' ? 1 : -1;
  const fee = costs.takerFee;
  const entry = marketFillPrice(sign === 1, price, costs.slippage);
  const budget = { risk: risk.riskPerTrade * equity, committed: risk.positionSize * equity };

  let stopPrice: number | undefined;
  let distance = 0;
  if (stopDistance !== undefined) {
    stopPrice = sign === 1 ? ceilToStep(entry * (1 - stopDistance), market.priceTick) : floorToStep(entry * (1 + stopDistance), market.priceTick);
    if (sign * (entry - stopPrice) <= 0)
      return either.left({
        kind: 'StopWithinOneTick',
        entryPrice: entry,
        stopPrice,
        tick: market.priceTick,
        message: `a stop ${stopDistance} from ${entry} rounds to ${stopPrice} on a tick of ${market.priceTick}: no distance left`,
      });
    distance = (sign * (entry - stopPrice)) / entry;
  }
  const config: FillConfig = { takerFee: fee, makerFee: fee, slippage: costs.slippage, quantityStep: 0 };
  const committed = entryNotional(equity, sign, risk, 0, config); // the position cap alone
  const sized = distance > 0 ? entryNotional(equity, sign, risk, distance, config) : committed;
  let quantity = quantityForNotional(sized, entry);
  let bound: SizingBound = sized < committed ? 'risk_per_trade' : 'position_size';
  const lossPerUnit = distance > 0 ? entry * stopLossPerNotional(sign, distance, config) : 0;
  if (maxNotional !== undefined && maxNotional / entry < quantity) [quantity, bound] = [maxNotional / entry, 'max_notional'];
  if (market.maxAmount !== undefined && market.maxAmount < quantity) [quantity, bound] = [market.maxAmount, 'max_amount'];

  const raw = quantity;
  const lot = market.amountStep;
  quantity = floorToStep(quantity, lot);
  // The caps are checked again on the rounded figures, so a product one ulp over a budget costs a lot, never the rule.
  const over = (q: number) =>
    q * lossPerUnit > budget.risk || q * entry * (1 + fee) > budget.committed || (maxNotional !== undefined && q * entry > maxNotional);
  while (quantity > 0 && over(quantity)) quantity = floorToStep(quantity - lot, lot);

  const minimum = Math.max(market.minAmount ?? 0, lot);
  if (quantity < minimum)
    return either.left({
      kind: 'BelowMinimumQuantity',
      quantity: raw,
      minimum,
      message: `the sized quantity ${raw} is below the market's minimum ${minimum} (lot ${lot})`,
    });
  // Judged at the lower of the reference price and the fill: the exchange must accept the order at either.
  const notional = quantity * Math.min(price, entry);
  if (market.minNotional !== undefined && notional < market.minNotional)
    return either.left({
      kind: 'BelowMinimumNotional',
      notional,
      minimum: market.minNotional,
      quantity,
      message: `${quantity} × ${Math.min(price, entry)} = ${notional} is below the market's minimum notional ${market.minNotional}`,
    });

  return either.right({
    quantity,
    entryPrice: entry,
    ...(stopPrice !== undefined ? { stopPrice } : {}),
    notional: quantity * entry,
    riskAtStop: quantity * lossPerUnit,
    bound,
  });
};
