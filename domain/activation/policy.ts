// The activation policy: which strategies should be live, computed from the read models' figures. Pure — the
// clock's now, the live set and the time of the last change come in; the decision says what to activate and
// deactivate, and keeps every candidate it weighed with its score, parts and inputs (the audit's "why").
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { DEFAULT_WEIGHTS, SCORE_PARTS, SCORE_TOLERANCE, scoreCandidate, type CandidateFigures, type Score, type Weights } from './score.js';

export const MAX_ACTIVE_STRATEGIES_RANGE = { min: 1, max: 10 } as const;
/** The replacement margin's range (scores are in [0, 1]): above half the scale no candidate could ever replace. */
export const REPLACEMENT_MARGIN_RANGE = { min: 0, max: 0.5 } as const;
/** The policy keeps at least this many live (or the maximum, if lower) when there are enough candidates. */
export const MIN_ACTIVE_STRATEGIES = 2;
const WEIGHTS_SUM_TOLERANCE = 1e-9;

export interface ActivationSettings {
  /** 1–10. */
  readonly maxActiveStrategies: number;
  /** Non-negative, summing to 1. */
  readonly weights: Weights;
  /** No change sooner than this after the last one, unless a live strategy must go. */
  readonly minIntervalMs: number;
  /**
   * 0–0.5. Hysteresis: a waiting candidate replaces an unpinned, unbreached live strategy only if its score beats
   * that one's by at least this (every switch closes a position and pays fees and slippage). Empty places are
   * filled without it. 0 gives the plain ranking.
   */
  readonly replacementMargin: number;
}

export const DEFAULT_ACTIVATION_SETTINGS: ActivationSettings = {
  maxActiveStrategies: 2,
  weights: DEFAULT_WEIGHTS,
  minIntervalMs: 4 * 60 * 60 * 1000,
  replacementMargin: 0.05,
};

/**
 * Whether `candidate` beats `live` by the margin: its score is at least `margin` above (a float rounding of the
 * scores' sums, within SCORE_TOLERANCE, does not count against it). The decider re-checks decisions with it.
 */
export const beatsByMargin = (candidate: number, live: number, margin: number): boolean => candidate - live >= margin - SCORE_TOLERANCE;

export interface PolicyInput {
  /** The strategies eligible to go live and those live now, with their figures. */
  readonly candidates: readonly CandidateFigures[];
  /** The ids live now; one without figures among the candidates is weighed with every figure missing. */
  readonly live: readonly string[];
  /**
   * Pinned by an operator: a pinned live strategy is never deactivated by the policy (not for a breach, a better
   * candidate or the maximum) and keeps its place among the maximum. Absent: none pinned.
   */
  readonly pinned?: readonly string[];
  /** When a strategy was last activated or deactivated (epoch ms); undefined if never. */
  readonly lastChangeAt?: number;
  readonly now: number;
  /** The market's regime now, as the cycle labels it; undefined when unknown. */
  readonly currentRegime?: string;
  readonly settings: ActivationSettings;
}

export interface Weighed extends Score {
  readonly strategyId: string;
  readonly live: boolean;
  readonly breached: boolean;
  readonly pinned: boolean;
}

/** Why a live strategy goes: a breached limit, more live than the maximum allows, or better candidates. */
export type DeactivationCause = 'breached' | 'over-maximum' | 'outranked';

export interface Deactivation extends Weighed {
  readonly cause: DeactivationCause;
}

export interface PolicyDecision {
  readonly decidedAt: number;
  readonly settings: ActivationSettings;
  readonly minActiveStrategies: number;
  readonly currentRegime?: string;
  readonly lastChangeAt?: number;
  /** Inside the minimum interval: only forced removals (and replacements up to the minimum) were made. */
  readonly held: boolean;
  readonly liveBefore: readonly string[];
  readonly liveAfter: readonly string[];
  /** In rank order. */
  readonly activate: readonly Weighed[];
  readonly deactivate: readonly Deactivation[];
  /** Every candidate weighed, best first (score descending, then strategy id). */
  readonly weighed: readonly Weighed[];
}

export interface PolicyInputInvalid {
  readonly kind: 'PolicyInputInvalid';
  readonly field: string;
  readonly message: string;
}

const invalid = (field: string, message: string): Either<PolicyInputInvalid, never> => either.left({ kind: 'PolicyInputInvalid', field, message });

