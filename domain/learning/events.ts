// The learner's events. LearningInsightsRecorded carries a cycle's statistics (domain/learning/insights) so
// the generator's priors can be rebuilt from the history; finite numbers only, like every metric we store.
import * as t from 'io-ts';
import { Finite, IsoTimestamp, NonNegativeInt } from '../primitives/codecs.js';
import { REGIMES, type Regime } from './policy/regime.js';

const Performance = t.type({ count: NonNegativeInt, meanSharpe: Finite, medianSharpe: Finite, successRate: Finite });

export const InsightsCodec = t.type(
  {
    rows: NonNegativeInt,
    scoredRows: NonNegativeInt,
    successThreshold: Finite,
    minSupport: NonNegativeInt,
    overall: t.union([Performance, t.null]),
    correlations: t.array(t.type({ feature: t.string, rho: Finite, n: NonNegativeInt })),
    quartiles: t.array(
      t.type({
        feature: t.string,
        cuts: t.array(Finite),
        bins: t.array(t.intersection([Performance, t.type({ quartile: NonNegativeInt, lower: Finite, upper: Finite })])),
      }),
    ),
    categories: t.array(t.intersection([Performance, t.type({ feature: t.string, value: t.string })])),
    successFactors: t.array(FactorCodec()),
    failureFactors: t.array(FactorCodec()),
    recommendedRanges: t.array(t.type({ feature: t.string, low: Finite, high: Finite, median: Finite, count: NonNegativeInt })),
    notes: t.array(t.string),
  },
  'Insights',
);

function FactorCodec() {
  return t.intersection([
    Performance,
    t.type({ feature: t.string, kind: t.keyof({ category: null, quartile: null }), value: t.string }),
    t.partial({ lower: Finite, upper: Finite }),
  ]);
}

export const RegimeCodec = t.keyof(Object.fromEntries(REGIMES.map((r) => [r, null])) as Record<Regime, null>, 'Regime');

export const LearningInsightsRecordedData = t.intersection([
  t.type({
    /** The cycle whose results these are (e.g. `2023-12-30`). */
    cycleId: t.string,
    insights: InsightsCodec,
  }),
  t.partial({ regime: RegimeCodec, asOf: IsoTimestamp }),
]);
export type LearningInsightsRecordedData = t.TypeOf<typeof LearningInsightsRecordedData>;

/** Not registered in the event catalog here: the lead does that. */
export const LearningEventData = { LearningInsightsRecorded: LearningInsightsRecordedData } as const;
export type LearningInsightsRecorded = { readonly type: 'LearningInsightsRecorded'; readonly data: LearningInsightsRecordedData };
