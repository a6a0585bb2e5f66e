// The real clock, for live runs. Tests and replays pass their own.
import type { Clock } from '../../application/ports/clock.js';

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to. */
export const fixedClock = (start: Date): Clock & { advance(ms: number): void; set(d: Date): void } => {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => void (t += ms), set: (d) => void (t = d.getTime()) };
};
