// Reading the `predictions` read model: the forecasts of a model over a range with each hour's realised return
// joined from the candles (null until that hour's candle and the one before it are stored), the latest forecast,
// and the PredictionSource strategies and backtests read (application/ports/predictions.ts).
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { PredictionSource, PredictionSeries } from '../../application/ports/predictions.js';

const Row = z.object({
  model: z.string(),
  forHourMs: z.number(),
  madeAtMs: z.number(),
  modelVersion: z.number(),
  kind: z.string(),
  exchange: z.string(),
  symbol: z.string(),
  expectedReturn: z.number(),
  upProbability: z.number(),
  confidence: z.number(),
  persistence: z.number(),
  ridge: z.number(),
  realisedReturn: z.number().nullable(),
});
export type PredictionRow = z.infer<typeof Row>;

const SELECT = sql.fragment`
  SELECT p.model, (extract(epoch FROM p.for_hour) * 1000)::float8 AS "forHourMs", (extract(epoch FROM p.made_at) * 1000)::float8 AS "madeAtMs",
         p.model_version AS "modelVersion", p.kind, p.exchange, p.symbol, p.expected_return AS "expectedReturn",
         p.up_probability AS "upProbability", p.confidence, p.persistence, p.ridge,
         CASE WHEN c1.close IS NULL OR c0.close IS NULL THEN NULL ELSE c1.close / c0.close - 1 END AS "realisedReturn"
    FROM predictions p
    LEFT JOIN candles c1 ON c1.exchange = p.exchange AND c1.symbol = p.symbol AND c1.interval = '1h'
                        AND c1.open_time = (extract(epoch FROM p.for_hour) * 1000)::bigint
    LEFT JOIN candles c0 ON c0.exchange = p.exchange AND c0.symbol = p.symbol AND c0.interval = '1h'
                        AND c0.open_time = (extract(epoch FROM p.for_hour) * 1000)::bigint - 3600000`;

/** The model's forecasts for hours in [fromMs, toMs), ascending, at most `limit`. */
export const listPredictions = (db: CommonQueryMethods, q: { model: string; fromMs: number; toMs: number; limit: number }): Promise<readonly PredictionRow[]> =>
  db.any(sql.type(Row)`${SELECT}
    WHERE p.model = ${q.model} AND p.for_hour >= to_timestamp(${q.fromMs / 1000}) AND p.for_hour < to_timestamp(${q.toMs / 1000})
    ORDER BY p.for_hour LIMIT ${q.limit}`);

/** The model's newest forecast. */
export const latestPrediction = (db: CommonQueryMethods, model: string): Promise<PredictionRow | null> =>
  db.maybeOne(sql.type(Row)`${SELECT} WHERE p.model = ${model} ORDER BY p.for_hour DESC LIMIT 1`);

const SeriesRow = z.object({ madeAtMs: z.number(), expectedReturn: z.number(), upProbability: z.number() });

/** Forecasts by the time they were made: a bar may use one only from its madeAt on. */
export const predictionSource = (db: CommonQueryMethods): PredictionSource => ({
  series: async (model, fromMs, toMs): Promise<PredictionSeries> => {
    const rows = await db.any(sql.type(SeriesRow)`
      SELECT (extract(epoch FROM made_at) * 1000)::float8 AS "madeAtMs", expected_return AS "expectedReturn", up_probability AS "upProbability"
        FROM predictions WHERE model = ${model} AND made_at >= to_timestamp(${fromMs / 1000}) AND made_at < to_timestamp(${toMs / 1000})
       ORDER BY made_at, for_hour`);
    return {
      model,
      madeAt: Float64Array.from(rows, (r) => r.madeAtMs),
      expectedReturn: Float64Array.from(rows, (r) => r.expectedReturn),
      upProbability: Float64Array.from(rows, (r) => r.upProbability),
    };
  },
});
