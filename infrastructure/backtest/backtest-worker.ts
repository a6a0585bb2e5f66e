// The backtest worker thread. Receives each candle series once, as a SharedArrayBuffer (shared with the main thread
// and the other workers, never copied), keeps one IndicatorCache across jobs (indicators are computed once per
// series and parameters, for every job that needs them), and runs jobs — single backtests, walk-forwards and grid
// searches — with runJob (run-job.ts).
// Protocol (messages from the pool): series | drop | clear | job. Replies: ready | result. A series is named by an id
// the pool gives it, and each job says which series id to use for each of its symbols: the candle store's series and
// series a caller made (the daily cycle's, cut at its asOf or resampled) live side by side, even under the same key.
import { parentPort, workerData } from 'node:worker_threads';
import type { BacktestJob, BacktestJobOutcome } from '../../application/ports/backtest-jobs.js';
import type { OperandData } from '../../domain/backtest/operand-data.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries, SeriesKey } from '../../domain/market/candles.js';
import { runJob } from './run-job.js';

export const SERIES_FIELDS = ['openTime', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'] as const;

export type ToWorker =
  | { readonly type: 'series'; readonly id: string; readonly key: SeriesKey; readonly length: number; readonly buffer: SharedArrayBuffer }
  | { readonly type: 'drop'; readonly id: string }
  | { readonly type: 'clear' }
  /** `series`: symbol → series id, for each of the job's symbols; `operands`: the external data its genome reads (copied). */
  | {
      readonly type: 'job';
      readonly seq: number;
      readonly job: BacktestJob;
      readonly series: Readonly<Record<string, string>>;
      readonly operands?: OperandData;
    };

export type FromWorker = { readonly type: 'ready' } | { readonly type: 'result'; readonly seq: number; readonly outcome: BacktestJobOutcome };

export interface WorkerOptions {
  readonly entry: string;
  /** Upper bound on the indicator values cached per worker (see IndicatorCache). */
  readonly maxCachedValues?: number;
  /** Test hook: a job whose id starts with this prefix makes the worker exit (code 3) as if it had crashed. */
  readonly exitOnJobIdPrefix?: string;
}

/** The CandleSeries views over a shared buffer laid out field after field (8 fields × length float64). */
export const seriesOverBuffer = (key: SeriesKey, length: number, buffer: SharedArrayBuffer | ArrayBuffer): CandleSeries => {
  const view = (j: number) => new Float64Array(buffer, j * length * 8, length);
  return {
    key,
    length,
    openTime: view(0),
    open: view(1),
    high: view(2),
    low: view(3),
    close: view(4),
    volume: view(5),
    quoteVolume: view(6),
    trades: view(7),
  };
};

/** The series id the pool uses for a key (a loaded version gets a suffix, see WorkerPool). */
export const seriesKeyId = (exchange: string, symbol: string, interval: string): string => `${exchange}:${symbol}:${interval}`;

if (parentPort !== null && workerData !== null && typeof workerData === 'object' && 'entry' in workerData) {
  const port = parentPort;
  const options = workerData as WorkerOptions;
  const cache = new IndicatorCache(options.maxCachedValues === undefined ? {} : { maxValues: options.maxCachedValues });
  /** By series id. The cache tells series apart by object, so two series with the same key never share indicators. */
  const series = new Map<string, CandleSeries>();

  port.on('message', (msg: ToWorker) => {
    switch (msg.type) {
      case 'series':
        series.set(msg.id, seriesOverBuffer(msg.key, msg.length, msg.buffer));
        return;
      case 'drop':
        // Its cached indicators go too (the cache cannot drop one series' entries, so it starts afresh).
        if (series.delete(msg.id)) cache.clear();
        return;
      case 'clear':
        cache.clear();
        return;
      case 'job': {
        const { job, seq } = msg;
        if (options.exitOnJobIdPrefix !== undefined && job.jobId.startsWith(options.exitOnJobIdPrefix)) process.exit(3);
        const bySymbol: Record<string, CandleSeries> = {};
        for (const [symbol, id] of Object.entries(msg.series)) {
          const found = series.get(id);
          if (found !== undefined) bySymbol[symbol] = found;
        }
        const reply: FromWorker = { type: 'result', seq, outcome: runJob(job, bySymbol, cache, msg.operands) };
        port.postMessage(reply);
        return;
      }
    }
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}
