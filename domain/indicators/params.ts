// An indicator's parameters, checked against the catalog and put in one canonical form, so that equal settings
// give equal cache keys however a caller spelled them (key order, -0, extra spaces in a hand-written genome…).
import { INDICATORS, type IndicatorName } from './catalog.js';

export type IndicatorParams = Readonly<Record<string, number>>;

export class IndicatorParamsError extends RangeError {
  override readonly name = 'IndicatorParamsError';
}

/** The parameters in the catalog's order, each checked for presence, range and integrality; unknown ones refused. */
export const canonicalParams = (name: IndicatorName, params: IndicatorParams): IndicatorParams => {
  const spec = INDICATORS[name];
  if (spec === undefined) throw new IndicatorParamsError(`unknown indicator "${String(name)}"`);
  const out: Record<string, number> = {};
  for (const [param, range] of Object.entries(spec.params)) {
    const v = params[param];
    if (v === undefined) throw new IndicatorParamsError(`${name} needs parameter "${param}"`);
    if (!Number.isFinite(v) || v < range.min || v > range.max || (range.integer && !Number.isInteger(v)))
      throw new IndicatorParamsError(`${name}.${param} must be ${range.integer ? 'an integer ' : ''}in [${range.min}, ${range.max}], got ${v}`);
    out[param] = v === 0 ? 0 : v; // -0 → 0
  }
  for (const param of Object.keys(params)) if (!Object.hasOwn(spec.params, param)) throw new IndicatorParamsError(`${name} has no parameter "${param}"`);
  // tulip refuses a long period below the short one (equal is allowed); the genome rule (short < long) is stricter.
  if (name === 'macd' && out['long']! < out['short']!) throw new IndicatorParamsError('macd.long must not be below macd.short');
  return out;
};

/** `bbands(period=20,stddev=2)`: one string per (indicator, canonical parameters). */
export const indicatorKey = (name: IndicatorName, params: IndicatorParams): string => {
  const canonical = canonicalParams(name, params);
  return `${name}(${Object.entries(canonical)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')})`;
};
