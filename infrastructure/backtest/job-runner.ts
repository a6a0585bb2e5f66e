// Runs one backtest job over candles already in memory and shapes the outcome for recording: the metrics (finite
// numbers only), the data window and fingerprint, the engine version, equity curves down-sampled for storage and the
// trade list with exit reasons. Synchronous and free of I/O, so it runs the same in the main thread and inside a
// worker thread (infrastructure/ only because it hashes with node:crypto).
import { resultTrade } from '../../domain/backtest/result-trade.js';
import { createHash } from 'node:crypto';
import type { BacktestJob, BacktestJobOutcome, BacktestJobResult } from '../../application/ports/backtest-jobs.js';
import { CompileError } from '../../domain/backtest/compile.js';
import { OperandDataError, type OperandData } from '../../domain/backtest/operand-data.js';
import { BacktestError, backtestGenome, windowIndices, type BacktestOptions } from '../../domain/backtest/engine.js';
import { applyRunSettings, DEFAULT_RUN_SETTINGS, fillConfigOf, type AppliedRunSettings } from '../../domain/execution/run-settings.js';
import { EXIT_REASON_NAMES } from '../../domain/execution/fill-model.js';
import { ENGINE_VERSION } from '../../domain/backtest/version.js';
import type { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';

/** At most this many [openTime, equity] points per symbol are kept (the first, the last, each bucket's min and max). */
export const MAX_EQUITY_POINTS = 500;

type Point = readonly [number, number];

/**
 * Down-samples an equity curve to at most `maxPoints` points: the first and the last bar, and for each bucket of the
 * bars in between its lowest and its highest point, in time order — so every peak and trough (and hence the maximum
 * drawdown) survives. `openTime[k]` is the open time of equity[k].
 */
export const downsampleEquity = (equity: ArrayLike<number>, openTime: ArrayLike<number>, maxPoints = MAX_EQUITY_POINTS): Point[] => {
  const n = equity.length;
  const out: Point[] = [];
  if (n === 0) return out;
  if (n <= maxPoints || maxPoints < 4) {
    for (let k = 0; k < n; k++) out.push([openTime[k]!, equity[k]!]);
    return out;
  }
  out.push([openTime[0]!, equity[0]!]);
  const inner = n - 2; // bars 1 .. n-2
  const buckets = Math.floor((maxPoints - 2) / 2);
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets); // exclusive
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let k = lo + 1; k < hi; k++) {
      if (equity[k]! < equity[iMin]!) iMin = k;
      if (equity[k]! > equity[iMax]!) iMax = k;
    }
    if (iMin === iMax) out.push([openTime[iMin]!, equity[iMin]!]);
    else {
      const [a, c] = iMin < iMax ? [iMin, iMax] : [iMax, iMin];
      out.push([openTime[a]!, equity[a]!], [openTime[c]!, equity[c]!]);
    }
  }
  out.push([openTime[n - 1]!, equity[n - 1]!]);
  return out;
};

/** Digest of one series' candles [0, end) (open times and OHLCV bytes), cached per series object and end index. */
const seriesDigests = new WeakMap<CandleSeries, Map<number, string>>();
const FINGERPRINT_FIELDS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

const seriesDigest = (series: CandleSeries, end: number): string => {
  let byEnd = seriesDigests.get(series);
  if (byEnd === undefined) seriesDigests.set(series, (byEnd = new Map<number, string>()));
  const hit = byEnd.get(end);
  if (hit !== undefined) return hit;
  const h = createHash('sha256');
  h.update(`${series.key.exchange}\n${series.key.symbol}\n${series.key.interval}\n${end}\n`);
  for (const f of FINGERPRINT_FIELDS) {
    const a = series[f];
    // Little-endian IEEE-754 bytes. Copied into a plain buffer first: a view over a SharedArrayBuffer is hashed
    // the same way, but not every Node version accepts one.
    const bytes = new Uint8Array(a.buffer, a.byteOffset, end * 8);
    h.update(a.buffer instanceof SharedArrayBuffer ? Buffer.from(bytes) : bytes);
  }
  const digest = h.digest('hex');
  byEnd.set(end, digest);
  return digest;
};

/**
 * sha-256 over the exchange, the interval and, per symbol in the job's order, the candles the result depends on:
 * every candle from the series' start (the indicators' warm-up) up to the end of the simulated window.
 */
export const dataFingerprint = (
  job: Pick<BacktestJob, 'exchange' | 'interval' | 'symbols'>,
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  ends: Readonly<Record<string, number>>,
): string => {
  const h = createHash('sha256');
  h.update(`mastertrade-candles-v1\n${job.exchange}\n${job.interval}\n`);
  for (const symbol of job.symbols) h.update(`${symbol}:${seriesDigest(seriesBySymbol[symbol]!, ends[symbol]!)}\n`);
  return h.digest('hex');
};

const finiteOnly = (m: Readonly<Record<string, number>>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
};

const failure = (jobId: string, code: string, error: string): BacktestJobOutcome => ({ ok: false, jobId, code, error });

