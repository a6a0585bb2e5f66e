// `npm run backtest -- --strategy <id> | --genome <file.json> [--symbols BTCUSDT,ETHUSDT] [--interval 1h]
//    --from <ISO> --to <ISO> [--exchange binance] [--walk-forward is=720,oos=168[,step=168][,anchored]]
//    [--grid 'fast.period=5,10,20;slow.period=30,50'] [--metric sharpe]
//    [--taker-fee 0.001] [--maker-fee 0.001] [--slippage 0] [--capital 10000] [--bars-per-year 252] [--sizing fractional|whole|lot:0.001]`
// Runs one backtest job on the stored candles in this process (it serves nobody else; the API's jobs go to the worker
// pool), records it like any job (BacktestRequested, then BacktestCompleted or BacktestFailed; StrategyBacktested for
// a Generated strategy) and prints the metrics table.
// --walk-forward makes it a walk_forward job (with --grid, the grid is searched on each in-sample part);
// --grid alone makes it a grid_search job.
// The run settings (doc/settings.md) default to the configuration (BACKTEST_TAKER_FEE, …); each flag overrides one.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { either } from 'fp-ts';
import { backtestOutcomeRecorder, boundedOutcome, recordBacktestRequested, type BacktestAnalysisRequest } from '../../application/backtest/record-outcome.js';
import { runBacktestInProcess } from '../../application/backtest/run-in-process.js';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import { loadStrategy } from '../../application/strategy/handle-strategy-command.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { Genome, Timeframe } from '../../domain/strategy/genome.js';
import { formatSizing, resolveRunSettings } from '../../domain/execution/run-settings.js';
import { symbolProblems } from '../../domain/market/market-symbol.js';
import { runJob } from '../../infrastructure/backtest/run-job.js';
import { PostgresDailySeriesStore } from '../../infrastructure/market-data/daily-series-store.js';
import { PostgresCandleStore } from '../../infrastructure/market-data/postgres-candle-store.js';
import { configOrExit, openPlatform } from '../platform.js';
import { runCommand } from './run-command.js';
import { describeFailure } from '../failure.js';
import { SERIES_FLAG_OPTIONS, SETTINGS_FLAG_OPTIONS, SETTINGS_FLAGS_USAGE, settingOverridesOf } from './settings-flags.js';

const usage = () => {
  console.error(
    'usage: npm run backtest -- --strategy <id> | --genome <file.json> --from <ISO> --to <ISO> [--symbols A,B] [--interval 1h] ' +
      "[--exchange binance] [--walk-forward is=720,oos=168[,step=168][,anchored]] [--grid 'fast.period=5,10;slow.period=30,50'] [--metric sharpe] " +
      SETTINGS_FLAGS_USAGE,
  );
  process.exit(2);
};
const fail = (msg: string): never => {
  console.error(msg);
  process.exit(2);
};

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        ...SERIES_FLAG_OPTIONS,
        'walk-forward': { type: 'string' },
        grid: { type: 'string' },
        metric: { type: 'string' },
        ...SETTINGS_FLAG_OPTIONS,
      },
    });
  } catch (err) {
    // A flag without its value, or one this command does not know: say which, exit 2 like every other bad argument.
    return fail(`${(err as Error).message.split('\n')[0]}`);
  }
})();
const { values } = parsed;
if ((values.strategy === undefined) === (values.genome === undefined) || !values.from || !values.to) usage();
const from = Date.parse(values.from!);
const to = Date.parse(values.to!);
if (Number.isNaN(from) || Number.isNaN(to) || !(from < to))
  fail(`--from/--to: need two times, the first before the second (got "${values.from}", "${values.to}")`);
if (values.interval !== undefined && !Timeframe.is(values.interval)) fail(`--interval: one of 1m, 5m, 15m, 1h, 4h, 1d, not "${values.interval}"`);

