// Dated observations that arrive once a day (Fear & Greed, index closes, social sentiment): the series ids,
// the calendar day, one observation, and the columnar form the feature code reads.
import * as t from 'io-ts';

export interface DayBrand {
  readonly Day: unique symbol;
}
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
/** A UTC calendar day, `YYYY-MM-DD`; impossible dates (2023-02-29) are refused, not rolled over. */
export const Day = t.brand(
  t.string,
  (s): s is t.Branded<string, DayBrand> => {
    if (!DAY_RE.test(s)) return false;
    const ms = Date.parse(`${s}T00:00:00Z`); // NaN for month 13; rolled over for February 30
    return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
  },
  'Day',
);
export type Day = t.TypeOf<typeof Day>;

const DAY_MS = 86_400_000;

/** 00:00 UTC of the day, epoch ms. */
export const dayStartMs = (day: Day): number => Date.parse(`${day}T00:00:00Z`);

/** The UTC calendar day an instant falls in. */
export const utcDayOf = (epochMs: number): Day => new Date(Math.floor(epochMs / DAY_MS) * DAY_MS).toISOString().slice(0, 10) as Day;

export const MACRO_SERIES = ['sp500', 'nasdaq', 'vix'] as const;
export type MacroSeries = (typeof MACRO_SERIES)[number];

const SOURCE_RE = '[a-z0-9][a-z0-9._-]{0,39}';
const SOCIAL_SYMBOL_RE = '[A-Z0-9]{2,20}';
const SERIES_RE = new RegExp(`^(fear_greed|sp500|nasdaq|vix|social:${SOURCE_RE}:${SOCIAL_SYMBOL_RE})$`);

export interface SeriesIdBrand {
  readonly SeriesId: unique symbol;
}
/** `fear_greed`, `sp500`, `nasdaq`, `vix`, or `social:<source>:<symbol>` (e.g. `social:lunarcrush:BTC`). */
export const SeriesId = t.brand(t.string, (s): s is t.Branded<string, SeriesIdBrand> => SERIES_RE.test(s), 'SeriesId');
export type SeriesId = t.TypeOf<typeof SeriesId>;

export const FEAR_GREED = 'fear_greed' as SeriesId;
export const macroSeriesId = (m: MacroSeries): SeriesId => m as string as SeriesId;

export const SocialSourceName = t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly SocialSourceName: unique symbol }> => new RegExp(`^${SOURCE_RE}$`).test(s),
  'SocialSourceName',
);
export type SocialSourceName = t.TypeOf<typeof SocialSourceName>;

/** A coin or ticker as social sources name it: `BTC`, `ETH`, `BTCUSDT`. */
export const SocialSymbol = t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly SocialSymbol: unique symbol }> => new RegExp(`^${SOCIAL_SYMBOL_RE}$`).test(s),
  'SocialSymbol',
);
export type SocialSymbol = t.TypeOf<typeof SocialSymbol>;

export const socialSeriesId = (source: SocialSourceName, symbol: SocialSymbol): SeriesId => `social:${source}:${symbol}` as SeriesId;

/** One value of one series on one day, and the instant from which it could be known. */
export interface DailyObservation {
  readonly series: SeriesId;
  readonly day: Day;
  readonly value: number;
  /** A text reading that comes with the value (Fear & Greed's classification); undefined when the source has none. */
  readonly label?: string;
  /** How much the value rests on (social: number of mentions); undefined when it does not apply. */
  readonly volume?: number;
  /** Epoch ms from which the value was public: features never use it on a candle that opens earlier. */
  readonly publishedAt: number;
  /** Where it came from: `alternative.me`, `fred:SP500`, `file:sp500_daily.csv.gz`, … */
  readonly source: string;
}

/** A stored series in day order, one entry per day; label and volume are undefined/NaN where unknown. */
export interface DailySeries {
  readonly series: SeriesId;
  readonly length: number;
  readonly day: readonly Day[];
  readonly value: Float64Array;
  readonly publishedAt: Float64Array;
  readonly volume: Float64Array;
  readonly label: readonly (string | undefined)[];
}
