// One step of the autonomous pipeline (doc/pipeline.md). The pipeline is a loop over a clock — the system clock when
// MasterTrade runs, a simulated one in replay — that calls each step's tick with the time it has reached. A step
// reads what it needs from the log and the read models and appends what is due at `now`; it holds nothing that a
// restart would lose, so a tick after kill -9 does what was left undone and nothing twice (event ids derive from
// what they record, and deciders refuse a repeat).
export interface StepOutcome {
  /** Events this tick appended. */
  readonly appended: number;
  /** What a person reading the progress display or the log should know (a degradation, a decision). */
  readonly notes: readonly string[];
}

export interface PipelineStep {
  readonly name: string;
  /** Does what is due at `now`; a second call with the same `now` appends nothing more. */
  tick(now: Date): Promise<StepOutcome>;
}

export const NOTHING_DUE: StepOutcome = { appended: 0, notes: [] };
