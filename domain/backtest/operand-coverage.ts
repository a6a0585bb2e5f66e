// How much of a window an external operand's data covers. No value at all in the window is an error (the backtest
// would compare NaN on every bar and trade nothing, silently); a source that starts late, ends early or has holes is
// reported with the result so the reader knows which part of the window the operand could act on.
import { INTERVAL_MS } from '../market/candles.js';
import type { BoundStrategy } from './compile.js';
import { OperandDataError } from './operand-data.js';

export interface OperandCoverage {
  readonly operand: string;
  readonly source: string;
  /** Bars of the window whose source value was known. */
  readonly coveredBars: number;
  readonly bars: number;
  /** Open time of the first and last covered bar. */
  readonly firstCovered: number;
  readonly lastCovered: number;
  /** Some bar of the window lacks the value (late start, early end or holes). */
  readonly partial: boolean;
}

/** Coverage of every external operand over bars [from, to); throws OperandDataError for one without any value. */
export const operandCoverage = (bound: BoundStrategy, from: number, to: number): OperandCoverage[] => {
  const s = bound.series;
  return bound.external.map((e) => {
    let covered = 0;
    let first = -1;
    let last = -1;
    for (let t = from; t < to; t++)
      if (e.available[t] === 1) {
        covered++;
        if (first < 0) first = t;
        last = t;
      }
    if (covered === 0)
      throw new OperandDataError(e.operand, e.source, {
        from: s.openTime[from] ?? NaN,
        to: to > from ? s.openTime[to - 1]! + INTERVAL_MS[s.key.interval] : NaN,
      });
    return {
      operand: e.operand,
      source: e.source,
      coveredBars: covered,
      bars: to - from,
      firstCovered: s.openTime[first]!,
      lastCovered: s.openTime[last]!,
      partial: covered < to - from,
    };
  });
};
