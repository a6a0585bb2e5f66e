// The `predictions` read model: one row per (model, hour) from PredictionMade. One multi-row insert per batch; an hour
// is recorded once (its event id derives from model and hour), and a replayed event changes nothing.
import { sql } from 'slonik';
import type { Projection } from '../projection.js';
import { PREDICTIONS_CATEGORY, type PredictionMade } from '../../domain/prediction/events.js';

export const predictionsProjection: Projection<PredictionMade> = {
  name: 'predictions',
  version: 1,
  filter: { categories: [PREDICTIONS_CATEGORY], eventTypes: ['PredictionMade'] },
  tables: ['predictions'],
  async applyBatch(tx, events) {
    if (events.length === 0) return;
    const rows = events.map(({ event: { data: d }, recorded }) => ({
      model: d.model,
      for_hour: d.forHour,
      made_at: d.madeAt,
      model_version: d.modelVersion,
      kind: d.kind,
      exchange: d.exchange,
      symbol: d.symbol,
      expected_return: d.expectedReturn,
      up_probability: d.upProbability,
      confidence: d.confidence,
      persistence: d.baselines.persistence,
      ridge: d.baselines.ridge,
      event_id: recorded.eventId,
    }));
    await tx.query(sql.unsafe`
      INSERT INTO predictions (model, for_hour, made_at, model_version, kind, exchange, symbol, expected_return, up_probability,
                               confidence, persistence, ridge, event_id)
      SELECT model, for_hour, made_at, model_version, kind, exchange, symbol, expected_return, up_probability, confidence,
             persistence, ridge, event_id
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
          model text, for_hour timestamptz, made_at timestamptz, model_version integer, kind text, exchange text, symbol text,
          expected_return double precision, up_probability double precision, confidence double precision,
          persistence double precision, ridge double precision, event_id uuid)
      ON CONFLICT (model, for_hour) DO NOTHING`);
  },
};
