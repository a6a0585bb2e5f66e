// The pipeline in a process (doc/pipeline.md): `pipelineSteps` composes the steps in the order of a pipeline hour,
// `startPipelineLoop` ticks them live every hour at minute PIPELINE_TICK_MINUTE (apps/autonomy/start.ts, in the
// all-in-one process and the autonomy service), and
// `replayMain` is `npm start -- --replay <from> <to>`: the whole operation over stored history on a simulated clock,
// then a summary, exit 0 (2 on bad input, 1 when a step failed).
import { either } from 'fp-ts';
import { parseArgs } from 'node:util';
import { sql } from 'slonik';
import type { SettableClock } from '../application/pipeline/pipeline.js';
import { createPipeline, formatProgress, runReplay, type Pipeline, type PipelineStatus, type ReplayReport } from '../application/pipeline/pipeline.js';
import type { PipelineStep } from '../application/pipeline/step.js';
import { replayRange, type ReplayRange } from '../domain/pipeline/replay.js';
import { simulatedClock } from '../infrastructure/clock/simulated-clock.js';
import type { WorkerPool } from '../infrastructure/backtest/worker-pool.js';
import type { WindowBacktests } from '../application/ports/window-backtests.js';
import { PostgresCandleStore } from '../infrastructure/market-data/postgres-candle-store.js';
import { schedule, type Scheduled } from '../infrastructure/scheduling/schedule.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import { CatchUpIncomplete, ProjectionRunner } from '../projections/runner.js';
import { logShowsEverything, readModelsCaughtUp } from './learning-schedule.js';
import { configOrExit, openPlatform, type Platform } from './platform.js';
import { describeFailure } from './failure.js';
import { openWorkerPool } from './backtesting.js';
import { learningPipelineSteps } from './learning-schedule.js';
import { createTradingDesk } from '../application/pipeline/trading-desk.js';
import { tradingStrategiesReader } from '../projections/trading-days/queries.js';
import { createActivationStep } from '../application/pipeline/activation-step.js';
import { latestCycleRegime, rankingReadModel } from '../projections/ranking/queries.js';
import { PaperExchange } from '../infrastructure/exchange/paper/paper-exchange.js';
import type { RiskLimits } from '../domain/risk/limits.js';
import { createLiveDesk, type LiveDesk } from '../application/pipeline/live-desk.js';
import type { Scheduler } from '../application/trading/executor.js';
import { analyzeStaleTables } from '../infrastructure/db/analyze-stale.js';
import { openCcxtExchange } from '../infrastructure/exchange/ccxt/ccxt-exchange.js';
import { predictorConfig, predictorSteps } from '../infrastructure/prediction/predictor-wiring.js';

/** What the steps are given besides the platform (whose clock is the simulated one in replay). */
export interface PipelineContext {
  readonly mode: 'live' | 'replay';
  /** The candle store the steps read bars from (closed by the pipeline). */
  readonly candles: PostgresCandleStore;
  /** The process's backtest workers, when it has some (the cycle's backtests run there, not on the event loop). */
  readonly pool?: WorkerPool;
  /** The cycle's backtests when the process has no pool (a pool of the cycle's own: cycleBacktests, closed by the caller). */
  readonly backtests?: WindowBacktests;
  /** Brings the read models up to the log (a catch-up of our own, or waiting for the running projector). */
  readonly caughtUp: () => Promise<void>;
}

/**
 * A desk account trades one strategy on its own virtual balance, so one symbol is its whole book: its symbol limit is
 * its portfolio limit (a genome sized at all of equity trades as it was backtested); the daily-loss and drawdown
 * switches stay as configured.
 */
export const deskRiskLimits = (limits: RiskLimits): RiskLimits => ({ ...limits, maxSymbolExposure: limits.maxPortfolioExposure });

/** The executor's status polls on timers; a poll still running when the next is due is skipped. */
export const intervalScheduler = (platform: Platform): Scheduler => ({
  every: (intervalMs, task) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      task()
        .catch((err: unknown) => platform.log.warn({ err: describeFailure(err) }, 'live account: an order status poll failed'))
        .finally(() => (running = false));
    }, intervalMs);
    return () => clearInterval(timer);
  },
});

/** Whether live strategies trade on the exchange: TRADING_MODE testnet or live, and a live (not a replay) pipeline. */
export const tradesLiveOnExchange = (platform: Platform, context: Pick<PipelineContext, 'mode'>): boolean =>
  context.mode === 'live' && platform.config.trading.mode !== 'paper';

/**
 * The steps in the order of a pipeline hour: selection (02:00), the daily cycle (03:00), the desk, the activation
 * policy, then — with TRADING_MODE=testnet or live, never in replay — the live desk (after the activation step, so an
 * activation starts trading and a deactivation flattens in the same hour).
 */
