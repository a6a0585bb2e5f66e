// System: the health of each part (database, broker, projections with their lag, the mirror, quarantined events,
// data collection, live trading), recent errors and logs (when the log store is there), alerts (when they are).
import { useState } from 'preact/hooks';
import { useApi, Loaded, Section, Table, when } from '../components.js';

interface Projection {
  readonly name: string;
  readonly lag: number;
  readonly version: number;
  readonly storedVersion: number | null;
  readonly updatedAt: string | null;
  readonly stopped: unknown;
}
interface Health {
  readonly healthy: boolean;
  readonly status: string;
  readonly unhealthy: readonly string[];
  readonly degraded: readonly string[];
  readonly database: { readonly ok: boolean; readonly latencyMs?: number; readonly error?: string };
  readonly broker: { readonly ok: boolean; readonly kind: string };
  readonly projections: readonly Projection[] | { readonly error: string };
  readonly mirror: { readonly lag?: number; readonly error?: string };
  readonly quarantined: readonly unknown[] | { readonly error: string };
  readonly liveTrading?: { readonly status: string; readonly reason?: string };
}
type Row = Readonly<Record<string, unknown>>;

export const SystemView = () => {
  const health = useApi<Health>('/health', () => true);
  const [level, setLevel] = useState('warn');
  const [q, setQ] = useState('');
  const logs = useApi<unknown>(`/api/logs?level=${level}${q ? `&q=${encodeURIComponent(q)}` : ''}`, () => false);
  const alerts = useApi<unknown>('/api/alerts', (n) => n.stream.startsWith('alert'));
  return (
    <div class="view" data-view="system">
      <h1>System</h1>
      <Loaded load={health} what="Health">
        {(h) => (
          <>
            <Section title="Health" id="health">
              <p>
                Status{' '}
                <span class={`badge health-${h.status}`} data-health={h.status}>
                  {h.status}
                </span>
                {h.unhealthy.length ? ` · unhealthy: ${h.unhealthy.join(', ')}` : ''}
                {h.degraded.length ? ` · degraded: ${h.degraded.join(', ')}` : ''}
              </p>
              <table class="compare">
                <tbody>
                  <tr>
                    <td>Database</td>
                    <td>{h.database.ok ? `ok (${h.database.latencyMs ?? '?'} ms)` : `down: ${h.database.error ?? ''}`}</td>
                  </tr>
                  <tr>
                    <td>Broker</td>
                    <td>
                      {h.broker.kind}: {h.broker.ok ? 'ok' : 'down'}
                    </td>
                  </tr>
                  <tr>
                    <td>Mirror lag</td>
                    <td data-mirror-lag>{h.mirror.lag ?? h.mirror.error ?? '—'} events</td>
                  </tr>
                  <tr>
                    <td>Quarantined events</td>
                    <td>{Array.isArray(h.quarantined) ? h.quarantined.length : 'unknown'}</td>
                  </tr>
                  <tr>
                    <td>Live trading</td>
                    <td>
                      {h.liveTrading?.status ?? '—'} {h.liveTrading?.reason ?? ''}
                    </td>
                  </tr>
                </tbody>
              </table>
            </Section>
            <Section title="Projections" id="projections">
              {Array.isArray(h.projections) ? (
                <Table
                  name="projections"
                  rows={h.projections as readonly Projection[]}
                  columns={[
                    { title: 'Read model', cell: (p) => p.name, text: (p) => p.name },
                    { title: 'Lag (events)', cell: (p) => <span data-lag={p.name}>{p.lag}</span> },
                    { title: 'Version', cell: (p) => `${p.version}${p.storedVersion !== p.version ? ` (stored ${p.storedVersion ?? 'none'})` : ''}` },
                    { title: 'Updated', cell: (p) => when(p.updatedAt) },
                    { title: 'Stopped', cell: (p) => (p.stopped ? JSON.stringify(p.stopped) : 'no'), text: (p) => (p.stopped ? 'stopped' : '') },
                  ]}
                />
              ) : (
                <p class="failure">{(h.projections as { error: string }).error}</p>
              )}
            </Section>
          </>
        )}
      </Loaded>
      <Section title="Alerts" id="alerts">
        <Loaded load={alerts} what="Alerts">
          {(a) => <Rows value={a} name="alerts" />}
        </Loaded>
      </Section>
      <Section title="Recent errors and logs" id="logs">
        <div class="table-tools">
          <label>
            Level{' '}
            <select value={level} onChange={(e) => setLevel((e.target as HTMLSelectElement).value)}>
              {['error', 'warn', 'info', 'debug'].map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
          </label>
          <input type="search" placeholder="Search the logs…" value={q} onChange={(e) => setQ((e.target as HTMLInputElement).value)} />
        </div>
        <Loaded load={logs} what="Logs">
          {(l) => <Rows value={l} name="logs" />}
        </Loaded>
      </Section>
    </div>
  );
};

/** A list answer shown as a table of its rows, whatever its fields. */
const Rows = ({ value, name }: { value: unknown; name: string }) => {
  const rows = (Array.isArray(value) ? value : (Object.values(value as object).find(Array.isArray) ?? [])) as Row[];
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].slice(0, 8);
  return (
    <Table
      name={name}
      rows={rows}
      empty="Nothing recorded."
      columns={keys.map((k) => ({
        title: k,
        cell: (r: Row) => (typeof r[k] === 'object' && r[k] !== null ? JSON.stringify(r[k]).slice(0, 200) : String(r[k] ?? '—')),
        text: (r: Row) => String(r[k] ?? ''),
      }))}
    />
  );
};
