// Loads the external data a genome's operands read (domain/backtest/operand-data.ts) from the stores: daily series
// from the DailySeriesStore, other symbols' candles from the CandleStore, recorded predictions from the
// PredictionSource. Only what the compiled genome needs is read. A port left out (e.g. no predictor wired yet) leaves
// its data out, and binding then fails with OPERAND_DATA_MISSING naming the operand: never a silent NaN.
import type { CandleStore } from '../ports/candle-store.js';
import type { DailySeriesStore } from '../ports/daily-series-store.js';
import type { PredictionSource } from '../ports/predictions.js';
import { OPERAND_PERIODS, type DailyOperandSeries } from '../../domain/strategy/genome.js';
import { DAILY_MAX_AGE_MS, PREDICTION_HORIZON_MS, needsNothing, type OperandData, type OperandNeeds } from '../../domain/backtest/operand-data.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import { INTERVAL_MS, type CandleSeries, type Interval } from '../../domain/market/candles.js';
import { FEAR_GREED, macroSeriesId, utcDayOf, type SeriesId } from '../../domain/market/daily-series.js';
import type { PredictionSeries } from '../../domain/prediction/prediction-series.js';

export interface OperandSources {
  readonly daily?: Pick<DailySeriesStore, 'read'>;
  readonly candles?: Pick<CandleStore, 'readSeries'>;
  readonly predictions?: PredictionSource;
}

/** Where the genome trades and which bars' operands are wanted: [from, to) by open time, warm-up included. */
export interface OperandRange {
  readonly exchange: string;
  readonly interval: Interval;
  readonly from: number;
  readonly to: number;
}

const DAY_MS = 86_400_000;
/** Daily look-back before `from`: the longest change/return (30 observations ≈ 45 calendar days) plus the age limit. */
const DAILY_LOOKBACK_MS = Math.ceil(OPERAND_PERIODS.days.max * 1.5) * DAY_MS + DAILY_MAX_AGE_MS;

export const seriesIdOf = (s: DailyOperandSeries): SeriesId => (s === 'fear_greed' ? FEAR_GREED : macroSeriesId(s));

/** The data `needs` asks for over `range`; a missing port leaves its part out. */
export const loadOperandData = async (sources: OperandSources, needs: OperandNeeds, range: OperandRange): Promise<OperandData> => {
  if (needsNothing(needs)) return {};
  const intervalMs = INTERVAL_MS[range.interval];
  const daily: Partial<Record<DailyOperandSeries, PublishedValues>> = {};
  if (sources.daily !== undefined)
    for (const s of needs.daily) {
      const stored = await sources.daily.read(seriesIdOf(s), { from: utcDayOf(range.from - DAILY_LOOKBACK_MS), to: utcDayOf(range.to) });
      daily[s] = { value: stored.value, publishedAt: stored.publishedAt };
    }
  const candles: Record<string, CandleSeries> = {};
  if (sources.candles !== undefined)
    for (const symbol of needs.symbols)
      candles[symbol] = await sources.candles.readSeries({ exchange: range.exchange, symbol, interval: range.interval }, { from: range.from, to: range.to });
  const predictions: Record<string, PredictionSeries> = {};
  if (sources.predictions !== undefined)
    // A bar closing at c reads forecasts made in (c − horizon, c]: the last bar closes before to + interval.
    for (const model of needs.models) predictions[model] = await sources.predictions.series(model, range.from - PREDICTION_HORIZON_MS, range.to + intervalMs);
  return {
    ...(sources.daily === undefined ? {} : { daily }),
    ...(sources.candles === undefined ? {} : { candles }),
    ...(sources.predictions === undefined ? {} : { predictions }),
  };
};

/**
 * The operand data for the bars of `series` (a desk's or a runner's growing series): undefined when the genome reads
 * nothing external. Called again as bars advance, so a daily value or a forecast published since is picked up.
 */
export const operandDataForSeries = async (
  sources: OperandSources,
  needs: OperandNeeds,
  exchange: string,
  series: CandleSeries,
): Promise<OperandData | undefined> => {
  if (needsNothing(needs) || series.length === 0) return undefined;
  const last = series.openTime[series.length - 1]!;
  return loadOperandData(sources, needs, { exchange, interval: series.key.interval, from: series.openTime[0]!, to: last + 1 });
};
