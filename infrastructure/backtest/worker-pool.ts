// A pool of worker threads that runs backtest jobs on this machine (BacktestExecutor).
// - Candles are shared, not copied: each series is loaded once (loadSeries), copied once into a SharedArrayBuffer,
//   and posted once to each worker, which keeps it (and an IndicatorCache) across jobs and runs. Jobs then carry
//   only the genome, the ids and the period.
// - Series come from the candle store (loadSeries, by exchange:symbol:interval) unless the caller gives its own for a
//   job (`run(job, series)`: e.g. the daily cycle's candles, cut at its asOf and resampled to 4h/1d, which must be
//   used exactly as given); a given series is shared once per CandleSeries object, until `forget(series)`.
//   Workers name every series by an id, and each job says which id each of its symbols uses.
// - Walk-forward and grid-search jobs (a job with an `analysis`) run on the workers like single ones.
// - The pool stays alive between runs: create it once, preload the series, run many batches, close at shutdown.
// - Jobs are handed out as workers free up (a few in flight per worker), so the load evens out; runMany returns
//   the outcomes in input order.
// - A worker that dies (crash, process.exit, out of memory) is replaced; the job it was running fails with a
//   WorkerCrashedError (run rejects; runMany reports `{ ok: false, code: 'WORKER_CRASHED' }` for it), never hangs;
//   the jobs queued behind it on that worker had not started and run elsewhere.
// - External operand data (Fear & Greed, indices, other symbols' candles, predictions) travels with the job: the
//   caller gives it (`run(job, series, operands)`, e.g. the daily cycle, which loads it once per window) or the pool
//   loads what the genome needs from `options.operands` with the in-process loader (loadJobOperands: same range,
//   same code), so a job gives the same outcome on a worker as in process. Without either, such a job fails
//   OPERAND_DATA_MISSING (not loaded), never runs without its data.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BacktestExecutor, BacktestJob, BacktestJobOutcome } from '../../application/ports/backtest-jobs.js';
import { loadJobOperands } from '../../application/backtest/run-in-process.js';
import type { OperandSources } from '../../application/backtest/operand-data-loader.js';
import type { CandleStore } from '../../application/ports/candle-store.js';
import type { OperandData } from '../../domain/backtest/operand-data.js';
import type { CandleSeries, Interval, SeriesKey } from '../../domain/market/candles.js';
import { SERIES_FIELDS, seriesKeyId, seriesOverBuffer, type FromWorker, type ToWorker, type WorkerOptions } from './backtest-worker.js';

export type LoadSeries = (exchange: string, symbol: string, interval: Interval) => Promise<CandleSeries>;

export interface WorkerPoolOptions {
  /** Worker threads. Default os.availableParallelism(). */
  readonly size?: number;
  /** Where candles come from (the candle store, a binary cache…). Called once per series until invalidate(). */
  readonly loadSeries: LoadSeries;
  /** Jobs handed to one worker before it answers (hides the message round trip). Default 2. */
  readonly inFlightPerWorker?: number;
  /** Indicator values cached per worker (IndicatorCache maxValues). Default 2^25 (256 MiB). */
  readonly maxCachedValuesPerWorker?: number;
  /** Test hook: a job whose id starts with this prefix makes its worker exit as if it crashed. Never set in production. */
  readonly testExitOnJobIdPrefix?: string;
  /**
   * Where a job's external operand data is loaded from when the caller does not give it (the candle store for other
   * symbols, the daily series store, the PredictionSource). Left out: such a job fails OPERAND_DATA_MISSING.
   */
  readonly operands?: OperandSources & { readonly candles: Pick<CandleStore, 'readSeries'> };
}

export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  readonly code = 'WORKER_CRASHED';
  constructor(
    readonly jobId: string,
    detail: string,
  ) {
    super(`WORKER_CRASHED: the worker thread running backtest job ${jobId} died (${detail}); the job did not finish`);
  }
}

