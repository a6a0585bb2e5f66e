// The operator's settings on the pipeline: the most strategies live at once (maxActiveStrategies) and the kill switch
// of a live account. Each asks for a reason; admin only (the server decides).
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useApi, Section } from '../components.js';
import { mayAdminister, WhoContext } from '../role.js';
import type { Ranking } from './strategies.js';

export const OperatorSettings = () => {
  const who = useContext(WhoContext);
  const ranking = useApi<Ranking>('/api/ranking', (n) => n.stream === 'settings' || n.stream.startsWith('risk-') || n.stream.startsWith('strategy-'));
  const [max, setMax] = useState('');
  const [account, setAccount] = useState('');
  const [engage, setEngage] = useState(true);
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  if (!mayAdminister(who))
    return (
      <Section title="Settings and kill switch" id="operator-settings">
        <p class="muted">Changing settings or the kill switch needs the admin role; you are signed in as {who.role ?? 'unknown'}.</p>
      </Section>
    );
  const live = ranking.state === 'ok' ? ranking.value.strategies.filter((s) => s.state === 'Live') : [];
  const send = async (what: 'max' | 'kill') => {
    if (reason.trim().length === 0) return setOutcome({ ok: false, text: 'A reason is required.' });
    const r =
      what === 'max'
        ? await call<unknown>('POST', '/api/settings/maxActiveStrategies', { value: Number(max), reason: reason.trim() })
        : await call<unknown>('POST', `/api/risk/${encodeURIComponent(account)}/${engage ? 'kill' : 'release'}`, {
            ...(engage ? {} : { trigger: 'manual' }),
            reason: reason.trim(),
          });
    if (r.ok) {
      setOutcome({ ok: true, text: what === 'max' ? `maxActiveStrategies is now ${max}.` : `Kill switch ${engage ? 'engaged' : 'released'} on ${account}.` });
      setReason('');
      ranking.reload();
    } else setOutcome({ ok: false, text: r.failure.message });
  };
  return (
    <Section title="Settings and kill switch" id="operator-settings">
      <div class="settings-form">
        <label>
          Reason (required)
          <input name="settings-reason" value={reason} maxLength={2000} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </label>
        <div>
          <label>
            Max active strategies (now {ranking.state === 'ok' ? ranking.value.maxActiveStrategies : '…'}){' '}
            <input name="max-active" type="number" min={1} max={10} value={max} onInput={(e) => setMax((e.target as HTMLInputElement).value)} />
          </label>
          <button data-action="set-max-active" disabled={max === ''} onClick={() => void send('max')}>
            Change
          </button>
        </div>
        <div>
          <label>
            Kill switch of{' '}
            <select name="kill-account" value={account} onChange={(e) => setAccount((e.target as HTMLSelectElement).value)}>
              <option value="">choose a live account</option>
              {live.map((s) => (
                <option key={s.strategyId} value={`live-${s.strategyId}`}>
                  live-{s.strategyId.slice(0, 8)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={engage} onChange={(e) => setEngage((e.target as HTMLInputElement).checked)} /> engage (unchecked: release)
          </label>
          <button class="danger" data-action="kill-switch" disabled={account === ''} onClick={() => void send('kill')}>
            {engage ? 'Engage kill switch' : 'Release kill switch'}
          </button>
        </div>
        {outcome ? (
          <p class={outcome.ok ? 'outcome ok' : 'outcome failed'} role="status">
            {outcome.text}
          </p>
        ) : null}
      </div>
    </Section>
  );
};
