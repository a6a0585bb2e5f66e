// The predictor's read-only routes (doc/predictor.md), from the `predictions` read model with realised returns joined
// from the candles: `GET /api/predictions/latest` (the newest forecast of `model`, default btc-1h) and
// `GET /api/predictions?from=&to=` (the forecasts for hours in [from, to), at most MAX_RANGE_DAYS and `limit` rows,
// `next` says where the next page starts) with the model's and the baselines' errors over the hours whose return is
// known.
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { ModelName } from '../../domain/prediction/events.js';
import { forecastMetrics } from '../../domain/prediction/metrics.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { latestPrediction, listPredictions, type PredictionRow } from '../../projections/predictions/queries.js';
import { invalidRequest, type HttpAnswer } from './problems.js';
import { send } from './query.js';

export interface PredictionRouteDeps {
  readonly db: CommonQueryMethods;
}

export const DEFAULT_MODEL = 'btc-1h';
export const MAX_RANGE_DAYS = 92;
export const MAX_PREDICTIONS_LIMIT = 5000;
export const DEFAULT_PREDICTIONS_LIMIT = 1000;
const HOUR_MS = 3_600_000;

const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/;
const Instant = new t.Type<number, string, unknown>(
  'Instant',
  (u): u is number => typeof u === 'number',
  (u, c) => {
    if (typeof u !== 'string' || u.length > 30 || !ISO_RE.test(u)) return t.failure(u, c, 'must be a UTC time like 2024-01-31T00:00Z or a day like 2024-01-31');
    const ms = Date.parse(u.length === 10 ? `${u}T00:00:00Z` : u);
    return Number.isNaN(ms) || ms < 0 ? t.failure(u, c, 'is not a real instant') : t.success(ms);
  },
  (n) => new Date(n).toISOString(),
);
const Limit = new t.Type<number, string, unknown>(
  'Limit',
  (u): u is number => typeof u === 'number',
  (u, c) =>
    typeof u === 'string' && /^\d{1,4}$/.test(u) && Number(u) >= 1 && Number(u) <= MAX_PREDICTIONS_LIMIT
      ? t.success(Number(u))
      : t.failure(u, c, `must be an integer in [1, ${MAX_PREDICTIONS_LIMIT}]`),
  String,
);
const Model = t.refinement(t.string, (s) => ModelName.is(s), 'ModelName');

const LatestRequest = t.type({ query: t.partial({ model: Model }) });
const RangeRequest = t.type({ query: t.intersection([t.type({ from: Instant, to: Instant }), t.partial({ model: Model, limit: Limit })]) });

/** Query parameters the route does not know are refused, not ignored (a typo must not silently widen the answer). */
const unknownParams = (query: unknown, known: readonly string[]): HttpAnswer | undefined => {
  const extra = Object.keys(query as object).filter((k) => !known.includes(k));
  return extra.length === 0
    ? undefined
    : invalidRequest(
        extra.map((k) => ({ path: `query.${k}`, message: 'is not a parameter of this route' })),
        'query',
      );
};

const decodeOr400 = <A>(codec: t.Decoder<unknown, A>, value: unknown): either.Either<HttpAnswer, A> =>
  either.mapLeft((errs: t.Errors) => invalidRequest(fieldErrors(errs), 'query'))(codec.decode(value));

const iso = (ms: number) => new Date(ms).toISOString();
const view = (r: PredictionRow) => ({
  model: r.model,
  modelVersion: r.modelVersion,
  kind: r.kind,
  exchange: r.exchange,
  symbol: r.symbol,
  madeAt: iso(r.madeAtMs),
  forHour: iso(r.forHourMs),
  expectedReturn: r.expectedReturn,
  upProbability: r.upProbability,
  confidence: r.confidence,
  baselines: { persistence: r.persistence, ridge: r.ridge },
  realisedReturn: r.realisedReturn,
});

/** MAE, RMSE and directional accuracy of the model and each baseline over the rows whose return is known. */
export const rangeErrors = (rows: readonly PredictionRow[]) => {
  const known = rows.filter((r) => r.realisedReturn !== null);
  const actual = known.map((r) => r.realisedReturn!);
  const of = (pick: (r: PredictionRow) => number) => (known.length === 0 ? null : forecastMetrics(known.map(pick), actual));
  return { hoursWithOutcome: known.length, model: of((r) => r.expectedReturn), persistence: of((r) => r.persistence), ridge: of((r) => r.ridge) };
};

export const predictionRoutes = (deps: PredictionRouteDeps): express.Router => {
  const router = express.Router();

  router.get('/api/predictions/latest', async (req: Request, res: Response) => {
    const unknown = unknownParams(req.query, ['model']);
    if (unknown) return send(res, unknown);
    const q = decodeOr400(LatestRequest, { query: req.query });
    if (either.isLeft(q)) return send(res, q.left);
    const model = q.right.query.model ?? DEFAULT_MODEL;
    const row = await latestPrediction(deps.db, model);
    if (row === null) return send(res, { status: 404, body: { error: 'NoPrediction', message: `model ${model} has made no prediction yet`, model } });
    res.json(view(row));
  });

  router.get('/api/predictions', async (req: Request, res: Response) => {
    const unknown = unknownParams(req.query, ['from', 'to', 'model', 'limit']);
    if (unknown) return send(res, unknown);
    const q = decodeOr400(RangeRequest, { query: req.query });
    if (either.isLeft(q)) return send(res, q.left);
    const { from, to, model = DEFAULT_MODEL, limit = DEFAULT_PREDICTIONS_LIMIT } = q.right.query;
    if (to <= from) return send(res, invalidRequest([{ path: 'query.to', message: 'must be after from' }], 'query'));
    if (to - from > MAX_RANGE_DAYS * 86_400_000)
      return send(res, invalidRequest([{ path: 'query.to', message: `the range may span at most ${MAX_RANGE_DAYS} days` }], 'query'));
    const rows = await listPredictions(deps.db, { model, fromMs: from, toMs: to, limit });
    const next = rows.length === limit ? iso(rows[rows.length - 1]!.forHourMs + HOUR_MS) : null;
    res.json({ model, from: iso(from), to: iso(to), next, errors: rangeErrors(rows), predictions: rows.map(view) });
  });

  return router;
};
