// What a candle file import leaves in the collection status (`csv:<exchange>`, per symbol and interval): what the
// store holds for the series now, its gaps, and the file's error when it had one (or the lines it rejected). A file
// cut short keeps the rows read before the damage, so the status counts them next to the error: never 0 beside
// stored candles.
import type { CandleStore } from '../../application/ports/candle-store.js';
import type { CollectionStatusRecorder } from '../../application/ports/collection-status.js';
import type { CandleFileReport } from './candle-file-import.js';

export interface ImportStatus {
  /** Candles of the series in the store after the import. */
  readonly observations: number;
  /** Open time of the newest stored candle; undefined when none is. */
  readonly lastObservationAt: number | undefined;
  /** The file's error, or its rejected lines, as recorded. */
  readonly error: string | undefined;
}

/** Records one file's import; undefined (nothing recorded) for a file that names no valid series. */
export const recordImportStatus = async (
  status: CollectionStatusRecorder,
  store: Pick<CandleStore, 'bounds'>,
  r: CandleFileReport,
  at: Date,
): Promise<ImportStatus | undefined> => {
  if (r.key === undefined || r.skipped !== undefined) return undefined;
  const b = await store.bounds(r.key);
  const src = { source: `csv:${r.key.exchange}`, symbol: r.key.symbol, interval: r.key.interval, at };
  const gaps = r.gaps.map((g) => ({ after: new Date(g.after).toISOString(), before: new Date(g.before).toISOString(), missing: g.missing }));
  const observations = b?.count ?? 0;
  // Lines the reader rejected (garbage among the rows) are damage too; the conflicts are reported by the import only.
  const first = r.rejected[0];
  const error =
    r.error ??
    (first === undefined ? undefined : `${r.rejected.length} rejected line${r.rejected.length > 1 ? 's' : ''}, the first line ${first.line}: ${first.reason}`);
  if (error !== undefined) {
    const updated = r.inserted + r.completed > 0;
    await status.failed({ ...src, error, stored: { observations, ...(b === undefined ? {} : { lastObservationAt: b.last }), gaps, updated } });
  } else await status.succeeded({ ...src, lastObservationAt: b?.last, observations, gaps });
  return { observations, lastObservationAt: b?.last, error };
};
