// The `backtest_results` read model: one row per backtest job — what was asked (BacktestRequested), and when done
// its metrics, per-symbol summary, down-sampled equity curve, trades, analysis summary, data fingerprint and engine
// version (BacktestCompleted) or its error code and message (BacktestFailed). The table of a grid search or a
// walk-forward goes to tables of its own, one row per cell (`backtest_grid_cells`) or window
// (`backtest_walk_forward_windows`), which the API pages; the job's row keeps the summary (the best cell, counts).
// Results stored before they were compact (full metric records per cell and window) give the same rows.
//
// A batch is folded in memory into one change per job and upserted set-based, a few dozen rows per statement
// (a completed job carries its curves and trades, so rows are large). No row is read first: a job's events say
// everything its row holds; the upsert merges what an earlier batch wrote.
import { sql, type DatabaseTransactionConnection } from 'slonik';
import type { DecodedEvent, Projection } from '../projection.js';
import { analysisSummary, gridCellRows, walkForwardWindowRows, type GridCellRow, type WalkForwardWindowRow } from '../../domain/backtest/compact-analysis.js';
import { BACKTEST_CATEGORY, BACKTEST_EVENT_TYPES, type BacktestEvent } from '../../domain/backtest/events.js';

export type BacktestStatus = 'requested' | 'completed' | 'failed';

interface BacktestChange {
  readonly job_id: string;
  status: BacktestStatus;
  kind?: string;
  strategy_id?: string;
  request?: unknown;
  requested_by?: string;
  symbols?: readonly string[];
  interval?: string;
  metrics?: unknown;
  settings?: unknown;
  per_symbol?: unknown;
  equity?: unknown;
  trades?: unknown;
  analysis?: unknown;
  data_window?: unknown;
  data_fingerprint?: string;
  engine_version?: string;
  error_code?: string;
  error?: string;
  requested_at?: string;
  finished_at?: string;
  updated_at: string;
  revision: number;
  /** The analysis table, written once (a job completes once). */
  cells?: readonly GridCellRow[];
  windows?: readonly WalkForwardWindowRow[];
}

/** Folds a batch, in log order, into one change per job. */
export const foldBacktestBatch = (events: readonly DecodedEvent<BacktestEvent>[]): BacktestChange[] => {
  const changes = new Map<string, BacktestChange>();
  for (const { event, metadata, recorded } of events) {
    const jobId = event.data.jobId;
    const at = metadata.occurredAt;
    const revision = Number(recorded.revision);
    let c = changes.get(jobId);
    if (!c) {
      c = { job_id: jobId, status: 'requested', updated_at: at, revision };
      changes.set(jobId, c);
    } else if (revision <= c.revision) {
      throw new Error(`backtest_results projection: ${recorded.streamName}@${revision} arrived after revision ${c.revision}`);
    }
    switch (event.type) {
      case 'BacktestRequested': {
        const { job, kind, requestedBy } = event.data;
        c.kind = kind;
        if (job.strategyId !== undefined) c.strategy_id = job.strategyId;
        c.request = { job, ...(event.data.analysis ? { analysis: event.data.analysis } : {}) };
        c.requested_by = requestedBy;
        c.symbols = job.symbols;
        c.interval = job.interval;
        c.requested_at = at;
        break;
      }
      case 'BacktestCompleted': {
        const r = event.data.result;
        c.status = 'completed';
        c.metrics = r.metrics;
        if (r.settings !== undefined) c.settings = r.settings;
        c.per_symbol = r.perSymbol;
        c.equity = r.equity;
        c.trades = r.trades;
        if (r.analysis !== undefined) {
          c.analysis = analysisSummary(r.analysis);
          if (r.analysis.kind === 'grid_search') c.cells = gridCellRows(r.analysis.cells);
          else c.windows = walkForwardWindowRows(r.analysis.windows);
        }
        c.data_window = r.window;
        c.data_fingerprint = r.dataFingerprint;
        c.engine_version = r.engineVersion;
        c.finished_at = at;
        break;
      }
      case 'BacktestFailed':
        c.status = 'failed';
        c.error_code = event.data.code;
        c.error = event.data.error;
        c.finished_at = at;
        break;
      default: {
        const unknown: never = event;
        throw new Error(`backtest_results projection: unhandled event ${JSON.stringify(unknown)}`);
      }
    }
    c.updated_at = at;
    c.revision = revision;
  }
  return [...changes.values()];
};

