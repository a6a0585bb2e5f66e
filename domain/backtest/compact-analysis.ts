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
  return out;
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

// --- reading a stored analysis back: its rows (one per cell or window) and its summary

/** One grid cell as the read model and the API give it; `index` is its place in grid order. */
export interface GridCellRow {
  readonly index: number;
  readonly params: MetricRecord;
  readonly score: number | null;
  readonly rank: number | null;
  readonly skipped: string | null;
  readonly headline: HeadlineMetrics;
}

/** One walk-forward window as the read model and the API give it. */
export interface WalkForwardWindowRow {
  readonly index: number;
  readonly inSample: { readonly from: number; readonly to: number; readonly bars: number };
  readonly outOfSample: { readonly from: number; readonly to: number; readonly bars: number };
  readonly params: MetricRecord | null;
  readonly inSampleScore: number | null;
  readonly inSampleHeadline: HeadlineMetrics;
  readonly outOfSampleHeadline: HeadlineMetrics;
}

export const gridCellRows = (cells: readonly GridCellData[]): GridCellRow[] =>
  cells.map((c, index) => ({
    index,
    params: c.params,
    score: c.score ?? null,
    rank: c.rank ?? null,
    skipped: c.skipped ?? null,
    headline: storedCellHeadline(c),
  }));

export const walkForwardWindowRows = (windows: readonly WalkForwardWindowData[]): WalkForwardWindowRow[] =>
  windows.map((w) => {
    const headlines = storedWindowHeadlines(w);
    return {
      index: w.index,
      inSample: w.inSample,
      outOfSample: w.outOfSample,
      params: w.params ?? null,
      inSampleScore: w.inSampleScore ?? null,
      inSampleHeadline: headlines.inSample,
      outOfSampleHeadline: headlines.outOfSample,
    };
  });

/** A grid search or walk-forward without its per-cell / per-window table: what the job's summary shows. */
export type AnalysisSummary =
  | {
      readonly kind: 'grid_search';
      readonly spec: unknown;
      readonly metric: string;
      /** The rank-1 cell (null when no cell could be scored). */
      readonly best: GridCellRow | null;
      readonly cells: { readonly total: number; readonly scored: number; readonly skipped: number };
    }
  | {
      readonly kind: 'walk_forward';
      readonly spec: unknown;
      readonly outOfSampleMetrics: MetricRecord;
      readonly windows: { readonly total: number };
    };

export const analysisSummary = (
  analysis:
    | { readonly kind: 'grid_search'; readonly spec: unknown; readonly metric: string; readonly cells: readonly GridCellData[] }
    | { readonly kind: 'walk_forward'; readonly spec: unknown; readonly outOfSampleMetrics: MetricRecord; readonly windows: readonly WalkForwardWindowData[] },
): AnalysisSummary => {
  if (analysis.kind === 'walk_forward')
    return { kind: 'walk_forward', spec: analysis.spec, outOfSampleMetrics: analysis.outOfSampleMetrics, windows: { total: analysis.windows.length } };
  const rows = gridCellRows(analysis.cells);
  return {
    kind: 'grid_search',
    spec: analysis.spec,
    metric: analysis.metric,
    best: rows.find((r) => r.rank === 1) ?? null,
    cells: { total: rows.length, scored: rows.filter((r) => r.score !== null).length, skipped: rows.filter((r) => r.skipped !== null).length },
  };
};
