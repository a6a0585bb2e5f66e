// The settings a user chooses for a run — a backtest, a paper session or a live account: the fees and slippage the
// fill model charges, the starting capital, how a position's quantity is rounded (fractional units, whole units or
// the exchange's lot size) and, for annualised metrics, how many bars make a year (derived from the series' market
// unless overridden). One codec checks them wherever they come from (CLI flags, API body, environment); doc/settings.md
// lists each with its default and range.
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { Interval } from '../market/candles.js';
import { barsPerYearOf } from '../market/bars-per-year.js';
import type { FillConfig } from './fill-model.js';

/** The ranges every setting is held to (a fee of 10% or more is a typo, not a fee). */
export const RUN_SETTING_BOUNDS = {
  /** Fee rates and slippage: [0, maxRate). */
  maxRate: 0.1,
  /** Initial capital: (0, maxCapital]. */
  maxCapital: 1e12,
  /** Bars per year: (0, maxBarsPerYear] (1-second bars around the clock are 31.5M). */
  maxBarsPerYear: 1e8,
  /** Lot size: (0, maxLotSize]. */
  maxLotSize: 1e6,
} as const;

const range = (name: string, ok: (n: number) => boolean) => t.refinement(t.number, (n) => Number.isFinite(n) && ok(n), name);

const { maxRate, maxCapital, maxBarsPerYear, maxLotSize } = RUN_SETTING_BOUNDS;
export const FeeRate = range(`a fee rate in [0, ${maxRate})`, (n) => n >= 0 && n < maxRate);
export const SlippageRate = range(`a slippage in [0, ${maxRate})`, (n) => n >= 0 && n < maxRate);
export const InitialCapital = range(`a capital in (0, ${maxCapital}]`, (n) => n > 0 && n <= maxCapital);
export const BarsPerYear = range(`bars per year in (0, ${maxBarsPerYear}]`, (n) => n > 0 && n <= maxBarsPerYear);
export const LotSize = range(`a lot size in (0, ${maxLotSize}]`, (n) => n > 0 && n <= maxLotSize);

/** How an order's quantity is rounded: not at all, down to whole units, or down to a multiple of the lot size. */
export const Sizing = t.union(
  [t.type({ mode: t.literal('fractional') }), t.type({ mode: t.literal('whole') }), t.type({ mode: t.literal('lot'), lotSize: LotSize })],
  'Sizing',
);
export type Sizing = t.TypeOf<typeof Sizing>;

const fields = {
  takerFee: FeeRate,
  makerFee: FeeRate,
  slippage: SlippageRate,
  initialCapital: InitialCapital,
  sizing: Sizing,
};

/** The settings of a run. barsPerYear absent: derived from the series' market (barsPerYearOf). */
export const RunSettings = t.intersection([t.type(fields), t.partial({ barsPerYear: BarsPerYear })], 'RunSettings');
export type RunSettings = t.TypeOf<typeof RunSettings>;

/** What a request may override (each field optional); the rest comes from the configured defaults. */
export const RunSettingsOverrides = t.partial({ ...fields, barsPerYear: BarsPerYear }, 'RunSettingsOverrides');
export type RunSettingsOverrides = t.TypeOf<typeof RunSettingsOverrides>;

/** Where the bars per year of a result came from. */
export const BarsPerYearSource = t.keyof({ derived: null, overridden: null }, 'BarsPerYearSource');
export type BarsPerYearSource = t.TypeOf<typeof BarsPerYearSource>;

/** The settings a run used, as its result records them: bars per year always filled in, with where it came from. */
export const AppliedRunSettings = t.type({ ...fields, barsPerYear: BarsPerYear, barsPerYearSource: BarsPerYearSource }, 'AppliedRunSettings');
export type AppliedRunSettings = t.TypeOf<typeof AppliedRunSettings>;

/**
 * The built-in defaults: what every backtest used before settings existed (0.1% per side, no slippage, 10,000 of
 * capital, fractional quantities). A stored job without settings runs with these.
 */
export const DEFAULT_RUN_SETTINGS: RunSettings = { takerFee: 0.001, makerFee: 0.001, slippage: 0, initialCapital: 10_000, sizing: { mode: 'fractional' } };

/** The overrides on top of the defaults (an override of barsPerYear replaces a default one; none keeps it derived). */
export const resolveRunSettings = (defaults: RunSettings, overrides: RunSettingsOverrides = {}): RunSettings => {
  const merged: RunSettings = { ...defaults };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
  return merged;
};

/** The settings with bars per year filled in for a series of `interval` bars on `exchange`. */
export const applyRunSettings = (settings: RunSettings, exchange: string, interval: Interval): AppliedRunSettings => {
  const { barsPerYear, ...rest } = settings;
  return barsPerYear === undefined
    ? { ...rest, barsPerYear: barsPerYearOf(exchange, interval), barsPerYearSource: 'derived' }
    : { ...rest, barsPerYear, barsPerYearSource: 'overridden' };
};

/** The step a quantity is floored to: 0 for fractional units. */
export const quantityStep = (sizing: Sizing): number => (sizing.mode === 'fractional' ? 0 : sizing.mode === 'whole' ? 1 : sizing.lotSize);

/** The fill model's configuration of these settings (the capital is the account's, the rest the fill model's). */
export const fillConfigOf = (settings: Pick<RunSettings, 'takerFee' | 'makerFee' | 'slippage' | 'sizing'>): FillConfig => ({
  takerFee: settings.takerFee,
  makerFee: settings.makerFee,
  slippage: settings.slippage,
  quantityStep: quantityStep(settings.sizing),
});

/** `fractional`, `whole` or `lot:<size>` (the CLI's and the environment's spelling) → a Sizing. */
export const parseSizing = (s: string): Either<string, Sizing> => {
  const text = s.trim();
  if (text === 'fractional' || text === 'whole') return either.right({ mode: text });
  const lot = /^lot:(.+)$/.exec(text);
  if (lot !== null) {
    const size = Number(lot[1]);
    return LotSize.is(size)
      ? either.right({ mode: 'lot', lotSize: size })
      : either.left(`the lot size must be ${LotSize.name.replace(/^a lot size /, '')}, got "${lot[1]}"`);
  }
  return either.left(`must be fractional, whole or lot:<size> (e.g. lot:0.001), got "${clip(s)}"`);
};

/** The spelling parseSizing reads. */
export const formatSizing = (s: Sizing): string => (s.mode === 'lot' ? `lot:${s.lotSize}` : s.mode);

/** A decimal number for one of the numeric settings, held to its range: the number, or a message to show after the flag or variable's name. */
export const parseSettingNumber = (codec: t.Type<number, number, unknown>, s: string): Either<string, number> => {
  const text = s.trim();
  const n = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  return codec.is(n) ? either.right(n) : either.left(`must be ${codec.name}, got "${clip(s)}"`);
};

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