// The run settings the flags override (each checked against its range, the flag named in the message).
const overrides = (() => {
  const parsed = settingOverridesOf(values);
  return either.isRight(parsed) ? parsed.right : fail(parsed.left);
})();

/** `fast.period=5,10,20;slow.period=30,50` → { 'fast.period': [5, 10, 20], 'slow.period': [30, 50] } */
const parseGrid = (s: string): Record<string, number[]> => {
  const grid: Record<string, number[]> = {};
  for (const part of s.split(';').filter((p) => p.trim() !== '')) {
    const [path, list] = part.split('=');
    const vals = (list ?? '').split(',').map(Number);
    if (!path || vals.length === 0 || vals.some((v) => !Number.isFinite(v))) fail(`--grid: "${part}" is not path=v1,v2,…`);
    grid[path!.trim()] = vals;
  }
  return grid;
};

/** `is=720,oos=168,step=168,anchored` */
const parseWalkForward = (s: string) => {
  const spec: { inSample?: number; outOfSample?: number; step?: number; anchored?: boolean } = {};
  for (const item of s.split(',')) {
    const [k, v] = item.split('=');
    const n = Number(v);
    if (k === 'anchored' && v === undefined) spec.anchored = true;
    else if (k === 'is' && Number.isInteger(n) && n > 0) spec.inSample = n;
    else if (k === 'oos' && Number.isInteger(n) && n > 0) spec.outOfSample = n;
    else if (k === 'step' && Number.isInteger(n) && n > 0) spec.step = n;
    else fail(`--walk-forward: cannot read "${item}" (is=<bars>,oos=<bars>[,step=<bars>][,anchored])`);
  }
  if (spec.inSample === undefined || spec.outOfSample === undefined) fail('--walk-forward: is=<bars> and oos=<bars> are required');
  return spec as { inSample: number; outOfSample: number; step?: number; anchored?: boolean };
};

const grid = values.grid === undefined ? undefined : parseGrid(values.grid);
const metric = values.metric;
const analysis: BacktestAnalysisRequest | undefined =
  values['walk-forward'] !== undefined
    ? { kind: 'walk_forward', walkForward: { ...parseWalkForward(values['walk-forward']), ...(grid ? { grid } : {}), ...(metric ? { metric } : {}) } }
    : grid !== undefined
      ? { kind: 'grid_search', gridSearch: { grid, ...(metric ? { metric } : {}) } }
      : undefined;

