// What the daily learning cycle reads of the past: the training set (one row per backtested strategy, its
// in-sample and out-of-sample figures), the genomes behind it, and the fingerprints already tried. Implemented
// over the read models (projections/training-set/learning-history.ts).

/** The part of a training-set row the learner is rebuilt from. */
export interface LearningHistoryRow {
  readonly strategyId: string;
  readonly genomeFingerprint: string;
  /** The cycle index that generated it (lineage.generation). */
  readonly generation: number;
  readonly origin: string;
  readonly regime: Readonly<Record<string, unknown>> | null;
  /** Whether it has in-sample and out-of-sample metrics (a failed backtest has none). */
  readonly hasInSample: boolean;
  readonly hasOutOfSample: boolean;
  readonly isSharpe: number | null;
  readonly isReturn: number | null;
  readonly isTrades: number | null;
  readonly oosSharpe: number | null;
  readonly oosReturn: number | null;
  readonly oosMaxDrawdown: number | null;
  readonly oosTrades: number | null;
  readonly oosDeflatedSharpe: number | null;
  readonly filterOutcome: string | null;
  /** Its strategy stream's revision when the row was last changed. */
  readonly revision: number;
}

export interface LearningHistory {
  /** Every backtested strategy. */
  rows(): Promise<readonly LearningHistoryRow[]>;
  /** The stored genomes (not yet decoded) of these strategies; unknown ids are absent. */
  genomes(strategyIds: readonly string[]): Promise<ReadonlyMap<string, unknown>>;
  /** Fingerprints of every generated genome, backtested or not (what a new cycle must not generate again). */
  triedFingerprints(): Promise<Set<string>>;
  /** Fingerprints of these strategies' genomes. */
  fingerprintsOf(strategyIds: readonly string[]): Promise<readonly string[]>;
}
