// Which model serves: the newest ModelTrained (purpose serving) of model-<name> whose files load and verify (sha256,
// shape, feature set). A model that does not is logged with the reason and passed over, so the previous version keeps
// serving; a reload that finds nothing better keeps what is loaded.
import { either } from 'fp-ts';
import { decodeEvent } from '../events/decode-event.js';
import type { EventStore } from '../ports/event-store.js';
import type { Forecaster, ForecasterTrainer } from '../ports/forecaster.js';
import { modelStream, type ModelTrainedData } from '../../domain/prediction/events.js';
import { FEATURE_NAMES } from '../../domain/prediction/features.js';

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

/** The serving ModelTrained events of the stream, newest first. */
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
  return out.reverse();
};

/** The newest serving model that loads, newer than `above` (a version already serving); failures are logged and returned. */
export const loadLatestModel = async (
  deps: ModelLoadDeps,
  model: string,
  above = 0,
): Promise<{ readonly served?: ServedModel; readonly failures: readonly LoadFailure[] }> => {
  const failures: LoadFailure[] = [];
  for (const trained of await servingModels(deps.store, model)) {
    if (trained.version <= above) break;
    const r = await loadTrained(deps, trained);
    if (either.isRight(r)) {
      deps.log.info({ model, version: trained.version, kind: trained.kind }, `model ${model} v${trained.version} (${trained.kind}) loaded`);
      return { served: r.right, failures };
    }
    failures.push({ version: trained.version, message: r.left });
    deps.log.warn(
      { model, version: trained.version, reason: r.left },
      `model ${model} v${trained.version} cannot serve: ${r.left}; trying the previous version`,
    );
  }
  return { failures };
};

/** The model in service: loaded at the first use, replaced by a reload only when a newer version loads. */
export class ModelHolder {
  private current: ServedModel | undefined;
  private loadedOnce = false;
  constructor(
    private readonly deps: ModelLoadDeps,
    readonly model: string,
  ) {}

  async served(): Promise<ServedModel | undefined> {
    if (!this.loadedOnce) await this.reload();
    return this.current;
  }

  /** Looks for a newer version that loads; keeps the one in service otherwise. */
  async reload(): Promise<readonly LoadFailure[]> {
    this.loadedOnce = true;
    const r = await loadLatestModel(this.deps, this.model, this.current?.trained.version ?? 0);
    if (r.served) {
      this.dispose();
      this.current = r.served;
    }
    return r.failures;
  }

  dispose(): void {
    if (!this.current) return;
    this.current.model.dispose();
    if (this.current.ridge !== this.current.model) this.current.ridge.dispose();
    this.current = undefined;
  }
}
