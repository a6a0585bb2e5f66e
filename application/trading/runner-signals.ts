// Where a strategy runner reads its signals on each closed candle. Two sources, one answer:
// - replayed: the signal columns of the whole stretch computed once (compile.ts fillSignals), read bar by bar;
// - live: the candle appended to the strategy's own history and the genome evaluated at that last bar.
// The look-ahead check (domain/backtest/look-ahead.ts) guarantees that an indicator over a prefix of a series has the
// values it has over the whole series, so the two agree (test/trading/runner-signals.unit.test.ts shows it on real data).
import { bindStrategy, fillSignals, signalAt, type BoundStrategy, type CompiledGenome } from '../../domain/backtest/compile.js';
import type { OperandData } from '../../domain/backtest/operand-data.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import { emptySeries, type Candle, type CandleSeries, type SeriesKey } from '../../domain/market/candles.js';
import { truncateSeries } from '../../domain/backtest/look-ahead.js';

export const ENTRY = 1;
export const EXIT = 2;

export interface SignalSource {
  /** The signals at the close of `candle`, the next closed candle: ENTRY | EXIT bits. */
  next(candle: Candle): number;
}

/** Signals of bars [from, to) of the bound series, computed at once; candles must come in that order. */
export const replayedSignals = (bound: BoundStrategy, from: number, to: number): SignalSource => {
  const entry = new Uint8Array(to);
  const exit = new Uint8Array(to);
  fillSignals(bound.entry, from, to, entry);
  fillSignals(bound.exit, from, to, exit);
  const openTime = bound.series.openTime;
  let t = from;
  return {
    next: (candle) => {
      if (t >= to || openTime[t] !== candle.openTime)
        throw new Error(`replayed signals: candle ${candle.openTime} is not bar ${t} of ${bound.series.key.symbol} (${openTime[t] ?? 'past the end'})`);
      const bits = entry[t]! | (exit[t]! << 1);
      t++;
      return bits;
    },
  };
};

/**
 * Live signals: each candle is appended to the history (which may start with candles before the session, the
 * indicators' warm-up) and the genome is evaluated at it. The indicators are recomputed over the whole history on
 * each candle: linear in the history, fine at one candle a minute or an hour, not for replaying years (use
 * replayedSignals there). `operands`: the external data known at the candle being evaluated (daily series, other
 * symbols' candles, predictions; application/backtest/operand-data-loader.ts operandDataForSeries), asked for on
 * each candle so the caller can refresh it as bars advance; a genome reading none needs nothing.
 */
export const liveSignals = (
  compiled: CompiledGenome,
  key: SeriesKey,
  history?: CandleSeries,
  operands?: (series: CandleSeries) => OperandData | undefined,
): SignalSource => {
  let series = emptySeries(key, Math.max(1024, (history?.length ?? 0) * 2));
  let length = 0;
  const append = (c: Candle): void => {
    if (length === series.openTime.length) {
      const bigger = emptySeries(key, length * 2);
      for (const f of ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const) bigger[f].set(series[f].subarray(0, length));
      series = bigger;
    }
    if (length > 0 && !(c.openTime > series.openTime[length - 1]!))
      throw new Error(`live signals: candle ${c.openTime} does not follow ${series.openTime[length - 1]}`);
    series.openTime[length] = c.openTime;
    series.open[length] = c.open;
    series.high[length] = c.high;
    series.low[length] = c.low;
    series.close[length] = c.close;
    series.volume[length] = c.volume;
    series.quoteVolume[length] = c.quoteVolume ?? NaN;
    series.trades[length] = c.trades ?? NaN;
    length++;
  };
  if (history !== undefined)
    for (let i = 0; i < history.length; i++)
      append({
        openTime: history.openTime[i]!,
        open: history.open[i]!,
        high: history.high[i]!,
        low: history.low[i]!,
        close: history.close[i]!,
        volume: history.volume[i]!,
      });
  return {
    next: (candle) => {
      append(candle);
      const view = truncateSeries(series, length);
      const bound = bindStrategy(compiled, view, new IndicatorCache(), operands?.(view));
      const t = length - 1;
      return (signalAt(bound.entry, t) ? ENTRY : 0) | (signalAt(bound.exit, t) ? EXIT : 0);
    },
  };
};
