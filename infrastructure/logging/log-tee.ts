// The logger's second stream (pino.multistream beside stdout): counts the records at level error and above, and — when
// log storage is on — keeps the records in a bounded buffer (log-buffer.ts) that is written to the `logs` table in
// batches, one multi-row INSERT (unnest of the JSON lines) on a pool connection of its own. A write is a push onto an
// array: nothing on the logging path waits for the database. A failing or slow database costs records (the buffer
// drops the oldest debug/info first, counted), never stdout and never the event loop.
import pg from 'pg';
import { LogBuffer, type BufferedRecord } from './log-buffer.js';

/** pino's numeric levels. */
const ERROR = 50;

export interface LogTeeOptions {
  /** The service name for a record that carries none. */
  readonly service: string;
  /** Keep records for the database (false: only count). */
  readonly store: boolean;
  /** Flush as soon as this many records wait (default 500). */
  readonly batchSize?: number;
  /** The most records one INSERT carries (default 1000). */
  readonly maxBatch?: number;
  /** Flush what waits at least this often (default 1000 ms); also the pause after a failed batch. */
  readonly flushIntervalMs?: number;
  /** Buffer bounds: records (default 20 000) and characters (default 16 Mi). */
  readonly maxBufferedRecords?: number;
  readonly maxBufferedChars?: number;
  /** A record longer than this (characters of JSON, default 16 Ki) is stored cut, with `truncated: true`. */
  readonly maxRecordChars?: number;
  /** Where the tee reports its own trouble (not the logger: that would feed itself). Default: stderr. */
  readonly onProblem?: (message: string) => void;
}

export interface LogTeeStats {
  /** Records the logger wrote (every level it emits). */
  readonly received: number;
  /** Records at level error or fatal. */
  readonly errors: number;
  readonly stored: number;
  /** INSERT statements that stored a batch, and those that failed (their records were kept for the next try). */
  readonly batches: number;
  readonly failedBatches: number;
  /** Records dropped because the buffer was full: trace/debug/info, and warn and above. */
  readonly droppedLow: number;
  readonly droppedHigh: number;
  readonly truncated: number;
  readonly buffered: number;
}

const INSERT = `
INSERT INTO logs (time, service, level, msg, record)
SELECT CASE WHEN jsonb_typeof(r->'time') = 'number'
            THEN to_timestamp(least(greatest((r->>'time')::float8, 0), 9e12) / 1000) ELSE now() END,
       left(coalesce(r->>'service', $2), 200),
       CASE WHEN jsonb_typeof(r->'level') = 'number'
            THEN least(greatest((r->>'level')::float8, 0), 100)::smallint ELSE 30 END,
       left(coalesce(r->>'msg', ''), 10000),
       r
  FROM unnest(string_to_array(rtrim($1, E'\n'), E'\n')) AS u(line), LATERAL (SELECT u.line::jsonb AS r) AS j`;

/** A record cut to its first `max` characters, kept as valid JSON with what a search needs (level, time, msg). */
export const truncatedRecord = (line: string, level: number, service: string, max: number): string => {
  const time = /"time":(\d{1,15})/.exec(line.slice(0, 256))?.[1];
  const msgAt = line.lastIndexOf('"msg":"');
  let msg = '';
  if (msgAt >= 0) {
    const rest = line.slice(msgAt + 7, msgAt + 7 + 500);
    const end = rest.lastIndexOf('"}');
    const raw = end >= 0 ? rest.slice(0, end) : rest;
    try {
      msg = JSON.parse(`"${raw}"`) as string;
    } catch {
      msg = raw.replace(/\\/g, '');
    }
  }
  return JSON.stringify({
    level,
    time: time === undefined ? Date.now() : Number(time),
    service,
    msg,
    truncated: true,
    originalChars: line.length,
    head: line.slice(0, max),
  });
};

/** PostgreSQL's jsonb refuses the NUL character; it is stored as U+FFFD. */
const storable = (line: string) => (line.includes('\\u0000') ? line.replace(/\\u0000/g, '\\ufffd') : line);

const withNewline = (line: string) => (line.endsWith('\n') ? line : `${line}\n`);

/** A line jsonb refuses (the logger was given something that is not pino's JSON): stored as a record describing it. */
const orUnparsable = (line: string, service: string): string => {
  try {
    JSON.parse(line);
    return line;
  } catch {
    return JSON.stringify({ level: 40, time: Date.now(), service, msg: 'unparsable log record', raw: line.slice(0, 2000) });
  }
};

