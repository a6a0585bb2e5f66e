// System: the health of each part (database, broker, projections with their lag, the mirror, quarantined events,
// data collection, live trading), the alerts (alerts-panel.tsx) and the stored logs (logs-panel.tsx).
import { useApi, Loaded, Section, Table, when } from '../components.js';
import { AlertsPanel } from './alerts-panel.js';
import { LogsPanel } from './logs-panel.js';

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

export const SystemView = () => {
  const health = useApi<Health>('/health', () => true);
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
        <AlertsPanel />
      </Section>
      <Section title="Logs" id="logs">
        <LogsPanel />
      </Section>
    </div>
  );
};