export const pipelineSteps = (platform: Platform, context: PipelineContext): PipelineStep[] => {
  const [selection, cycle] = learningPipelineSteps(platform, context.candles, {
    // The cycle catches the read models up the pipeline's way: in replay, the replay's own runner holds them.
    caughtUp: context.caughtUp,
    ...(context.pool === undefined ? {} : { pool: context.pool }),
    ...(context.backtests === undefined ? {} : { backtests: context.backtests }),
  });
  const onExchange = tradesLiveOnExchange(platform, context);
  const predictor = predictorConfig(process.env, platform.config.dataDir);
  if (either.isLeft(predictor)) {
    process.stderr.write(`${predictor.left}\n`);
    process.exit(2);
  }
  // The hour's forecast before the desk trades (doc/predictor.md); the weekly retraining after it.
  const [predict, retrain] = predictorSteps(
    { store: platform.store, clock: platform.clock, ids: platform.ids, databaseUrl: platform.databaseUrl, candles: context.candles, log: platform.log },
    predictor.right,
  );
  const desk = createTradingDesk({
    store: platform.store,
    clock: platform.clock,
    ids: platform.ids,
    strategies: tradingStrategiesReader(platform.pool),
    candles: context.candles,
    venue: (o) => new PaperExchange(o),
    exchange: platform.config.marketData.exchange,
    run: platform.config.runSettings,
    riskLimits: deskRiskLimits(platform.config.risk.limits),
    liveAccounts: onExchange ? 'elsewhere' : 'paper',
  });
  const activation = createActivationStep({
    store: platform.store,
    ids: platform.ids,
    ranking: rankingReadModel(platform.pool),
    currentRegime: () => latestCycleRegime(platform.pool),
  });
  if (!onExchange) return [selection, cycle, predict!, desk, activation, retrain!];
  const trading = platform.config.trading;
  const live = createLiveDesk({
    store: platform.store,
    clock: platform.clock,
    ids: platform.ids,
    strategies: tradingStrategiesReader(platform.pool),
    candles: context.candles,
    candleExchange: platform.config.marketData.exchange,
    run: platform.config.runSettings,
    riskLimits: platform.config.risk.limits,
    mode: trading.mode,
    openExchange: () => openCcxtExchange({ mode: trading.mode, exchangeId: trading.exchange, credentials: trading.credentials }),
    cashAsset: LIVE_CASH_ASSET,
    scheduler: intervalScheduler(platform),
  });
  platform.log.info(
    { tradingMode: trading.mode, exchange: trading.exchange },
    `live strategies trade on ${trading.exchange} (${trading.mode}) through the live desk; paper accounts stay on the paper exchange`,
  );
  return [selection, cycle, predict!, desk, activation, live, retrain!];
};

/** The asset a live account's cash is counted in (the quote of the USDT pairs the platform trades). */
export const LIVE_CASH_ASSET = 'USDT';

/** Steps that hold connections (the live desk's exchange accounts): closed when the loop stops. */
const closable = (s: PipelineStep): s is PipelineStep & Pick<LiveDesk, 'close'> => typeof (s as { close?: unknown }).close === 'function';

/** PIPELINE_TICK_MINUTE (default 5): the minute of every hour the steps tick at, after the collector closed the hour's candles. */
export const tickMinute = (env: Record<string, string | undefined>): number => {
  const raw = env['PIPELINE_TICK_MINUTE'];
  if (raw === undefined || raw === '') return 5;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 59) {
    process.stderr.write(`PIPELINE_TICK_MINUTE="${raw}" is not a minute (0–59)\n`);
    process.exit(2);
  }
  return n;
};

export interface PipelineLoop {
  readonly job: Scheduled;
  readonly pipeline: Pipeline;
  readonly status: () => PipelineStatus;
  stop(): Promise<void>;
}

/**
 * Live: every hour at minute `minute` (UTC) the steps tick with the system time. A tick still running when the next
 * is due makes that one skipped and logged (the scheduler's rule); a step that throws is logged with its name, the
 * other steps still tick, and /health shows the error until the step succeeds again.
 */
export const startPipelineLoop = (platform: Platform, steps: readonly PipelineStep[], caughtUp: () => Promise<void>, minute: number): PipelineLoop => {
  const pipeline = createPipeline({ steps, log: platform.log, caughtUp }, 'live');
  const job = schedule('pipeline', `${minute} * * * *`, platform.log, async () => {
    const report = await pipeline.tick(platform.clock.now());
    platform.log.info(
      { at: report.at, appended: report.appended, notes: report.notes, failed: report.failures.map((f) => f.step), ms: report.ms },
      'pipeline tick',
    );
  });
  platform.log.info({ steps: steps.map((s) => s.name), cron: `${minute} * * * *`, next: job.nextRun()?.toISOString() }, 'pipeline loop scheduled (UTC)');
  const stop = async () => {
    await job.stop();
    for (const s of steps) if (closable(s)) await s.close();
  };
  return { job, pipeline, status: () => pipeline.status(), stop };
};

