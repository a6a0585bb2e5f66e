// The wire format of a backtest job (work queue messages, API requests): an io-ts codec whose decoded value is a
// BacktestJob. A job that does not decode is malformed and is never run. A walk-forward or grid-search job carries
// its `analysis`; messages without one (all of them before analyses went to the queue) are single backtests.
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { BacktestAnalysisSpec } from '../../domain/backtest/events.js';
import { Finite, nonEmptyArray } from '../../domain/primitives/codecs.js';
import { Genome, MarketSymbol, Timeframe } from '../../domain/strategy/genome.js';
import type { BacktestJob } from '../ports/backtest-jobs.js';

const JobId = t.refinement(t.string, (s) => s.length > 0 && s.length <= 200, 'JobId');
const Exchange = t.refinement(t.string, (s) => /^[a-z0-9_.-]{1,40}$/.test(s), 'Exchange');
const Period = t.refinement(t.type({ from: Finite, to: Finite }), (p) => p.from < p.to, 'Period(from < to)');
const Trials = t.refinement(
  t.type({ count: Finite, annualisedSharpeVariance: Finite }),
  (x) => Number.isInteger(x.count) && x.count >= 1 && x.annualisedSharpeVariance >= 0,
  'Trials',
);
const Symbols = t.refinement(nonEmptyArray(MarketSymbol), (xs) => new Set(xs).size === xs.length, 'Symbols(distinct)');

const JobShape = t.intersection(
  [
    t.type({ jobId: JobId, genome: Genome, exchange: Exchange, symbols: Symbols, interval: Timeframe, period: Period }),
    t.partial({ strategyId: t.string, trials: Trials, detail: t.keyof({ full: null, summary: null }), analysis: BacktestAnalysisSpec }),
  ],
  'BacktestJob',
);

/** Decodes unknown JSON into a BacktestJob; encodes a BacktestJob into plain JSON. */
export const BacktestJobCodec = new t.Type<BacktestJob, unknown, unknown>(
  'BacktestJob',
  (u): u is BacktestJob => JobShape.is(u),
  (u, c) => JobShape.validate(u, c),
  (job) => ({
    jobId: job.jobId,
    ...(job.strategyId === undefined ? {} : { strategyId: job.strategyId }),
    genome: Genome.encode(job.genome),
    exchange: job.exchange,
    symbols: [...job.symbols],
    interval: job.interval,
    period: { from: job.period.from, to: job.period.to },
    ...(job.trials === undefined ? {} : { trials: { count: job.trials.count, annualisedSharpeVariance: job.trials.annualisedSharpeVariance } }),
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
  const r = BacktestJobCodec.decode(u);
  if (isLeft(r)) throw new MalformedJobError(PathReporter.report(r).slice(0, 20).map((p) => (p.length > 300 ? `${p.slice(0, 300)}…` : p)));
  return r.right;
};
