// Which model serves: the newest ModelTrained (purpose serving) of model-<name> that may serve at the pipeline's clock
// (its candles closed by then, available before then: domain/prediction/walk-forward-check.ts) and whose files load and verify
// (sha256, shape, feature set). A model that does not load is logged with the reason and passed over, so the previous
// version keeps serving; a reload that finds nothing better keeps what is loaded.
import { either } from 'fp-ts';
import { decodeEvent } from '../events/decode-event.js';
import type { EventStore } from '../ports/event-store.js';
import type { Forecaster, ForecasterTrainer } from '../ports/forecaster.js';
import { modelStream, type ModelTrainedData } from '../../domain/prediction/events.js';
import { FEATURE_NAMES } from '../../domain/prediction/features.js';
import { availableAt, servesAt } from '../../domain/prediction/walk-forward-check.js';

/** A model's trainer: by `<kind>/<profile>` (the network, one per profile), else by kind (ridge). */
export const trainerOf = (trainers: Readonly<Record<string, ForecasterTrainer>>, kind: string, profile: string): ForecasterTrainer | undefined =>
  trainers[`${kind}/${profile}`] ?? trainers[kind];

export interface ServedModel {
  readonly trained: ModelTrainedData;
  readonly model: Forecaster;
  readonly ridge: Forecaster;
}

export interface ModelLoadDeps {
  readonly store: EventStore;
  readonly modelDir: string;
  /** Trainers by kind (ridge always; the network when wired): each loads what it saved. */
  readonly trainers: Readonly<Record<string, ForecasterTrainer>>;
  readonly log: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

export interface LoadFailure {
  readonly version: number;
  readonly message: string;
}

/** The model files of one ModelTrained, loaded and checked; a Left says why it cannot serve. */
export const loadTrained = async (deps: ModelLoadDeps, trained: ModelTrainedData): Promise<either.Either<string, ServedModel>> => {
  const sameFeatures = trained.features.length === FEATURE_NAMES.length && trained.features.every((f, i) => f === FEATURE_NAMES[i]);
  if (!sameFeatures)
    return either.left(
      `its feature set (${trained.features.length}: ${trained.features.join(',')}) is not the one this build computes (${FEATURE_NAMES.length})`,
    );
  const loaded: Forecaster[] = [];
  for (const a of trained.artifacts) {
    const trainer = trainerOf(deps.trainers, a.kind, a.profile);
    if (trainer === undefined) return either.left(`no trainer of kind ${a.kind} is wired to load ${a.directory}`);
    const r = await trainer.load(`${deps.modelDir}/${a.directory}`, { window: trained.window, features: trained.features.length, sha256: a.sha256 });
    if (either.isLeft(r)) {
      loaded.forEach((f) => f.dispose());
      return either.left(`${a.directory}: ${r.left.code}: ${r.left.message}`);
    }
    loaded.push(r.right);
  }
  const model = loaded[trained.artifacts.findIndex((a) => a.role === 'model')];
  if (model === undefined) return either.left('no artifact has the role model');
  const baseline = trained.artifacts.findIndex((a) => a.role === 'baseline' && a.kind === 'ridge');
  return either.right({ trained, model, ridge: baseline < 0 ? model : loaded[baseline]! });
};

/**
 * The serving ModelTrained events of the stream, newest first: by `trainedAt`, then by version. A replay records the
 * versions it trains at its simulated times, so a higher version is not always the later training (live, the two
 * orders agree). Which of them serves at a clock is `ModelHolder`'s choice (by availability at that clock).
 */
export const servingModels = async (store: EventStore, model: string): Promise<ModelTrainedData[]> => {
  const out: ModelTrainedData[] = [];
  for (const r of await store.readStream(modelStream(model))) {
    const d = decodeEvent(r);
    if (either.isLeft(d)) throw new Error(`${modelStream(model)} revision ${r.revision}: ${d.left.message}`);
    if (d.right.event.type === 'ModelTrained') {
      const data = d.right.event.data as ModelTrainedData;
      if (data.purpose === 'serving') out.push(data);
    }
  }
  return out.sort((a, b) => Date.parse(b.trainedAt) - Date.parse(a.trainedAt) || b.version - a.version);
};

/**
 * The model in service at the pipeline's `now`: the newest serving version that serves at `now` (`servesAt`: its
 * candles closed by then, available before then) and whose files load. Live that is the newest version that loads; a
 * replay's clock passes over the versions trained on candles after it (today's model on today's data, seen from last
 * year) and takes up the ones its own retrainings record. The versions are read at the first use and at every reload; a version that fails to load is
 * logged with the reason and passed over (the previous one serves) until the next reload.
 */
export class ModelHolder {
  private current: ServedModel | undefined;
  private recorded: readonly ModelTrainedData[] | undefined;
  private readonly refused = new Set<number>();
  constructor(
    private readonly deps: ModelLoadDeps,
    readonly model: string,
  ) {}

  /** Every serving version recorded, newest first, whether or not it may serve at a given time. */
  async versions(): Promise<readonly ModelTrainedData[]> {
    return (this.recorded ??= await servingModels(this.deps.store, this.model));
  }

  async served(now: Date): Promise<ServedModel | undefined> {
    return (await this.select(now)).served;
  }

  /** Reads the versions again (after a retraining) and tries those that failed before; returns the ones that still fail. */
  async reload(now: Date): Promise<readonly LoadFailure[]> {
    this.recorded = undefined;
    this.refused.clear();
    return (await this.select(now)).failures;
  }

  private async select(now: Date): Promise<{ readonly served?: ServedModel; readonly failures: readonly LoadFailure[] }> {
    const failures: LoadFailure[] = [];
    // Newest first by when each became available at this clock: live, the latest training; in a replay, its own
    // retrainings before a model trained today on older candles (available there from the end of its data).
    const t = now.getTime();
    const byAvailability = [...(await this.versions())].sort((a, b) => availableAt(b, t) - availableAt(a, t) || b.version - a.version);
    for (const trained of byAvailability) {
      if (!servesAt(trained, t) || this.refused.has(trained.version)) continue;
      if (trained.version === this.current?.trained.version) return { served: this.current, failures };
      const r = await loadTrained(this.deps, trained);
      if (either.isRight(r)) {
        this.deps.log.info(
          { model: this.model, version: trained.version, kind: trained.kind },
          `model ${this.model} v${trained.version} (${trained.kind}) loaded`,
        );
        this.dispose();
        this.current = r.right;
        return { served: r.right, failures };
      }
      this.refused.add(trained.version);
      failures.push({ version: trained.version, message: r.left });
      this.deps.log.warn(
        { model: this.model, version: trained.version, reason: r.left },
        `model ${this.model} v${trained.version} cannot serve: ${r.left}; trying the previous version`,
      );
    }
    // None serves at this time (or none loads): nothing is forecast, and the one loaded before is let go.
    this.dispose();
    return { failures };
  }

  dispose(): void {
    if (!this.current) return;
    this.current.model.dispose();
    if (this.current.ridge !== this.current.model) this.current.ridge.dispose();
    this.current = undefined;
  }
}
