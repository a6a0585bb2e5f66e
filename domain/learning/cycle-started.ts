// A day's learning cycle is fixed by its first run: `LearningCycleStarted` on `cycle-<day>`, appended before any
// strategy, holds every parameter the day's genomes, backtests and learning depend on. A re-run of the day resumes
// with them; a re-run that asks for other ones is refused, naming each difference and the original value, so that a
// day's strategies, insights and policy update always come from one set of parameters.
import * as t from 'io-ts';
import { ExchangeId } from '../market/exchange.js';
import { boundedArray, Finite, IsoTimestamp, NonNegativeInt, nonEmptyArray, Text } from '../primitives/codecs.js';
import { PAIRS } from '../selection/events.js';
import { MarketSymbol, Timeframe } from '../strategy/genome.js';
import type { FilterRule } from './cycle.js';
import { DEFAULT_MIN_HISTORY } from './generator.js';

const PositiveInt = t.refinement(NonNegativeInt, (n) => n >= 1, 'PositiveInt');
export const CycleDay = t.refinement(t.string, (s) => /^\d{4}-\d{2}-\d{2}$/.test(s), 'CycleDay');
const Window = t.type({ start: IsoTimestamp, end: IsoTimestamp });

/** A selected pair the cycle could not use, and what it did instead (never a silent skip). */
export const CycleDegradation = t.type({ symbol: MarketSymbol, reason: Text }, 'CycleDegradation');
export type CycleDegradation = t.TypeOf<typeof CycleDegradation>;

export const LearningCycleStartedData = t.intersection([
  t.type({
    cycleId: CycleDay,
    /** The cycle's "now": only candles closed by then are used. */
    asOf: IsoTimestamp,
    /** Genomes generated. */
    n: PositiveInt,
    seed: NonNegativeInt,
    exchange: ExchangeId,
    /** The symbols traded: those asked for (or selected) that had candles over the windows. */
    symbols: nonEmptyArray(MarketSymbol, undefined, PAIRS),
    isDays: PositiveInt,
    oosDays: PositiveInt,
    inSample: Window,
    outOfSample: Window,
    filter: t.intersection([
      t.type({ minOosSharpe: Finite, minOosTrades: Finite, minIsSharpe: Finite }),
      // The platform's thresholds the day ran with (the `filter.*` settings at its first run); absent on a day
      // started before they existed, which keeps the OOS gate alone.
      t.partial({ minSharpe: Finite, minWinRate: Finite, minTotalReturn: Finite, maxTotalReturn: Finite, minTrades: Finite }),
    ]),
  }),
  t.partial({
    /** The timeframes asked for; absent: 1h only, and the policy's timeframe arms left as they were. */
    timeframes: nonEmptyArray(Timeframe, undefined, 16),
    /** Absent: the generator's default (DEFAULT_MIN_HISTORY). */
    minHistory: NonNegativeInt,
    /**
     * The day had strategies before its parameters were recorded (it started before this event existed): these
     * are the parameters of the first run that resumed it.
     */
    recordedOnResume: t.boolean,
    /** The wanted pairs (selected, or asked for) left out for want of candles over the windows, and why. */
    leftOut: boundedArray(CycleDegradation, 64),
  }),
]);
export type LearningCycleStartedData = t.TypeOf<typeof LearningCycleStartedData>;
export type LearningCycleStarted = { readonly type: 'LearningCycleStarted'; readonly data: LearningCycleStartedData };
export const CycleEventData = { LearningCycleStarted: LearningCycleStartedData } as const;

/** The day's parameters as the cycle uses them (a decoded LearningCycleStarted is one). */
export interface CycleParameters {
  readonly cycleId: string;
  readonly asOf: string;
  readonly n: number;
  readonly seed: number;
  readonly exchange: string;
  readonly symbols: readonly string[];
  readonly isDays: number;
  readonly oosDays: number;
  readonly inSample: { readonly start: string; readonly end: string };
  readonly outOfSample: { readonly start: string; readonly end: string };
  readonly filter: FilterRule;
  readonly timeframes?: readonly Timeframe[];
  readonly minHistory?: number;
  readonly recordedOnResume?: boolean;
  readonly leftOut?: readonly CycleDegradation[];
}

/** The parameters a run asks for explicitly (a scheduled run and `npm run cycle -- --as-of <day>` ask for none). */
export interface AskedParameters {
  readonly n?: number;
  readonly seed?: number;
  readonly exchange?: string;
  /** After the check for candles (the same as the first run's when it asked for the same). */
  readonly symbols?: readonly string[];
  readonly timeframes?: readonly string[];
  readonly isDays?: number;
  readonly oosDays?: number;
  readonly filter?: FilterRule;
  readonly minHistory?: number;
}

