// Replays candles through strategy runners and a bar-driven venue (the paper exchange): a paper session over history,
// in the order a live session would see them. Per candle of a symbol: the venue opens the bar (market orders fill at
// its open, the runners' reactions with them), matches its resting orders against the bar, closes it (trailing stops
// follow it); then each runner on the symbol hears of the closed candle and sends its orders for the next open.
// Several symbols are interleaved by open time. At the end every runner stops and the venue settles what is left at
// each symbol's last close (the backtest's end_of_data), so a replay over [from, to) is the backtest over [from, to).
//
// Synchronous: for a venue and a router that answer at once (the paper exchange through a DirectRouter). A driver
// that awaits an asynchronous executor between candles comes with the process manager (issue 11).
import type { CandleSeries } from '../../domain/market/candles.js';
import { INTERVAL_MS } from '../../domain/market/candles.js';

/** A venue fed bar by bar. */
export interface BarVenue {
  openBar(symbol: string, openTime: number, closeTime: number, open: number, high: number, low: number, close: number): void;
  matchBar(symbol: string): void;
  closeBar(symbol: string): void;
  settleAtClose(symbol: string): void;
}

/** What a replay needs of a runner. */
export interface ReplayedRunner {
  onClose(candle: { openTime: number; open: number; high: number; low: number; close: number; volume: number }): unknown;
  stop(): unknown;
}

/** One symbol's candles [from, to) of `series` (indices), the venue's name for it, and the runners trading it. */
export interface ReplayStrand {
  readonly symbol: string;
  readonly series: CandleSeries;
  readonly from: number;
  readonly to: number;
  readonly runners: readonly ReplayedRunner[];
}

export const replay = (venue: BarVenue, strands: readonly ReplayStrand[]): void => {
  const at = strands.map((s) => s.from);
  const candles = strands.map(() => ({ openTime: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 }));
  const barMs = strands.map((s) => INTERVAL_MS[s.series.key.interval]);
  for (;;) {
    // The strand whose next candle opens first (the first one on a tie).
    let k = -1;
    let t = Infinity;
    for (let j = 0; j < strands.length; j++) {
      const s = strands[j]!;
      if (at[j]! < s.to && s.series.openTime[at[j]!]! < t) {
        t = s.series.openTime[at[j]!]!;
        k = j;
      }
    }
    if (k < 0) break;
    const s = strands[k]!;
    const i = at[k]!++;
    const { openTime, open, high, low, close, volume } = s.series;
    const c = candles[k]!;
    c.openTime = openTime[i]!;
    c.open = open[i]!;
    c.high = high[i]!;
    c.low = low[i]!;
    c.close = close[i]!;
    c.volume = volume[i]!;
    venue.openBar(s.symbol, c.openTime, c.openTime + barMs[k]!, c.open, c.high, c.low, c.close);
    venue.matchBar(s.symbol);
    venue.closeBar(s.symbol);
    for (const r of s.runners) r.onClose(c);
  }
  for (const s of strands) {
    for (const r of s.runners) r.stop();
    venue.settleAtClose(s.symbol);
  }
};
