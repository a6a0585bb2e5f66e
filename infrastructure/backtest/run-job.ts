// Runs any backtest job over candles already in memory: a single backtest (job-runner.ts) or, when the job carries
// an analysis, a walk-forward or grid search (analysis-runner.ts). What the worker threads and the in-process
// runner both call, so a job gives the same outcome wherever it runs. Never throws for a bad job.
import type { BacktestJob, BacktestJobOutcome } from '../../application/ports/backtest-jobs.js';
import type { OperandData } from '../../domain/backtest/operand-data.js';
import type { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { runAnalysisJob } from './analysis-runner.js';
import { runBacktestJob } from './job-runner.js';

export const runJob = (
  job: BacktestJob,
  seriesBySymbol: Readonly<Record<string, CandleSeries>>,
  cache: IndicatorCache,
  operands?: OperandData,
): BacktestJobOutcome =>
  job.analysis === undefined ? runBacktestJob(job, seriesBySymbol, cache, operands) : runAnalysisJob(job, job.analysis, seriesBySymbol, cache, operands);
