// The limits an account trades under, as the risk rules read them. Figures relative to equity are fractions
// (0.25 = 25%); the position cap is an amount of the account's quote currency. Defaults come from configuration
// (infrastructure/config/config.ts, RISK_* variables); an operator changes them per account on the `risk-<account>`
// stream (RiskLimitsSet), and the latest set wins.
import * as t from 'io-ts';
import { Fraction, NonNegativeInt } from '../primitives/codecs.js';
import { Positive } from '../execution/order.js';

/** Exposure may exceed equity only with leverage; 10× is the ceiling a setting may name. */
export const MAX_EXPOSURE_MULTIPLE = 10;

export interface ExposureMultipleBrand {
  readonly ExposureMultiple: unique symbol;
}
/** A multiple of equity in (0, 10]: 1 is "as much as the account is worth". */
export const ExposureMultiple = t.brand(
  t.number,
  (n): n is t.Branded<number, ExposureMultipleBrand> => Number.isFinite(n) && n > 0 && n <= MAX_EXPOSURE_MULTIPLE,
  'ExposureMultiple',
);
export type ExposureMultiple = t.TypeOf<typeof ExposureMultiple>;

export const RiskLimits = t.type(
  {
    /** Largest position in one symbol, in quote currency at the price it is judged at (position + open orders + the order). */
    maxPositionNotional: Positive,
    /** Largest exposure to one symbol as a multiple of equity (position + open orders + the order). */
    maxSymbolExposure: ExposureMultiple,
    /** Largest exposure summed over every symbol, as a multiple of equity. */
    maxPortfolioExposure: ExposureMultiple,
    /** Most symbols with a position or an open opening order at once (0: no new positions). */
    maxOpenPositions: NonNegativeInt,
    /** Loss since the UTC day's first equity, as a fraction of it, that halts opening orders until the next UTC day. */
    dailyLossLimit: Fraction,
    /** Fall from the equity peak, as a fraction of the peak, that closes every position and halts until an operator releases it. */
    maxDrawdown: Fraction,
  },
  'RiskLimits',
);
export type RiskLimits = t.TypeOf<typeof RiskLimits>;

const limits = (l: { [K in keyof RiskLimits]: number }): RiskLimits => l as RiskLimits;

/** Conservative spot defaults: no leverage, a quarter of equity per symbol, 5% a day, 20% from the peak. */
export const DEFAULT_RISK_LIMITS: RiskLimits = limits({
  maxPositionNotional: 100_000,
  maxSymbolExposure: 0.25,
  maxPortfolioExposure: 1,
  maxOpenPositions: 10,
  dailyLossLimit: 0.05,
  maxDrawdown: 0.2,
});

export const sameLimits = (a: RiskLimits, b: RiskLimits): boolean =>
  a.maxPositionNotional === b.maxPositionNotional &&
  a.maxSymbolExposure === b.maxSymbolExposure &&
  a.maxPortfolioExposure === b.maxPortfolioExposure &&
  a.maxOpenPositions === b.maxOpenPositions &&
  a.dailyLossLimit === b.dailyLossLimit &&
  a.maxDrawdown === b.maxDrawdown;