/** Rows per statement: completed jobs carry curves and trades, so a statement is kept to a few megabytes. */
const ROWS_PER_STATEMENT = 25;
/** Cell or window rows per statement (a few hundred bytes each). */
const TABLE_ROWS_PER_STATEMENT = 2000;

const finiteOrNull = (v: number | undefined) => (v === undefined ? null : v);

const insertCells = async (tx: DatabaseTransactionConnection, rows: readonly Record<string, unknown>[]) => {
  await tx.query(sql.unsafe`
    INSERT INTO backtest_grid_cells (job_id, cell, params, score, rank, skipped, headline, sharpe, total_return, max_drawdown, trade_count)
    SELECT job_id, cell, params, score, rank, skipped, headline, sharpe, total_return, max_drawdown, trade_count
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
        job_id text, cell integer, params jsonb, score double precision, rank integer, skipped text, headline jsonb,
        sharpe double precision, total_return double precision, max_drawdown double precision, trade_count double precision)
    ON CONFLICT (job_id, cell) DO NOTHING`);
};

const insertWindows = async (tx: DatabaseTransactionConnection, rows: readonly Record<string, unknown>[]) => {
  await tx.query(sql.unsafe`
    INSERT INTO backtest_walk_forward_windows (job_id, window_index, in_sample, out_of_sample, params, in_sample_score, in_sample_headline,
                                               out_of_sample_headline, sharpe, total_return, max_drawdown, trade_count)
    SELECT job_id, window_index, in_sample, out_of_sample, params, in_sample_score, in_sample_headline,
           out_of_sample_headline, sharpe, total_return, max_drawdown, trade_count
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
        job_id text, window_index integer, in_sample jsonb, out_of_sample jsonb, params jsonb, in_sample_score double precision,
        in_sample_headline jsonb, out_of_sample_headline jsonb, sharpe double precision, total_return double precision,
        max_drawdown double precision, trade_count double precision)
    ON CONFLICT (job_id, window_index) DO NOTHING`);
};

/** Writes the analysis tables of the batch's completed jobs (a job's cells or windows come from its one BacktestCompleted). */
const writeTables = async (tx: DatabaseTransactionConnection, changes: readonly BacktestChange[]) => {
  const cells = changes.flatMap((c) =>
    (c.cells ?? []).map((r) => ({
      job_id: c.job_id,
      cell: r.index,
      params: r.params,
      score: r.score,
      rank: r.rank,
      skipped: r.skipped,
      headline: r.headline,
      sharpe: finiteOrNull(r.headline.sharpe),
      total_return: finiteOrNull(r.headline.totalReturn),
      max_drawdown: finiteOrNull(r.headline.maxDrawdown),
      trade_count: finiteOrNull(r.headline.tradeCount),
    })),
  );
  const windows = changes.flatMap((c) =>
    (c.windows ?? []).map((w) => ({
      job_id: c.job_id,
      window_index: w.index,
      in_sample: w.inSample,
      out_of_sample: w.outOfSample,
      params: w.params,
      in_sample_score: w.inSampleScore,
      in_sample_headline: w.inSampleHeadline,
      out_of_sample_headline: w.outOfSampleHeadline,
      sharpe: finiteOrNull(w.outOfSampleHeadline.sharpe),
      total_return: finiteOrNull(w.outOfSampleHeadline.totalReturn),
      max_drawdown: finiteOrNull(w.outOfSampleHeadline.maxDrawdown),
      trade_count: finiteOrNull(w.outOfSampleHeadline.tradeCount),
    })),
  );
  for (let i = 0; i < cells.length; i += TABLE_ROWS_PER_STATEMENT) await insertCells(tx, cells.slice(i, i + TABLE_ROWS_PER_STATEMENT));
  for (let i = 0; i < windows.length; i += TABLE_ROWS_PER_STATEMENT) await insertWindows(tx, windows.slice(i, i + TABLE_ROWS_PER_STATEMENT));
};

