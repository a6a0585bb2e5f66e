// The HTTP API: strategy commands (append through the decider) and queries (read models and streams).
import express, { type NextFunction, type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import { decodeEvent } from '../../application/events/decode-event.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { handleStrategyCommand, loadStrategy, type StrategyCommandDeps } from '../../application/strategy/handle-strategy-command.js';
import { Actor, Uuid } from '../../domain/primitives/codecs.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { decodeStorable } from '../../domain/primitives/exact.js';
import { strategyStream } from '../../domain/strategy/events.js';
import { describeState } from '../../domain/strategy/state.js';
import { GenerateBody, LIFECYCLE_ROUTES, LIFECYCLE_ROUTE_NAMES, type LifecycleRouteName } from './command-bodies.js';
import { findAnswer, requestFingerprint, storeAnswer } from './idempotency.js';
import { learningRoutes } from './learning-routes.js';
import { logRoutes } from './log-routes.js';
import { metricsRoute } from './metrics-route.js';
import { httpMetrics } from '../../infrastructure/metrics/http-metrics.js';
import type { Registry } from 'prom-client';
import { predictionRoutes } from './prediction-routes.js';
import { rankingRoutes } from './ranking-routes.js';
import { tradingRoutes } from './trading-routes.js';
import { consoleRoutes, type ConsoleRouteDeps } from './console-routes.js';
import { EventStreamHub, type EventStreamOptions } from './event-stream.js';
import { consoleUi } from './ui/serve.js';
import { alertRoutes } from './alert-routes.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../infrastructure/config/config.js';
import type { Logger } from '../../infrastructure/logging/logger.js';
import { MAX_GENOME_SYMBOLS } from '../../domain/strategy/limits.js';
import { symbolCountProblem } from './backtest-limits.js';
import { installHttpLimits, transportProblem } from './http-limits.js';
import { openApiDocument } from './openapi.js';
import { activateManually } from '../../application/pipeline/activation-step.js';
import { Reason } from '../../domain/primitives/codecs.js';
import { DEFAULT_RISK_LIMITS, type RiskLimits } from '../../domain/risk/limits.js';
import { latestCycleRegime, listRanking } from '../../projections/ranking/queries.js';
import { authentication, type Authentication } from './authentication.js';
import { overrideRoutes } from './override-routes.js';
import { claimedActorCheck, principalOf, withKeyActor } from './principal.js';
import { DEFAULT_RATE_LIMITS, perIpRateLimit, perKeyRateLimit, type RateLimits } from './rate-limits.js';
import { securityHeaders } from './security-headers.js';
import { commandFailed, invalidRequest, type HttpAnswer } from './problems.js';
import { send } from './query.js';

export const STRATEGY_STATES = ['Generated', 'Backtested', 'Filtered', 'Paper', 'Live', 'Retired'] as const;

export interface StrategyReadModel {
  list(q: { readonly state?: string; readonly limit: number; readonly offset: number }): Promise<readonly unknown[]>;
  get(id: string): Promise<Record<string, unknown> | undefined>;
}
export interface ActivationAuditReadModel {
  list(q: { readonly strategyId?: string; readonly limit: number }): Promise<readonly unknown[]>;
}
export interface MarketDataReadModel {
  status(q: { readonly source?: string; readonly symbol?: string }): Promise<readonly unknown[]>;
  /** The PairsSelected record of a day, or undefined. */
  selection(day: string): Promise<unknown>;
}
export interface HealthReport {
  readonly healthy: boolean;
  readonly [part: string]: unknown;
}

export interface ApiDeps extends StrategyCommandDeps {
  readonly log: Logger;
  readonly store: EventStore;
  readonly pool: DatabasePool;
  readonly strategies: StrategyReadModel;
  readonly activationAudit: ActivationAuditReadModel;
  readonly marketData: MarketDataReadModel;
  readonly health: () => Promise<HealthReport>;
  /** Backtest routes (POST/GET /api/backtests), mounted when given. */
  readonly backtests?: express.Router;
  /** The process's Prometheus registry: request durations go into it and GET /metrics serves it, when given. */
  readonly metrics?: Registry;
  /** Transport limits (API_MAX_*) and symbols per genome (GENOME_MAX_SYMBOLS); defaults when not given. */
  readonly limits?: { readonly http?: HttpLimits; readonly genomeMaxSymbols?: number; readonly rate?: RateLimits };
  /** The risk limits of an account without its own (configuration's RISK_*); the domain's defaults when not given. */
  readonly defaultRiskLimits?: RiskLimits;
  /** The operator's console (doc/operator-console.md): its candles' exchange, the cycle hour, the live stream. */
  readonly console?: Partial<Pick<ConsoleRouteDeps, 'exchange' | 'cycleHour' | 'runSettings' | 'cycleTrace'>> & { readonly stream?: EventStreamOptions };
}

/** The app, and its authentication's last-used writer to flush at shutdown. */
export type Api = express.Express & { readonly authentication: Authentication };

/** The live stream of an app made by createApi: closed before the server, or its open streams keep it waiting. */
export const closeEventStream = async (app: express.Express): Promise<void> => {
  const hub = app.locals['eventStream'] as EventStreamHub | undefined;
  await hub?.close();
};

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** A free-form query value: 1 to 64 characters, no control character (PostgreSQL refuses a NUL in a parameter). */
const QueryText = t.refinement(
  t.string,
  (s) => s.length >= 1 && s.length <= 64 && !CONTROL_CHARACTER.test(s),
  'QueryText (1 to 64 characters, no control character)',
);

const decodeOr400 = <A>(codec: t.Decoder<unknown, A>, value: unknown, where = 'body'): either.Either<HttpAnswer, A> =>
  either.mapLeft((errs: t.Errors) => invalidRequest(fieldErrors(errs), where))(codec.decode(value));
/**
 * Decodes a body exactly: a value its codec refuses, or a field it does not know, is a 400 naming the path. What a
 * body holds goes into events, whose codecs are the same: a body accepted here makes events that read back.
 */
const decodeBody = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): either.Either<HttpAnswer, A> =>
  either.mapLeft((errs: ReturnType<typeof fieldErrors>) => invalidRequest(errs, 'body'))(decodeStorable(codec, value));