export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
  constructor() {
    super('the backtest worker pool is closed');
  }
}

interface SharedSeries {
  readonly id: string;
  readonly key: SeriesKey;
  readonly length: number;
  readonly buffer: SharedArrayBuffer;
}

interface Task {
  readonly seq: number;
  readonly job: BacktestJob;
  readonly series: readonly SharedSeries[];
  /** symbol → series id. */
  readonly names: Readonly<Record<string, string>>;
  readonly operands: OperandData | undefined;
  readonly resolve: (o: BacktestJobOutcome) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly index: number;
  /** Series ids this worker has received. */
  readonly sent: Set<string>;
  readonly inFlight: Map<number, Task>;
  ready: boolean;
  exited: boolean;
  lastError: string | undefined;
  jobsDone: number;
}

const ENTRY = new URL('./backtest-worker.ts', import.meta.url).href;
const BOOTSTRAP = new URL('./backtest-worker-bootstrap.mjs', import.meta.url);

/** Copies a series into one SharedArrayBuffer (8 fields × length float64, field after field). */
export const toSharedSeries = (id: string, s: CandleSeries): SharedSeries => {
  const buffer = new SharedArrayBuffer(Math.max(1, s.length * 8 * SERIES_FIELDS.length));
  const views = seriesOverBuffer(s.key, s.length, buffer);
  for (const f of SERIES_FIELDS) views[f].set(s[f].subarray(0, s.length));
  return { id, key: s.key, length: s.length, buffer };
};

