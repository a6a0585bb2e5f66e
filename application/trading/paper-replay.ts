// Replays candles through a paper session, the asynchronous counterpart of runner-replay.ts: candles of several
// symbols interleaved by open time (the first feed first on a tie), the replay clock set to each candle's close before
// the session hears of it (order and risk events are dated by it), a step awaited only when it returns a Promise,
// and stop() at the end. The candles come from the candle store (loadFeeds) or from series in memory.
//
// A live session is driven the same way, one candle at a time as the collector closes them, with the real clock:
// `await session.onCandle(symbol, candle)` — the process manager of the pipeline does that.
import type { Clock } from '../ports/clock.js';
import type { CandleStore } from '../ports/candle-store.js';
import { INTERVAL_MS, type CandleSeries, type SeriesKey } from '../../domain/market/candles.js';
import type { PaperSession } from './paper-session.js';

/** A clock the driver moves (infrastructure/clock/system-clock.ts fixedClock is one). */
export interface ReplayClock extends Clock {
  set(d: Date): void;
}

/** One symbol's candles [from, to) of `series` (indices), under the name the session trades it by. */
export interface CandleFeed {
  readonly symbol: string;
  readonly series: CandleSeries;
  readonly from: number;
  readonly to: number;
}

export interface ReplayProgress {
  readonly candles: number;
  /** Open time of the last candle fed. */
  readonly at: number;
}

/** The stored candles of each series over [from, to) (open times), as feeds (the symbol is the series'). */
export const loadFeeds = async (
  store: CandleStore,
  keys: readonly SeriesKey[],
  range: { readonly from: number; readonly to: number },
): Promise<CandleFeed[]> => {
  const feeds: CandleFeed[] = [];
  for (const key of keys) {
    const series = await store.readSeries(key, range);
    if (series.length === 0) throw new Error(`no stored candles for ${key.exchange} ${key.symbol} ${key.interval} in [${range.from}, ${range.to})`);
    feeds.push({ symbol: key.symbol, series, from: 0, to: series.length });
  }
  return feeds;
};

/** Feeds every candle to the session in time order, then stops it. Returns how many candles were fed. */
export const replayPaperSession = async (
  session: PaperSession,
  feeds: readonly CandleFeed[],
  options: { readonly clock?: ReplayClock; readonly onProgress?: (p: ReplayProgress) => void; readonly progressEvery?: number } = {},
): Promise<number> => {
  const { clock, onProgress } = options;
  const every = options.progressEvery ?? 10_000;
  const at = feeds.map((f) => f.from);
  const candles = feeds.map(() => ({ openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 }));
  const barMs = feeds.map((f) => INTERVAL_MS[f.series.key.interval]);
  let fed = 0;
  for (;;) {
    let k = -1;
    let t = Infinity;
    for (let j = 0; j < feeds.length; j++) {
      const f = feeds[j]!;
      if (at[j]! < f.to && f.series.openTime[at[j]!]! < t) {
        t = f.series.openTime[at[j]!]!;
        k = j;
      }
    }
    if (k < 0) break;
    const f = feeds[k]!;
    const i = at[k]!++;
    const c = candles[k]!;
    const s = f.series;
    c.openTime = s.openTime[i]!;
    c.open = s.open[i]!;
    c.high = s.high[i]!;
    c.low = s.low[i]!;
    c.close = s.close[i]!;
    c.volume = s.volume[i]!;
    clock?.set(new Date(c.openTime + barMs[k]!));
    const step = session.onCandle(f.symbol, c);
    if (step !== undefined) await step;
    fed++;
    if (onProgress !== undefined && fed % every === 0) onProgress({ candles: fed, at: c.openTime });
  }
  await session.stop();
  return fed;
};
