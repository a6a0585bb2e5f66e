// The learner's events. LearningInsightsRecorded carries a cycle's statistics (domain/learning/insights) so
// the generator's priors can be rebuilt from the history; finite numbers only, like every metric we store.
import * as t from 'io-ts';
import { Finite, IdString, IsoTimestamp, Name, NonNegativeInt, Text, boundedArray } from '../primitives/codecs.js';
import { REGIMES, type Regime } from './policy/regime.js';

/** Rows of an insights table (features × values, a few hundred in practice). */
const ROWS = 5000;
const rows = <C extends t.Mixed>(c: C) => boundedArray(c, ROWS);

const Performance = t.type({ count: NonNegativeInt, meanSharpe: Finite, medianSharpe: Finite, successRate: Finite });

export const InsightsCodec = t.type(
  {
    rows: NonNegativeInt,
    scoredRows: NonNegativeInt,
    successThreshold: Finite,
    minSupport: NonNegativeInt,
    overall: t.union([Performance, t.null]),
    correlations: rows(t.type({ feature: Name, rho: Finite, n: NonNegativeInt })),
    quartiles: rows(
      t.type({
        feature: Name,
        cuts: rows(Finite),
        bins: rows(t.intersection([Performance, t.type({ quartile: NonNegativeInt, lower: Finite, upper: Finite })])),
      }),
    ),
    categories: rows(t.intersection([Performance, t.type({ feature: Name, value: Text })])),
    successFactors: rows(FactorCodec()),
    failureFactors: rows(FactorCodec()),
    recommendedRanges: rows(t.type({ feature: Name, low: Finite, high: Finite, median: Finite, count: NonNegativeInt })),
    notes: rows(Text),
  },
  'Insights',
);

function FactorCodec() {
  return t.intersection([
    Performance,
    t.type({ feature: Name, kind: t.keyof({ category: null, quartile: null }), value: Text }),
    // A quartile factor also names its quartile and its bounds.
    t.partial({ quartile: NonNegativeInt, lower: Finite, upper: Finite }),
  ]);
}

export const RegimeCodec = t.keyof(Object.fromEntries(REGIMES.map((r) => [r, null])) as Record<Regime, null>, 'Regime');

export const LearningInsightsRecordedData = t.intersection([
  t.type({
    /** The cycle whose results these are (e.g. `2023-12-30`). */
    cycleId: IdString,
    insights: InsightsCodec,
  }),
  t.partial({ regime: RegimeCodec, asOf: IsoTimestamp }),
]);
export type LearningInsightsRecordedData = t.TypeOf<typeof LearningInsightsRecordedData>;

/** Not registered in the event catalog here: the lead does that. */
export const LearningEventData = { LearningInsightsRecorded: LearningInsightsRecordedData } as const;
export type LearningInsightsRecorded = { readonly type: 'LearningInsightsRecorded'; readonly data: LearningInsightsRecordedData };
