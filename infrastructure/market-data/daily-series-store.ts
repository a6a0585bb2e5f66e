// Daily observations in PostgreSQL (table daily_observations, migrations/…sentiment-macro.sql).
// A write inserts what is new, counts what is already there identically, and reports — never overwrites —
// a stored row that disagrees, so a re-import is harmless and a changed source does not rewrite history silently.
import type pg from 'pg';
import { pgPoolFrom, type PgPoolHandle, type PgPoolSource } from '../db/pg-pool.js';
import type { DailyConflict, DailySeriesBounds, DailySeriesStore, DailyWriteResult } from '../../application/ports/daily-series-store.js';
import type { DailyObservation, DailySeries, Day, SeriesId } from '../../domain/market/daily-series.js';

export type PostgresDailySeriesStoreOptions = PgPoolSource;

interface StoredRow {
  series: string;
  day: string;
  value: number;
  label: string | null;
  volume: number | null;
  source: string;
  published_ms: number;
}

const CHUNK = 5000;
const SELECT_COLUMNS = `series, day::text AS day, value, label, volume, source, (extract(epoch FROM published_at) * 1000)::float8 AS published_ms`;

const keyOf = (series: string, day: string) => `${series} ${day}`;

const differences = (stored: StoredRow, o: DailyObservation): string[] => {
  const diffs: string[] = [];
  if (stored.value !== o.value) diffs.push(`value ${stored.value} ≠ ${o.value}`);
  if ((stored.label ?? undefined) !== o.label) diffs.push(`label ${stored.label ?? '(none)'} ≠ ${o.label ?? '(none)'}`);
  if ((stored.volume ?? undefined) !== o.volume) diffs.push(`volume ${stored.volume ?? '(none)'} ≠ ${o.volume ?? '(none)'}`);
  if (stored.published_ms !== o.publishedAt)
    diffs.push(`published at ${new Date(stored.published_ms).toISOString()} ≠ ${new Date(o.publishedAt).toISOString()}`);
  return diffs;
};

const checkObservation = (o: DailyObservation): void => {
  // The parsers refuse these rows; reaching the store with one is a bug upstream, not a bad input row.
  if (!Number.isFinite(o.value)) throw new RangeError(`${o.series} ${o.day}: value ${o.value} is not a finite number`);
  if (!Number.isFinite(o.publishedAt)) throw new RangeError(`${o.series} ${o.day}: publication time ${o.publishedAt} is not a finite number`);
  if (o.volume !== undefined && !(Number.isFinite(o.volume) && o.volume >= 0))
    throw new RangeError(`${o.series} ${o.day}: volume ${o.volume} is not a non-negative number`);
};

export class PostgresDailySeriesStore implements DailySeriesStore {
  private readonly handle: PgPoolHandle;
  private readonly pool: pg.Pool;

  constructor(options: PostgresDailySeriesStoreOptions) {
    this.handle = pgPoolFrom(options);
    this.pool = this.handle.pool;
  }

  async write(observations: readonly DailyObservation[]): Promise<DailyWriteResult> {
    observations.forEach(checkObservation);
    let inserted = 0;
    let unchanged = 0;
    const conflicts: DailyConflict[] = [];
    for (let start = 0; start < observations.length; start += CHUNK) {
      const chunk = observations.slice(start, start + CHUNK);
      // Duplicates inside one INSERT … DO NOTHING are skipped like stored rows, then compared below like them.
      const { rows: added } = await this.pool.query<{ series: string; day: string }>(
        `INSERT INTO daily_observations (series, day, value, label, volume, source, published_at)
         SELECT * FROM unnest($1::text[], $2::date[], $3::float8[], $4::text[], $5::float8[], $6::text[], $7::timestamptz[])
         ON CONFLICT (series, day) DO NOTHING
         RETURNING series, day::text AS day`,
        [
          chunk.map((o) => o.series),
          chunk.map((o) => o.day),
          chunk.map((o) => o.value),
          chunk.map((o) => o.label ?? null),
          chunk.map((o) => o.volume ?? null),
          chunk.map((o) => o.source),
          chunk.map((o) => new Date(o.publishedAt).toISOString()),
        ],
      );
      inserted += added.length;
      const insertedKeys = new Set(added.map((r) => keyOf(r.series, r.day)));
      // A duplicate in the chunk shares its key with the inserted row: only its first occurrence was inserted.
      const rest: DailyObservation[] = [];
      for (const o of chunk) {
        const k = keyOf(o.series, o.day);
        if (insertedKeys.has(k)) insertedKeys.delete(k);
        else rest.push(o);
      }
      if (rest.length === 0) continue;
      // A separate statement (read committed) also sees rows a concurrent importer committed after our INSERT began.
      const { rows: stored } = await this.pool.query<StoredRow>(
        `SELECT ${SELECT_COLUMNS} FROM daily_observations
         WHERE (series, day) IN (SELECT * FROM unnest($1::text[], $2::date[]))`,
        [rest.map((o) => o.series), rest.map((o) => o.day)],
      );
      const byKey = new Map(stored.map((r) => [keyOf(r.series, r.day), r]));
      for (const o of rest) {
        const s = byKey.get(keyOf(o.series, o.day));
        if (!s) throw new Error(`${o.series} ${o.day} was neither inserted nor found (deleted concurrently?)`);
        const diffs = differences(s, o);
        if (diffs.length === 0) {
          unchanged += 1;
          continue;
        }
        conflicts.push({
          series: o.series,
          day: o.day,
          reason: diffs.join('; '),
          stored: { value: s.value, label: s.label ?? undefined, volume: s.volume ?? undefined, publishedAt: s.published_ms, source: s.source },
          incoming: { value: o.value, label: o.label, volume: o.volume, publishedAt: o.publishedAt, source: o.source },
        });
      }
    }
    return { inserted, unchanged, conflicts };
  }

  async read(series: SeriesId, range: { readonly from?: Day; readonly to?: Day } = {}): Promise<DailySeries> {
    const { rows } = await this.pool.query<StoredRow>(
      `SELECT ${SELECT_COLUMNS} FROM daily_observations
       WHERE series = $1 AND ($2::date IS NULL OR day >= $2::date) AND ($3::date IS NULL OR day <= $3::date)
       ORDER BY day`,
      [series, range.from ?? null, range.to ?? null],
    );
    const n = rows.length;
    const out = {
      series,
      length: n,
      day: rows.map((r) => r.day as Day),
      value: new Float64Array(n),
      publishedAt: new Float64Array(n),
      volume: new Float64Array(n),
      label: rows.map((r) => r.label ?? undefined),
    };
    rows.forEach((r, i) => {
      out.value[i] = r.value;
      out.publishedAt[i] = r.published_ms;
      out.volume[i] = r.volume ?? NaN;
    });
    return out;
  }

  async list(): Promise<readonly DailySeriesBounds[]> {
    const { rows } = await this.pool.query<{ series: string; first: string; last: string; count: string }>(
      `SELECT series, min(day)::text AS first, max(day)::text AS last, count(*)::text AS count
       FROM daily_observations GROUP BY series ORDER BY series`,
    );
    return rows.map((r) => ({ series: r.series as SeriesId, first: r.first as Day, last: r.last as Day, count: Number(r.count) }));
  }

  async close(): Promise<void> {
    await this.handle.release();
  }
}