/** The job's row: everything but the analysis tables. */
const jobRow = ({ cells: _cells, windows: _windows, ...row }: BacktestChange) => row;

const upsert = async (tx: DatabaseTransactionConnection, changes: readonly BacktestChange[]) => {
  const rows = changes.map(jobRow);
  await tx.query(sql.unsafe`
    INSERT INTO backtest_results AS b (job_id, status, kind, strategy_id, request, requested_by, symbols, "interval", metrics, settings, per_symbol,
                                       equity, trades, analysis, data_window, data_fingerprint, engine_version, error_code, error,
                                       requested_at, finished_at, updated_at, revision)
    SELECT job_id, status, kind, strategy_id, request, requested_by, symbols, "interval", metrics, settings, per_symbol,
           equity, trades, analysis, data_window, data_fingerprint, engine_version, error_code, error,
           requested_at, finished_at, updated_at, revision
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
        job_id text, status text, kind text, strategy_id uuid, request jsonb, requested_by text, symbols text[], "interval" text,
        metrics jsonb, settings jsonb, per_symbol jsonb, equity jsonb, trades jsonb, analysis jsonb, data_window jsonb, data_fingerprint text,
        engine_version text, error_code text, error text, requested_at timestamptz, finished_at timestamptz,
        updated_at timestamptz, revision bigint)
    ON CONFLICT (job_id) DO UPDATE SET
      status = EXCLUDED.status,
      kind = coalesce(EXCLUDED.kind, b.kind),
      strategy_id = coalesce(EXCLUDED.strategy_id, b.strategy_id),
      request = coalesce(EXCLUDED.request, b.request),
      requested_by = coalesce(EXCLUDED.requested_by, b.requested_by),
      symbols = coalesce(EXCLUDED.symbols, b.symbols),
      "interval" = coalesce(EXCLUDED."interval", b."interval"),
      metrics = coalesce(EXCLUDED.metrics, b.metrics),
      settings = coalesce(EXCLUDED.settings, b.settings),
      per_symbol = coalesce(EXCLUDED.per_symbol, b.per_symbol),
      equity = coalesce(EXCLUDED.equity, b.equity),
      trades = coalesce(EXCLUDED.trades, b.trades),
      analysis = coalesce(EXCLUDED.analysis, b.analysis),
      data_window = coalesce(EXCLUDED.data_window, b.data_window),
      data_fingerprint = coalesce(EXCLUDED.data_fingerprint, b.data_fingerprint),
      engine_version = coalesce(EXCLUDED.engine_version, b.engine_version),
      error_code = coalesce(EXCLUDED.error_code, b.error_code),
      error = coalesce(EXCLUDED.error, b.error),
      requested_at = coalesce(EXCLUDED.requested_at, b.requested_at),
      finished_at = coalesce(EXCLUDED.finished_at, b.finished_at),
      updated_at = EXCLUDED.updated_at,
      revision = EXCLUDED.revision
    WHERE b.revision < EXCLUDED.revision`);
};

export const backtestResultsProjection: Projection<BacktestEvent> = {
  name: 'backtest_results',
  // 2: the analysis table moved to backtest_grid_cells / backtest_walk_forward_windows, the row keeps its summary.
  version: 2,
  filter: { categories: [BACKTEST_CATEGORY], eventTypes: BACKTEST_EVENT_TYPES },
  tables: ['backtest_results', 'backtest_grid_cells', 'backtest_walk_forward_windows'],
  async applyBatch(tx, events) {
    const changes = foldBacktestBatch(events);
    for (let i = 0; i < changes.length; i += ROWS_PER_STATEMENT) await upsert(tx, changes.slice(i, i + ROWS_PER_STATEMENT));
    await writeTables(tx, changes);
  },
};
