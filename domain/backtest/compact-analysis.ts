// What a walk-forward or grid-search job stores per window and per cell: the headline metrics (sharpe, totalReturn,
// maxDrawdown, tradeCount), not the full metric records. A 1,000-cell grid with full records made a 2 MB event (and
// the 9,999-cell one 23.5 MB); with headlines it is a tenth of that. Also reads back what older events
// stored (full records), so every stored result gives the same rows.
import { HEADLINE_METRICS, type GridCellData, type HeadlineMetrics, type WalkForwardWindowData } from './events.js';
import type { GridCell } from './grid-search.js';
import type { WalkForwardWindow } from './walk-forward.js';

type MetricRecord = Readonly<Record<string, number>>;

/** The headline metrics of a record, finite values only (a missing or non-finite one is left out). */
export const headlineOf = (metrics: MetricRecord | undefined): HeadlineMetrics => {
  const out: Record<string, number> = {};
  if (metrics !== undefined)
    for (const k of HEADLINE_METRICS) {
      const v = metrics[k];
      if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
    }
  return out as HeadlineMetrics;
};

export interface CompactGridCell {
  readonly params: MetricRecord;
  readonly headline?: HeadlineMetrics;
  readonly score?: number;
  readonly rank?: number;
  readonly skipped?: string;
}

/** A grid cell as stored: parameters, headline metrics, score and rank — or the reason it was skipped. */
export const compactCell = (c: GridCell): CompactGridCell => ({
  params: c.params,
  ...(c.metrics === undefined ? {} : { headline: headlineOf(c.metrics) }),
  ...(c.score === undefined || !Number.isFinite(c.score) ? {} : { score: c.score }),
  ...(c.rank === undefined ? {} : { rank: c.rank }),
  ...(c.skipped === undefined ? {} : { skipped: c.skipped }),
});

export interface CompactWalkForwardWindow {
  readonly index: number;
  readonly inSample: WalkForwardWindow['inSample'];
  readonly outOfSample: WalkForwardWindow['outOfSample'];
  readonly params?: MetricRecord;
  readonly inSampleScore?: number;
  readonly inSampleHeadline: HeadlineMetrics;
  readonly outOfSampleHeadline: HeadlineMetrics;
}

/** A walk-forward window as stored: its ranges, the parameters chosen in-sample, the headline metrics of each part. */
export const compactWindow = (w: WalkForwardWindow): CompactWalkForwardWindow => ({
  index: w.index,
  inSample: w.inSample,
  outOfSample: w.outOfSample,
  ...(w.params === undefined ? {} : { params: w.params }),
  ...(w.inSampleScore === undefined || !Number.isFinite(w.inSampleScore) ? {} : { inSampleScore: w.inSampleScore }),
  inSampleHeadline: headlineOf(w.inSampleMetrics),
  outOfSampleHeadline: headlineOf(w.outOfSampleMetrics),
});

/** A stored cell's headline metrics, whichever shape it was stored in. */
export const storedCellHeadline = (c: GridCellData): HeadlineMetrics => c.headline ?? headlineOf(c.metrics);

/** A stored window's headline metrics of each part, whichever shape it was stored in. */
export const storedWindowHeadlines = (w: WalkForwardWindowData): { readonly inSample: HeadlineMetrics; readonly outOfSample: HeadlineMetrics } =>
  'inSampleHeadline' in w
    ? { inSample: w.inSampleHeadline, outOfSample: w.outOfSampleHeadline }
    : { inSample: headlineOf(w.inSampleMetrics), outOfSample: headlineOf(w.outOfSampleMetrics) };