await runCommand('backtest', async () => {
  const platform = await openPlatform(configOrExit(), 'backtest', { role: 'command' });
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl });
  // Daily series for sentiment and macro operands; no PredictionSource yet (a prediction operand fails OPERAND_DATA_MISSING).
  const daily = new PostgresDailySeriesStore({ connectionString: platform.databaseUrl });
  try {
    let genome: Genome;
    if (values.strategy !== undefined) {
      const loaded = await loadStrategy(platform.store, values.strategy);
      if (either.isLeft(loaded)) throw new Error(loaded.left.message);
      const generated = loaded.right.events.find((e) => e.type === 'StrategyGenerated');
      if (generated?.type !== 'StrategyGenerated') throw new Error(`no strategy ${values.strategy}`);
      genome = generated.data.genome;
    } else {
      const decoded = Genome.decode(JSON.parse(readFileSync(values.genome!, 'utf8')));
      if (either.isLeft(decoded)) throw new Error(`${values.genome}: not a valid genome: ${formatFieldErrors(fieldErrors(decoded.left))}`);
      genome = decoded.right;
    }
    const symbols = values.symbols ? values.symbols.split(',').map((s) => s.trim().toUpperCase()) : [...genome.symbols];
    const interval = (values.interval as Genome['timeframe'] | undefined) ?? genome.timeframe;
    const checked = Genome.decode({ ...genome, symbols, timeframe: interval });
    if (either.isLeft(checked)) throw new Error(`--symbols/--interval: ${formatFieldErrors(fieldErrors(checked.left))}`);
    const exchange = values.exchange ?? platform.config.marketData.exchange;
    // A symbol's format is its exchange's: GOOG on nasdaq, BTCUSDT on binance.
    const misspelt = symbolProblems(symbols, exchange, 'symbols');
    if (misspelt.length > 0) throw new Error(`--symbols: ${misspelt.map((p) => p.message).join('; ')}`);
    const job: BacktestJob = {
      jobId: platform.ids.newId(),
      ...(values.strategy === undefined ? {} : { strategyId: values.strategy }),
      genome: checked.right,
      exchange,
      symbols,
      interval,
      period: { from, to },
      settings: resolveRunSettings(platform.config.runSettings, overrides),
    };
    const deps = { store: platform.store, clock: platform.clock, ids: platform.ids, actor: 'system:cli' as Actor };
    await recordBacktestRequested(deps, job, { requestedBy: 'system:cli' as Actor, ...(analysis ? { analysis } : {}) });
    // What is printed is what is stored (a result too large to store is a RESULT_TOO_LARGE failure).
    const outcome = boundedOutcome(job, await runBacktestInProcess({ candles, runJob, operands: { daily } }, job, analysis));
    await backtestOutcomeRecorder(deps)(job, outcome);
    console.log(
      `backtest ${job.jobId} (${analysis?.kind ?? 'single'}): ${symbols.join(', ')} ${interval} ${new Date(from).toISOString()} → ${new Date(to).toISOString()}`,
    );
    if (!outcome.ok) {
      console.error(`failed: ${outcome.code}: ${outcome.error}`);
      process.exitCode = 1;
    } else {
      const r = outcome.result as typeof outcome.result & { analysis?: { kind: string; windows?: unknown[]; cells?: unknown[]; best?: unknown } };
      const fmt = (v: number) => (Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));
      const keys = Object.keys(r.metrics).filter((k) => !k.startsWith('monthlyReturn.'));
      const width = Math.max(...keys.map((k) => k.length));
      console.log(`engine ${r.engineVersion}, data ${r.dataFingerprint.slice(0, 16)}…, ${r.window.bars} bars, ${r.trades.length} trades`);
      const s = r.settings;
      if (s !== undefined)
        console.log(
          `settings: taker fee ${s.takerFee}, maker fee ${s.makerFee}, slippage ${s.slippage}, capital ${s.initialCapital}, ` +
            `sizing ${formatSizing(s.sizing)}, bars per year ${s.barsPerYear} (${s.barsPerYearSource})`,
        );
      for (const k of keys) console.log(`  ${k.padEnd(width)}  ${fmt(r.metrics[k]!)}`);
      if (r.analysis?.kind === 'walk_forward')
        console.table(
          (
            r.analysis.windows as {
              outOfSample: { from: number };
              params?: object;
              inSampleHeadline: Record<string, number>;
              outOfSampleHeadline: Record<string, number>;
            }[]
          ).map((w) => ({
            oosFrom: new Date(w.outOfSample.from).toISOString().slice(0, 16),
            ...(w.params ?? {}),
            isSharpe: w.inSampleHeadline['sharpe'],
            oosSharpe: w.outOfSampleHeadline['sharpe'],
            oosReturn: w.outOfSampleHeadline['totalReturn'],
            oosTrades: w.outOfSampleHeadline['tradeCount'],
          })),
        );
      if (r.analysis?.kind === 'grid_search') {
        console.table(
          (r.analysis.cells as { params: object; score?: number; rank?: number; skipped?: string }[]).map((c) => ({
            ...c.params,
            score: c.score,
            rank: c.rank,
            skipped: c.skipped,
          })),
        );
        console.log('best:', JSON.stringify(r.analysis.best));
      }
    }
  } catch (e) {
    console.error(`backtest failed: ${describeFailure(e)}`);
    process.exitCode = 1;
  } finally {
    await candles.close();
    await daily.close();
    await platform.close();
  }
});
