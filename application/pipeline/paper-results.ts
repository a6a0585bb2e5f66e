// Paper results for the learner (domain/learning/paper-feedback.ts): what each strategy did on its paper account.
// The figures of its PaperTradingEvaluated when it was judged (the period the verdict weighed), else those of the
// TradingDayClosed days of its paper account so far (recordStats). A strategy with neither is left out: it has not
// traded a day yet, which is no evidence.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { decodeAll, type EventDecodeFailed } from '../events/decode-event.js';
import type { EventStore } from '../ports/event-store.js';
import type { PaperResult } from '../../domain/learning/paper-feedback.js';
import { performanceStream, type PerformanceEvent } from '../../domain/performance/events.js';
import { recordStats } from '../../domain/performance/record.js';
import { strategyStream, type StrategyEvent } from '../../domain/strategy/events.js';

const orNull = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

export const paperResultsFor = async (store: EventStore, strategyIds: readonly string[]): Promise<Either<EventDecodeFailed, PaperResult[]>> => {
  const out: PaperResult[] = [];
  for (const strategyId of strategyIds) {
    const strategy = decodeAll<StrategyEvent>(await store.readStream(strategyStream(strategyId)));
    if (either.isLeft(strategy)) return strategy;
    const judged = strategy.right.map((d) => d.event).find((e) => e.type === 'PaperTradingEvaluated');
    if (judged !== undefined && judged.type === 'PaperTradingEvaluated') {
      const p = judged.data.evaluation.paper;
      out.push({
        strategyId,
        figures: { sharpe: orNull(p['sharpe']), totalReturn: orNull(p['totalReturn']), maxDrawdown: orNull(p['maxDrawdown']), tradeCount: p['trades'] ?? 0 },
      });
      continue;
    }
    const performance = decodeAll<PerformanceEvent>(await store.readStream(performanceStream(strategyId)));
    if (either.isLeft(performance)) return performance;
    const days = performance.right.map((d) => d.event.data).filter((d) => d.mode === 'paper');
    if (days.length === 0) continue;
    const stats = recordStats(days[0]!.initialCapital, days);
    out.push({ strategyId, figures: { sharpe: stats.sharpe, totalReturn: stats.totalReturn, maxDrawdown: stats.maxDrawdown, tradeCount: stats.trades } });
  }
  return either.right(out);
};
