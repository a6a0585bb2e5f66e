// The external operand data of a learning cycle (doc/operands.md, doc/cycle.md): which families the `cycle.operands`
// setting turns on, and what the data stage finds for them — the daily series and the predictor's forecasts with a
// value in both of the cycle's windows. The generators draw only families with data (CycleOptions.operandData), and
// the backtests get that data (WindowBacktestRequest.operands), cut at asOf: nothing published later is loaded.
// Other symbols' candles are the cycle's own series (already loaded and cut), so `cross_asset` needs no loading.
import type { DailySeriesStore } from '../ports/daily-series-store.js';
import type { PredictionSource } from '../ports/predictions.js';
import type { BacktestWindow, WindowOperandData } from '../ports/window-backtests.js';
import { loadOperandData } from '../backtest/operand-data-loader.js';
import { DAILY_MAX_AGE_MS, PREDICTION_HORIZON_MS } from '../../domain/backtest/operand-data.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import type { PredictionSeries } from '../../domain/prediction/prediction-series.js';
import { DEFAULT_PREDICTION_MODEL, OPERAND_FAMILIES, type DailyOperandSeries, type OperandFamily } from '../../domain/strategy/genome.js';
import type { OperandGeneOptions } from '../../domain/learning/genetic/operand-genes.js';

/** The `cycle.operands` setting's bit of each family (doc/settings.md). */
export const OPERAND_FAMILY_BITS: Readonly<Record<OperandFamily, number>> = { sentiment: 1, macro: 2, cross_asset: 4, prediction: 8 };

/** The families a `cycle.operands` value turns on, in OPERAND_FAMILIES order. */
export const familiesOfSetting = (bits: number): OperandFamily[] => OPERAND_FAMILIES.filter((f) => (bits & OPERAND_FAMILY_BITS[f]) !== 0);

export interface CycleOperandSources {
  readonly daily?: Pick<DailySeriesStore, 'read'>;
  readonly predictions?: PredictionSource;
}

export interface CycleOperands {
  /** The families asked for (the setting). */
  readonly families: readonly OperandFamily[];
  /** What the data stage found: only these are drawn. */
  readonly found: Omit<OperandGeneOptions, 'families'>;
  /** The loaded data for the backtests (daily series and forecasts; other symbols are the cycle's series). */
  readonly data: WindowOperandData;
  /** One line per family left out, and why. */
  readonly notes: readonly string[];
}

const DAILY_OF: Readonly<Record<'sentiment' | 'macro', readonly DailyOperandSeries[]>> = { sentiment: ['fear_greed'], macro: ['sp500', 'nasdaq', 'vix'] };

/** A daily value a bar of the window could read: published before the window ends and not too old at its start. */
const dailyCovers = (v: PublishedValues, w: BacktestWindow): boolean => {
  for (let i = 0; i < v.value.length; i++)
    if (Number.isFinite(v.value[i]!) && v.publishedAt[i]! < w.to && v.publishedAt[i]! > w.from - DAILY_MAX_AGE_MS) return true;
  return false;
};

/** A forecast a bar of the window could read (made in (from, to + horizon], the last bar closing at most then). */
const forecastCovers = (p: PredictionSeries, w: BacktestWindow): boolean => {
  for (let i = 0; i < p.madeAt.length; i++) if (p.madeAt[i]! > w.from && p.madeAt[i]! <= w.to) return true;
  return false;
};

/**
 * Loads the data of the asked families over [from, asOf) (from: the first bar of the cycle's series, warm-up
 * included) and keeps the families with a value in every window. `symbols`: the cycle's, its cross-asset operands'.
 */
export const loadCycleOperands = async (
  sources: CycleOperandSources,
  a: {
    readonly families: readonly OperandFamily[];
    readonly symbols: readonly string[];
    readonly exchange: string;
    readonly from: number;
    readonly asOf: number;
    readonly windows: readonly BacktestWindow[];
  },
): Promise<CycleOperands> => {
  const notes: string[] = [];
  const wantDaily = a.families.flatMap((f) => (f === 'sentiment' || f === 'macro' ? DAILY_OF[f] : []));
  const wantModels = a.families.includes('prediction') ? [DEFAULT_PREDICTION_MODEL] : [];
  if (wantDaily.length > 0 && sources.daily === undefined) notes.push(`operands: no daily series store wired: ${wantDaily.join(', ')} left out`);
  if (wantModels.length > 0 && sources.predictions === undefined) notes.push('operands: no prediction source wired: prediction left out');
  const loaded = await loadOperandData(
    { ...(sources.daily === undefined ? {} : { daily: sources.daily }), ...(sources.predictions === undefined ? {} : { predictions: sources.predictions }) },
    { daily: sources.daily === undefined ? [] : wantDaily, symbols: [], models: sources.predictions === undefined ? [] : wantModels },
    // to: asOf − 1 h + 1 keeps the forecasts made after the last bar closed by asOf out (the loader adds an interval).
    { exchange: a.exchange, interval: '1h', from: a.from, to: a.asOf - PREDICTION_HORIZON_MS + 1 },
  );
  const daily: Partial<Record<DailyOperandSeries, PublishedValues>> = {};
  for (const s of wantDaily) {
    const v = loaded.daily?.[s];
    if (v === undefined) continue;
    // Cut at asOf: the store is read by day, a later day's value is not the cycle's.
    const keep: number[] = [];
    for (let i = 0; i < v.value.length; i++) if (v.publishedAt[i]! < a.asOf) keep.push(i);
    const cut = { value: Float64Array.from(keep, (i) => v.value[i]!), publishedAt: Float64Array.from(keep, (i) => v.publishedAt[i]!) };
    if (a.windows.every((w) => dailyCovers(cut, w))) daily[s] = cut;
    else notes.push(`operands: ${s} has no value in a window of the cycle: left out`);
  }
  const predictions: Record<string, PredictionSeries> = {};
  for (const m of wantModels) {
    const read = loaded.predictions?.[m];
    if (read === undefined) continue;
    let n = 0; // ascending: keep those made by asOf (the last bar closed by asOf closes then)
    while (n < read.madeAt.length && read.madeAt[n]! <= a.asOf) n++;
    const p: PredictionSeries = {
      model: read.model,
      madeAt: read.madeAt.slice(0, n),
      expectedReturn: read.expectedReturn.slice(0, n),
      upProbability: read.upProbability.slice(0, n),
    };
    if (a.windows.every((w) => forecastCovers(p, w))) predictions[m] = p;
    else notes.push(`operands: no ${m} forecasts in a window of the cycle: prediction left out`);
  }
  const crossSymbols = a.families.includes('cross_asset') ? a.symbols : [];
  if (a.families.includes('cross_asset') && a.symbols.length < 2) notes.push('operands: cross_asset needs a second symbol in the cycle: left out');
  const dailyFound = Object.keys(daily) as DailyOperandSeries[];
  return {
    families: a.families,
    found: { daily: dailyFound, crossSymbols, models: Object.keys(predictions) },
    data: { ...(dailyFound.length === 0 ? {} : { daily }), ...(Object.keys(predictions).length === 0 ? {} : { predictions }) },
    notes,
  };
};
