// The facts of a strategy's life, each with the codec that reads it back from the store.
import * as t from 'io-ts';
import {
  Actor,
  EpochMs,
  Finite,
  FiniteRecord,
  IdString,
  IsoTimestamp,
  Name,
  NonNegativeInt,
  Reason,
  Text,
  Uuid,
  boundedArray,
  boundedRecord,
} from '../primitives/codecs.js';
import { GENOME_BOUNDS } from './genome.js';
import { Genome, MarketSymbol, Timeframe } from './genome.js';

export const STRATEGY_CATEGORY = 'strategy';
export const strategyStream = (strategyId: string) => `${STRATEGY_CATEGORY}-${strategyId}`;

const Window = t.type({ start: IsoTimestamp, end: IsoTimestamp });

/** Most reasons a verdict or a decision lists, and most candidates an activation weighs. */
export const DECISION_BOUNDS = { reasons: 50, candidates: 1000 } as const;

export const BacktestResult = t.intersection(
  [
    t.type({
      metrics: FiniteRecord,
      window: Window,
      timeframe: Timeframe,
      symbols: boundedArray(MarketSymbol, GENOME_BOUNDS.symbols),
      dataFingerprint: IdString,
      engineVersion: Name,
    }),
    // in-sample / out-of-sample metrics are kept apart so the filter and the learner can use the unseen part.
    t.partial({
      outOfSampleMetrics: FiniteRecord,
      backtestId: IdString,
      // Written by the daily learning cycle: the market regime it generated for, and its two windows.
      // (the cycle writes { label, trendStrength, volatility }; the training set reads any such parts.)
      regime: boundedRecord(t.union([Finite, Name]), 16),
      inSampleWindow: Window,
      outOfSampleWindow: Window,
    }),
  ],
  'BacktestResult',
);
export type BacktestResult = t.TypeOf<typeof BacktestResult>;

export const FilterVerdict = t.intersection(
  [
    t.type({ outcome: t.keyof({ passed: null, rejected: null }), reasons: boundedArray(Text, DECISION_BOUNDS.reasons), thresholds: FiniteRecord }),
    // The out-of-sample deflated Sharpe and the trials it was deflated for (absent when not computable); the
    // reasons say it in words too.
    t.partial({ score: Finite, deflatedSharpe: Finite, trials: NonNegativeInt }),
  ],
  'FilterVerdict',
);
export type FilterVerdict = t.TypeOf<typeof FilterVerdict>;

/** The figures one part of a score used (a Sharpe, a day count, a regime label). */
const PartInputs = boundedRecord(t.union([Finite, Name]), 16);

/** One candidate as the policy weighed it; the parts and flags are absent in decisions recorded before the policy. */
const WeighedCandidate = t.intersection([
  t.type({ strategyId: Uuid, score: Finite }),
  t.partial({ parts: FiniteRecord, live: t.boolean, breached: t.boolean }),
]);

/**
 * What the activation policy (domain/activation/policy.ts) adds to a decision: the weights of the parts, the inputs
 * each part used, and the whole change it decided. Optional in the event (decisions recorded before the policy
 * still decode); required by ActivateStrategy, whose decider re-checks them.
 */
export const PolicyFields = {
  weights: FiniteRecord,
  activations: boundedArray(Uuid, DECISION_BOUNDS.candidates),
  deactivations: boundedArray(Uuid, DECISION_BOUNDS.candidates),
};
const PolicyDetails = {
  inputs: boundedRecord(PartInputs, 16),
  /** Parts computed without their figures (see doc/activation.md for the value each then takes). */
  missing: boundedArray(Name, 16),
  decidedAt: EpochMs,
  lastChangeAt: EpochMs,
  /** Inside the minimum interval between changes: only forced removals were allowed. */
  held: t.boolean,
  currentRegime: Name,
};

/** Everything an activation policy weighed, so the decision can be explained and replayed. */
export const ActivationDecision = t.intersection(
  [
    t.type({
      score: Finite,
      scoreParts: FiniteRecord,
      candidates: boundedArray(WeighedCandidate, DECISION_BOUNDS.candidates),
      thresholds: FiniteRecord,
      maxActiveStrategies: NonNegativeInt,
      activeStrategies: NonNegativeInt,
    }),
    t.partial({ ...PolicyFields, ...PolicyDetails }),
  ],
  'ActivationDecision',
);
export type ActivationDecision = t.TypeOf<typeof ActivationDecision>;

const Decided = { strategyId: Uuid, decidedBy: Actor, reason: Reason };

/**
 * The verdict on a strategy's paper period: eligible to go live, or rejected, with the paper figures, the backtest
 * figures they were held against, the thresholds of the stated criteria and every reason (doc/pipeline.md).
 */
export const PaperEvaluation = t.type(
  {
    outcome: t.keyof({ eligible: null, rejected: null }),
    reasons: boundedArray(Text, DECISION_BOUNDS.reasons),
    paper: FiniteRecord,
    backtest: FiniteRecord,
    thresholds: FiniteRecord,
    period: Window,
  },
  'PaperEvaluation',
);
export type PaperEvaluation = t.TypeOf<typeof PaperEvaluation>;

export const StrategyEventData = {
  StrategyGenerated: t.type({ strategyId: Uuid, genome: Genome }),
  StrategyBacktested: t.type({ strategyId: Uuid, result: BacktestResult }),
  StrategyFiltered: t.type({ strategyId: Uuid, verdict: FilterVerdict }),
  PaperTradingStarted: t.type(Decided),
  StrategyActivated: t.type({ ...Decided, decision: ActivationDecision }),
  StrategyDeactivated: t.intersection([t.type(Decided), t.partial({ decision: ActivationDecision })]),
  StrategyRetired: t.type({ ...Decided, fromState: Name }),
  PaperTradingEvaluated: t.type({ ...Decided, evaluation: PaperEvaluation }),
  /** Pinned: the automation neither deactivates nor retires it (an operator still can). */
  StrategyPinned: t.type(Decided),
  StrategyUnpinned: t.type(Decided),
} as const;

export type StrategyEventType = keyof typeof StrategyEventData;
export type StrategyEventOf<K extends StrategyEventType> = {
  readonly type: K;
  readonly data: t.TypeOf<(typeof StrategyEventData)[K]>;
};
export type StrategyEvent = { [K in StrategyEventType]: StrategyEventOf<K> }[StrategyEventType];
export type StrategyGenerated = StrategyEventOf<'StrategyGenerated'>;
export type StrategyActivated = StrategyEventOf<'StrategyActivated'>;
export type StrategyDeactivated = StrategyEventOf<'StrategyDeactivated'>;

export const STRATEGY_EVENT_TYPES = Object.keys(StrategyEventData) as StrategyEventType[];

/** The events that move a strategy from one lifecycle state to another (the others only annotate a state). */
export const STRATEGY_LIFECYCLE_EVENT_TYPES: readonly StrategyEventType[] = STRATEGY_EVENT_TYPES.filter(
  (t) => t !== 'PaperTradingEvaluated' && t !== 'StrategyPinned' && t !== 'StrategyUnpinned',
);
