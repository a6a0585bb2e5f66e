// The wire format of a backtest job (work queue messages, API requests): an io-ts codec whose decoded value is a
// BacktestJob. A job that does not decode is malformed and is never run. A walk-forward or grid-search job carries
// its `analysis`; messages without one (all of them before analyses went to the queue) are single backtests.
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { BacktestAnalysisSpec, BacktestJobCodec as StoredJob } from '../../domain/backtest/events.js';
import { formatFieldErrors, type FieldError } from '../../domain/primitives/decode-errors.js';
import { decodeStorable } from '../../domain/primitives/exact.js';
import { RunSettings } from '../../domain/execution/run-settings.js';
import { symbolProblems } from '../../domain/market/market-symbol.js';
import { Genome } from '../../domain/strategy/genome.js';
import type { BacktestJob } from '../ports/backtest-jobs.js';

/**
 * The job as BacktestRequested stores it (domain/backtest/events.ts: one definition of a job's fields and bounds),
 * plus what only travels with it: how much detail to send back, and the analysis (stored beside the job).
 */
const WireJob = t.intersection([StoredJob, t.partial({ detail: t.keyof({ full: null, summary: null }), analysis: BacktestAnalysisSpec })], 'BacktestJob');

/** The rules across fields a job must also keep. */
const jobProblems = (j: t.TypeOf<typeof WireJob>): FieldError[] => [
  ...(j.period.from < j.period.to ? [] : [{ path: 'period', message: 'from must be before to' }]),
  ...(new Set(j.symbols).size === j.symbols.length ? [] : [{ path: 'symbols', message: 'symbols repeat' }]),
  // A symbol's format is its exchange's (a ticker on nasdaq, a pair on binance).
  ...symbolProblems(j.symbols, j.exchange, 'symbols'),
  ...(j.trials === undefined || j.trials.count >= 1 ? [] : [{ path: 'trials.count', message: 'at least 1' }]),
  ...(j.trials === undefined || j.trials.annualisedSharpeVariance >= 0 ? [] : [{ path: 'trials.annualisedSharpeVariance', message: 'not negative' }]),
];

/** Decodes unknown JSON into a BacktestJob (exactly: a field a job does not have is an error); encodes one into plain JSON. */
export const BacktestJobCodec = new t.Type<BacktestJob, unknown, unknown>(
  'BacktestJob',
  (u): u is BacktestJob => WireJob.is(u) && jobProblems(u).length === 0,
  (u, c) => {
    const decoded = decodeStorable(WireJob, u);
    if (either.isLeft(decoded)) return t.failure(u, c, formatFieldErrors(decoded.left));
    const problems = jobProblems(decoded.right);
    return problems.length === 0 ? t.success<BacktestJob>(decoded.right) : t.failure(u, c, formatFieldErrors(problems));
  },
  (job) => ({
    jobId: job.jobId,
    ...(job.strategyId === undefined ? {} : { strategyId: job.strategyId }),
    genome: Genome.encode(job.genome),
    exchange: job.exchange,
    symbols: [...job.symbols],
    interval: job.interval,
    period: { from: job.period.from, to: job.period.to },
    ...(job.trials === undefined ? {} : { trials: { count: job.trials.count, annualisedSharpeVariance: job.trials.annualisedSharpeVariance } }),
    ...(job.settings === undefined ? {} : { settings: RunSettings.encode(job.settings) }),
    ...(job.detail === undefined ? {} : { detail: job.detail }),
    ...(job.analysis === undefined ? {} : { analysis: BacktestAnalysisSpec.encode(job.analysis as t.TypeOf<typeof BacktestAnalysisSpec>) }),
  }),
);

export class MalformedJobError extends Error {
  override readonly name = 'MalformedJobError';
  constructor(readonly problems: readonly string[]) {
    super(`malformed backtest job: ${problems.join('; ')}`);
  }
}

/** The job, or a MalformedJobError listing every problem. */
export const decodeBacktestJob = (u: unknown): BacktestJob => {
  const decoded = decodeStorable(WireJob, u);
  const problems = either.isLeft(decoded) ? decoded.left : jobProblems(decoded.right);
  if (either.isLeft(decoded) || problems.length > 0) throw new MalformedJobError(problems.slice(0, 20).map((p) => clip(`${p.path}: ${p.message}`)));
  const job: BacktestJob = decoded.right;
  return job;
};

const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);
