// Where daily observations are kept: idempotent writes that never replace a stored value with a different one,
// and reads in day order straight into columnar arrays.
import type { DailyObservation, DailySeries, Day, SeriesId } from '../../domain/market/daily-series.js';

export interface DailyConflict {
  readonly series: SeriesId;
  readonly day: Day;
  /** The fields that differ, e.g. `value 40 ≠ 41`. */
  readonly reason: string;
  readonly stored: Pick<DailyObservation, 'value' | 'label' | 'volume' | 'publishedAt' | 'source'>;
  readonly incoming: Pick<DailyObservation, 'value' | 'label' | 'volume' | 'publishedAt' | 'source'>;
}

export interface DailyWriteResult {
  readonly inserted: number;
  /** Already stored with the same value, label, volume and publication time (a re-import). */
  readonly unchanged: number;
  /** Stored with something else: the stored row is kept and the disagreement reported here. */
  readonly conflicts: readonly DailyConflict[];
}

export interface DailySeriesBounds {
  readonly series: SeriesId;
  readonly first: Day;
  readonly last: Day;
  readonly count: number;
}

export interface DailySeriesStore {
  write(observations: readonly DailyObservation[]): Promise<DailyWriteResult>;
  /** Observations with from <= day <= to, in day order. */
  read(series: SeriesId, range?: { readonly from?: Day; readonly to?: Day }): Promise<DailySeries>;
  /** Every stored series with its first and last day. */
  list(): Promise<readonly DailySeriesBounds[]>;
}
