// Time comes from here, never from Date.now(), so replay can run history on a simulated clock.
export interface Clock {
  now(): Date;
}
