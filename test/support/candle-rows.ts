// A candle series as the candle store's rows (the bars opening in [from, to), every bar by default): what a test writes
// to a database of its own before the code under test reads it back.
import type { Candle, CandleSeries } from '../../domain/market/candles.js';

export const candlesOf = (s: CandleSeries, from = -Infinity, to = Infinity): Candle[] => {
  const out: Candle[] = [];
  for (let i = 0; i < s.length; i++)
    if (s.openTime[i]! >= from && s.openTime[i]! < to)
      out.push({ openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! });
  return out;
};