const IMPORT_HOW_TO =
  'import candles first: `npm run import -- ../shared/data` (or `npm run import -- <folder of <exchange>_<SYMBOL>_1h.csv[.gz] files>`, see README.md and doc/market-data.md)';

/** Hourly candles inside the range, per stored series: none at all is bad input (exit 2), part of it a warning. */
export const checkCoverage = async (
  candles: PostgresCandleStore,
  range: ReplayRange,
): Promise<{ ok: true; warnings: string[] } | { ok: false; message: string }> => {
  const hourly = (await candles.listSeries()).filter((s) => s.interval === '1h');
  const covered = await Promise.all(hourly.map(async (s) => ({ s, c: await candles.coverage(s, { from: range.start, to: range.end }) })));
  const inRange = covered.filter((x) => (x.c?.inPeriod ?? 0) > 0);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (inRange.length === 0) {
    const stored =
      hourly.length === 0
        ? 'no hourly candles are stored'
        : `the stored hourly candles span ${day(Math.min(...hourly.map((s) => s.first)))} to ${day(Math.max(...hourly.map((s) => s.last)))}`;
    return {
      ok: false,
      message: `replay ${range.from} → ${range.to}: no stored hourly candle lies in that range (${stored}). To replay it, ${IMPORT_HOW_TO}.`,
    };
  }
  const expected = range.hours;
  const warnings = inRange
    .filter((x) => (x.c?.inPeriod ?? 0) < expected)
    .map((x) => `${x.s.exchange} ${x.s.symbol} 1h: ${x.c?.inPeriod ?? 0} of the range's ${expected} hours are stored`);
  return { ok: true, warnings };
};

const count = async (platform: Platform, types: readonly string[]): Promise<Record<string, number>> => {
  const rows = (await platform.pool.any(
    sql.unsafe`SELECT event_type, count(*)::int AS n FROM events WHERE event_type = ANY(${sql.array(types, 'text')}) GROUP BY event_type`,
  )) as readonly { event_type: string; n: number }[];
  return Object.fromEntries(types.map((t) => [t, Number(rows.find((r) => r['event_type'] === t)?.['n'] ?? 0)]));
};

