// The replay's clock (doc/pipeline.md): it shows the simulated time the pipeline loop has set, and moves only when
// the loop sets it, so every event a step appends during a replay carries the simulated time (eventMetadata takes
// occurredAt from the clock port).
import type { SettableClock } from '../../application/pipeline/pipeline.js';

export const simulatedClock = (start: Date): SettableClock => {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d) => {
      t = d.getTime();
    },
  };
};
