// How a metric without a value is represented: `null`, never NaN or ±Infinity. JSON cannot carry those
// and the event codec refuses them, so every metric that can be undefined says so in its type.

/** A metric that may have no value (a ratio over zero, too few bars or trades, an overflow). */
export type Metric = number | null;

/**
 * A per-bar standard deviation (or downside deviation) at or below this counts as zero: the series is
 * constant up to floating-point noise, and a ratio divided by it would be noise amplified to 1e15.
 */
export const ZERO_DISPERSION = 1e-12;

/** The number itself when finite; null when a computation overflowed or was undefined. */
export const finiteOrNull = (x: number): Metric => (Number.isFinite(x) ? x : null);

/** num / den, or null when den is 0 or the quotient is not finite. */
export const ratioOrNull = (num: number, den: number): Metric => (den === 0 ? null : finiteOrNull(num / den));