/** Why a job cannot run on the series given (INVALID_JOB, MISSING_SERIES, SERIES_MISMATCH), or undefined when it can. */
export const jobSeriesProblem = (job: BacktestJob, seriesBySymbol: Readonly<Record<string, CandleSeries>>): BacktestJobOutcome | undefined => {
  if (job.symbols.length === 0) return failure(job.jobId, 'INVALID_JOB', 'the job names no symbol');
  if (!(job.period.from < job.period.to)) return failure(job.jobId, 'INVALID_JOB', `empty period [${job.period.from}, ${job.period.to})`);
  for (const symbol of job.symbols) {
    const s = seriesBySymbol[symbol];
    if (s === undefined) return failure(job.jobId, 'MISSING_SERIES', `no candles given for ${symbol}`);
    if (s.key.exchange !== job.exchange || s.key.interval !== job.interval || s.key.symbol !== symbol)
      return failure(
        job.jobId,
        'SERIES_MISMATCH',
        `series ${s.key.exchange}:${s.key.symbol}:${s.key.interval} given for ${job.exchange}:${symbol}:${job.interval}`,
      );
  }
  return undefined;
};

/**
 * The run settings of a job with bars per year filled in from its market (a job stored before settings existed runs
 * with the built-in defaults), and the engine options they make. The result records `settings`.
 */
export const jobRunSettings = (job: BacktestJob, operands?: OperandData): { readonly settings: AppliedRunSettings; readonly options: BacktestOptions } => {
  const settings = applyRunSettings(job.settings ?? DEFAULT_RUN_SETTINGS, job.exchange, job.interval);
  return {
    settings,
    options: {
      from: job.period.from,
      to: job.period.to,
      initialCapital: settings.initialCapital,
      fill: fillConfigOf(settings),
      metrics: { periodsPerYear: settings.barsPerYear },
      ...(job.trials === undefined ? {} : { trials: job.trials }),
      ...(operands === undefined ? {} : { operands }),
    },
  };
};

/** The job's genome on the job's symbols (the job says where to run it). */
const genomeForJob = (job: BacktestJob): BacktestJob['genome'] => {
  const same = job.genome.symbols.length === job.symbols.length && job.genome.symbols.every((s, i) => s === job.symbols[i]);
  return same ? job.genome : ({ ...job.genome, symbols: [...job.symbols] } as BacktestJob['genome']);
};

/**
 * Backtests `job.genome` on `job.symbols` over `job.period` ([from, to) by open time; indicators warm up on the
 * candles before `from`). `seriesBySymbol` must hold the job's exchange/interval series of each symbol. Engine and
 * genome errors become `{ ok: false, code, error }` (codes: EMPTY_WINDOW, MISSING_SERIES, TIMEFRAME_MISMATCH,
 * SERIES_MISMATCH, INVALID_GENOME, OPERAND_DATA_MISSING, INVALID_JOB, BACKTEST_FAILED); it never throws. `operands`: the
 * external data the genome's operands read (application/backtest/operand-data-loader.ts).
 */
export const runBacktestJob = (
  job: BacktestJob,
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  cache: IndicatorCache,
  operands?: OperandData,
): BacktestJobOutcome => {
  try {
    const unfit = jobSeriesProblem(job, seriesBySymbol);
    if (unfit !== undefined) return unfit;
    const run = jobRunSettings(job, operands);
    const bt = backtestGenome(genomeForJob(job), seriesBySymbol, cache, run.options);
    const ends: Record<string, number> = {};
    const perSymbol: Record<string, BacktestJobResult['perSymbol'][string]> = {};
    const equity: Record<string, Point[]> = {};
    const trades: BacktestJobResult['trades'][number][] = [];
    let from = Infinity;
    let to = -Infinity;
    let bars = 0;
    for (const symbol of job.symbols) {
      const series = seriesBySymbol[symbol]!;
      const r = bt.perSymbol[symbol]!;
      const w = windowIndices(series, job.period.from, job.period.to);
      ends[symbol] = w.to;
      from = Math.min(from, r.window.from);
      to = Math.max(to, r.window.to);
      bars += r.window.bars;
      perSymbol[symbol] = {
        metrics: finiteOnly(r.storedMetrics),
        gaps: r.gaps.gaps,
        trades: r.trades.length,
        // Stored only when the genome reads external data (a covered bar's times are finite: none is NaN).
        ...(r.coverage.length === 0 ? {} : { coverage: r.coverage.map((c) => ({ ...c })) }),
      };
      if (job.detail === 'summary') continue;
      equity[symbol] = downsampleEquity(r.equity, series.openTime.subarray(w.from, w.to));
      r.trades.forEach((t, i) => trades.push(resultTrade(symbol, t, EXIT_REASON_NAMES[r.exitReasons[i]!] ?? 'unknown')));
    }
    const metrics = finiteOnly({
      ...bt.aggregate.meanMetrics,
      symbols: bt.aggregate.symbols,
      totalTrades: bt.aggregate.totalTrades,
      meanFinalEquity: bt.aggregate.meanFinalEquity,
    });
    return {
      ok: true,
      result: {
        jobId: job.jobId,
        engineVersion: ENGINE_VERSION,
        dataFingerprint: dataFingerprint(job, seriesBySymbol, ends),
        // from/to: open times of the earliest first bar and the latest last bar; bars: simulated bars over all symbols.
        window: { from, to, bars },
        metrics,
        perSymbol,
        equity,
        trades,
        settings: run.settings,
      },
    };
  } catch (e) {
    if (e instanceof BacktestError || e instanceof CompileError || e instanceof OperandDataError) return failure(job.jobId, e.code, e.message);
    return failure(job.jobId, 'BACKTEST_FAILED', e instanceof Error ? e.message : String(e));
  }
};