const hasField = (body: unknown, field: string) => typeof body === 'object' && body !== null && field in body;
/** `activate` with no decision in the body: the policy decides, the caller says why. */
const ManualActivationBody = t.type({ actor: Actor, reason: Reason });

const Limit = t.union([t.undefined, t.string]);
const parseLimit = (raw: unknown, dflt: number, max: number): number | undefined => {
  if (!Limit.is(raw) || raw === undefined) return raw === undefined ? dflt : undefined;
  const n = Number(raw);
  return /^\d+$/.test(raw) && n >= 0 && n <= max ? n : undefined;
};

export const createApi = (deps: ApiDeps): Api => {
  const app = express();
  app.disable('x-powered-by');
  const httpLimits = deps.limits?.http ?? DEFAULT_HTTP_LIMITS;
  const rateLimits = deps.limits?.rate ?? DEFAULT_RATE_LIMITS;
  const genomeMaxSymbols = deps.limits?.genomeMaxSymbols ?? MAX_GENOME_SYMBOLS;
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  // In this order: headers on every answer, the IP's budget, the key and its role (before any body is read), the
  // key's budget, the transport limits and body, then no body may claim another actor than its key's.
  const auth = authentication({ db: deps.pool, clock: deps.clock, log: deps.log });
  app.use(securityHeaders(), perIpRateLimit(rateLimits), auth.middleware, perKeyRateLimit(rateLimits));
  installHttpLimits(app, httpLimits);
  app.use(claimedActorCheck);
  app.get('/api/auth/me', (_req: Request, res: Response) => {
    const p = principalOf(res)!;
    res.json({ keyId: p.keyId, name: p.name, role: p.role, actor: p.actor });
  });

  /** Runs a command with Idempotency-Key support: a retry gets the first answer and appends nothing. */
  const idempotent = async (req: Request, res: Response, run: (key: string | undefined) => Promise<HttpAnswer>) => {
    const key = req.get('Idempotency-Key');
    if (key === undefined) return send(res, await run(undefined));
    if (key.length === 0 || key.length > 200)
      return send(res, invalidRequest([{ path: 'Idempotency-Key', message: 'must be 1 to 200 characters' }], 'headers'));
    const fingerprint = requestFingerprint(req.method, req.path, req.body);
    const earlier = await findAnswer(deps.pool, key);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint)
        return send(res, { status: 422, body: { error: 'IdempotencyKeyReused', message: `Idempotency-Key "${key}" was used for a different request` } });
      res.set('Idempotent-Replayed', 'true');
      return send(res, earlier);
    }
    const answer = await run(key);
    if (answer.status >= 500) return send(res, answer);
    return send(res, await storeAnswer(deps.pool, key, { ...answer, fingerprint }));
  };

  /**
   * `activate` without a decision: as `npm run operator -- activate`, the activation policy weighs the strategy
   * forced in against the ranking (at the maximum the lowest-ranked unpinned live strategy makes room) and the
   * decision is recorded with the key's actor and the reason.
   */
  const activateByPolicy = async (strategyId: Uuid, body: unknown): Promise<HttpAnswer> => {
    const decoded = decodeBody(ManualActivationBody, body);
    if (either.isLeft(decoded)) return decoded.left;
    const loaded = await loadStrategy(deps.store, strategyId);
    if (either.isLeft(loaded)) return commandFailed(loaded.left);
    if (loaded.right.revision === undefined) return commandFailed({ kind: 'StrategyNotFound', strategyId });
    const done = await activateManually(
      {
        store: deps.store,
        clock: deps.clock,
        ids: deps.ids,
        ranking: { list: () => listRanking(deps.pool) },
        currentRegime: () => latestCycleRegime(deps.pool),
      },
      strategyId,
      decoded.right.actor,
      decoded.right.reason,
    );
    if (either.isLeft(done)) return { status: 409, body: { error: 'ActivationRefused', message: done.left, state: describeState(loaded.right.state) } };
    const own = done.right.decision.weighed.find((w) => w.strategyId === strategyId);
    return {
      status: 200,
      body: {
        id: strategyId,
        state: 'Live',
        activated: done.right.activated,
        deactivated: done.right.deactivated,
        score: own?.score ?? null,
        decision: done.right.decision,
      },
    };
  };

  app.post('/api/strategies', async (req, res) => {
    await idempotent(req, res, async (key) => {
      const tooMany = symbolCountProblem(req.body, ['genome', 'symbols'], genomeMaxSymbols);
      if (tooMany) return invalidRequest([tooMany]);
      const body = decodeBody(GenerateBody, withKeyActor(req.body, principalOf(res)!));
      if (either.isLeft(body)) return body.left;
      const strategyId = (key ? deps.ids.idFor(`strategy:${key}`) : deps.ids.newId()) as Uuid;
      const result = await handleStrategyCommand(
        deps,
        { type: 'GenerateStrategy', strategyId, data: { genome: body.right.genome } },
        { actor: body.right.actor ?? ('system:api' as Actor), correlationId: body.right.correlationId, idempotencyKey: key },
      );
      if (either.isLeft(result)) return commandFailed(result.left);
      return { status: 201, body: { id: strategyId, revision: result.right.revision, state: result.right.state, events: result.right.events } };
    });
  });

  app.post('/api/strategies/:id/:command', async (req, res) => {
    const name = req.params['command'];
    if (!(LIFECYCLE_ROUTE_NAMES as string[]).includes(name))
      return send(res, {
        status: 404,
        body: {
          error: 'UnknownCommand',
          message: `unknown command "${name.slice(0, 100)}"; the commands are ${LIFECYCLE_ROUTE_NAMES.join(', ')}`,
          commands: LIFECYCLE_ROUTE_NAMES,
        },
      });
    const id = decodeOr400(t.type({ id: Uuid }), req.params, 'path');
    if (either.isLeft(id)) return send(res, id.left);
    const requestBody = withKeyActor(req.body, principalOf(res)!);
    if (name === 'activate' && !hasField(requestBody, 'decision')) return idempotent(req, res, () => activateByPolicy(id.right.id, requestBody));
    await idempotent(req, res, async (key) => {
      const route = LIFECYCLE_ROUTES[name as LifecycleRouteName];
      const body = decodeBody(route.codec as t.Mixed, requestBody);
      if (either.isLeft(body)) return body.left;
      const b = body.right as { actor?: Actor; expectedRevision?: number; correlationId?: string };
      const command = (route.toCommand as (id: Uuid, b: unknown) => ReturnType<typeof route.toCommand>)(id.right.id, body.right);
      const result = await handleStrategyCommand(deps, command, {
        actor: b.actor ?? ('system:api' as Actor),
        correlationId: b.correlationId,
        idempotencyKey: key,
        expectedRevision: b.expectedRevision === undefined ? undefined : BigInt(b.expectedRevision),
      });
      if (either.isLeft(result)) return commandFailed(result.left);
      return { status: 200, body: { id: id.right.id, revision: result.right.revision, state: result.right.state, events: result.right.events } };
    });
  });

  app.get('/api/strategies', async (req, res) => {
    const state = req.query['state'];
    if (state !== undefined && !(STRATEGY_STATES as readonly unknown[]).includes(state))
      return send(res, invalidRequest([{ path: 'state', message: `must be one of ${STRATEGY_STATES.join(', ')}` }], 'query'));
    const limit = parseLimit(req.query['limit'], 100, 1000);
    const offset = parseLimit(req.query['offset'], 0, Number.MAX_SAFE_INTEGER);
    if (limit === undefined) return send(res, invalidRequest([{ path: 'limit', message: 'must be an integer in [0, 1000]' }], 'query'));
    if (offset === undefined) return send(res, invalidRequest([{ path: 'offset', message: 'must be a non-negative integer' }], 'query'));
    const rows = await deps.strategies.list({ state: state as string | undefined, limit, offset });
    res.json({ strategies: rows, limit, offset });
  });

  app.get('/api/strategies/:id', async (req, res) => {
    const id = decodeOr400(t.type({ id: Uuid }), req.params, 'path');
    if (either.isLeft(id)) return send(res, id.left);
    // State and revision come from the stream (always current); the rest from the read model (may lag a moment).
    const loaded = await loadStrategy(deps.store, id.right.id);
    if (either.isLeft(loaded)) return send(res, commandFailed(loaded.left));
    if (loaded.right.revision === undefined) return send(res, commandFailed({ kind: 'StrategyNotFound', strategyId: id.right.id }));
    const row = await deps.strategies.get(id.right.id);
    const revision = Number(loaded.right.revision);
    res.json({
      ...(row ?? {}),
      id: id.right.id,
      state: describeState(loaded.right.state),
      revision,
      projectionUpToDate: row !== undefined && row['revision'] === revision,
    });
  });

  app.get('/api/strategies/:id/events', async (req, res) => {
    const id = decodeOr400(t.type({ id: Uuid }), req.params, 'path');
    if (either.isLeft(id)) return send(res, id.left);
    const recorded = await deps.store.readStream(strategyStream(id.right.id));
    if (recorded.length === 0) return send(res, commandFailed({ kind: 'StrategyNotFound', strategyId: id.right.id }));
    res.json({
      strategyId: id.right.id,
      events: recorded.map((r) => {
        const decoded = decodeEvent(r);
        return {
          revision: Number(r.revision),
          eventId: r.eventId,
          type: r.type,
          data: r.data,
          metadata: r.metadata,
          position: { commit: r.position.commit.toString(), prepare: r.position.prepare.toString() },
          // A stored event that no longer decodes is shown as stored, with what is wrong with it.
          ...(either.isLeft(decoded) ? { decodeError: { message: decoded.left.message, errors: decoded.left.errors } } : {}),
        };
      }),
    });
  });

  app.get('/api/audit/activations', async (req, res) => {
    const strategyId = req.query['strategyId'];
    if (strategyId !== undefined && !Uuid.is(strategyId)) return send(res, invalidRequest([{ path: 'strategyId', message: 'must be a UUID' }], 'query'));
    const limit = parseLimit(req.query['limit'], 200, 5000);
    if (limit === undefined) return send(res, invalidRequest([{ path: 'limit', message: 'must be an integer in [0, 5000]' }], 'query'));
    res.json({ activations: await deps.activationAudit.list({ strategyId: strategyId, limit }) });
  });

  app.get('/api/market-data/status', async (req, res) => {
    const q = decodeOr400(t.partial({ source: QueryText, symbol: QueryText }), req.query, 'query');
    if (either.isLeft(q)) return send(res, q.left);
    res.json({ status: await deps.marketData.status(q.right) });
  });

  app.get('/api/market-data/selections/:day', async (req, res) => {
    const day = req.params['day'];
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return send(res, invalidRequest([{ path: 'day', message: 'must be a UTC day like 2023-12-30' }], 'path'));
    const selection = await deps.marketData.selection(day);
    if (selection === undefined) return send(res, { status: 404, body: { error: 'SelectionNotFound', message: `no pair selection for ${day}` } });
    res.json(selection);
  });

  if (deps.backtests) app.use(deps.backtests);
  app.use(overrideRoutes({ store: deps.store, clock: deps.clock, ids: deps.ids, defaultRiskLimits: deps.defaultRiskLimits ?? DEFAULT_RISK_LIMITS }));
  app.use(learningRoutes({ db: deps.pool }));
  app.use(rankingRoutes({ db: deps.pool, store: deps.store }));
  app.use(tradingRoutes({ db: deps.pool }));
  app.use(logRoutes({ db: deps.pool, clock: deps.clock }));
  if (deps.metrics) app.use(metricsRoute(deps.metrics));
  app.use(
    consoleRoutes({
      db: deps.pool,
      clock: deps.clock,
      exchange: deps.console?.exchange ?? 'binance',
      cycleHour: deps.console?.cycleHour ?? 3,
      ...(deps.console?.runSettings ? { runSettings: deps.console.runSettings } : {}),
      ...(deps.console?.cycleTrace ? { cycleTrace: deps.console.cycleTrace } : {}),
    }),
  );
  const hub = new EventStreamHub(deps.store, deps.log, deps.console?.stream);
  app.locals['eventStream'] = hub;
  app.get('/api/stream', hub.handle);
  app.use(alertRoutes({ db: deps.pool, store: deps.store, clock: deps.clock, ids: deps.ids }));
  app.use(predictionRoutes({ db: deps.pool }));

  app.get('/health', async (_req, res) => {
    const report = await deps.health();
    res.status(report.healthy ? 200 : 503).json(report);
  });

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  // The console: its bundle, and index.html for every other GET outside /api (deep links).
  app.use(consoleUi());

  app.use((req: Request, res: Response) => {
    send(res, { status: 404, body: { error: 'NotFound', message: `no route ${req.method} ${req.path}` } });
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const transport = transportProblem(err, httpLimits);
    if (transport) return send(res, transport);
    const e = err as { status?: number; message?: string };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
      return send(res, { status: e.status, body: { error: 'BadRequest', message: e.message ?? 'bad request' } });
    deps.log.error({ err }, 'request failed');
    send(res, { status: 500, body: { error: 'InternalError', message: 'the server failed; see its log' } });
  });

  return Object.assign(app, { authentication: auth });
};
