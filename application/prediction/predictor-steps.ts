// The predictor in the pipeline (doc/predictor.md): `predictor` forecasts every closed hour (after a start the hours
// closed in the last `catchUpHours`, so a restart fills what it missed and a repeat appends nothing; then only the
// hours after the last it saw recorded), and `retrain` trains a new version every `retrainEveryMs` on the served model's
// symbol up to the tick; a failed retraining is recorded as ModelTrainingFailed (retried a day later) and the version
// in service keeps serving. Both go by the pipeline's clock, so a replay produces what a live run at its time could
// have: a version serves only once its training data has ended and it was available (servesAt), a replay whose clock
// lies before every version's data trains one at its clock, and only trainings available by its clock count as recent.
import { either } from 'fp-ts';
import type { SeriesKey } from '../../domain/market/candles.js';
import { FEAR_GREED } from '../../domain/market/daily-series.js';
import { modelStream, type ModelTrainedData } from '../../domain/prediction/events.js';
import { availableAt, servesAt, trainingCandlesBefore, trainingDataEnd } from '../../domain/prediction/walk-forward-check.js';
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

const iso = (ms: number): string => new Date(ms).toISOString();

/** Why nothing serves at `now`: no version recorded, none available then, or none of those loads. */
const noModelReason = (recorded: readonly ModelTrainedData[], now: number): string => {
  if (recorded.length === 0) return 'no model serves (train one: npm run train:predictor)';
  if (recorded.some((m) => servesAt(m, now))) return `no model serves at ${iso(now)}: no version available then loads (see the log)`;
  const n = recorded[0]!;
  return (
    `no model serves at ${iso(now)}: none of the ${recorded.length} version(s) had been trained on candles closed by then ` +
    `(the newest, v${n.version}, was trained at ${n.trainedAt} on candles up to ${n.data.lastCandle}); ` +
    'nothing is forecast until the retrain step trains one on the candles closed by this clock'
  );
};

