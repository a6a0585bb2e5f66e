// A candidate's activation score: four parts, each in [0, 1], and their weighted sum. The parts are computed here
// from the read-model figures (domain/activation/policy.ts feeds them); the strategy decider re-checks the sum.

/** The parts of the score. */
export const SCORE_PARTS = ['performance', 'backtest', 'regimeFit', 'risk'] as const;
export type ScorePart = (typeof SCORE_PARTS)[number];

export type Weights = Readonly<Record<ScorePart, number>>;

/** Paper and live performance 50%, backtest 25%, fit with the current market regime 15%, risk 10%. */
export const DEFAULT_WEIGHTS: Weights = { performance: 0.5, backtest: 0.25, regimeFit: 0.15, risk: 0.1 };

/** The scales that turn figures into parts; stored with every decision (as thresholds) so a part can be re-derived. */
export const SCORE_SCALES = {
  /** A Sharpe ratio of 3 or more earns the full part; 0 or less earns nothing. */
  sharpeForFullMarks: 3,
  /** A drawdown of 50% or more leaves nothing of the risk part; no drawdown earns all of it. */
  drawdownForZero: 0.5,
  /** What the regime part is when either label is unknown: neither a match nor a mismatch. */
  unknownRegimeFit: 0.5,
} as const;

/** One strategy's trading so far: annualised Sharpe ratio over `days` days. */
export interface TradingRecord {
  readonly sharpe: number;
  readonly days: number;
}

/** What the read models know about one candidate. Every figure may be missing; see each part for what that means. */
export interface CandidateFigures {
  readonly strategyId: string;
  readonly paper?: TradingRecord;
  readonly live?: TradingRecord;
  /** Backtest Sharpe over the whole window, and over the held-out window when the backtest had one. */
  readonly backtest?: { readonly sharpe: number; readonly outOfSampleSharpe?: number };
  /** The market regime the strategy was generated and backtested for (the cycle's label, e.g. trend_low_vol). */
  readonly regime?: string;
  /** Worst drawdown seen, a fraction (0.12 = 12%): paper/live when traded, else the backtest's. */
  readonly maxDrawdown?: number;
  /** The monitor found a breached limit: a live strategy must go, any other is not weighed for activation. */
  readonly breached?: boolean;
}

export type PartInputs = Readonly<Record<string, number | string>>;

export interface Score {
  readonly score: number;
  readonly parts: Readonly<Record<ScorePart, number>>;
  /** The figures each part used. */
  readonly inputs: Readonly<Record<ScorePart, PartInputs>>;
  /** The parts computed without their figures (and so given the value stated for a missing figure). */
  readonly missing: readonly ScorePart[];
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const fromSharpe = (sharpe: number) => clamp01(sharpe / SCORE_SCALES.sharpeForFullMarks);
const usable = (r: TradingRecord | undefined): r is TradingRecord => r !== undefined && Number.isFinite(r.sharpe) && Number.isFinite(r.days) && r.days > 0;

/** Paper and live Sharpe, weighted by days traded. Neither → 0: an unproven strategy does not outrank a proven one. */
const performance = (c: CandidateFigures): { value: number; inputs: PartInputs } | undefined => {
  const records = [
    ['paper', c.paper],
    ['live', c.live],
  ] as const;
  let days = 0;
  let weighted = 0;
  const inputs: Record<string, number> = {};
  for (const [name, r] of records)
    if (usable(r)) {
      days += r.days;
      weighted += r.sharpe * r.days;
      inputs[`${name}Sharpe`] = r.sharpe;
      inputs[`${name}Days`] = r.days;
    }
  if (days === 0) return undefined;
  const sharpe = weighted / days;
  return { value: fromSharpe(sharpe), inputs: { ...inputs, sharpe } };
};

/** The held-out Sharpe when there is one (the filter's unseen window), else the whole window's. Neither → 0. */
const backtest = (c: CandidateFigures): { value: number; inputs: PartInputs } | undefined => {
  const b = c.backtest;
  if (b === undefined) return undefined;
  if (b.outOfSampleSharpe !== undefined && Number.isFinite(b.outOfSampleSharpe))
    return { value: fromSharpe(b.outOfSampleSharpe), inputs: { outOfSampleSharpe: b.outOfSampleSharpe } };
  if (Number.isFinite(b.sharpe)) return { value: fromSharpe(b.sharpe), inputs: { sharpe: b.sharpe } };
  return undefined;
};

/** 1 when the strategy was made for the regime the market is in now, 0 when for another; unknown → 0.5. */
const regimeFit = (c: CandidateFigures, currentRegime: string | undefined): { value: number; inputs: PartInputs } | undefined => {
  if (c.regime === undefined || currentRegime === undefined) return undefined;
  return { value: c.regime === currentRegime ? 1 : 0, inputs: { regime: c.regime, currentRegime } };
};

/** 1 − drawdown / 50%, at least 0. Unknown drawdown → 0: an unmeasured risk is taken as the worst. */
const risk = (c: CandidateFigures): { value: number; inputs: PartInputs } | undefined => {
  if (c.maxDrawdown === undefined || !Number.isFinite(c.maxDrawdown)) return undefined;
  return { value: clamp01(1 - Math.abs(c.maxDrawdown) / SCORE_SCALES.drawdownForZero), inputs: { maxDrawdown: c.maxDrawdown } };
};

const WHEN_MISSING: Record<ScorePart, number> = { performance: 0, backtest: 0, regimeFit: SCORE_SCALES.unknownRegimeFit, risk: 0 };

/** How far a recorded score may be from its parts' weighted sum (float rounding, not judgement). */
export const SCORE_TOLERANCE = 1e-9;

/** Σ weight × part over the parts' names in sorted order (a part without a weight counts 0 — the decider refuses that). */
export const weightedSum = (weights: Readonly<Record<string, number>>, parts: Readonly<Record<string, number>>): number => {
  let sum = 0;
  for (const p of Object.keys(parts).sort()) sum += (weights[p] ?? 0) * (parts[p] ?? 0);
  return sum;
};

export const scoreCandidate = (c: CandidateFigures, currentRegime: string | undefined, weights: Weights): Score => {
  const computed = { performance: performance(c), backtest: backtest(c), regimeFit: regimeFit(c, currentRegime), risk: risk(c) };
  const parts = {} as Record<ScorePart, number>;
  const inputs = {} as Record<ScorePart, PartInputs>;
  const missing: ScorePart[] = [];
  for (const p of SCORE_PARTS) {
    const got = computed[p];
    if (got === undefined) missing.push(p);
    parts[p] = got?.value ?? WHEN_MISSING[p];
    inputs[p] = got?.inputs ?? {};
  }
  return { score: weightedSum(weights, parts), parts, inputs, missing };
};
