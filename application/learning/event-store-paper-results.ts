// PaperResults over the event log: every PaperTradingEvaluated of the `strategy` category (one per strategy at most:
// the decider refuses a second), read in pages, its evaluation.paper as the learner's figures. Only periods that
// ended by the cycle's asOf count, so a re-run of a day learns from the same results whatever was judged since.
import { either } from 'fp-ts';
import type { Figures } from '../../domain/learning/cycle.js';
import type { StrategyEventOf } from '../../domain/strategy/events.js';
import { decodeEvent } from '../events/decode-event.js';
import type { EventStore, Position } from '../ports/event-store.js';
import type { PaperResult, PaperResults } from '../ports/paper-results.js';

const PAGE = 5000;

/** A paper figure record (sharpe, totalReturn, maxDrawdown, trades) as the learner's Figures. */
export const paperFigures = (paper: Readonly<Record<string, number>>): Figures => ({
  sharpe: paper['sharpe'] ?? null,
  totalReturn: paper['totalReturn'] ?? null,
  maxDrawdown: paper['maxDrawdown'] ?? null,
  tradeCount: paper['trades'] ?? paper['tradeCount'] ?? 0,
  ...(paper['winRate'] === undefined ? {} : { winRate: paper['winRate'] }),
});

export const eventStorePaperResults = (store: Pick<EventStore, 'readAll'>): PaperResults => ({
  forStrategies: async (strategyIds, asOf) => {
    const wanted = new Set(strategyIds);
    const out: PaperResult[] = [];
    if (wanted.size === 0) return out;
    let from: Position | undefined;
    for (;;) {
      const page = await store.readAll({
        ...(from === undefined ? {} : { from }),
        maxCount: PAGE,
        filter: { categories: ['strategy'], eventTypes: ['PaperTradingEvaluated'] },
      });
      for (const r of page) {
        const decoded = decodeEvent<StrategyEventOf<'PaperTradingEvaluated'>>(r);
        if (either.isLeft(decoded)) throw new Error(decoded.left.message);
        const { strategyId, evaluation } = decoded.right.event.data;
        if (!wanted.has(strategyId) || Date.parse(evaluation.period.end) > asOf.getTime()) continue;
        out.push({ strategyId, figures: paperFigures(evaluation.paper) });
      }
      if (page.length < PAGE) break;
      from = page[page.length - 1]!.position;
    }
    return out.sort((a, b) => a.strategyId.localeCompare(b.strategyId));
  },
});
