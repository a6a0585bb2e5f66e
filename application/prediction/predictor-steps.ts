// The predictor in the pipeline (doc/predictor.md): `predictor` forecasts every closed hour (after a start the hours
// closed in the last `catchUpHours`, so a restart fills what it missed and a repeat appends nothing; then only the
// hours after the last it saw recorded), and `retrain` trains a new version every `retrainEveryMs` on the served model's
// symbol up to the tick; a failed
// retraining is recorded as ModelTrainingFailed (retried a day later) and the version in service keeps serving.
import { either } from 'fp-ts';
import type { SeriesKey } from '../../domain/market/candles.js';
import { FEAR_GREED } from '../../domain/market/daily-series.js';
import { modelStream } from '../../domain/prediction/events.js';
import { HOUR_MS } from '../../domain/prediction/windows.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { DailySeriesStore } from '../ports/daily-series-store.js';
import type { ForecasterTrainer } from '../ports/forecaster.js';
import { NOTHING_DUE, type PipelineStep } from '../pipeline/step.js';
import { WARM_UP_HOURS, forecastHours, recordPredictions, type RecordDeps } from './predict.js';
import { trainerOf, type ModelHolder } from './served-model.js';
import { recordTrainingFailure, trainModel, type TrainingDeps } from './train-model.js';

export interface PredictorStepDeps extends RecordDeps {
  readonly holder: ModelHolder;
  readonly candles: Pick<CandleStore, 'readSeries'>;
  readonly daily: Pick<DailySeriesStore, 'read'>;
  /** How many closed hours back a tick fills (after a restart). Default 24. */
  readonly catchUpHours?: number;
}

const fearGreedOf = async (daily: Pick<DailySeriesStore, 'read'>) => {
  const s = await daily.read(FEAR_GREED);
  return s.length === 0 ? undefined : { value: s.value, publishedAt: s.publishedAt };
};

const keyOf = (t: { readonly data: { readonly exchange: string; readonly symbol: string } }): SeriesKey => ({
  exchange: t.data.exchange,
  symbol: t.data.symbol,
  interval: '1h',
});

export const createPredictorStep = (deps: PredictorStepDeps): PipelineStep => {
  let saidNoModel = false;
  /** The last hour this step has seen recorded: later ticks forecast only the hours after it (a restart: the window). */
  let recordedThrough = -Infinity;
  return {
    name: 'predictor',
    tick: async (now) => {
      const served = await deps.holder.served();
      if (!served) {
        // Said once, not every hour (a replay over months would repeat it thousands of times).
        if (saidNoModel) return NOTHING_DUE;
        saidNoModel = true;
        return { appended: 0, notes: [`predictor ${deps.holder.model}: no model serves (train one: npm run train:predictor)`] };
      }
      const t = served.trained;
      // The newest hour whose forecast is due: the one that opened at the last full hour (its previous hour closed then).
      const lastHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
      const fromHour = Math.max(lastHour - ((deps.catchUpHours ?? 24) - 1) * HOUR_MS, recordedThrough + HOUR_MS);
      if (fromHour > lastHour) return NOTHING_DUE;
      const candles = await deps.candles.readSeries(keyOf(t), { from: fromHour - (WARM_UP_HOURS + t.window) * HOUR_MS, to: lastHour });
      const predictions = await forecastHours(served, candles, await fearGreedOf(deps.daily), fromHour, lastHour + 1);
      const appended = await recordPredictions(deps, predictions);
      // An hour without a forecast (its candles not stored yet) is tried again at the next tick.
      const forecast = new Set(predictions.map((p) => Date.parse(p.forHour)));
      for (let h = fromHour; h <= lastHour && forecast.has(h); h += HOUR_MS) recordedThrough = h;
      const notes = appended > 0 ? [`predictor ${t.model} v${t.version}: ${appended} hour(s) forecast`] : [];
      return { appended, notes };
    },
  };
};

export interface RetrainStepDeps extends TrainingDeps {
  readonly holder: ModelHolder;
  readonly candles: Pick<CandleStore, 'readSeries'>;
  readonly daily: Pick<DailySeriesStore, 'read'>;
  readonly trainers: Readonly<Record<string, ForecasterTrainer>>;
  /** PREDICTOR_RETRAIN_EVERY_DAYS, default 7. */
  readonly retrainEveryMs: number;
  /** How much history a retraining uses. Default 3 years. */
  readonly historyMs?: number;
}

const DAY_MS = 86_400_000;

export const createRetrainStep = (deps: RetrainStepDeps): PipelineStep => ({
  name: 'retrain',
  tick: async (now) => {
    const served = await deps.holder.served();
    if (!served) return NOTHING_DUE;
    const events = await deps.store.readStream(modelStream(deps.holder.model));
    const last = (type: string, field: 'trainedAt' | 'failedAt') =>
      Math.max(0, ...events.filter((e) => e.type === type).map((e) => Date.parse((e.data as Record<string, string>)[field] ?? '') || 0));
    const t = served.trained;
    if (now.getTime() - last('ModelTrained', 'trainedAt') < deps.retrainEveryMs || now.getTime() - last('ModelTrainingFailed', 'failedAt') < DAY_MS)
      return NOTHING_DUE;
    const trainer = trainerOf(deps.trainers, t.kind, t.profile);
    if (trainer === undefined)
      return { appended: 0, notes: [`retrain ${t.model}: no trainer of kind ${t.kind} (${t.profile}) is wired; v${t.version} keeps serving`] };
    const end = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
    const candles = await deps.candles.readSeries(keyOf(t), { from: end - (deps.historyMs ?? 3 * 365 * DAY_MS), to: end });
    const fearGreed = await fearGreedOf(deps.daily);
    const r = await trainModel(deps, {
      model: t.model,
      trainer,
      purpose: 'serving',
      candles,
      requestedSymbol: t.data.requestedSymbol,
      ...(fearGreed ? { fearGreed } : {}),
      seed: t.seed,
      window: t.window,
      actor: 'system:predictor-retrain',
    }).catch((e: unknown) => either.left({ code: 'TRAINING_FAILED' as const, message: (e as Error).message }));
    if (either.isLeft(r)) {
      await recordTrainingFailure(deps, { model: t.model, trainer, actor: 'system:predictor-retrain' }, r.left);
      return { appended: 1, notes: [`retrain ${t.model}: failed (${r.left.code}: ${r.left.message}); v${t.version} keeps serving`] };
    }
    r.right.model.dispose();
    if (r.right.ridge !== r.right.model) r.right.ridge.dispose();
    const failures = await deps.holder.reload();
    const now2 = (await deps.holder.served())?.trained.version;
    return {
      appended: 1,
      notes: [
        `retrain ${t.model}: v${r.right.trained.version} trained; v${now2} serves${failures.length > 0 ? ` (${failures.map((f) => `v${f.version}: ${f.message}`).join('; ')})` : ''}`,
      ],
    };
  },
});
