// Activation audit: every activation and deactivation with its score, its parts and their inputs, the candidates it
// was weighed against, and who decided it (the policy, or an operator's key).
import { useApi, Loaded, Table, StrategyLink, num, when } from '../components.js';

interface AuditRow {
  readonly eventId: string;
  readonly strategyId: string;
  readonly action: string;
  readonly decidedBy: string;
  readonly reason: string;
  readonly score: number | null;
  readonly scoreParts: Readonly<Record<string, number>> | null;
  readonly candidates: readonly { readonly strategyId: string; readonly score: number; readonly live?: boolean }[] | null;
  readonly maxActiveStrategies: number | null;
  readonly activeStrategies: number | null;
  readonly occurredAt: string;
  readonly decision?: {
    readonly inputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly weights?: Readonly<Record<string, number>>;
  } | null;
}

const inputs = (r: AuditRow) =>
  Object.entries(r.decision?.inputs ?? {})
    .map(
      ([part, v]) =>
        `${part}: ${Object.entries(v)
          .map(([k, x]) => `${k} ${typeof x === 'number' ? num(x, 3) : String(x)}`)
          .join(', ')}`,
    )
    .join(' · ');

export const AuditView = () => {
  const audit = useApi<{ activations: readonly AuditRow[] }>('/api/audit/activations?limit=1000', (n) => n.stream.startsWith('strategy-'));
  return (
    <div class="view" data-view="audit">
      <h1>Activation audit</h1>
      <Loaded load={audit} what="Activation audit">
        {({ activations }) => (
          <Table
            name="audit"
            rows={[...activations].reverse()}
            empty="No activation or deactivation yet."
            columns={[
              { title: 'When', cell: (r) => when(r.occurredAt), text: (r) => r.occurredAt },
              { title: 'Decision', cell: (r) => <span class={`badge action-${r.action}`}>{r.action}</span>, text: (r) => r.action },
              { title: 'Strategy', cell: (r) => <StrategyLink id={r.strategyId} />, text: (r) => r.strategyId },
              { title: 'Actor', cell: (r) => <span data-actor={r.decidedBy}>{r.decidedBy}</span>, text: (r) => r.decidedBy },
              { title: 'Reason', cell: (r) => r.reason, text: (r) => r.reason },
              { title: 'Score', cell: (r) => num(r.score, 4) },
              {
                title: 'Parts (weight)',
                cell: (r) => (
                  <span class="counts">
                    {Object.entries(r.scoreParts ?? {})
                      .map(([k, v]) => `${k} ${num(v, 3)}${r.decision?.weights?.[k] !== undefined ? ` (×${r.decision.weights[k]})` : ''}`)
                      .join(' · ')}
                  </span>
                ),
              },
              { title: 'Inputs', cell: (r) => <span class="counts">{inputs(r) || '—'}</span> },
              {
                title: 'Candidates weighed',
                cell: (r) => (
                  <span class="counts">
                    {(r.candidates ?? []).map((c) => (
                      <span key={c.strategyId}>
                        <StrategyLink id={c.strategyId} /> {num(c.score, 3)}
                        {c.live ? ' (live)' : ''};{' '}
                      </span>
                    ))}
                  </span>
                ),
              },
              { title: 'Live / max', cell: (r) => `${r.activeStrategies ?? '—'} / ${r.maxActiveStrategies ?? '—'}` },
            ]}
          />
        )}
      </Loaded>
    </div>
  );
};