const checkInput = (input: PolicyInput): Either<PolicyInputInvalid, void> => {
  const { maxActiveStrategies: max, weights, minIntervalMs, replacementMargin } = input.settings;
  const { min: lo, max: hi } = MAX_ACTIVE_STRATEGIES_RANGE;
  if (!Number.isInteger(max) || max < lo || max > hi) return invalid('settings.maxActiveStrategies', `must be an integer from ${lo} to ${hi}, got ${max}`);
  for (const p of SCORE_PARTS)
    if (!Number.isFinite(weights[p]) || weights[p] < 0) return invalid(`settings.weights.${p}`, `must be a finite number ≥ 0, got ${weights[p]}`);
  const sum = SCORE_PARTS.reduce((s, p) => s + weights[p], 0);
  if (Math.abs(sum - 1) > WEIGHTS_SUM_TOLERANCE) return invalid('settings.weights', `must sum to 1, got ${sum}`);
  if (!Number.isFinite(minIntervalMs) || minIntervalMs < 0) return invalid('settings.minIntervalMs', `must be a finite number ≥ 0, got ${minIntervalMs}`);
  const { min: mlo, max: mhi } = REPLACEMENT_MARGIN_RANGE;
  if (!Number.isFinite(replacementMargin) || replacementMargin < mlo || replacementMargin > mhi)
    return invalid('settings.replacementMargin', `must be a number from ${mlo} to ${mhi}, got ${replacementMargin}`);
  if (!Number.isFinite(input.now)) return invalid('now', `must be a finite time, got ${input.now}`);
  if (input.lastChangeAt !== undefined && !Number.isFinite(input.lastChangeAt))
    return invalid('lastChangeAt', `must be a finite time, got ${input.lastChangeAt}`);
  const seen = new Set<string>();
  for (const [i, c] of input.candidates.entries()) {
    if (seen.has(c.strategyId)) return invalid(`candidates.${i}.strategyId`, `${c.strategyId} is listed twice`);
    seen.add(c.strategyId);
  }
  return either.right(undefined);
};

/** Best first; equal scores in strategy-id order so the decision does not depend on the order of the input. */
const byRank = (a: Weighed, b: Weighed) => (a.score !== b.score ? b.score - a.score : a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : 0);

export const decideActivation = (input: PolicyInput): Either<PolicyInputInvalid, PolicyDecision> => {
  const checked = checkInput(input);
  if (either.isLeft(checked)) return checked;
  const { settings, now, lastChangeAt, currentRegime } = input;
  const max = settings.maxActiveStrategies;
  const minLive = Math.min(MIN_ACTIVE_STRATEGIES, max);
  const liveIds = new Set(input.live);
  const pinnedIds = new Set(input.pinned ?? []);

  const known = new Set(input.candidates.map((c) => c.strategyId));
  const figures: CandidateFigures[] = [...input.candidates, ...[...liveIds].filter((id) => !known.has(id)).map((strategyId) => ({ strategyId }))];
  const weighed = figures
    .map((c): Weighed => ({
      strategyId: c.strategyId,
      live: liveIds.has(c.strategyId),
      breached: c.breached === true,
      pinned: pinnedIds.has(c.strategyId),
      ...scoreCandidate(c, currentRegime, settings.weights),
    }))
    .sort(byRank);

  const live = weighed.filter((w) => w.live);
  // Pinned live strategies stay whatever their figures, and take their places among the maximum first.
  const pinnedLive = live.filter((w) => w.pinned);
  const room = Math.max(0, max - pinnedLive.length);
  const free = live.filter((w) => !w.pinned);
  const forced: Deactivation[] = free.filter((w) => w.breached).map((w) => ({ ...w, cause: 'breached' }));
  const staying = free.filter((w) => !w.breached);
  const overMaximum: Deactivation[] = staying.slice(room).map((w) => ({ ...w, cause: 'over-maximum' }));
  const kept = [...pinnedLive, ...staying.slice(0, room)];
  const waiting = weighed.filter((w) => !w.live && !w.breached);

  const held = lastChangeAt !== undefined && now - lastChangeAt < settings.minIntervalMs;
  let activate: Weighed[];
  let deactivate: Deactivation[];
  if (held) {
    // Stable: only what must go goes; a removal may be replaced, and only to keep the minimum live.
    const replacements = Math.max(0, Math.min(forced.length, minLive - kept.length));
    activate = waiting.slice(0, replacements);
    deactivate = [...forced, ...overMaximum];
  } else {
    // Empty places (fewer kept than the room) are filled by the best waiting, without a margin. Then a kept one is
    // replaced only by a waiting one that ranks above it and beats its score by the margin: the best waiting against
    // the worst kept, while that holds. With a margin of 0 this is the best `room` of kept and waiting together.
    const stays = staying.slice(0, room);
    const empty = room - stays.length;
    activate = waiting.slice(0, empty);
    const outranked: Deactivation[] = [];
    for (const w of waiting.slice(empty)) {
      const worst = stays[stays.length - 1];
      if (worst === undefined || byRank(w, worst) >= 0 || !beatsByMargin(w.score, worst.score, settings.replacementMargin)) break;
      stays.pop();
      outranked.push({ ...worst, cause: 'outranked' });
      activate.push(w);
    }
    deactivate = [...forced, ...overMaximum, ...outranked];
  }
  const leaving = new Set(deactivate.map((d) => d.strategyId));
  const liveAfter = [...live.filter((w) => !leaving.has(w.strategyId)), ...activate].sort(byRank).map((w) => w.strategyId);

  return either.right({
    decidedAt: now,
    settings,
    minActiveStrategies: minLive,
    ...(currentRegime !== undefined ? { currentRegime } : {}),
    ...(lastChangeAt !== undefined ? { lastChangeAt } : {}),
    held,
    liveBefore: live.map((w) => w.strategyId),
    liveAfter,
    activate,
    deactivate: deactivate.sort(byRank),
    weighed,
  });
};
