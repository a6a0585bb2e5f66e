// Shared pieces of the views: data loading that refreshes on live notices, the panels that say what went wrong, a
// filterable, paged table, and number formats.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { get, type ApiFailure } from './api.js';
import { onChange, type ChangeNotice } from './live.js';

export type Load<T> = { readonly state: 'loading' } | { readonly state: 'ok'; readonly value: T } | { readonly state: 'failed'; readonly failure: ApiFailure };

/** GETs `path`; again when a live notice matches `affects` (debounced), and every 15 s while the API is unreachable. */
export const useApi = <T,>(path: string | undefined, affects: (n: ChangeNotice) => boolean = () => true): Load<T> & { reload: () => void } => {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const affectsRef = useRef(affects);
  affectsRef.current = affects;
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    void get<T>(path).then((r) => {
      if (!live) return;
      setLoad(r.ok ? { state: 'ok', value: r.value } : { state: 'failed', failure: r.failure });
    });
    return () => {
      live = false;
    };
  }, [path, tick]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onChange((n) => {
      if (n !== 'reset' && !affectsRef.current(n)) return;
      clearTimeout(timer);
      timer = setTimeout(() => setTick((x) => x + 1), 250);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, []);
  useEffect(() => {
    if (load.state !== 'failed' || load.failure.kind !== 'unreachable') return;
    const t = setTimeout(() => setTick((x) => x + 1), 15_000);
    return () => clearTimeout(t);
  }, [load]);
  return { ...load, reload: () => setTick((x) => x + 1) };
};

export const Failure = ({ failure, what }: { failure: ApiFailure; what: string }) => (
  <div class={`panel failure ${failure.kind}`} role="alert" data-failure={failure.kind}>
    <strong>
      {failure.kind === 'notAvailable'
        ? `${what}: not available`
        : failure.kind === 'unreachable'
          ? 'The API is unreachable'
          : failure.kind === 'notFound'
            ? `${what}: not found`
            : `${what}: could not be loaded`}
    </strong>
    <p>{failure.message}</p>
  </div>
);

/** Renders `children(value)` once loaded; a clear panel otherwise. */
export const Loaded = <T,>({ load, what, children }: { load: Load<T>; what: string; children: (v: T) => ComponentChildren }) =>
  load.state === 'loading' ? (
    <div class="panel loading">Loading {what}…</div>
  ) : load.state === 'failed' ? (
    <Failure failure={load.failure} what={what} />
  ) : (
    <>{children(load.value)}</>
  );

export const Section = ({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) => (
  <section class="section" data-section={id ?? title}>
    <h2>{title}</h2>
    {children}
  </section>
);

export interface Column<R> {
  readonly title: string;
  readonly cell: (r: R) => ComponentChildren;
  /** The text the filter matches (default: none). */
  readonly text?: (r: R) => string;
}

/**
 * A table over rows in memory with a text filter and pages of `pageSize`. `serverPaged`: the rows are one page the
 * server gave (its own pager beside the table moves between pages), so the table shows them all and no second pager.
 */
export const Table = <R,>({
  rows,
  columns,
  pageSize: rowsPerPage = 20,
  name,
  empty,
  serverPaged = false,
}: {
  rows: readonly R[];
  columns: readonly Column<R>[];
  pageSize?: number;
  name: string;
  empty?: string;
  serverPaged?: boolean;
}) => {
  const pageSize = serverPaged ? Math.max(1, rows.length) : rowsPerPage;
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    if (!f) return rows;
    return rows.filter((r) => columns.some((c) => c.text?.(r).toLowerCase().includes(f)));
  }, [rows, filter, columns]);
  const pages = Math.max(1, Math.ceil(shown.length / pageSize));
  const p = Math.min(page, pages - 1);
  return (
    <div class="table" data-table={name}>
      <div class="table-tools">
        <input
          type="search"
          placeholder="Filter…"
          aria-label={`Filter ${name}`}
          value={filter}
          onInput={(e) => {
            setFilter((e.target as HTMLInputElement).value);
            setPage(0);
          }}
        />
        <span class="muted">
          {shown.length} of {rows.length}
        </span>
        {serverPaged ? null : (
          <span class="pager">
            <button disabled={p === 0} onClick={() => setPage(p - 1)}>
              ‹ Prev
            </button>
            <span>
              page {p + 1} / {pages}
            </span>
            <button disabled={p >= pages - 1} onClick={() => setPage(p + 1)}>
              Next ›
            </button>
          </span>
        )}
      </div>
      {shown.length === 0 ? (
        <p class="muted empty">{empty ?? 'Nothing to show.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.title}>{c.title}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.slice(p * pageSize, (p + 1) * pageSize).map((r, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c.title}>{c.cell(r)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
};

export const num = (n: unknown, digits = 2): string => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(digits) : '—');
export const pct = (n: unknown, digits = 2): string => (typeof n === 'number' && Number.isFinite(n) ? `${(n * 100).toFixed(digits)}%` : '—');
export const money = (n: unknown): string =>
  typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '—';
export const when = (s: unknown): string => (typeof s === 'string' ? s.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
export const short = (id: string) => id.slice(0, 8);
export const duration = (ms: unknown): string => {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
};

export const StateBadge = ({ state }: { state: string }) => <span class={`badge state-${state.replace(/\W.*$/, '').toLowerCase()}`}>{state}</span>;

export const Link = ({ to, children }: { to: string; children: ComponentChildren }) => (
  <a
    href={to}
    onClick={(e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      history.pushState(null, '', to);
      dispatchEvent(new PopStateEvent('popstate'));
    }}
  >
    {children}
  </a>
);
export const StrategyLink = ({ id }: { id: string }) => (
  <Link to={`/strategies/${id}`}>
    <code title={id}>{short(id)}</code>
  </Link>
);
