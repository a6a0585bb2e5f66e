// Paper (and later live) results fed back to the learner. The OOS figures the learner is rewarded with are the
// same ones the filter selects on, so they cannot say how a *selected* strategy does *after* selection; paper
// trading can. For each strategy of the history with a paper Sharpe:
// - its GA fitness becomes min(fitness, paper Sharpe): a filter winner stays a likely parent only if it held;
// - the policy gets one more update in the strategy's regime, without decay (the cycle's update already decayed
//   it), rewarded by the paper Sharpe with `weight` (default 5: a cycle's few dozen paper results then weigh about
//   a third of its hundreds of OOS results).
// A paper result without a Sharpe (no trades, no dispersion) is no evidence and changes nothing.
import type { Figures, LearnerState, StrategyRecord } from './cycle.js';
import { updatePolicy, type PolicyResult } from './policy/policy.js';
import type { Regime } from './policy/regime.js';

export interface PaperResult {
  readonly strategyId: string;
  readonly figures: Figures;
}

export interface PaperFeedbackOptions {
  /** Weight of one paper result in the policy, against 1 for an OOS result. Default 5. */
  readonly weight?: number;
}

export interface PaperFeedback {
  readonly learner: LearnerState;
  /** Strategies whose paper result was taken in. */
  readonly applied: number;
  readonly notes: readonly string[];
}

export const DEFAULT_PAPER_WEIGHT = 5;

export const learnFromPaper = (state: LearnerState, results: readonly PaperResult[], options: PaperFeedbackOptions = {}): PaperFeedback => {
  const weight = options.weight ?? DEFAULT_PAPER_WEIGHT;
  const notes: string[] = [];
  const byId = new Map<string, Figures>();
  for (const r of results) if (r.figures.sharpe !== null && Number.isFinite(r.figures.sharpe)) byId.set(r.strategyId, r.figures);
  const noEvidence = results.length - byId.size;
  if (noEvidence > 0) notes.push(`${noEvidence} paper result(s) without a Sharpe (no trades): no evidence, left out`);

  const rewards = new Map<Regime, PolicyResult[]>();
  let applied = 0;
  const history = state.history.map((record): StrategyRecord => {
    const paper = byId.get(record.id);
    if (paper === undefined) return record;
    byId.delete(record.id);
    applied++;
    const sharpe = paper.sharpe!;
    const list = rewards.get(record.regime) ?? [];
    list.push({ genome: record.genome, reward: sharpe });
    rewards.set(record.regime, list);
    return { ...record, paper, fitness: record.fitness === null ? sharpe : Math.min(record.fitness, sharpe) };
  });
  if (byId.size > 0) notes.push(`${byId.size} paper result(s) for strategies not in the history: left out`);

  let policy = state.policy;
  for (const [regime, list] of rewards) policy = updatePolicy(policy, regime, list, { decay: 1, weight });
  return { learner: { ...state, history, policy }, applied, notes };
};
