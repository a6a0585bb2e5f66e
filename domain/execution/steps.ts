// Rounding to an exchange's steps (lot size for quantities, tick size for prices) without binary-fraction surprises:
// 0.3 / 0.1 is 2.9999999999999996 in floating point, so a plain Math.floor would drop a whole lot. Values are scaled
// to integers of the step's last decimal, rounded there, and scaled back, which gives the double nearest the decimal
// multiple (what ccxt's amountToPrecision prints). A final guard keeps the promise of the direction: floor never
// returns more than its input, ceil never less.

/** Decimal places of a step as written: 0.00001 → 5, 1e-8 → 8, 0.0025 → 4, 5 → 0. */
export const decimalsOf = (step: number): number => {
  const m = /^\d+(?:\.(\d+))?(?:e-(\d+))?$/.exec(step.toString());
  if (!m) return 0;
  return (m[1]?.length ?? 0) + Number(m[2] ?? 0);
};

// Above this many decimals an integer scale would leave the range where doubles are exact integers.
const MAX_DECIMALS = 15;

const scaled = (x: number, step: number) => {
  const dec = Math.min(decimalsOf(step), MAX_DECIMALS);
  const scale = 10 ** dec;
  return { units: Math.round(step * scale), scale, xs: x * scale };
};

/** The largest multiple of `step` not above `x` (x ≥ 0). */
export const floorToStep = (x: number, step: number): number => {
  const { units, scale, xs } = scaled(x, step);
  let n = Math.floor(xs / units + 1e-9);
  while (n > 0 && (n * units) / scale > x) n--;
  return (n * units) / scale;
};

/** The smallest multiple of `step` not below `x` (x ≥ 0). */
export const ceilToStep = (x: number, step: number): number => {
  const { units, scale, xs } = scaled(x, step);
  let n = Math.max(0, Math.ceil(xs / units - 1e-9));
  while ((n * units) / scale < x) n++;
  return (n * units) / scale;
};

/** Whether `x` is a whole number of steps (within the rounding of the decimal it is written as). */
export const isOnStep = (x: number, step: number): boolean => floorToStep(x, step) === x || ceilToStep(x, step) === x;
