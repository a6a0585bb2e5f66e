// The paper results the learner takes in (domain/learning/paper-feedback.ts): each strategy's judged paper period
// (PaperTradingEvaluated's evaluation.paper). Implemented over the event log (application/learning/
// event-store-paper-results.ts).
import type { PaperResult } from '../../domain/learning/paper-feedback.js';

export type { PaperResult } from '../../domain/learning/paper-feedback.js';

export interface PaperResults {
  /**
   * The paper results of these strategies whose paper period ended by `asOf` (so a cycle re-run later learns from
   * the same ones); a strategy without a judged paper period is absent.
   */
  forStrategies(strategyIds: readonly string[], asOf: Date): Promise<PaperResult[]>;
}
