// Gathers the rows a parser accepted into a batch: one observation per day (a repeated day is refused and named
// with where the day was first seen), days listed without a value, refused rows, all in day order at the end.
import type { DailySeriesBatch, RowProblem } from '../../application/ports/sentiment-source.js';
import type { DailyObservation, Day, SeriesId } from '../../domain/market/daily-series.js';

export class DailyBatchBuilder {
  private readonly seen = new Map<Day, string>();
  private readonly observations: DailyObservation[] = [];
  private readonly missing: Day[] = [];
  private readonly rejected: RowProblem[] = [];

  constructor(readonly series: SeriesId) {}

  reject(where: string, message: string, line?: number): void {
    this.rejected.push(line === undefined ? { where, message } : { line, where, message });
  }

  /** False (and the row refused) when the day was already taken by an earlier row. */
  private claim(day: Day, where: string, line?: number): boolean {
    const first = this.seen.get(day);
    if (first !== undefined) {
      this.reject(where, `duplicate date ${day} (first at ${first})`, line);
      return false;
    }
    this.seen.set(day, where);
    return true;
  }

  add(o: DailyObservation, where: string, line?: number): void {
    if (this.claim(o.day, where, line)) this.observations.push(o);
  }

  addMissing(day: Day, where: string, line?: number): void {
    if (this.claim(day, where, line)) this.missing.push(day);
  }

  build(): DailySeriesBatch {
    const byDay =
      <T>(key: (x: T) => Day) =>
      (a: T, b: T) =>
        key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
    return {
      series: this.series,
      observations: [...this.observations].sort(byDay((o) => o.day)),
      missing: [...this.missing].sort(byDay((d) => d)),
      rejected: [...this.rejected].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    };
  }
}
