// The linear baseline: ridge regression of the next hour's return on the last step's (normalised) features, solved in
// closed form, (XᵀX + λI)w = Xᵀy on centred data with the intercept left unpenalised. λ is chosen on the training
// part only: fitted on its first 80%, scored (MSE) on its last 20%, then refitted on the whole training part.
import type { WindowedData } from './windowed-data.js';

export interface RidgeModel {
  readonly lambda: number;
  readonly intercept: number;
  readonly weights: readonly number[];
}

/** The λ tried, relative to the number of samples (the penalty then weighs the same whatever the data's length). */
export const LAMBDA_GRID = [0, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10] as const;

/** Solves A x = b for a symmetric positive (semi-)definite A by Gaussian elimination with partial pivoting. */
export const solveLinear = (a: Float64Array, b: Float64Array, p: number): Float64Array => {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(m[r * p + c]!) > Math.abs(m[piv * p + c]!)) piv = r;
    if (Math.abs(m[piv * p + c]!) < 1e-300) throw new RangeError('singular system: add a ridge penalty');
    if (piv !== c) {
      for (let k = 0; k < p; k++) [m[c * p + k], m[piv * p + k]] = [m[piv * p + k]!, m[c * p + k]!];
      [x[c], x[piv]] = [x[piv]!, x[c]!];
    }
    for (let r = c + 1; r < p; r++) {
      const f = m[r * p + c]! / m[c * p + c]!;
      if (f === 0) continue;
      for (let k = c; k < p; k++) m[r * p + k]! -= f * m[c * p + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let r = p - 1; r >= 0; r--) {
    let s = x[r]!;
    for (let k = r + 1; k < p; k++) s -= m[r * p + k]! * x[k]!;
    x[r] = s / m[r * p + r]!;
  }
  return x;
};

/** The last step of every window: samples × features, float64. */
export const lastStep = (d: WindowedData): Float64Array => {
  const out = new Float64Array(d.samples * d.features);
  for (let s = 0; s < d.samples; s++) for (let j = 0; j < d.features; j++) out[s * d.features + j] = d.x[(s * d.window + d.window - 1) * d.features + j]!;
  return out;
};

/** Ridge on rows [from, to) of x (n × p) and y, with penalty lambda·(to − from). */
export const fitRidge = (x: Float64Array, y: ArrayLike<number>, p: number, lambda: number, from = 0, to = y.length): RidgeModel => {
  const n = to - from;
  if (n <= 0) throw new RangeError('ridge needs at least one sample');
  const mx = new Float64Array(p);
  let my = 0;
  for (let s = from; s < to; s++) {
    my += y[s]!;
    for (let j = 0; j < p; j++) mx[j]! += x[s * p + j]!;
  }
  my /= n;
  for (let j = 0; j < p; j++) mx[j]! /= n;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  const row = new Float64Array(p);
  for (let s = from; s < to; s++) {
    for (let j = 0; j < p; j++) row[j] = x[s * p + j]! - mx[j]!;
    const ys = y[s]! - my;
    for (let j = 0; j < p; j++) {
      b[j]! += row[j]! * ys;
      for (let k = j; k < p; k++) a[j * p + k]! += row[j]! * row[k]!;
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[j * p + k] = a[k * p + j]!;
  // A tiny floor keeps λ = 0 solvable when a feature is constant over the part (its centred column is all zeros).
  for (let j = 0; j < p; j++) a[j * p + j]! += lambda * n + 1e-12 * n;
  const w = solveLinear(a, b, p);
  let intercept = my;
  for (let j = 0; j < p; j++) intercept -= w[j]! * mx[j]!;
  return { lambda, intercept, weights: Array.from(w) };
};

export const predictRidge = (model: RidgeModel, x: Float64Array, p: number): Float64Array => {
  const n = x.length / p;
  const out = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let v = model.intercept;
    for (let j = 0; j < p; j++) v += model.weights[j]! * x[s * p + j]!;
    out[s] = v;
  }
  return out;
};

/** λ from LAMBDA_GRID by an inner chronological split of the training part, then the fit on all of it. */
export const trainRidge = (train: WindowedData): RidgeModel => {
  if (!train.y) throw new RangeError('training samples need targets');
  const p = train.features;
  const x = lastStep(train);
  const y = train.y;
  const cut = Math.floor(train.samples * 0.8);
  let best: { lambda: number; mse: number } | undefined;
  for (const lambda of LAMBDA_GRID) {
    const m = fitRidge(x, y, p, lambda, 0, cut);
    const pred = predictRidge(m, x.subarray(cut * p), p);
    let mse = 0;
    for (let s = cut; s < train.samples; s++) mse += (pred[s - cut]! - y[s]!) ** 2;
    mse /= train.samples - cut;
    if (best === undefined || mse < best.mse) best = { lambda, mse };
  }
  return fitRidge(x, y, p, best!.lambda);
};
