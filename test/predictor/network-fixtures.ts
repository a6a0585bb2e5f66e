// Tiny windowed data for the network's unit tests: a seeded, learnable toy series (the target is a fixed linear
// function of the window's last step plus noise), so tests run in seconds on any backend.
import type { WindowedData } from '../../domain/prediction/windowed-data.js';

const uniform = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
};

export const toyData = (samples: number, window: number, features: number, seed: number): WindowedData => {
  const next = uniform(seed);
  const x = new Float32Array(samples * window * features);
  for (let i = 0; i < x.length; i++) x[i] = next() * 2 - 1;
  const y = new Float32Array(samples);
  for (let s = 0; s < samples; s++) {
    const last = (s * window + window - 1) * features;
    y[s] = 0.01 * (x[last]! - 0.5 * x[last + (features > 1 ? 1 : 0)]!) + 0.001 * (next() - 0.5);
  }
  return { samples, window, features, x, y };
};