export class WorkerPool implements BacktestExecutor {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private queueHead = 0;
  private readonly series = new Map<string, Promise<SharedSeries>>();
  /** Series callers gave (run's second argument), shared once per object until forget(). */
  private readonly given = new WeakMap<CandleSeries, SharedSeries>();
  private nextSeq = 0;
  private version = 0;
  private closed = false;
  /** Workers that died before they were ready, in a row: stop replacing them after a few. */
  private startFailures = 0;
  private readonly inFlightPerWorker: number;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.inFlightPerWorker = Math.max(1, options.inFlightPerWorker ?? 2);
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn(i));
  }

  /** Resolves when every worker has started (optional: jobs wait for their worker anyway). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const t0 = Date.now();
    while (!this.slots.every((s) => s.ready)) {
      if (this.closed) throw new PoolClosedError();
      if (Date.now() - t0 > timeoutMs) throw new Error(`backtest workers not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Loads the series (once each) and sends them to every worker, so later jobs start at once. */
  async preload(keys: readonly SeriesKey[]): Promise<void> {
    const loaded = await Promise.all(keys.map((k) => this.sharedSeries(k.exchange, k.symbol, k.interval)));
    for (const slot of this.slots) for (const s of loaded) this.sendSeries(slot, s);
  }

  /** Forgets loaded series (all when no key is given): the next job that needs one loads it again. */
  invalidate(keys?: readonly SeriesKey[]): void {
    const ids = keys === undefined ? [...this.series.keys()] : keys.map((k) => seriesKeyId(k.exchange, k.symbol, k.interval));
    for (const k of ids) {
      const p = this.series.get(k);
      if (p === undefined) continue;
      this.series.delete(k);
      p.then(
        (s) => {
          for (const slot of this.slots) if (slot.sent.delete(s.id)) this.post(slot, { type: 'drop', id: s.id });
        },
        () => undefined,
      );
    }
  }

  /** Empties every worker's indicator cache (e.g. to time a run from cold, or to free memory between runs). */
  clearIndicatorCaches(): void {
    for (const slot of this.slots) this.post(slot, { type: 'clear' });
  }

  /**
   * Runs the job on a worker. Its candles are the store's (loaded once per series) or, when `series` is given, those
   * (symbol → series, used exactly as given; a symbol missing there fails the job with MISSING_SERIES). Its external
   * operand data is `operands` when given, else (for the store's series only) loaded from `options.operands`.
   */
  run(job: BacktestJob, series?: Readonly<Record<string, CandleSeries>>, operands?: OperandData): Promise<BacktestJobOutcome> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const shared: Promise<readonly (readonly [string, SharedSeries])[]> =
      series === undefined
        ? Promise.all(job.symbols.map(async (s) => [s, await this.sharedSeries(job.exchange, s, job.interval)] as const))
        : Promise.resolve(job.symbols.flatMap((s) => (series[s] === undefined ? [] : [[s, this.givenSeries(series[s])] as const])));
    // A caller giving its own series gives the operand data that goes with them (the store's would not match).
    return Promise.all([shared, series === undefined ? this.jobOperands(job, operands) : Promise.resolve({ ok: true as const, data: operands })]).then(
      ([pairs, data]) =>
        new Promise<BacktestJobOutcome>((resolve, reject) => {
          if (this.closed) return reject(new PoolClosedError());
          if (!data.ok) return resolve(data.outcome);
          const names = Object.fromEntries(pairs.map(([symbol, s]) => [symbol, s.id]));
          this.queue.push({ seq: this.nextSeq++, job, series: pairs.map(([, s]) => s), names, operands: data.data, resolve, reject });
          this.pump();
        }),
    );
  }

  /** The operand data a job travels with: the caller's, or what its genome needs loaded from the pool's sources. */
  private async jobOperands(job: BacktestJob, given: OperandData | undefined): ReturnType<typeof loadJobOperands> {
    if (given !== undefined || this.options.operands === undefined) return { ok: true, data: given };
    const { candles, ...rest } = this.options.operands;
    return loadJobOperands({ candles, operands: rest }, job);
  }

  /** Drops series given to run() from the workers (call it once their jobs are done; a later run shares them again). */
  forget(series: readonly CandleSeries[]): void {
    for (const s of series) {
      const shared = this.given.get(s);
      if (shared === undefined) continue;
      this.given.delete(s);
      for (const slot of this.slots) if (slot.sent.delete(shared.id)) this.post(slot, { type: 'drop', id: shared.id });
    }
  }

  /** Runs every job, spread over the workers; outcomes in input order. A job whose worker died is reported as WORKER_CRASHED. */
  runMany(jobs: readonly BacktestJob[]): Promise<BacktestJobOutcome[]> {
    return Promise.all(
      jobs.map((job) =>
        this.run(job).catch((e: unknown): BacktestJobOutcome => {
          if (e instanceof WorkerCrashedError) return { ok: false, jobId: job.jobId, code: e.code, error: e.message };
          throw e;
        }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new PoolClosedError();
    for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i]!.reject(err);
    this.queue.length = 0;
    this.queueHead = 0;
    await Promise.all(
      this.slots.map(async (slot) => {
        for (const t of slot.inFlight.values()) t.reject(err);
        slot.inFlight.clear();
        await slot.worker.terminate();
      }),
    );
  }

  /** Jobs done per worker since it started (a replaced worker starts at 0): shows how the load spread. */
  stats(): { workers: number; jobsDone: number[]; queued: number } {
    return { workers: this.slots.length, jobsDone: this.slots.map((s) => s.jobsDone), queued: this.queue.length - this.queueHead };
  }

  private sharedSeries(exchange: string, symbol: string, interval: Interval): Promise<SharedSeries> {
    const k = seriesKeyId(exchange, symbol, interval);
    let p = this.series.get(k);
    if (p === undefined) {
      const id = `${k}#${++this.version}`;
      p = this.options.loadSeries(exchange, symbol, interval).then((s) => {
        if (s.key.exchange !== exchange || s.key.symbol !== symbol || s.key.interval !== interval)
          throw new Error(`loadSeries(${k}) returned the series ${seriesKeyId(s.key.exchange, s.key.symbol, s.key.interval)}`);
        return toSharedSeries(id, s);
      });
      this.series.set(k, p);
      p.catch(() => {
        if (this.series.get(k) === p) this.series.delete(k);
      });
    }
    return p;
  }

  private givenSeries(s: CandleSeries): SharedSeries {
    let shared = this.given.get(s);
    if (shared === undefined)
      this.given.set(s, (shared = toSharedSeries(`given:${seriesKeyId(s.key.exchange, s.key.symbol, s.key.interval)}#${++this.version}`, s)));
    return shared;
  }

  private spawn(index: number): Slot {
    const data: WorkerOptions = {
      entry: ENTRY,
      ...(this.options.maxCachedValuesPerWorker === undefined ? {} : { maxCachedValues: this.options.maxCachedValuesPerWorker }),
      ...(this.options.testExitOnJobIdPrefix === undefined ? {} : { exitOnJobIdPrefix: this.options.testExitOnJobIdPrefix }),
    };
    const worker = new Worker(BOOTSTRAP, { workerData: data, name: `backtest-${index}` });
    const slot: Slot = { worker, index, sent: new Set(), inFlight: new Map(), ready: false, exited: false, lastError: undefined, jobsDone: 0 };
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        this.startFailures = 0;
        this.pump();
        return;
      }
      const task = slot.inFlight.get(msg.seq);
      if (task === undefined) return;
      slot.inFlight.delete(msg.seq);
      slot.jobsDone++;
      task.resolve(msg.outcome);
      this.pump();
    });
    worker.on('error', (e) => {
      slot.lastError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private onExit(slot: Slot, code: number): void {
    slot.exited = true;
    if (this.closed) return;
    const detail = `exit code ${code}${slot.lastError === undefined ? '' : `, ${slot.lastError}`}`;
    // A worker runs its jobs in the order they were sent: the oldest in flight is the one it died on. The others
    // had not started: they go back to the front of the queue.
    const held = [...slot.inFlight.values()];
    slot.inFlight.clear();
    if (held.length > 0) {
      held[0]!.reject(new WorkerCrashedError(held[0]!.job.jobId, detail));
      this.queue.splice(this.queueHead, 0, ...held.slice(1));
    }
    if (!slot.ready) this.startFailures++;
    if (this.startFailures >= 3) {
      // Workers cannot even start: fail everything rather than respawn forever.
      const err = new Error(`backtest workers fail to start (${detail})`);
      for (let i = this.queueHead; i < this.queue.length; i++) this.queue[i]!.reject(err);
      this.queue.length = 0;
      this.queueHead = 0;
      this.closed = true;
      for (const s of this.slots) if (!s.exited) void s.worker.terminate();
      return;
    }
    this.slots[slot.index] = this.spawn(slot.index);
    this.pump();
  }

  private sendSeries(slot: Slot, s: SharedSeries): void {
    if (slot.sent.has(s.id)) return;
    slot.sent.add(s.id);
    this.post(slot, { type: 'series', id: s.id, key: s.key, length: s.length, buffer: s.buffer });
  }

  private post(slot: Slot, msg: ToWorker): void {
    if (!slot.exited) slot.worker.postMessage(msg);
  }

  /** Hands queued jobs to the least busy ready workers. */
  private pump(): void {
    while (this.queueHead < this.queue.length) {
      let best: Slot | undefined;
      for (const s of this.slots)
        if (s.ready && !s.exited && s.inFlight.size < this.inFlightPerWorker && (best === undefined || s.inFlight.size < best.inFlight.size)) best = s;
      if (best === undefined) return;
      const task = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as never;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      for (const s of task.series) this.sendSeries(best, s);
      best.inFlight.set(task.seq, task);
      this.post(best, {
        type: 'job',
        seq: task.seq,
        job: task.job,
        series: task.names,
        ...(task.operands === undefined ? {} : { operands: task.operands }),
      });
    }
  }
}
