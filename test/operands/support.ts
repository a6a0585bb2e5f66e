// Real data for the operand tests (../shared/data, read in place): BTCUSDT/ETHUSDT 1h, the daily Fear & Greed,
// S&P 500, NASDAQ and VIX files through the production parser, and a hand-made prediction series.
import { isLeft } from 'fp-ts/lib/Either.js';
import type { PublishedValues } from '../../domain/market/daily-features.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import type { DailyObservation } from '../../domain/market/daily-series.js';
import type { PredictionSeries } from '../../domain/prediction/prediction-series.js';
import type { PredictionSource } from '../../application/ports/predictions.js';
import type { DailyOperandSeries } from '../../domain/strategy/genome.js';
import { parseSentimentFile } from '../../infrastructure/market-data/sentiment-files.js';
import { sharedDataFile } from '../support/shared-data.js';
import { btcusdt1h, loadCandles } from '../indicators/real-candles.js';

export const H = 3_600_000;
export const DAY = 86_400_000;

const FILES: Record<DailyOperandSeries, string> = {
  fear_greed: 'fear_greed_index_daily.csv.gz',
  sp500: 'sp500_daily.csv.gz',
  nasdaq: 'nasdaq_composite_daily.csv.gz',
  vix: 'vix_daily.csv.gz',
};

const observations = new Map<DailyOperandSeries, readonly DailyObservation[]>();
/** The observations of a shared daily file, parsed by the importer's parser (publication times included). */
export const realObservations = async (s: DailyOperandSeries): Promise<readonly DailyObservation[]> => {
  const hit = observations.get(s);
  if (hit !== undefined) return hit;
  const parsed = await parseSentimentFile(sharedDataFile(FILES[s]), s === 'fear_greed' ? {} : { series: s });
  if (isLeft(parsed)) throw new Error(`${FILES[s]}: ${parsed.left.message}`);
  observations.set(s, parsed.right.observations);
  return parsed.right.observations;
};

export const publishedValues = (obs: readonly Pick<DailyObservation, 'value' | 'publishedAt'>[]): PublishedValues => ({
  value: Float64Array.from(obs, (o) => o.value),
  publishedAt: Float64Array.from(obs, (o) => o.publishedAt),
});

export const realDaily = async (s: DailyOperandSeries): Promise<PublishedValues> => publishedValues(await realObservations(s));

export const btc = (): CandleSeries => btcusdt1h();
let eth: CandleSeries | undefined;
export const ethusdt1h = (): CandleSeries => (eth ??= loadCandles('binance_ETHUSDT_1h.csv.gz', 'ETHUSDT'));

/**
 * A forecast at every close of `s` from what was known then: the last bar's return as the expected return and a
 * logistic of it as the up-probability (a stand-in for the predictor: only the timing matters to these tests).
 */
export const handMadePredictions = (s: CandleSeries, model = 'btc-1h', every = 1): PredictionSeries => {
  const madeAt: number[] = [];
  const er: number[] = [];
  const up: number[] = [];
  for (let i = 1; i < s.length; i += every) {
    const r = s.close[i]! / s.close[i - 1]! - 1;
    madeAt.push(s.openTime[i]! + H);
    er.push(r);
    up.push(1 / (1 + Math.exp(-r * 200)));
  }
  return { model, madeAt: Float64Array.from(madeAt), expectedReturn: Float64Array.from(er), upProbability: Float64Array.from(up) };
};

/** A PredictionSource over hand-made series in memory (tests only: the real one reads PredictionMade events). */
export class MemoryPredictionSource implements PredictionSource {
  readonly calls: { model: string; fromMs: number; toMs: number }[] = [];
  constructor(private readonly byModel: Readonly<Record<string, PredictionSeries>>) {}
  series(model: string, fromMs: number, toMs: number): Promise<PredictionSeries> {
    this.calls.push({ model, fromMs, toMs });
    const p = this.byModel[model];
    if (p === undefined)
      return Promise.resolve({ model, madeAt: new Float64Array(0), expectedReturn: new Float64Array(0), upProbability: new Float64Array(0) });
    const keep: number[] = [];
    for (let i = 0; i < p.madeAt.length; i++) if (p.madeAt[i]! >= fromMs && p.madeAt[i]! < toMs) keep.push(i);
    return Promise.resolve({
      model,
      madeAt: Float64Array.from(keep, (i) => p.madeAt[i]!),
      expectedReturn: Float64Array.from(keep, (i) => p.expectedReturn[i]!),
      upProbability: Float64Array.from(keep, (i) => p.upProbability[i]!),
    });
  }
}

/** A genome on `symbols` entering when `left op value` and exiting on the mirrored comparison at `exitValue`. */
export const operandGenome = (left: unknown, entryValue: number, exitValue: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  strategyType: 'hybrid',
  direction: 'long_only',
  indicators: [],
  entry: { mode: 'all', conditions: [{ left, op: 'gt', right: { value: entryValue } }] },
  exit: { mode: 'any', conditions: [{ left, op: 'lt', right: { value: exitValue } }] },
  exitRules: {},
  risk: { positionSize: 1, riskPerTrade: 0.02 },
  timeframe: '1h',
  symbols: ['ETHUSDT'],
  lineage: { generation: 0, parentIds: [], origin: 'manual' },
  ...extra,
});
