// The rule a walk-forward backfill must keep: every prediction comes from a model whose training data ended before
// the hour it predicts (the last candle it used closed at or before madeAt). Pure, so a test and an audit can run it
// over recorded events.
import type { ModelTrainedData, PredictionMadeData } from './events.js';

const HOUR_MS = 3_600_000;

export interface LookAheadViolation {
  readonly forHour: string;
  readonly modelVersion: number;
  readonly lastCandle: string;
  readonly message: string;
}

export const walkForwardViolations = (models: readonly ModelTrainedData[], predictions: readonly PredictionMadeData[]): LookAheadViolation[] => {
  const byVersion = new Map(models.map((m) => [`${m.model}:${m.version}`, m]));
  const out: LookAheadViolation[] = [];
  for (const p of predictions) {
    const m = byVersion.get(`${p.model}:${p.modelVersion}`);
    if (m === undefined) {
      out.push({ forHour: p.forHour, modelVersion: p.modelVersion, lastCandle: '-', message: `no ModelTrained v${p.modelVersion} of ${p.model}` });
      continue;
    }
    const trainedUpTo = Date.parse(m.data.lastCandle) + HOUR_MS;
    if (trainedUpTo > Date.parse(p.madeAt) || Date.parse(p.madeAt) > Date.parse(p.forHour))
      out.push({
        forHour: p.forHour,
        modelVersion: p.modelVersion,
        lastCandle: m.data.lastCandle,
        message: `v${p.modelVersion} was trained on candles up to ${m.data.lastCandle}, which closed after the prediction for ${p.forHour} was made`,
      });
  }
  return out;
};
