// Deciding a day's pair selection: score the candidates, take the top N eligible ones, say what changed.
// One selection per day; no candidates means no selection (the caller reports why).
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { CandidateMetrics } from './candidate-metrics.js';
import { scorePairs, type SelectionRules } from './score-pairs.js';
import type { PairsSelected, PairsSelectedData } from './events.js';

export interface SelectPairs {
  readonly type: 'SelectPairs';
  readonly day: string;
  readonly asOf: string;
  readonly exchange: string;
  readonly interval: PairsSelectedData['interval'];
  readonly window: { readonly start: string; readonly end: string };
  readonly rules: SelectionRules;
  readonly candidates: readonly CandidateMetrics[];
  /** The previous day's selection, to tell what was added and removed. */
  readonly previous: readonly string[];
}

export type SelectionError =
  | { readonly kind: 'AlreadySelected'; readonly day: string; readonly message: string }
  | { readonly kind: 'NoEligibleCandidates'; readonly day: string; readonly message: string };

export const decideSelection = (command: SelectPairs, alreadySelected: boolean): Either<SelectionError, PairsSelected> => {
  if (alreadySelected) return either.left({ kind: 'AlreadySelected', day: command.day, message: `pairs for ${command.day} are already selected` });
  const scored = scorePairs(command.candidates, command.rules);
  const selected = scored
    .filter((c) => c.eligible)
    .slice(0, command.rules.topN)
    .map((c) => c.symbol);
  if (selected.length === 0)
    return either.left({
      kind: 'NoEligibleCandidates',
      day: command.day,
      message: `no eligible candidate among ${command.candidates.length} for ${command.day}`,
    });
  const before = new Set(command.previous);
  const now = new Set(selected);
  return either.right({
    type: 'PairsSelected',
    data: {
      day: command.day,
      asOf: command.asOf,
      exchange: command.exchange,
      interval: command.interval,
      window: command.window,
      rules: command.rules,
      candidates: scored.map((c) => ({
        symbol: c.symbol,
        score: c.score,
        rank: c.rank,
        eligible: c.eligible,
        ...(c.ineligibleReason ? { ineligibleReason: c.ineligibleReason } : {}),
        parts: c.parts,
        metrics: {
          bars: c.metrics.bars,
          quoteVolumePerDay: c.metrics.quoteVolumePerDay,
          volatility: c.metrics.volatility,
          liquidity: c.metrics.liquidity,
          liquiditySource: c.metrics.liquiditySource,
          trendStrength: c.metrics.trendStrength,
        },
      })),
      selected,
      added: selected.filter((s) => !before.has(s)),
      removed: command.previous.filter((s) => !now.has(s)),
    } as PairsSelectedData, // brands (finite, symbols, days) are checked by the event codec before the append
  });
};
