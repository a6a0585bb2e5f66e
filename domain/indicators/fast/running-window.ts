// The last `size` values pushed and their running sum, updated the way tulip's ti_buffer does it
// (subtract the value falling out, then add the new one), so sums round exactly as tulind's do.
export class RunningWindow {
  readonly vals: Float64Array;
  sum = 0;
  private index = 0;
  private pushes = 0;

  constructor(readonly size: number) {
    this.vals = new Float64Array(size);
  }

  push(v: number): void {
    if (this.pushes >= this.size) this.sum -= this.vals[this.index]!;
    this.sum += v;
    this.vals[this.index] = v;
    this.pushes++;
    this.index++;
    if (this.index >= this.size) this.index = 0;
  }
}
