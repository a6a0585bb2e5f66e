// `npm run cycle -- [--as-of <ISO time>] [--n 500] [--seed N] [--timeframes 1h,4h]`: runs the daily learning cycle now (as the 03:00 UTC
// job does) on the stored candles closed by --as-of (default: now), and prints what it generated, what passed the
// out-of-sample filter, the top 10 by OOS Sharpe, the insights' top factors and the wall time. Re-running a day
// that already ran appends nothing and says so. A day keeps its first run's parameters: a re-run without --n, --seed
// or --timeframes resumes (or reports) the day with them, and one that asks for other values exits 2 naming each
// difference and the day's values, appending nothing. A run while the day's cycle runs elsewhere (the schedule, another
// `npm run cycle`) exits 2 naming it; a cycle killed half-way is resumed by the next run.
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { runDailyCycle } from '../../application/learning/daily-cycle.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { cycleBacktests, cycleOperandSources, learningCycleDeps } from '../learning-schedule.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';
import { describeFailure } from '../failure.js';

const { values } = parseArgs({ options: { 'as-of': { type: 'string' }, n: { type: 'string' }, seed: { type: 'string' }, timeframes: { type: 'string' } } });
const fail = (msg: string): never => {
  console.error(msg);
  process.exit(2);
};
const asOf = values['as-of'] ? new Date(values['as-of']) : undefined;
if (asOf !== undefined && Number.isNaN(asOf.getTime())) fail(`--as-of: not a time: "${values['as-of']}" (use e.g. 2023-06-01T03:00:00Z)`);
// Only what is given is asked for: a day already started fills in the rest with its own parameters (default n 500).
const n = values.n === undefined ? undefined : Number(values.n);
if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) fail(`--n: must be a positive integer, got "${values.n}"`);
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && (!Number.isSafeInteger(seed) || seed < 0)) fail(`--seed: must be a non-negative integer, got "${values.seed}"`);
const timeframes = values.timeframes
  ?.split(',')
  .map((x) => x.trim())
  .filter(Boolean);
const CYCLE_TIMEFRAMES = ['1h', '4h', '1d'] as const;
if (timeframes !== undefined && (timeframes.length === 0 || timeframes.some((x) => !(CYCLE_TIMEFRAMES as readonly string[]).includes(x))))
  fail(`--timeframes: a comma list of ${CYCLE_TIMEFRAMES.join(', ')} (built from the 1h candles), got "${values.timeframes}"`);

await runCommand('cycle', async () => {
  const platform = await openPlatform(configOrExit(), 'cycle', { role: 'command' });
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl });
  // The backtests run on a worker-thread pool opened by the first chunk, kept for the run and closed after it.
  const backtests = cycleBacktests(platform, candles);
  const num = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
  try {
    const run = await runDailyCycle(learningCycleDeps(platform, candles, backtests, undefined, cycleOperandSources(platform, candles)), {
      defaultTimeframes: platform.config.learning.timeframes,
      trigger: `npm run cycle (pid ${process.pid})`,
      ...(timeframes === undefined ? {} : { timeframes: timeframes as (typeof CYCLE_TIMEFRAMES)[number][] }),
      ...(n === undefined ? {} : { n }),
      ...(asOf === undefined ? {} : { asOf }),
      ...(seed === undefined ? {} : { seed }),
    });
    if (either.isLeft(run)) {
      // Other parameters than the day's, or the day's cycle already running: refused, nothing appended (the stores
      // close in `finally`).
      console.error(run.left.message);
      return 2;
    }
    const r = run.right;
    console.log(`cycle ${r.cycleId} as of ${r.asOf}${r.ran ? '' : ' — ALREADY RAN: nothing appended'}`);
    console.log(
      `symbols ${r.symbols.join(', ')}; regime ${r.regime}; IS ${r.inSample.start} → ${r.inSample.end}; OOS ${r.outOfSample.start} → ${r.outOfSample.end}`,
    );
    console.log(`history: ${r.historySize} strategies; policy updates: ${r.policyUpdates}; events appended: ${r.appended}`);
    console.log(`generated: ${r.generated} (ga ${r.produced.ga}, policy ${r.produced.policy}, random ${r.produced.random})`);
    if (r.leftOut > 0) console.log(`time budget: ${r.generated} of ${r.planned} backtested, ${r.leftOut} left out (CycleBudgetExhausted)`);
    console.log(`passed the filter: ${r.passed} of ${r.learnedFrom}`);
    console.log(`paper results learned from: ${r.paperResultsLearned}; promoted to paper: ${r.promoted.length}`);
    if (r.learnedFrom < r.generated) console.log(`learned from: ${r.learnedFrom} of ${r.generated} (the others are stored otherwise: see the notes)`);
    console.log('');
    console.log('top 10 by OOS Sharpe:');
    console.log(
      ' #  strategy                              origin  type              symbols          OOS Sharpe  OOS return  OOS trades  IS Sharpe  OOS DSR  filter',
    );
    r.ranking
      .slice(0, 10)
      .forEach((s, i) =>
        console.log(
          `${String(i + 1).padStart(2)}  ${s.strategyId}  ${s.origin.padEnd(6)}  ${s.strategyType.padEnd(16)}  ${s.symbols.join(',').padEnd(15)}  ${num(s.oosSharpe).padStart(10)}  ${(s.oosReturn === null ? '–' : `${(s.oosReturn * 100).toFixed(2)}%`).padStart(10)}  ${String(s.oosTrades).padStart(10)}  ${num(s.isSharpe).padStart(9)}  ${num(s.oosDeflatedSharpe).padStart(7)}  ${s.passed ? 'passed' : 'rejected'}`,
        ),
      );
    const factors = (title: string, fs: readonly { feature: string; value: string; meanSharpe: number; count: number }[]) => {
      console.log('');
      console.log(`${title}:`);
      if (fs.length === 0) console.log('  (none yet)');
      for (const f of fs) console.log(`  ${f.feature} = ${f.value}: mean OOS Sharpe ${num(f.meanSharpe)} over ${f.count}`);
    };
    if (r.insights !== null) {
      factors('insights — top success factors', r.insights.successFactors.slice(0, 5));
      factors('insights — top failure factors', r.insights.failureFactors.slice(0, 5));
    }
    if (r.notes.length > 0) {
      console.log('');
      console.log('notes:');
      for (const note of r.notes) console.log(`  - ${note}`);
    }
    console.log('');
    console.log(`wall time: ${(r.wallMs / 1000).toFixed(1)} s`);
  } catch (err) {
    console.error(`cycle failed: ${describeFailure(err)}`);
    process.exitCode = 1;
  } finally {
    await backtests.close();
    await candles.close();
    await platform.close();
  }
});
