// Every read model the projector keeps up to date (and `npm run replay -- <name>` can rebuild).
import type { Projection } from './projection.js';
import { activationAuditProjection } from './activation-audit/projection.js';
import { backtestResultsProjection } from './backtest-results/projection.js';
import { learningInsightsProjection } from './learning-insights/projection.js';
import { ordersProjection } from './orders/projection.js';
import { positionsProjection } from './positions/projection.js';
import { rankingProjection } from './ranking/projection.js';
import { strategiesProjection } from './strategies/projection.js';
import { trainingSetProjection } from './training-set/projection.js';
import { tradingDaysProjection } from './trading-days/projection.js';
import { cycleProgressProjection } from './cycle-progress/projection.js';
import { alertsProjection } from './alerts/projection.js';
import { predictionsProjection } from './predictions/projection.js';

export const ALL_PROJECTIONS: readonly Projection[] = [
  strategiesProjection,
  activationAuditProjection,
  backtestResultsProjection,
  trainingSetProjection,
  learningInsightsProjection,
  ordersProjection,
  positionsProjection,
  tradingDaysProjection,
  cycleProgressProjection,
  rankingProjection,
  alertsProjection,
  predictionsProjection,
];

export const findProjection = (name: string): Projection | undefined => ALL_PROJECTIONS.find((p) => p.name === name);
