// The cycle's last stage: its passed strategies, best first by their filter score (the OOS Sharpe), go to paper
// trading up to the free slots (`paper.maxStrategies` − the strategies in Paper that are not this cycle's). The
// slots are counted without the cycle's own, so a re-run (after a crash between two promotions, or of a finished
// day) computes the same list, and StartPaperTrading is idempotent by its key: nothing is promoted twice.
import { either } from 'fp-ts';
import { promotionOrder, type PromotionCandidate } from '../../domain/learning/cycle-stages.js';
import type { Actor, Reason } from '../../domain/primitives/codecs.js';
import type { Uuid } from '../../domain/primitives/codecs.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import { handleStrategyCommand, loadStrategy } from '../strategy/handle-strategy-command.js';

export const PIPELINE_ACTOR = 'system:pipeline' as Actor;

export interface PromotionDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

export interface PromotionRequest {
  readonly cycleId: string;
  /** The cycle's strategies (all of them: those in Paper are not counted against the slots). */
  readonly own: readonly string[];
  /** The cycle's passed strategies and their filter score. */
  readonly passed: readonly PromotionCandidate[];
  readonly maxStrategies: number;
  /** Every strategy now in Paper (the strategies read model). */
  readonly inPaper: readonly string[];
}

export interface PromotionOutcome {
  readonly others: number;
  readonly freeSlots: number;
  /** Promoted by this cycle (now or by an earlier run of it), in rank order. */
  readonly promoted: readonly string[];
  readonly appended: number;
  readonly notes: readonly string[];
}

const fmt = (x: number | null) => (x === null ? 'none' : x.toFixed(3));

export const promoteToPaper = async (deps: PromotionDeps, r: PromotionRequest): Promise<PromotionOutcome> => {
  const own = new Set(r.own);
  const others = r.inPaper.filter((id) => !own.has(id)).length;
  const freeSlots = Math.max(0, r.maxStrategies - others);
  const chosen = promotionOrder(r.passed, freeSlots);
  const notes: string[] = [];
  const promoted: string[] = [];
  let appended = 0;
  for (const [i, c] of chosen.entries()) {
    const loaded = await loadStrategy(deps.store, c.strategyId);
    if (either.isLeft(loaded)) throw new Error(loaded.left.message);
    const status = loaded.right.state.status;
    if (status !== 'Filtered') {
      // Promoted by an earlier run of the cycle (or since moved on by an operator): counted, not commanded again.
      if (status === 'Paper' || status === 'Live') promoted.push(c.strategyId);
      else notes.push(`strategy ${c.strategyId} (rank ${i + 1}) is ${status}: not promoted`);
      continue;
    }
    const reason =
      `cycle ${r.cycleId}: rank ${i + 1} of ${r.passed.length} passed by filter score (OOS Sharpe) ${fmt(c.score)}; ` +
      `${freeSlots} free paper slot(s) of ${r.maxStrategies} (${others} in paper before the cycle)`;
    const done = await handleStrategyCommand(
      deps,
      { type: 'StartPaperTrading', strategyId: c.strategyId as Uuid, data: { decidedBy: PIPELINE_ACTOR, reason: reason as Reason } },
      {
        actor: PIPELINE_ACTOR,
        correlationId: deps.ids.idFor(`learning-cycle:${r.cycleId}`),
        idempotencyKey: `learning-cycle:${r.cycleId}:promote:${c.strategyId}`,
      },
    );
    if (either.isLeft(done)) throw new Error(`learning cycle ${r.cycleId}: StartPaperTrading of ${c.strategyId} refused: ${JSON.stringify(done.left)}`);
    appended += done.right.events.length;
    promoted.push(c.strategyId);
  }
  if (r.passed.length > freeSlots)
    notes.push(`${r.passed.length - freeSlots} passed strateg(ies) not promoted: ${freeSlots} free paper slot(s) of ${r.maxStrategies}`);
  return { others, freeSlots, promoted, appended, notes };
};