export interface ParameterDifference {
  readonly parameter: string;
  readonly asked: string;
  readonly original: string;
}

export interface CycleParametersDiffer {
  readonly kind: 'CycleParametersDiffer';
  readonly cycleId: string;
  readonly differences: readonly ParameterDifference[];
  readonly original: CycleParameters;
  readonly message: string;
}

const list = (xs: readonly string[]) => xs.join(',');

const FILTER_KEYS = ['minOosSharpe', 'minOosTrades', 'minIsSharpe', 'minSharpe', 'minWinRate', 'minTotalReturn', 'maxTotalReturn', 'minTrades'] as const;

/** The platform's thresholds of a rule, as `, Sharpe > 0.5, win rate > 0.35, …` (empty when it has none). */
const describeThresholds = (f: FilterRule): string =>
  [
    f.minSharpe === undefined ? '' : `Sharpe > ${f.minSharpe}`,
    f.minWinRate === undefined ? '' : `win rate > ${f.minWinRate}`,
    f.minTotalReturn === undefined ? '' : `total return ≥ ${f.minTotalReturn}`,
    f.maxTotalReturn === undefined ? '' : `total return ≤ ${f.maxTotalReturn}`,
    f.minTrades === undefined ? '' : `trades ≥ ${f.minTrades}`,
  ]
    .filter((x) => x !== '')
    .map((x) => `, ${x}`)
    .join('');

/** The original's value of each parameter, as asked parameters are compared with it (defaults made explicit). */
const originalValues = (o: CycleParameters): Required<AskedParameters> => ({
  n: o.n,
  seed: o.seed,
  exchange: o.exchange,
  symbols: o.symbols,
  timeframes: o.timeframes ?? ['1h'],
  isDays: o.isDays,
  oosDays: o.oosDays,
  filter: o.filter,
  minHistory: o.minHistory ?? DEFAULT_MIN_HISTORY,
});

/** Each parameter asked for that is not the day's, in a fixed order. */
export const parameterDifferences = (original: CycleParameters, asked: AskedParameters): ParameterDifference[] => {
  const o = originalValues(original);
  const out: ParameterDifference[] = [];
  const scalar = (parameter: keyof AskedParameters, a: number | string | undefined, b: number | string) => {
    if (a !== undefined && a !== b) out.push({ parameter, asked: String(a), original: String(b) });
  };
  const array = (parameter: keyof AskedParameters, a: readonly string[] | undefined, b: readonly string[]) => {
    if (a !== undefined && list(a) !== list(b)) out.push({ parameter, asked: list(a), original: list(b) });
  };
  scalar('n', asked.n, o.n);
  scalar('seed', asked.seed, o.seed);
  scalar('exchange', asked.exchange, o.exchange);
  array('symbols', asked.symbols, o.symbols);
  array('timeframes', asked.timeframes, o.timeframes);
  scalar('isDays', asked.isDays, o.isDays);
  scalar('oosDays', asked.oosDays, o.oosDays);
  for (const k of FILTER_KEYS)
    if (asked.filter !== undefined && asked.filter[k] !== undefined && asked.filter[k] !== o.filter[k])
      out.push({ parameter: `filter.${k}`, asked: String(asked.filter[k]), original: o.filter[k] === undefined ? 'none' : String(o.filter[k]) });
  scalar('minHistory', asked.minHistory, o.minHistory);
  return out;
};

/** The day's parameters in one line, as a person reads them. */
export const describeCycleParameters = (o: CycleParameters): string => {
  const v = originalValues(o);
  return (
    `as of ${o.asOf}, n ${v.n}, seed ${v.seed}, exchange ${v.exchange}, symbols ${list(v.symbols)}, timeframes ${list(v.timeframes)}, ` +
    `isDays ${v.isDays}, oosDays ${v.oosDays}, filter OOS Sharpe > ${v.filter.minOosSharpe}, OOS trades ≥ ${v.filter.minOosTrades}, ` +
    `IS Sharpe > ${v.filter.minIsSharpe}${describeThresholds(v.filter)}, minHistory ${v.minHistory}`
  );
};

/** Refuses a run that asks for other parameters than the day's first run; undefined when it asks for none of them. */
export const checkAskedParameters = (original: CycleParameters, asked: AskedParameters): CycleParametersDiffer | undefined => {
  const differences = parameterDifferences(original, asked);
  if (differences.length === 0) return undefined;
  const what = differences.map((d) => `${d.parameter} ${d.asked} (the day's is ${d.original})`).join(', ');
  return {
    kind: 'CycleParametersDiffer',
    cycleId: original.cycleId,
    differences,
    original,
    message:
      `learning cycle ${original.cycleId} was started with other parameters: asked ${what}. A day runs with its first run's ` +
      `parameters (${describeCycleParameters(original)}): run it again without these options to resume it with them.`,
  };
};
