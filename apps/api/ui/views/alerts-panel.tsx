// The alerts (GET /api/alerts, doc/alerts.md) on the System view: filtered by state and severity, paged by the API's
// cursor, each with its figures and who acknowledged it. An operator acknowledges an open alert with a reason (POST
// /api/alerts/:id/acknowledge); a viewer sees no button — the server refuses it anyway (route-roles.ts).
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useApi, Loaded, Table, when } from '../components.js';
import { CursorPager, useCursorPages } from '../cursor-pages.js';
import { mayOperate, WhoContext } from '../role.js';

export interface AlertRow {
  readonly alertId: string;
  readonly rule: string;
  readonly severity: string;
  readonly subject: string;
  readonly message: string;
  readonly state: 'open' | 'resolved';
  readonly count: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly resolvedBy: string | null;
  readonly resolution: string | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgement: string | null;
}
interface AlertsPage {
  readonly alerts: readonly AlertRow[];
  readonly nextCursor: string | null;
}

const PAGE = 20;

const Acknowledge = ({ alert, onDone }: { alert: AlertRow; onDone: () => void }) => {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  if (!open)
    return (
      <>
        <button data-acknowledge={alert.alertId} onClick={() => setOpen(true)}>
          Acknowledge
        </button>
        {outcome ? (
          <span class={outcome.ok ? 'outcome ok' : 'outcome failed'} data-ack-outcome={outcome.ok ? 'ok' : 'failed'}>
            {outcome.text}
          </span>
        ) : null}
      </>
    );
  return (
    <form
      class="dialog"
      data-ack-dialog={alert.alertId}
      onSubmit={async (e) => {
        e.preventDefault();
        if (reason.trim().length === 0) return setOutcome({ ok: false, text: 'A reason is required.' });
        const r = await call<{ state: string }>('POST', `/api/alerts/${alert.alertId}/acknowledge`, { reason: reason.trim() });
        setOpen(false);
        setOutcome(r.ok ? { ok: true, text: `acknowledged (${r.value.state})` } : { ok: false, text: r.failure.message });
        if (r.ok) onDone();
      }}
    >
      <label>
        Why? (required, goes into the alert's history)
        <textarea name="ack-reason" required maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      </label>
      <button type="submit">Confirm</button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
};

export const AlertsPanel = () => {
  const who = useContext(WhoContext);
  const [state, setState] = useState('');
  const [severity, setSeverity] = useState('');
  const filters = [`limit=${PAGE}`, state ? `state=${state}` : '', severity ? `severity=${severity}` : ''].filter(Boolean).join('&');
  const pages = useCursorPages(filters);
  const alerts = useApi<AlertsPage>(`/api/alerts?${pages.query}`, (n) => n.stream.startsWith('alert'));
  return (
    <div data-alerts>
      <div class="table-tools">
        <label>
          State{' '}
          <select name="alert-state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            <option value="open">open</option>
            <option value="resolved">resolved</option>
          </select>
        </label>
        <label>
          Severity{' '}
          <select name="alert-severity" value={severity} onChange={(e) => setSeverity((e.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            <option value="critical">critical</option>
            <option value="warning">warning</option>
            <option value="info">info</option>
          </select>
        </label>
        {alerts.state === 'ok' ? (
          <CursorPager name="alerts" page={pages.page} nextCursor={alerts.value.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
        ) : null}
      </div>
      <Loaded load={alerts} what="Alerts">
        {(a) => (
          <Table
            name="alerts"
            rows={a.alerts}
            serverPaged
            empty="No alert matches."
            columns={[
              {
                title: 'Severity',
                cell: (r) => (
                  <span class={`badge severity-${r.severity}`} data-severity={r.severity}>
                    {r.severity}
                  </span>
                ),
                text: (r) => r.severity,
              },
              { title: 'Rule', cell: (r) => <span data-rule={r.rule}>{r.rule}</span>, text: (r) => r.rule },
              { title: 'Subject', cell: (r) => r.subject, text: (r) => r.subject },
              { title: 'Message', cell: (r) => r.message, text: (r) => r.message },
              { title: 'State', cell: (r) => <span data-alert-state={r.state}>{r.state}</span>, text: (r) => r.state },
              { title: 'Seen', cell: (r) => `${r.count}× ${when(r.firstSeenAt)} → ${when(r.lastSeenAt)}` },
              {
                title: 'Acknowledged / resolved',
                cell: (r) =>
                  r.acknowledgedBy ? (
                    <span data-acknowledged-by={r.acknowledgedBy}>
                      {r.acknowledgedBy}: {r.acknowledgement}
                    </span>
                  ) : r.resolvedBy ? (
                    `${r.resolvedBy}: ${r.resolution ?? ''}`
                  ) : r.state === 'open' && mayOperate(who) ? (
                    <Acknowledge alert={r} onDone={alerts.reload} />
                  ) : (
                    '—'
                  ),
                text: (r) => `${r.acknowledgedBy ?? ''} ${r.acknowledgement ?? ''} ${r.resolvedBy ?? ''}`,
              },
            ]}
          />
        )}
      </Loaded>
    </div>
  );
};
