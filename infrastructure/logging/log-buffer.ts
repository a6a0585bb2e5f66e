// The bounded in-memory queue between the logger and the log store. It never blocks and never grows past its bounds
// (records and characters): when full, the oldest trace/debug/info record goes first, and only when none is left the
// oldest warning or error. Every record dropped is counted, by level class.

/** pino's numeric levels: 40 is warn. */
const WARN = 40;

export interface BufferedRecord {
  /** The JSON line as pino wrote it (or its truncated stand-in). */
  readonly line: string;
  readonly level: number;
}

export interface LogBufferBounds {
  readonly maxRecords: number;
  readonly maxChars: number;
}

/** A FIFO with O(1) push and shift (an array and a moving head, compacted now and then). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length() {
    return this.items.length - this.head;
  }
  push(item: T) {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  /** Puts items back in front (a batch the store refused, to be tried again). */
  unshiftAll(items: readonly T[]) {
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
  }
}

export class LogBuffer {
  /** trace, debug, info: dropped first. */
  private readonly low = new Fifo<BufferedRecord>();
  /** warn, error, fatal. */
  private readonly high = new Fifo<BufferedRecord>();
  private chars = 0;
  droppedLow = 0;
  droppedHigh = 0;

  constructor(private readonly bounds: LogBufferBounds) {}

  get length() {
    return this.low.length + this.high.length;
  }

  push(record: BufferedRecord) {
    (record.level >= WARN ? this.high : this.low).push(record);
    this.chars += record.line.length;
    this.enforceBounds();
  }

  /** Takes up to `max` records, the oldest of each class first. */
  take(max: number): BufferedRecord[] {
    const out: BufferedRecord[] = [];
    while (out.length < max) {
      const r = this.high.shift() ?? this.low.shift();
      if (r === undefined) break;
      this.chars -= r.line.length;
      out.push(r);
    }
    return out;
  }

  /** Gives back records that could not be stored: they are the oldest, and the bounds apply to them again. */
  giveBack(records: readonly BufferedRecord[]) {
    this.high.unshiftAll(records.filter((r) => r.level >= WARN));
    this.low.unshiftAll(records.filter((r) => r.level < WARN));
    for (const r of records) this.chars += r.line.length;
    this.enforceBounds();
  }

  private enforceBounds() {
    while (this.length > this.bounds.maxRecords || (this.chars > this.bounds.maxChars && this.length > 0)) {
      const fromLow = this.low.length > 0;
      const r = (fromLow ? this.low : this.high).shift()!;
      this.chars -= r.line.length;
      if (fromLow) this.droppedLow++;
      else this.droppedHigh++;
    }
  }
}