export class LogTee {
  /** Set by pino.multistream before each write: the record's numeric level. */
  lastLevel: number | undefined;
  private readonly buffer: LogBuffer;
  private readonly batchSize: number;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly maxRecordChars: number;
  private readonly onProblem: (message: string) => void;
  private pool: pg.Pool | undefined;
  private ownsPool = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private flushSoon = false;
  private failing = false;
  private closed = false;
  private counts = { received: 0, errors: 0, stored: 0, batches: 0, failedBatches: 0, truncated: 0 };

  constructor(private readonly options: LogTeeOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.maxBatch = Math.max(1, options.maxBatch ?? 1000);
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxRecordChars = options.maxRecordChars ?? 16_384;
    this.onProblem = options.onProblem ?? ((m) => void process.stderr.write(`${m}\n`));
    this.buffer = new LogBuffer({ maxRecords: options.maxBufferedRecords ?? 20_000, maxChars: options.maxBufferedChars ?? 16 * 1024 * 1024 });
  }

  get stats(): LogTeeStats {
    return { ...this.counts, droppedLow: this.buffer.droppedLow, droppedHigh: this.buffer.droppedHigh, buffered: this.buffer.length };
  }

  /** pino's destination interface: called synchronously for each record (a JSON line ending in a newline). */
  write(line: string): boolean {
    this.counts.received++;
    const level = this.lastLevel ?? levelOf(line);
    if (level >= ERROR) this.counts.errors++;
    if (!this.options.store || this.closed) return true;
    let record: BufferedRecord = { line, level };
    if (line.length > this.maxRecordChars) {
      record = { line: truncatedRecord(line, level, this.options.service, this.maxRecordChars), level };
      this.counts.truncated++;
    }
    this.buffer.push(record);
    if (this.pool !== undefined && this.buffer.length >= this.batchSize && !this.flushSoon && this.flushing === undefined && !this.failing) {
      this.flushSoon = true;
      setImmediate(() => {
        this.flushSoon = false;
        void this.flush();
      });
    }
    return true;
  }

  /** Starts writing to the database (the records logged before, up to the bounds, go first). */
  startStoring(source: { readonly connectionString: string } | { readonly pool: pg.Pool }): void {
    if (!this.options.store || this.pool !== undefined) return;
    if ('pool' in source) this.pool = source.pool;
    else {
      this.ownsPool = true;
      this.pool = new pg.Pool({
        connectionString: source.connectionString,
        max: 1,
        application_name: 'mastertrade-logs',
        connectionTimeoutMillis: 5000,
        // A stuck INSERT (a lock, a full disk) ends and its records wait in the buffer.
        statement_timeout: 10_000,
      });
      this.pool.on('error', () => undefined); // an idle connection died: the next flush opens another
    }
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  /** Writes what waits now, one INSERT per batch; resolves when done or when a batch failed (kept for later). */
  flush(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing;
    if (this.pool === undefined || this.buffer.length === 0) return Promise.resolve();
    const pool = this.pool;
    this.flushing = (async () => {
      try {
        while (this.buffer.length > 0) {
          const batch = this.buffer.take(this.maxBatch);
          if (!(await this.insert(pool, batch))) return;
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private async insert(pool: pg.Pool, batch: BufferedRecord[]): Promise<boolean> {
    // One text of newline-ended lines (JSON escapes every newline inside a record): no array literal to escape.
    const lines = batch.map((r) => withNewline(storable(r.line)));
    try {
      try {
        await pool.query(INSERT, [lines.join(''), this.options.service]);
      } catch (err) {
        // 22xxx: a line jsonb refuses; store the batch with that line described instead of losing the others.
        if (!String((err as { code?: string }).code ?? '').startsWith('22')) throw err;
        await pool.query(INSERT, [lines.map((l) => withNewline(orUnparsable(l.trimEnd(), this.options.service))).join(''), this.options.service]);
      }
      this.counts.stored += batch.length;
      this.counts.batches++;
      if (this.failing) this.onProblem(`log store: writing again (${this.buffer.droppedLow + this.buffer.droppedHigh} records dropped so far)`);
      this.failing = false;
      return true;
    } catch (err) {
      this.counts.failedBatches++;
      this.buffer.giveBack(batch);
      if (!this.failing) this.onProblem(`log store: cannot write to the logs table (${(err as Error).message}); records wait in memory, bounded`);
      this.failing = true;
      return false;
    }
  }

  /** A last flush, then the pool goes (when the tee opened it). Records logged afterwards are only counted. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushing;
    await this.flush();
    this.closed = true;
    if (this.ownsPool) await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }
}

/** The level of a pino line when multistream did not say (pino writes it first: {"level":30,...}). */
const levelOf = (line: string): number => {
  if (line.startsWith('{"level":')) {
    const n = parseInt(line.slice(9, 12), 10);
    if (Number.isFinite(n)) return n;
  }
  const m = /"level":(\d+)/.exec(line);
  return m ? Number(m[1]) : 30;
};
