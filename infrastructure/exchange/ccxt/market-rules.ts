// A ccxt market as MarketRules: the lot size, tick, minimum quantity and notional an order must respect.
// ccxt states precision in one of three modes (exchange.precisionMode):
// - TICK_SIZE (Binance, most exchanges in ccxt 4): `precision.amount` / `precision.price` are the step itself (0.00001);
// - DECIMAL_PLACES: they count decimals (5 → 0.00001);
// - SIGNIFICANT_DIGITS: they count significant digits — no fixed step exists, so such a market has no rules we could
//   round to and is left out (with the reason), never given a made-up step.
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { MarketInterface } from 'ccxt';
import { MarketRules } from '../../../domain/execution/market-rules.js';

/** ccxt's constants (ccxt.DECIMAL_PLACES = 2, SIGNIFICANT_DIGITS = 3, TICK_SIZE = 4), named for the code below. */
export const PRECISION_MODE = { DECIMAL_PLACES: 2, SIGNIFICANT_DIGITS: 3, TICK_SIZE: 4 } as const;

/** The market's symbol as MasterTrade spells spot pairs: base and quote without a separator (`BTCUSDT`). */
export const pairSymbol = (m: Pick<MarketInterface, 'base' | 'quote'>): string => `${m.base}${m.quote}`.toUpperCase();

const positive = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : undefined);

// 10^-5 computed as 1e-5, not 0.1 ** 5 (= 0.000009999999999999999), so a step reads back as Binance prints it.
const stepOfDecimals = (places: number): number => Number(`1e-${places}`);

const stepOf = (precision: unknown, mode: number, what: string): Either<string, number> => {
  const p = positive(precision);
  if (p === undefined && precision !== 0) return left(`no ${what} precision`);
  if (mode === PRECISION_MODE.TICK_SIZE) return p === undefined ? left(`${what} tick size is 0`) : right(p);
  if (mode === PRECISION_MODE.DECIMAL_PLACES) {
    const places = precision as number;
    return Number.isInteger(places) && places >= 0 && places <= 18
      ? right(places === 0 ? 1 : stepOfDecimals(places))
      : left(`${what} precision ${places} is not a count of decimals`);
  }
  if (mode === PRECISION_MODE.SIGNIFICANT_DIGITS) return left(`${what} precision is in significant digits: no fixed step to round to`);
  return left(`unknown ccxt precisionMode ${mode}`);
};

/** The rules of one ccxt market, or why it has none we can use. */
export const marketRulesOf = (m: MarketInterface, precisionMode: number): Either<string, MarketRules> => {
  const amountStep = stepOf(m.precision?.amount, precisionMode, 'amount');
  if (isLeft(amountStep)) return amountStep;
  const priceTick = stepOf(m.precision?.price, precisionMode, 'price');
  if (isLeft(priceTick)) return priceTick;
  const minAmount = positive(m.limits?.amount?.min);
  const maxAmount = positive(m.limits?.amount?.max);
  const minNotional = positive(m.limits?.cost?.min);
  const decoded = MarketRules.decode({
    symbol: pairSymbol(m),
    base: m.base,
    quote: m.quote,
    amountStep: amountStep.right,
    priceTick: priceTick.right,
    ...(minAmount === undefined ? {} : { minAmount }),
    ...(maxAmount === undefined ? {} : { maxAmount }),
    ...(minNotional === undefined ? {} : { minNotional }),
  });
  return isLeft(decoded) ? left(`market ${String(m.symbol)} does not make valid rules`) : right(decoded.right);
};
