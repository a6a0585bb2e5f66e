// `GET /api/ranking` (doc/monitoring.md): every strategy in paper or live (and retired ones, kept) from the ranking
// read model, each with its activation score as the policy would weigh it now (parts, inputs, what is missing), the
// limits it breaches and its figures per mode — best first. `?state=Paper|Live|Retired` narrows it; `limit` (at most
// 1000, the default) and `offset` page it, `total` counts them all.
import express, { type Request, type Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { CommonQueryMethods } from 'slonik';
import { monitorSettings } from '../../application/pipeline/activation-step.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { loadSettings } from '../../application/settings/settings-recorder.js';
import { DEFAULT_WEIGHTS, scoreCandidate } from '../../domain/activation/score.js';
import { findBreaches } from '../../domain/monitoring/breaches.js';
import { candidateFigures } from '../../domain/monitoring/ranking.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import { latestCycleRegime, listRanking } from '../../projections/ranking/queries.js';
import { invalidRequest } from './problems.js';
import { whole } from './query.js';
import { unknownFields } from '../../domain/primitives/exact.js';

export interface RankingRouteDeps {
  readonly db: CommonQueryMethods;
  /** The settings stream (maxActiveStrategies, monitor.*) is read from here. */
  readonly store: EventStore;
}

export const RANKING_STATES = ['Paper', 'Live', 'Retired'] as const;
/** Strategies one answer holds at most: retired strategies stay ranked, so the list grows with the platform's age. */
export const MAX_RANKING_PAGE = 1000;
const RankingParams = t.partial({
  state: t.keyof({ Paper: null, Live: null, Retired: null }),
  limit: whole(1, MAX_RANKING_PAGE),
  offset: whole(0, 1_000_000_000),
});
const RankingQuery = t.type({ query: RankingParams });

export const rankingRoutes = (deps: RankingRouteDeps): express.Router => {
  const router = express.Router();
  router.get('/api/ranking', async (req: Request, res: Response) => {
    const q = RankingQuery.decode({ query: req.query });
    const unknown = unknownFields(RankingParams, req.query).map((e) => ({ ...e, path: `query.${e.path}` }));
    if (either.isLeft(q) || unknown.length > 0) {
      const a = invalidRequest([...(either.isLeft(q) ? fieldErrors(q.left) : []), ...unknown], 'query');
      return res.status(a.status).json(a.body);
    }
    const settings = await loadSettings(deps.store);
    if (either.isLeft(settings)) return res.status(500).json({ error: 'SettingsUnreadable', message: settings.left.message });
    const monitor = monitorSettings(settings.right);
    const regime = await latestCycleRegime(deps.db);
    const state = q.right.query.state;
    const rows = (await listRanking(deps.db)).filter((r) => state === undefined || r.state === state);
    const strategies = rows
      .map((r) => {
        const breaches = findBreaches(r, monitor);
        const { score, parts, inputs, missing } = scoreCandidate(candidateFigures(r, breaches.length > 0), regime, DEFAULT_WEIGHTS);
        return { ...r, score, parts, inputs, missing, breaches };
      })
      .sort((a, b) => b.score - a.score || (a.strategyId < b.strategyId ? -1 : 1));
    const offset = q.right.query.offset ?? 0;
    const limit = q.right.query.limit ?? MAX_RANKING_PAGE;
    res.json({
      currentRegime: regime ?? null,
      maxActiveStrategies: settings.right.maxActiveStrategies,
      weights: DEFAULT_WEIGHTS,
      monitor,
      total: strategies.length,
      offset,
      strategies: strategies.slice(offset, offset + limit),
    });
  });
  return router;
};