/** The summary a replay ends with, from the record and the read models (caught up first). */
export const replaySummary = async (platform: Platform, report: ReplayReport) => {
  const perState = (await platform.pool.any(sql.unsafe`SELECT state, count(*)::int AS n FROM strategies GROUP BY state ORDER BY state`)) as readonly {
    state: string;
    n: number;
  }[];
  const decisions = await count(platform, [
    'StrategyGenerated',
    'StrategyBacktested',
    'StrategyActivated',
    'StrategyDeactivated',
    'StrategyRetired',
    'TradingDayClosed',
  ]);
  const total = Number(await platform.pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM events`));
  return {
    range: `${report.range.from} → ${report.range.to}`,
    resumedAfter: report.resumedAfter,
    hoursTicked: report.hoursTicked,
    strategiesPerState: Object.fromEntries(perState.map((r) => [String(r['state']), Number(r['n'])])),
    generated: decisions['StrategyGenerated'],
    backtested: decisions['StrategyBacktested'],
    activations: decisions['StrategyActivated'],
    deactivations: decisions['StrategyDeactivated'],
    retirements: decisions['StrategyRetired'],
    tradingDaysClosed: decisions['TradingDayClosed'],
    eventsAppended: report.events,
    eventsStored: total,
    wallSeconds: report.wallMs / 1000,
    eventsPerSecond: report.wallMs > 0 ? Math.round((report.events * 1000) / report.wallMs) : 0,
  };
};

/**
 * The replay's catch-up: one projection runner kept for the whole replay (its owner locks held), so a catch-up after
 * a step that appended costs the new events only, not a runner's start. When another process (a running `npm start`)
 * owns the read models, it waits for that one instead, as the live loop does.
 */
export const replayCatchUp = (platform: Platform): { caughtUp: () => Promise<void>; stop: () => Promise<void> } => {
  const runner = new ProjectionRunner({ pool: platform.pool, store: platform.store, projections: ALL_PROJECTIONS, log: platform.log });
  const waitForOwner = readModelsCaughtUp(platform);
  return {
    caughtUp: async () => {
      try {
        await logShowsEverything(platform, Date.now() + 10 * 60_000);
        await runner.catchUp();
      } catch (err) {
        if (!(err instanceof CatchUpIncomplete) || err.problems.some((p) => p.kind !== 'owned-elsewhere')) throw err;
        await waitForOwner();
      }
    },
    stop: () => runner.stop(),
  };
};

export interface ReplayArgs {
  readonly range: ReplayRange;
}

/** Reads `--replay <from> <to>`; undefined without --replay; exits 2 on anything malformed. */
export const replayArgs = (argv: readonly string[]): ReplayArgs | undefined => {
  const usage = (message: string): never => {
    process.stderr.write(`${message}\nusage: npm start -- --replay <from> <to>   (days YYYY-MM-DD, UTC; e.g. --replay 2023-09-01 2023-10-31)\n`);
    process.exit(2);
  };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { replay: { type: 'boolean' } } });
  } catch (err) {
    return usage((err as Error).message);
  }
  if (!parsed.values.replay) {
    if (parsed.positionals.length > 0) usage(`npm start takes no arguments but --replay <from> <to>`);
    return undefined;
  }
  if (parsed.positionals.length !== 2) usage(`--replay takes two days, got ${parsed.positionals.length}`);
  const range = replayRange(parsed.positionals[0], parsed.positionals[1]);
  if (either.isLeft(range)) return usage(range.left);
  return { range: range.right };
};

/** Steps added to pipelineSteps' (the crash test's own steps); production passes none. */
export type ExtraSteps = (platform: Platform, context: PipelineContext) => PipelineStep[];

/**
 * `npm start -- --replay <from> <to>`: no collector, no cron; the steps over the range on a simulated clock, the
 * read models caught up as they go; progress on stderr; a summary (JSON) on stdout. Returns the exit code.
 * The API stays off during a replay (its read models are caught up at the end: `npm start` afterwards serves them).
 */
export const replayMain = async (args: ReplayArgs, env: Record<string, string | undefined> = process.env, extra?: ExtraSteps): Promise<number> => {
  const minute = tickMinute(env);
  const opened = await openPlatform(configOrExit(env), 'mastertrade-replay');
  const clock: SettableClock = simulatedClock(new Date(args.range.start));
  // Every event the steps and the checkpoints append carries the simulated time.
  const platform: Platform = { ...opened, clock };
  const candles = new PostgresCandleStore({ connectionString: platform.databaseUrl, poolSize: 2 });
  let stopCatchUp: (() => Promise<void>) | undefined;
  let workers: WorkerPool | undefined;
  try {
    const coverage = await checkCoverage(candles, args.range);
    if (!coverage.ok) {
      process.stderr.write(`${coverage.message}\n`);
      return 2;
    }
    for (const w of coverage.warnings) platform.log.warn({ range: args.range }, `replay: part of the range has no candles: ${w}`);
    const catchUp = replayCatchUp(platform);
    stopCatchUp = catchUp.stop;
    const { caughtUp } = catchUp;
    // One backtest worker pool for the whole replay, opened the first time a step asks for it (the cycle's backtests).
    const context: PipelineContext = {
      mode: 'replay',
      candles,
      caughtUp,
      get pool() {
        return (workers ??= openWorkerPool(platform, candles));
      },
    };
    const steps = [...pipelineSteps(platform, context), ...(extra?.(platform, context) ?? [])];
    if (steps.length === 0) platform.log.warn({}, 'replay: no pipeline step is wired (apps/pipeline.ts pipelineSteps): only the checkpoints are recorded');
    platform.log.info(
      { from: args.range.from, to: args.range.to, hours: args.range.hours, steps: steps.map((s) => s.name), tickMinute: minute },
      'replay starting',
    );
    const tty = process.stderr.isTTY;
    const report = await runReplay(
      {
        steps,
        log: platform.log,
        caughtUp,
        clock,
        command: { store: platform.store, clock, ids: platform.ids },
        tickMinute: minute,
        // A simulated day is written in seconds: the planner's statistics are refreshed as autovacuum would.
        dayCompleted: async () => {
          await analyzeStaleTables(platform.pool);
        },
        progress: (p) => process.stderr.write(tty ? `\r${formatProgress(p)}\u001b[K${p.stage === 'done' ? '\n' : ''}` : `${formatProgress(p)}\n`),
      },
      args.range,
    );
    await caughtUp();
    const summary = await replaySummary(platform, report);
    process.stdout.write(`${JSON.stringify({ replay: summary }, null, 2)}\n`);
    platform.log.info(summary, 'replay finished');
    return 0;
  } catch (err) {
    process.stderr.write(
      `replay ${args.range.from} → ${args.range.to} stopped: ${describeFailure(err)}\nStart it again with the same arguments: it goes on after its last checkpoint.\n`,
    );
    return 1;
  } finally {
    await stopCatchUp?.().catch(() => undefined);
    await workers?.close().catch(() => undefined);
    await candles.close().catch(() => undefined);
    await platform.close();
  }
};
