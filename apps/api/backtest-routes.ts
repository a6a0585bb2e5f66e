// The backtest routes: `POST /api/backtests` asks for a backtest of a genome or a stored strategy (a single run, a
// walk-forward analysis or a grid search) → 202 with its job id, once BacktestRequested is stored and the job handed to
// `dispatch` (the worker pool or the queue, as the app wires it); `GET /api/backtests/:id` → its status and, when
// done, metrics, equity curve, trades (and for an analysis its summary: the best cell, how many cells or windows and
// where to page them, backtest-analysis-routes.ts), from the backtest_results read model, or from the job's stream
// while the read model has not caught up. Mounted by the API app.
import { principalOf } from './principal.js';
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { backtestOutcomeRecorder, recordBacktestRequested, type BacktestAnalysisRequest } from '../../application/backtest/record-outcome.js';
import type { BacktestDispatch } from '../../application/backtest/run-in-process.js';
import { decodeAll } from '../../application/events/decode-event.js';
import { loadQuarantine } from '../../application/quarantine/quarantine.js';
import type { BacktestJob } from '../../application/ports/backtest-jobs.js';
import type { CandleCoverage } from '../../application/ports/candle-coverage.js';
import type { Clock } from '../../application/ports/clock.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { IdGenerator } from '../../application/ports/ids.js';
import { loadStrategy } from '../../application/strategy/handle-strategy-command.js';
import { analysisSummary, type AnalysisSummary } from '../../domain/backtest/compact-analysis.js';
import { BacktestKind, backtestStream, GridSearchSpecCodec, WalkForwardSpecCodec, type BacktestEvent } from '../../domain/backtest/events.js';
import { DEFAULT_BACKTEST_LIMITS, type BacktestLimits } from '../../domain/backtest/limits.js';
import { Actor, IdString, IsoTimestamp, nonEmptyArray, Uuid } from '../../domain/primitives/codecs.js';
import { decodeStorable } from '../../domain/primitives/exact.js';
import { ExchangeId } from '../../domain/market/exchange.js';
import { fieldErrors, type FieldError } from '../../domain/primitives/decode-errors.js';
import type { StrategyGenerated } from '../../domain/strategy/events.js';
import { Genome, MarketSymbol, Timeframe } from '../../domain/strategy/genome.js';
import { DEFAULT_RUN_SETTINGS, resolveRunSettings, RunSettingsOverrides, type RunSettings } from '../../domain/execution/run-settings.js';
import { symbolProblems } from '../../domain/market/market-symbol.js';
import { MAX_GENOME_SYMBOLS } from '../../domain/strategy/limits.js';
import { getBacktestResult, listBacktestResults } from '../../projections/backtest-results/queries.js';
import { backtestRequestProblems, symbolCountProblem } from './backtest-limits.js';
import { backtestAnalysisRoutes, presentAnalysis } from './backtest-analysis-routes.js';
import { commandFailed, invalidRequest } from './problems.js';
import { send } from './query.js';

export interface BacktestRouteDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Where the backtest_results read model lives. */
  readonly db: CommonQueryMethods;
  /** Hands a stored job over to whatever runs it; resolves once handed over (not when the job is done). */
  readonly dispatch: BacktestDispatch;
  /** The exchange whose candles are used when the request names none. Default `binance`. */
  readonly defaultExchange?: string;
  /** What is stored: a request for candles that are not there is refused up front. */
  readonly candles: CandleCoverage;
  /** What one job may ask for (BACKTEST_MAX_*). Default domain/backtest/limits.ts. */
  readonly limits?: BacktestLimits;
  /** Symbols per genome (GENOME_MAX_SYMBOLS). Default domain/strategy/limits.ts. */
  readonly genomeMaxSymbols?: number;
  /** The run settings a request does not override (BACKTEST_TAKER_FEE, …). Default DEFAULT_RUN_SETTINGS. */
  readonly runSettings?: RunSettings;
}

