// The learner's read-only routes, from the learning_insights read model: `GET /api/learning/cycles` (newest
// first, `limit` and `before` paging), `GET /api/learning/cycles/:cycleId` (that cycle's full insights and its
// policy update) and `GET /api/learning/policy` (the current Thompson-sampling policy, arms ranked per gene and
// regime). Mounted by the API app. `GET /api/cycles` and `/api/cycles/:cycleId`: the cycles' progress (cycle_progress).
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { getLearningCycle, latestPolicy, listLearningCycles } from '../../projections/learning-insights/queries.js';
import { getCycleProgress, listCycleProgress } from '../../projections/cycle-progress/queries.js';
import { invalidRequest, type HttpAnswer } from './problems.js';
import { send } from './query.js';

export interface LearningRouteDeps {
  /** Where the learning_insights read model lives. */
  readonly db: CommonQueryMethods;
}

export const MAX_CYCLES_LIMIT = 500;
export const DEFAULT_CYCLES_LIMIT = 50;

/** A query or path string accepted when `ok` and turned into an A, refused with `message` (the problem's errors say it). */
const checkedString = <A>(name: string, is: (u: unknown) => u is A, ok: (s: string) => boolean, to: (s: string) => A, message: string) =>
  new t.Type<A, string, unknown>(name, is, (u, c) => (typeof u === 'string' && ok(u) ? t.success(to(u)) : t.failure(u, c, message)), String);

/** A cycle id is the UTC day the cycle ran for. */
const isDay = (s: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
const CycleId = checkedString(
  'CycleId',
  (u): u is string => typeof u === 'string' && isDay(u),
  isDay,
  (s) => s,
  'must be a UTC day like 2024-01-31',
);
const isLimit = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_CYCLES_LIMIT;
const Limit = checkedString(
  'Limit',
  (u): u is number => typeof u === 'number' && isLimit(u),
  (s) => /^\d{1,3}$/.test(s) && isLimit(Number(s)),
  Number,
  `must be an integer in [1, ${MAX_CYCLES_LIMIT}]`,
);

// The request parts are decoded under their names, so a problem's path says where it is (`query.limit`, `params.cycleId`).
const ListRequest = t.type({ query: t.partial({ limit: Limit, before: CycleId }) });
const CycleRequest = t.type({ params: t.type({ cycleId: CycleId }) });

const decodeOr400 = <A>(codec: t.Decoder<unknown, A>, value: unknown, where: string): either.Either<HttpAnswer, A> =>
  either.mapLeft((errs: t.Errors) => invalidRequest(fieldErrors(errs), where))(codec.decode(value));

export const learningRoutes = (deps: LearningRouteDeps): express.Router => {
  const router = express.Router();

  router.get('/api/learning/cycles', async (req: Request, res: Response) => {
    const q = decodeOr400(ListRequest, { query: req.query }, 'query');
    if (either.isLeft(q)) return send(res, q.left);
    const { limit = DEFAULT_CYCLES_LIMIT, before } = q.right.query;
    res.json({ cycles: await listLearningCycles(deps.db, { limit, ...(before === undefined ? {} : { before }) }) });
  });

  router.get('/api/learning/cycles/:cycleId', async (req: Request, res: Response) => {
    const p = decodeOr400(CycleRequest, { params: req.params }, 'path');
    if (either.isLeft(p)) return send(res, p.left);
    const { cycleId } = p.right.params;
    const cycle = await getLearningCycle(deps.db, cycleId);
    if (cycle === undefined)
      return send(res, { status: 404, body: { error: 'CycleNotFound', message: `no learning cycle ${cycleId} in the learning_insights read model`, cycleId } });
    res.json(cycle);
  });

  // The daily cycles' progress (the cycle_progress read model, doc/cycle.md): stage, counts per stage, elapsed, time left.
  router.get('/api/cycles', async (req: Request, res: Response) => {
    const q = decodeOr400(ListRequest, { query: req.query }, 'query');
    if (either.isLeft(q)) return send(res, q.left);
    const { limit = DEFAULT_CYCLES_LIMIT, before } = q.right.query;
    res.json({ cycles: await listCycleProgress(deps.db, { limit, ...(before === undefined ? {} : { before }) }) });
  });

  router.get('/api/cycles/:cycleId', async (req: Request, res: Response) => {
    const p = decodeOr400(CycleRequest, { params: req.params }, 'path');
    if (either.isLeft(p)) return send(res, p.left);
    const { cycleId } = p.right.params;
    const cycle = await getCycleProgress(deps.db, cycleId);
    if (cycle === undefined)
      return send(res, { status: 404, body: { error: 'CycleNotFound', message: `no cycle ${cycleId} in the cycle_progress read model`, cycleId } });
    res.json(cycle);
  });

  router.get('/api/learning/policy', async (_req: Request, res: Response) => {
    const policy = await latestPolicy(deps.db);
    if (policy === undefined)
      return send(res, {
        status: 404,
        body: {
          error: 'PolicyNotFound',
          message: 'no learning policy yet: no learning cycle has recorded one (or the learning_insights projection has not caught up)',
        },
      });
    res.json(policy);
  });

  return router;
};
