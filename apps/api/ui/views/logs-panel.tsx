// The services' stored logs (GET /api/logs, doc/observability.md) on the System view: by service, level and above,
// time range (UTC; the API's default is the last 24 hours) and full text, newest first, paged by the API's cursor.
// The filters apply on "Search" so typing sends no request per key.
import { useState } from 'preact/hooks';
import { useApi, Loaded, Table, when } from '../components.js';
import { CursorPager, useCursorPages } from '../cursor-pages.js';

interface LogRow {
  readonly id: string;
  readonly time: string;
  readonly service: string;
  readonly level: number;
  readonly levelName: string;
  readonly msg: string;
  readonly record: Readonly<Record<string, unknown>>;
}
interface LogsPage {
  readonly from: string;
  readonly to: string;
  readonly logs: readonly LogRow[];
  readonly nextCursor: string | null;
}
interface LogFilters {
  readonly service: string;
  readonly level: string;
  readonly from: string;
  readonly to: string;
  readonly q: string;
}

const PAGE = 50;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
/** A datetime-local value read as UTC ("2024-03-01T10:00" → "2024-03-01T10:00:00Z"). */
const utc = (local: string) => (local ? `${local.length === 16 ? `${local}:00` : local}Z` : '');
const queryOf = (f: LogFilters) =>
  [
    `limit=${PAGE}`,
    f.service.trim() ? `service=${encodeURIComponent(f.service.trim())}` : '',
    f.level ? `level=${f.level}` : '',
    f.from ? `from=${encodeURIComponent(utc(f.from))}` : '',
    f.to ? `to=${encodeURIComponent(utc(f.to))}` : '',
    f.q.trim() ? `q=${encodeURIComponent(f.q.trim())}` : '',
  ]
    .filter(Boolean)
    .join('&');

/** Fields of a record beyond the columns, shortened. */
const extra = (r: LogRow) => {
  const { level: _l, time: _t, msg: _m, service: _s, pid: _p, hostname: _h, ...rest } = r.record;
  const text = JSON.stringify(rest);
  return text === '{}' ? '' : text.slice(0, 300);
};

export const LogsPanel = () => {
  const [draft, setDraft] = useState<LogFilters>({ service: '', level: 'warn', from: '', to: '', q: '' });
  const [applied, setApplied] = useState<LogFilters>(draft);
  const pages = useCursorPages(queryOf(applied));
  const logs = useApi<LogsPage>(`/api/logs?${pages.query}`, () => false);
  const field = (name: keyof LogFilters) => (e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value });
  return (
    <div data-logs>
      <form
        class="table-tools log-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
          logs.reload();
        }}
      >
        <label>
          Service <input name="log-service" size={10} maxLength={64} value={draft.service} onInput={field('service')} />
        </label>
        <label>
          Level ≥{' '}
          <select name="log-level" value={draft.level} onChange={field('level')}>
            <option value="">any</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          From (UTC) <input name="log-from" type="datetime-local" value={draft.from} onInput={field('from')} />
        </label>
        <label>
          To (UTC) <input name="log-to" type="datetime-local" value={draft.to} onInput={field('to')} />
        </label>
        <input name="log-q" type="search" placeholder="Full text…" maxLength={200} value={draft.q} onInput={field('q')} />
        <button type="submit" data-action="search-logs">
          Search
        </button>
      </form>
      <Loaded load={logs} what="Logs">
        {(l) => (
          <>
            <p class="muted">
              {when(l.from)} → {when(l.to)} ·{' '}
              <CursorPager name="logs" page={pages.page} nextCursor={l.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
            </p>
            <Table
              name="logs"
              rows={l.logs}
              serverPaged
              empty="No log record matches."
              columns={[
                { title: 'Time', cell: (r) => when(r.time), text: (r) => r.time },
                { title: 'Service', cell: (r) => <span data-log-service={r.service}>{r.service}</span>, text: (r) => r.service },
                {
                  title: 'Level',
                  cell: (r) => (
                    <span class={`badge level-${r.levelName}`} data-log-level={r.levelName}>
                      {r.levelName}
                    </span>
                  ),
                  text: (r) => r.levelName,
                },
                { title: 'Message', cell: (r) => <span data-log-msg>{r.msg}</span>, text: (r) => r.msg },
                { title: 'Fields', cell: (r) => <code>{extra(r)}</code>, text: extra },
              ]}
            />
          </>
        )}
      </Loaded>
    </div>
  );
};
