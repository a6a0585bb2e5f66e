// The operator's overrides on a strategy: start paper, activate, deactivate, retire, pin, unpin. Each asks for a
// reason (required), calls POST /api/strategies/:id/<command> and shows the outcome; the audit and the strategy's
// history then show the actor. Hidden for a viewer; the server decides anyway.
import { useContext, useState } from 'preact/hooks';
import { call } from '../api.js';
import { mayOperate, WhoContext } from '../role.js';
import type { Ranking } from './strategies.js';

type Command = 'start-paper' | 'activate' | 'deactivate' | 'retire' | 'pin' | 'unpin';
const LABEL: Record<Command, string> = {
  'start-paper': 'Start paper',
  activate: 'Activate',
  deactivate: 'Deactivate',
  retire: 'Retire',
  pin: 'Pin',
  unpin: 'Unpin',
};

/** The commands that make sense in a state (the server refuses the others with 409 anyway). */
const available = (state: string, pinned: boolean): Command[] => {
  const base = state.replace(/\(.*$/, '');
  const lifecycle: Command[] =
    base === 'Filtered'
      ? ['start-paper', 'retire']
      : base === 'Paper'
        ? ['activate', 'retire']
        : base === 'Live'
          ? ['deactivate', 'retire']
          : base === 'Retired'
            ? []
            : ['retire'];
  return base === 'Retired' ? [] : [...lifecycle, pinned ? 'unpin' : 'pin'];
};

/** The decision an operator's activation carries: the policy's figures for this strategy, its weights, one activation. */
const manualDecision = (strategyId: string, ranking: Ranking) => {
  const row = ranking.strategies.find((s) => s.strategyId === strategyId);
  if (!row) return undefined;
  const live = ranking.strategies.filter((s) => s.state === 'Live');
  const candidates = ranking.strategies
    .filter((s) => s.state === 'Paper' || s.state === 'Live')
    .slice(0, 50)
    .map((s) => ({ strategyId: s.strategyId, score: s.score, parts: s.parts, live: s.state === 'Live', breached: s.breaches.length > 0 }));
  return {
    score: row.score,
    scoreParts: row.parts,
    candidates,
    thresholds: {},
    maxActiveStrategies: ranking.maxActiveStrategies,
    activeStrategies: live.length,
    weights: ranking.weights,
    activations: [strategyId],
    deactivations: [],
  };
};

export const Overrides = ({
  strategyId,
  state,
  pinned,
  ranking,
  onDone,
}: {
  strategyId: string;
  state: string;
  pinned: boolean;
  ranking: Ranking | undefined;
  onDone: () => void;
}) => {
  const who = useContext(WhoContext);
  const [open, setOpen] = useState<Command | undefined>();
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const commands = available(state, pinned);
  if (commands.length === 0) return null;
  if (!mayOperate(who))
    return (
      <p class="muted" data-overrides="hidden">
        Overrides need the operator role; you are signed in as {who.role ?? 'unknown'}.
      </p>
    );
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!open) return;
    if (reason.trim().length === 0) {
      setOutcome({ ok: false, text: 'A reason is required.' });
      return;
    }
    const decision = open === 'activate' && ranking ? manualDecision(strategyId, ranking) : undefined;
    if (open === 'activate' && !decision) {
      setOutcome({ ok: false, text: 'This strategy is not in the ranking: it cannot be weighed for activation.' });
      return;
    }
    setBusy(true);
    const r = await call<{ state: string; revision: number }>('POST', `/api/strategies/${strategyId}/${open}`, {
      reason: reason.trim(),
      ...(decision ? { decision } : {}),
    });
    setBusy(false);
    if (r.ok) {
      setOutcome({ ok: true, text: `${LABEL[open]}: done — now ${r.value.state} (revision ${r.value.revision}), recorded as ${who.actor}.` });
      setOpen(undefined);
      setReason('');
      onDone();
    } else setOutcome({ ok: false, text: `${LABEL[open]} refused: ${r.failure.message}` });
  };
  return (
    <div class="overrides" data-overrides="shown">
      {commands.map((c) => (
        <button
          key={c}
          class={c === 'retire' || c === 'deactivate' ? 'danger' : ''}
          data-command={c}
          onClick={() => {
            setOpen(c);
            setOutcome(undefined);
          }}
        >
          {LABEL[c]}
        </button>
      ))}
      {open ? (
        <form class="dialog" onSubmit={submit} data-dialog={open}>
          <label>
            Why {LABEL[open].toLowerCase()} this strategy? (required, goes into the audit)
            <textarea name="reason" required maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
          </label>
          <button type="submit" disabled={busy}>
            Confirm {LABEL[open].toLowerCase()}
          </button>
          <button type="button" onClick={() => setOpen(undefined)}>
            Cancel
          </button>
        </form>
      ) : null}
      {outcome ? (
        <p class={outcome.ok ? 'outcome ok' : 'outcome failed'} role="status" data-outcome={outcome.ok ? 'ok' : 'failed'}>
          {outcome.text}
        </p>
      ) : null}
    </div>
  );
};
