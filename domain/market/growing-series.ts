// A candle series that grows at its end, for the desks that read the store a few bars at a time: its buffers double
// as needed (a bar costs amortised O(1), never a copy of the whole history), and the filled part is a view.
import { emptySeries, type CandleSeries, type SeriesKey } from './candles.js';

const FIELDS = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const;

export class GrowingSeries {
  private buffer: CandleSeries;
  private filled = 0;

  constructor(
    readonly key: SeriesKey,
    /** Bars the buffers hold at their first growth. */
    private readonly initialCapacity = 256,
  ) {
    this.buffer = emptySeries(key, 0);
  }

  /** Bars held. */
  get length(): number {
    return this.filled;
  }

  /** The buffers themselves, valid below `length` (no copy: a later append may replace them). */
  get series(): CandleSeries {
    return this.buffer;
  }

  /** Open time of the last bar held (NaN when empty). */
  get lastOpen(): number {
    return this.filled === 0 ? NaN : this.buffer.openTime[this.filled - 1]!;
  }

  /** Appends the bars of `more` that open after the last one held (an overlap adds nothing twice). */
  append(more: CandleSeries): void {
    let from = 0;
    if (this.filled > 0) while (from < more.length && more.openTime[from]! <= this.lastOpen) from++;
    const n = more.length - from;
    if (n <= 0) return;
    if (this.filled + n > this.buffer.openTime.length) {
      const bigger = emptySeries(this.key, Math.max(this.filled + n, this.buffer.openTime.length * 2, this.initialCapacity));
      for (const f of FIELDS) bigger[f].set(this.buffer[f].subarray(0, this.filled));
      this.buffer = bigger;
    }
    for (const f of FIELDS) this.buffer[f].set(more[f].subarray(from, more.length), this.filled);
    this.filled += n;
  }

  /** The bars held, as a series of views over the buffers. */
  view(): CandleSeries {
    const b = this.buffer;
    const n = this.filled;
    return {
      key: this.key,
      length: n,
      openTime: b.openTime.subarray(0, n),
      open: b.open.subarray(0, n),
      high: b.high.subarray(0, n),
      low: b.low.subarray(0, n),
      close: b.close.subarray(0, n),
      volume: b.volume.subarray(0, n),
      quoteVolume: b.quoteVolume.subarray(0, n),
      trades: b.trades.subarray(0, n),
    };
  }
}