export const createPredictorStep = (deps: PredictorStepDeps): PipelineStep => {
  let saidNoModel = false;
  /** The last hour this step has seen recorded: later ticks forecast only the hours after it (a restart: the window). */
  let recordedThrough = -Infinity;
  return {
    name: 'predictor',
    tick: async (now) => {
      const served = await deps.holder.served(now);
      if (!served) {
        // Said once while it lasts, not every hour (a replay over months would repeat it thousands of times).
        if (saidNoModel) return NOTHING_DUE;
        saidNoModel = true;
        return { appended: 0, notes: [`predictor ${deps.holder.model}: ${noModelReason(await deps.holder.versions(), now.getTime())}`] };
      }
      saidNoModel = false;
      const t = served.trained;
      // The newest hour whose forecast is due: the one that opened at the last full hour (its previous hour closed then).
      const lastHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
      const firstDue = Math.max(lastHour - ((deps.catchUpHours ?? 24) - 1) * HOUR_MS, recordedThrough + HOUR_MS);
      // The hours the model was trained on are not its to forecast (a catch-up after a retraining reaches back to them).
      const fromHour = Math.max(firstDue, trainingDataEnd(t));
      const notes: string[] = [];
      if (fromHour > firstDue && firstDue <= lastHour) {
        notes.push(
          `predictor ${t.model} v${t.version}: ${Math.ceil((fromHour - firstDue) / HOUR_MS)} hour(s) before ${iso(fromHour)} not forecast by it (it was trained on them)`,
        );
        recordedThrough = Math.max(recordedThrough, fromHour - HOUR_MS);
      }
      if (fromHour > lastHour) return { appended: 0, notes };
      const candles = await deps.candles.readSeries(keyOf(t), { from: fromHour - (WARM_UP_HOURS + t.window) * HOUR_MS, to: lastHour });
      const predictions = await forecastHours(served, candles, await fearGreedOf(deps.daily), fromHour, lastHour + 1);
      const appended = await recordPredictions(deps, predictions);
      // An hour without a forecast (its candles not stored yet) is tried again at the next tick.
      const forecast = new Set(predictions.map((p) => Date.parse(p.forHour)));
      for (let h = fromHour; h <= lastHour && forecast.has(h); h += HOUR_MS) recordedThrough = h;
      if (appended > 0) notes.push(`predictor ${t.model} v${t.version}: ${appended} hour(s) forecast`);
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

/** The newest of `times` at or before `now` (a later one, a replay's future, does not count); 0 when none. */
const lastAtOrBefore = (times: readonly number[], now: number): number => Math.max(0, ...times.filter((at) => at <= now));

/** When each training of the stream became available on this clock (availableAt: a version trained after it, on data past it, never does). */
const trainingsAvailable = (events: readonly { readonly type: string; readonly data: unknown }[], now: number): number[] =>
  events.filter((e) => e.type === 'ModelTrained').map((e) => availableAt(e.data as ModelTrainedData, now));

/** When each failure of the stream was recorded. */
const failedAts = (events: readonly { readonly type: string; readonly data: unknown }[]): number[] =>
  events.filter((e) => e.type === 'ModelTrainingFailed').map((e) => Date.parse((e.data as Record<string, string>)['failedAt'] ?? '') || 0);

export const createRetrainStep = (deps: RetrainStepDeps): PipelineStep => ({
  name: 'retrain',
  tick: async (now) => {
    // A first model is trained by hand (npm run train:predictor): it says what to train (kind, profile, symbol, seed, window).
    const recorded = await deps.holder.versions();
    if (recorded.length === 0) return NOTHING_DUE;
    const served = await deps.holder.served(now);
    // A version existed at `now` but none loads: left to the log, as live (the loading failures are there).
    const noneYet = !recorded.some((m) => servesAt(m, now.getTime()));
    if (!served && !noneYet) return NOTHING_DUE;
    // Nothing existed yet at this clock (a replay before every version): train one now, on the candles closed by now.
    const t = served?.trained ?? recorded[0]!;
    const events = await deps.store.readStream(modelStream(deps.holder.model));
    const at = now.getTime();
    // Due every retrainEveryMs after the last training by this clock; at once when nothing serves yet, unless this very
    // tick trained it (a tick repeated after a kill: the version serves from the next tick).
    const sinceTrained = at - lastAtOrBefore(trainingsAvailable(events, at), at);
    if (served ? sinceTrained < deps.retrainEveryMs : sinceTrained === 0) return NOTHING_DUE;
    if (at - lastAtOrBefore(failedAts(events), at) < DAY_MS) return NOTHING_DUE;
    const inService = served ? `v${t.version} keeps serving` : `no version serves at ${iso(at)}`;
    const trainer = trainerOf(deps.trainers, t.kind, t.profile);
    if (trainer === undefined) return { appended: 0, notes: [`retrain ${t.model}: no trainer of kind ${t.kind} (${t.profile}) is wired; ${inService}`] };
    const end = Math.floor(at / HOUR_MS) * HOUR_MS;
    const candles = await deps.candles.readSeries(keyOf(t), { from: end - (deps.historyMs ?? 3 * 365 * DAY_MS), to: trainingCandlesBefore(end) });
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
      return { appended: 1, notes: [`retrain ${t.model}: failed (${r.left.code}: ${r.left.message}); ${inService}`] };
    }
    r.right.model.dispose();
    if (r.right.ridge !== r.right.model) r.right.ridge.dispose();
    // The holder reads the versions again; the new one serves from the next tick (servesAt), like one trained live.
    const failures = await deps.holder.reload(now);
    const how = served ? '' : ` on the candles closed by ${iso(end)} (no version existed at this clock)`;
    const failed = failures.length > 0 ? ` (${failures.map((f) => `v${f.version}: ${f.message}`).join('; ')})` : '';
    return { appended: 1, notes: [`retrain ${t.model}: v${r.right.trained.version} trained${how}; it serves from the next tick${failed}`] };
  },
});
