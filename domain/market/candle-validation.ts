// What makes a candle a candle, for every way one enters the system (CSV files, exchanges, the store):
// finite numbers, a high at or above and a low at or below everything else, volumes and trades not negative,
// and an open time on the interval's UTC grid.
import * as t from 'io-ts';
import { INTERVAL_MS, type Candle, type Interval } from './candles.js';

const fmt = (n: number): string => String(n);

const NONE: readonly string[] = Object.freeze([]);

// The common case, a valid candle, decided without allocating: imports run this once per row.
const isValid = (c: Candle, interval: Interval | undefined): boolean =>
  Number.isSafeInteger(c.openTime) &&
  c.openTime >= 0 &&
  (interval === undefined || c.openTime % INTERVAL_MS[interval] === 0) &&
  Number.isFinite(c.open) &&
  Number.isFinite(c.high) &&
  Number.isFinite(c.low) &&
  Number.isFinite(c.close) &&
  Number.isFinite(c.volume) &&
  c.high >= c.low &&
  c.high >= c.open &&
  c.high >= c.close &&
  c.low <= c.open &&
  c.low <= c.close &&
  c.volume >= 0 &&
  (c.quoteVolume === undefined || (Number.isFinite(c.quoteVolume) && c.quoteVolume >= 0)) &&
  (c.trades === undefined || (Number.isSafeInteger(c.trades) && c.trades >= 0));

/** Everything wrong with one candle, in words; empty when it is valid. Checks the interval grid when given one. */
export const candleProblems = (c: Candle, interval?: Interval): readonly string[] => {
  if (isValid(c, interval)) return NONE;
  const problems: string[] = [];
  if (!Number.isSafeInteger(c.openTime) || c.openTime < 0) problems.push(`open time ${fmt(c.openTime)} is not a non-negative integer of milliseconds`);
  else if (interval !== undefined && c.openTime % INTERVAL_MS[interval] !== 0)
    problems.push(`open time ${new Date(c.openTime).toISOString()} is not on the ${interval} grid (a UTC epoch multiple of ${INTERVAL_MS[interval]} ms)`);
  const finite = (name: string, v: number) => {
    if (!Number.isFinite(v)) problems.push(`${name} ${fmt(v)} is not a finite number`);
  };
  finite('open', c.open);
  finite('high', c.high);
  finite('low', c.low);
  finite('close', c.close);
  finite('volume', c.volume);
  if (c.quoteVolume !== undefined) finite('quote volume', c.quoteVolume);
  if (problems.length > 0) return problems;
  if (c.high < c.low) problems.push(`high ${fmt(c.high)} is below low ${fmt(c.low)}`);
  if (c.high < Math.max(c.open, c.close)) problems.push(`high ${fmt(c.high)} is below ${c.open >= c.close ? `open ${fmt(c.open)}` : `close ${fmt(c.close)}`}`);
  if (c.low > Math.min(c.open, c.close)) problems.push(`low ${fmt(c.low)} is above ${c.open <= c.close ? `open ${fmt(c.open)}` : `close ${fmt(c.close)}`}`);
  if (c.volume < 0) problems.push(`volume ${fmt(c.volume)} is negative`);
  if (c.quoteVolume !== undefined && c.quoteVolume < 0) problems.push(`quote volume ${fmt(c.quoteVolume)} is negative`);
  if (c.trades !== undefined && !(Number.isSafeInteger(c.trades) && c.trades >= 0)) problems.push(`trades ${fmt(c.trades)} is not a non-negative integer`);
  return problems;
};

const isCandleShaped = (u: unknown): u is Candle => {
  if (typeof u !== 'object' || u === null) return false;
  const c = u as Record<string, unknown>;
  return (
    ['openTime', 'open', 'high', 'low', 'close', 'volume'].every((k) => typeof c[k] === 'number') &&
    (c['quoteVolume'] === undefined || typeof c['quoteVolume'] === 'number') &&
    (c['trades'] === undefined || typeof c['trades'] === 'number')
  );
};

/** io-ts codec of a valid candle (on the grid of `interval` when given); each failure says what is wrong. */
export const validCandle = (interval?: Interval): t.Type<Candle, Candle, unknown> =>
  new t.Type<Candle, Candle, unknown>(
    interval ? `Candle(${interval})` : 'Candle',
    (u): u is Candle => isCandleShaped(u) && candleProblems(u, interval).length === 0,
    (u, ctx) => {
      if (!isCandleShaped(u)) return t.failure(u, ctx, 'expected a candle {openTime, open, high, low, close, volume[, quoteVolume, trades]} of numbers');
      const problems = candleProblems(u, interval);
      return problems.length === 0 ? t.success(u) : t.failure(u, ctx, problems.join('; '));
    },
    t.identity,
  );
