// The record of a daily pair selection: every candidate's score and its parts, so the choice can be audited
// and recomputed from the event alone.
import * as t from 'io-ts';
import { Finite, IsoTimestamp, NonNegativeInt, Text, boundedArray } from '../primitives/codecs.js';
import { ExchangeId } from '../market/exchange.js';
import { MarketSymbol, Timeframe } from '../strategy/genome.js';

export const SELECTION_CATEGORY = 'selection';
/** One selection per UTC day: `selection-2023-12-30`. */
export const selectionStream = (day: string) => `${SELECTION_CATEGORY}-${day}`;

export const Day = t.refinement(t.string, (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00.000Z`).toISOString().startsWith(s), 'Day');

const Parts = t.type({ volume: Finite, volatility: Finite, liquidity: Finite, trend: Finite });

export const Weights = Parts;

export const SelectionRulesCodec = t.type({
  weights: Weights,
  topN: t.refinement(NonNegativeInt, (n) => n >= 1, 'TopN'),
  minQuoteVolumePerDay: Finite,
  maxVolatility: Finite,
  minBars: NonNegativeInt,
});

export const ScoredCandidateCodec = t.intersection([
  t.type({
    symbol: MarketSymbol,
    score: Finite,
    rank: NonNegativeInt,
    eligible: t.boolean,
    parts: Parts,
    metrics: t.type({
      bars: NonNegativeInt,
      quoteVolumePerDay: Finite,
      volatility: Finite,
      liquidity: Finite,
      liquiditySource: t.keyof({ order_book: null, amihud: null }),
      trendStrength: Finite,
    }),
  }),
  t.partial({ ineligibleReason: Text }),
]);

/** Pairs an exchange lists (a few thousand at most). */
export const PAIRS = 10_000;

export const PairsSelectedData = t.type({
  day: Day,
  asOf: IsoTimestamp,
  exchange: ExchangeId,
  interval: Timeframe,
  window: t.type({ start: IsoTimestamp, end: IsoTimestamp }),
  rules: SelectionRulesCodec,
  candidates: boundedArray(ScoredCandidateCodec, PAIRS),
  selected: boundedArray(MarketSymbol, PAIRS),
  /** Selected today but not yesterday: their history gets downloaded. */
  added: boundedArray(MarketSymbol, PAIRS),
  removed: boundedArray(MarketSymbol, PAIRS),
});
export type PairsSelectedData = t.TypeOf<typeof PairsSelectedData>;

export const SelectionEventData = { PairsSelected: PairsSelectedData } as const;
export type PairsSelected = { readonly type: 'PairsSelected'; readonly data: PairsSelectedData };