/**
 * The request body. Exactly one of `genome` and `strategyId`; symbols and interval default to the genome's; `settings`
 * overrides the configured run settings field by field (doc/settings.md).
 */
export const BacktestRequestBody = t.intersection(
  [
    t.type({ period: t.type({ from: IsoTimestamp, to: IsoTimestamp }) }),
    t.partial({
      genome: Genome,
      strategyId: Uuid,
      symbols: nonEmptyArray(MarketSymbol),
      interval: Timeframe,
      exchange: ExchangeId,
      kind: BacktestKind,
      walkForward: WalkForwardSpecCodec,
      gridSearch: GridSearchSpecCodec,
      settings: RunSettingsOverrides,
      actor: Actor,
      correlationId: IdString,
    }),
  ],
  'BacktestRequestBody',
);
export type BacktestRequestBody = t.TypeOf<typeof BacktestRequestBody>;

const bad = (path: string, message: string, where = 'body') => invalidRequest([{ path, message }], where);

/** The rules across fields; returns every problem. */
const bodyProblems = (b: BacktestRequestBody): FieldError[] => {
  const problems: FieldError[] = [];
  if ((b.genome === undefined) === (b.strategyId === undefined)) problems.push({ path: 'genome', message: 'give exactly one of genome and strategyId' });
  if (!(Date.parse(b.period.from) < Date.parse(b.period.to))) problems.push({ path: 'period.to', message: 'must be after period.from' });
  const kind = b.kind ?? (b.walkForward ? 'walk_forward' : b.gridSearch ? 'grid_search' : 'single');
  if (kind === 'walk_forward' && b.walkForward === undefined)
    problems.push({ path: 'walkForward', message: 'a walk_forward backtest needs walkForward {inSample, outOfSample, …}' });
  if (kind === 'grid_search' && b.gridSearch === undefined)
    problems.push({ path: 'gridSearch', message: 'a grid_search backtest needs gridSearch {grid, metric?}' });
  if (kind !== 'walk_forward' && b.walkForward !== undefined) problems.push({ path: 'walkForward', message: `not used by a ${kind} backtest` });
  if (kind !== 'grid_search' && b.gridSearch !== undefined) problems.push({ path: 'gridSearch', message: `not used by a ${kind} backtest` });
  return problems;
};

const analysisOf = (b: BacktestRequestBody): BacktestAnalysisRequest | undefined =>
  b.walkForward ? { kind: 'walk_forward', walkForward: b.walkForward } : b.gridSearch ? { kind: 'grid_search', gridSearch: b.gridSearch } : undefined;

/** A job's state as the GET answers it, folded from its stream (used while the read model lags). */
const fromStream = (jobId: string, events: readonly { event: BacktestEvent; metadata: { occurredAt: string } }[]) => {
  const out: Record<string, unknown> = { jobId, status: 'requested', source: 'stream' };
  for (const { event, metadata } of events) {
    switch (event.type) {
      case 'BacktestRequested':
        Object.assign(out, {
          kind: event.data.kind,
          strategyId: event.data.job.strategyId ?? null,
          requestedBy: event.data.requestedBy,
          request: { job: event.data.job, ...(event.data.analysis ? { analysis: event.data.analysis } : {}) },
          requestedAt: metadata.occurredAt,
        });
        break;
      case 'BacktestCompleted': {
        const r = event.data.result;
        Object.assign(out, {
          status: 'completed',
          metrics: r.metrics,
          settings: r.settings ?? null,
          perSymbol: r.perSymbol,
          equity: r.equity,
          trades: r.trades,
          analysis: r.analysis === undefined ? null : presentAnalysis(jobId, analysisSummary(r.analysis)),
          window: r.window,
          dataFingerprint: r.dataFingerprint,
          engineVersion: r.engineVersion,
          finishedAt: metadata.occurredAt,
        });
        break;
      }
      case 'BacktestFailed':
        Object.assign(out, { status: 'failed', error: { code: event.data.code, message: event.data.error }, finishedAt: metadata.occurredAt });
        break;
      default: {
        const unknown: never = event;
        throw new Error(`unhandled backtest event ${JSON.stringify(unknown)}`);
      }
    }
  }
  return out;
};

