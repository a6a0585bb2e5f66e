// Beta posteriors and Thompson sampling over them, drawn from a seeded source: Gamma by Marsaglia–Tsang
// (with the U^(1/a) boost below a = 1), Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
import { gaussian, type Random } from '../genetic/genes.js';

/** Beta(alpha, beta): alpha − prior = weighted successes seen, beta − prior = weighted failures. */
export interface BetaArm {
  readonly alpha: number;
  readonly beta: number;
}

export const sampleGamma = (shape: number, rnd: Random): number => {
  if (shape < 1) return sampleGamma(shape + 1, rnd) * Math.pow(1 - rnd(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = gaussian(rnd);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rnd();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
};

export const sampleBeta = (arm: BetaArm, rnd: Random): number => {
  const x = sampleGamma(arm.alpha, rnd);
  const y = sampleGamma(arm.beta, rnd);
  return x + y > 0 ? x / (x + y) : 0.5;
};

export const betaMean = (arm: BetaArm): number => arm.alpha / (arm.alpha + arm.beta);

/** Thompson sampling: one draw from each arm's posterior (the prior for an arm never seen), the largest wins. */
export const thompsonPick = <A extends string>(
  arms: readonly A[],
  posteriors: Readonly<Record<string, BetaArm>> | undefined,
  prior: BetaArm,
  rnd: Random,
): A => {
  if (arms.length === 0) throw new RangeError('thompsonPick: no arms');
  let best = arms[0]!;
  let bestDraw = -1;
  for (const a of arms) {
    const draw = sampleBeta(posteriors?.[a] ?? prior, rnd);
    if (draw > bestDraw) {
      bestDraw = draw;
      best = a;
    }
  }
  return best;
};

/** The `count` arms with the largest draws, in draw order (largest first). */
export const thompsonTop = <A extends string>(
  arms: readonly A[],
  count: number,
  posteriors: Readonly<Record<string, BetaArm>> | undefined,
  prior: BetaArm,
  rnd: Random,
): A[] =>
  arms
    .map((a) => ({ a, draw: sampleBeta(posteriors?.[a] ?? prior, rnd) }))
    .sort((x, y) => y.draw - x.draw)
    .slice(0, count)
    .map((x) => x.a);