/**
 * The analysis summary of a read-model row. A row built by version 1 of the projection (readers see it until the
 * rebuild to version 2 commits) still holds the whole table: summarised here.
 */
const storedSummary = (stored: unknown): AnalysisSummary => {
  const a = stored as { cells?: unknown; windows?: unknown };
  return Array.isArray(a.cells) || Array.isArray(a.windows) ? analysisSummary(stored as Parameters<typeof analysisSummary>[0]) : (stored as AnalysisSummary);
};

export const backtestRoutes = (deps: BacktestRouteDeps): express.Router => {
  const router = express.Router();
  const record = backtestOutcomeRecorder(deps);

  const limitDeps = {
    candles: deps.candles,
    clock: deps.clock,
    limits: deps.limits ?? DEFAULT_BACKTEST_LIMITS,
    genomeMaxSymbols: deps.genomeMaxSymbols ?? MAX_GENOME_SYMBOLS,
  };

  router.post('/api/backtests', async (req: Request, res: Response) => {
    const tooMany = [['genome', 'symbols'], ['symbols']].flatMap((path) => symbolCountProblem(req.body, path, limitDeps.genomeMaxSymbols) ?? []);
    if (tooMany.length > 0) return send(res, invalidRequest(tooMany));
    // Exactly: a field the body's codec does not know would otherwise go into BacktestRequested as given.
    const decoded = decodeStorable(BacktestRequestBody, req.body);
    if (either.isLeft(decoded)) return send(res, invalidRequest(decoded.left));
    const body = decoded.right;
    const problems = bodyProblems(body);
    if (problems.length > 0) return send(res, invalidRequest(problems));

    let genome: Genome;
    if (body.strategyId !== undefined) {
      const loaded = await loadStrategy(deps.store, body.strategyId);
      if (either.isLeft(loaded)) return send(res, commandFailed(loaded.left));
      const generated = loaded.right.events.find((e): e is StrategyGenerated => e.type === 'StrategyGenerated');
      if (loaded.right.revision === undefined || generated === undefined)
        return send(res, commandFailed({ kind: 'StrategyNotFound', strategyId: body.strategyId }));
      genome = generated.data.genome;
    } else genome = body.genome!;

    const key = req.get('Idempotency-Key');
    if (key !== undefined && (key.length === 0 || key.length > 200)) return send(res, bad('Idempotency-Key', 'must be 1 to 200 characters', 'headers'));
    // With an Idempotency-Key a retry names the same job: its events are not stored twice.
    const jobId = key ? deps.ids.idFor(`backtest-job:${key}`) : deps.ids.newId();
    const symbols = body.symbols ?? genome.symbols;
    const interval = body.interval ?? genome.timeframe;
    const job: BacktestJob = {
      jobId,
      ...(body.strategyId === undefined ? {} : { strategyId: body.strategyId }),
      // The job says where the genome runs: its symbols and bar interval are the request's.
      genome: { ...genome, symbols: [...symbols], timeframe: interval },
      exchange: body.exchange ?? deps.defaultExchange ?? 'binance',
      symbols,
      interval,
      period: { from: Date.parse(body.period.from), to: Date.parse(body.period.to) },
      settings: resolveRunSettings(deps.runSettings ?? DEFAULT_RUN_SETTINGS, body.settings),
    };
    // A symbol's format is its exchange's: GOOG is a nasdaq symbol, not a binance one.
    const symbolsPath = body.symbols !== undefined || body.strategyId !== undefined ? 'symbols' : 'genome.symbols';
    const misspelt = symbolProblems(job.symbols, job.exchange, symbolsPath);
    if (misspelt.length > 0) return send(res, invalidRequest(misspelt));
    const analysis = analysisOf(body);
    // Everything the job asks for must exist and fit the limits before BacktestRequested is stored.
    const limitProblems = await backtestRequestProblems(limitDeps, {
      genome: job.genome,
      exchange: job.exchange,
      symbols: job.symbols,
      interval: job.interval,
      period: job.period,
      ...(body.gridSearch ? { gridSearch: body.gridSearch } : {}),
      ...(body.walkForward ? { walkForward: body.walkForward } : {}),
      paths: {
        symbols: symbolsPath,
        exchange: 'exchange',
      },
    });
    if (limitProblems.length > 0) return send(res, invalidRequest(limitProblems));
    await recordBacktestRequested(deps, job, {
      // The key's actor (apps/api/principal.ts): a body may only repeat it.
      requestedBy: principalOf(res)?.actor ?? body.actor ?? ('system:api' as Actor),
      ...(analysis ? { analysis } : {}),
      ...(body.correlationId ? { correlationId: body.correlationId } : {}),
    });
    try {
      await deps.dispatch(job, analysis);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await record(job, { ok: false, jobId, code: 'DISPATCH_FAILED', error: `the job could not be handed to a runner: ${message}` });
      return send(res, { status: 503, body: { error: 'DispatchFailed', message, jobId } });
    }
    res
      .status(202)
      .location(`/api/backtests/${jobId}`)
      .json({ jobId, status: 'requested', kind: analysis?.kind ?? 'single' });
  });

  router.get('/api/backtests', async (req: Request, res: Response) => {
    const q = t.partial({ strategyId: Uuid, status: t.keyof({ requested: null, completed: null, failed: null }), limit: t.string }).decode(req.query);
    if (either.isLeft(q)) return send(res, invalidRequest(fieldErrors(q.left), 'query'));
    const limit = q.right.limit === undefined ? 100 : Number(q.right.limit);
    if (!(Number.isInteger(limit) && limit >= 0 && limit <= 1000)) return send(res, bad('limit', 'must be an integer in [0, 1000]', 'query'));
    res.json({ backtests: await listBacktestResults(deps.db, { ...q.right, limit }) });
  });

  router.get('/api/backtests/:id', async (req: Request, res: Response) => {
    const id = t.type({ id: Uuid }).decode(req.params);
    if (either.isLeft(id)) return send(res, invalidRequest(fieldErrors(id.left), 'path'));
    const jobId = id.right.id;
    const row = await getBacktestResult(deps.db, jobId);
    if (row !== undefined && row.status !== 'requested') {
      const { dataWindow, errorCode, error, analysis, ...rest } = row;
      return res.json({
        ...rest,
        window: dataWindow,
        analysis: analysis === null || analysis === undefined ? null : presentAnalysis(jobId, storedSummary(analysis)),
        error: errorCode === null ? null : { code: errorCode, message: error },
        source: 'read_model',
      });
    }
    // Not in the read model yet, or not finished there: the stream is always current.
    const decoded = decodeAll<BacktestEvent>(await deps.store.readStream(backtestStream(jobId)));
    if (either.isLeft(decoded)) {
      // A job whose record no longer reads back: gone for good once an operator quarantined it, a server fault before.
      const quarantined = (await loadQuarantine(deps.store)).get(decoded.left.eventId);
      if (quarantined !== undefined)
        return send(res, {
          status: 410,
          body: {
            error: 'BacktestQuarantined',
            message: `backtest ${jobId} is quarantined: ${quarantined.reason}`,
            jobId,
            quarantine: { event: quarantined.event, reason: quarantined.reason },
          },
        });
      return send(res, commandFailed(decoded.left));
    }
    if (decoded.right.length === 0) return send(res, { status: 404, body: { error: 'BacktestNotFound', message: `no backtest ${jobId}`, jobId } });
    res.json(fromStream(jobId, decoded.right));
  });

  router.use(backtestAnalysisRoutes(deps));
  return router;
};
