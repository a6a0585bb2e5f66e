// One strategy: its state and genome in words, its lineage (parents, operators), its whole event history as a
// timeline, its backtest's equity curve and trades on the candles, its paper/live days next to the backtest, and the
// operator's overrides.
import { useMemo } from 'preact/hooks';
import { useApi, Loaded, Section, Table, StateBadge, StrategyLink, num, pct, money, when } from '../components.js';
import { CandleChart, LineChart, type Candle, type TradeMark } from '../charts.js';
import { genomeInWords, type GenomeView } from '../genome-words.js';
import { Overrides } from './overrides.js';
import type { Ranking } from './strategies.js';

interface StrategyDetail {
  readonly id: string;
  readonly state: string;
  readonly revision: number;
  readonly genome?: GenomeView;
  readonly latestMetrics?: Readonly<Record<string, number>> | null;
  readonly latestBacktest?: { readonly window?: { readonly start: string; readonly end: string } } | null;
  readonly pinned?: boolean;
}
interface StoredEvent {
  readonly revision: number;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: { readonly actor?: string; readonly occurredAt?: string };
}
interface TraceRun {
  readonly name: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly metrics: Readonly<Record<string, number>>;
  readonly reproduced: boolean | null;
  readonly differences: readonly { readonly metric: string; readonly recorded: number; readonly recomputed: number | null }[];
  readonly equity: readonly (readonly [number, number])[];
}

interface Trace {
  /** `cycle`: the learning cycle's two windows re-run its way; `backtest`: the recorded window with the API's settings. */
  readonly source?: 'cycle' | 'backtest';
  readonly reproduced?: boolean | null;
  readonly runs?: readonly TraceRun[];
  readonly symbol: string;
  readonly interval: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly metrics: Readonly<Record<string, number>>;
  readonly equity: readonly (readonly [number, number])[];
  readonly trades: readonly (TradeMark & {
    readonly entryPrice: number;
    readonly exitPrice: number;
    readonly returnPct: number;
    readonly exitReason: string;
  })[];
}
interface DayRow {
  readonly day: string;
  readonly equity: number;
  readonly dayReturn: number;
  readonly trades: number;
}
interface AccountRecord {
  readonly account: string;
  readonly mode: string;
  readonly days: readonly DayRow[];
  readonly stats: Readonly<Record<string, number | null>>;
}

/** What an event says, in a line. */
const eventLine = (e: StoredEvent): string => {
  const d = e.data;
  const reason = typeof d['reason'] === 'string' ? `: ${d['reason']}` : '';
  switch (e.type) {
    case 'StrategyBacktested': {
      const m = (d['result'] as { metrics?: Record<string, number> } | undefined)?.metrics ?? {};
      return `backtested: Sharpe ${num(m['sharpe'])}, return ${pct(m['totalReturn'])}, ${m['tradeCount'] ?? '?'} trades`;
    }
    case 'StrategyFiltered': {
      const v = d['verdict'] as { outcome?: string; reasons?: string[] } | undefined;
      return `filter ${v?.outcome ?? '?'}: ${(v?.reasons ?? []).join('; ')}`;
    }
    case 'PaperTradingEvaluated': {
      const v = d['evaluation'] as { outcome?: string; reasons?: string[] } | undefined;
      return `paper verdict ${v?.outcome ?? '?'}: ${(v?.reasons ?? []).join('; ')}`;
    }
    default:
      return `${e.type.replace(/^Strategy/, '')}${reason}`;
  }
};

export const StrategyView = ({ id }: { id: string }) => {
  const mine = (n: { stream: string }) => n.stream === `strategy-${id}` || n.stream === `performance-${id}`;
  const detail = useApi<StrategyDetail>(`/api/strategies/${encodeURIComponent(id)}`, mine);
  const notFound = detail.state === 'failed' && (detail.failure.kind === 'notFound' || detail.failure.kind === 'invalid');
  const events = useApi<{ events: readonly StoredEvent[] }>(notFound ? undefined : `/api/strategies/${encodeURIComponent(id)}/events`, mine);
  const trace = useApi<Trace>(notFound ? undefined : `/api/strategies/${encodeURIComponent(id)}/backtest-trace`, () => false);
  const record = useApi<{ accounts: readonly AccountRecord[] }>(notFound ? undefined : `/api/strategies/${encodeURIComponent(id)}/record`, mine);
  const ranking = useApi<Ranking>(notFound ? undefined : '/api/ranking', mine);
  const candlesPath =
    trace.state === 'ok'
      ? `/api/candles?symbol=${trace.value.symbol}&interval=${trace.value.interval}&from=${trace.value.window.from}&to=${trace.value.window.to}`
      : undefined;
  const candles = useApi<{ candles: readonly Candle[] }>(candlesPath, () => false);

  if (notFound)
    return (
      <div class="view" data-view="strategy-not-found">
        <h1>Strategy not found</h1>
        <div class="panel failure" role="alert" data-not-found>
          <strong>There is no strategy {id}.</strong>
          <p>{detail.state === 'failed' ? detail.failure.message : ''}</p>
          <p>
            Check the link, or find it in the <a href="/strategies">strategies list</a>.
          </p>
        </div>
      </div>
    );

  return (
    <div class="view" data-view="strategy" data-strategy={id}>
      <Loaded load={detail} what="Strategy">
        {(s) => (
          <>
            <h1>
              Strategy <code>{s.id}</code> <StateBadge state={s.state} /> {s.pinned ? <span class="badge">pinned</span> : null}
            </h1>
            <p class="muted">
              revision {s.revision} · <span data-strategy-state={s.state}>{s.state}</span>
            </p>
            <Overrides
              strategyId={id}
              state={s.state}
              pinned={s.pinned === true}
              ranking={ranking.state === 'ok' ? ranking.value : undefined}
              onDone={detail.reload}
            />
            {s.genome ? (
              <Section title="Genome in words" id="genome">
                <ul class="words">
                  {genomeInWords(s.genome).map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
                <h3>Lineage</h3>
                <p data-lineage>
                  {s.genome.lineage.parentIds.length === 0
                    ? `No parents (${s.genome.lineage.origin}).`
                    : s.genome.lineage.parentIds.map((p) => (
                        <span key={p} class="parent">
                          parent <StrategyLink id={p} />{' '}
                        </span>
                      ))}
                  {s.genome.lineage.operators?.length ? ` · operators: ${s.genome.lineage.operators.join(', ')}` : ''}
                </p>
              </Section>
            ) : null}
          </>
        )}
      </Loaded>
      <Section title="Backtest: equity and trades on the candles" id="backtest">
        <Loaded load={trace} what="Backtest trace">
          {(t) => (
            <>
              <p class="muted">
                {t.symbol} {t.interval}, {when(t.window.from)} → {when(t.window.to)}: <span data-trade-count>{t.trades.length}</span> trades{' '}
                <Reproduced value={t.reproduced ?? null} />
              </p>
              <ul class="trace-runs" data-trace-runs>
                {(t.runs ?? []).map((r) => (
                  <li key={r.name} data-trace-run={r.name} data-reproduced={String(r.reproduced)}>
                    <strong>{r.name}</strong> {when(r.window.from)} → {when(r.window.to)}: return {pct(r.metrics['totalReturn'])}, Sharpe{' '}
                    {num(r.metrics['sharpe'])}, max drawdown {pct(r.metrics['maxDrawdown'])}, {r.metrics['totalTrades'] ?? r.metrics['tradeCount'] ?? '—'}{' '}
                    trades{' '}
                    {r.differences.length > 0
                      ? `— differs from the record: ${r.differences
                          .slice(0, 4)
                          .map((d) => `${d.metric} ${num(d.recorded)} recorded, ${d.recomputed === null ? 'none' : num(d.recomputed)} now`)
                          .join('; ')}`
                      : null}
                  </li>
                ))}
              </ul>
              {candles.state === 'ok' ? (
                <CandleChart name="backtest-candles" candles={candles.value.candles} trades={t.trades} />
              ) : (
                <Loaded load={candles} what="Candles">
                  {() => null}
                </Loaded>
              )}
              <LineChart
                name="backtest-equity"
                lines={
                  t.runs && t.runs.length > 0
                    ? t.runs.map((r, i) => ({ name: r.name, color: ['#58a6ff', '#d29922', '#2ea043'][i % 3]!, points: r.equity }))
                    : [{ name: 'equity', color: '#58a6ff', points: t.equity }]
                }
              />
              <Table
                name="trades"
                rows={t.trades}
                pageSize={10}
                columns={[
                  { title: 'Side', cell: (x) => x.side, text: (x) => x.side },
                  { title: 'Entry', cell: (x) => `${when(new Date(x.entryTime).toISOString())} @ ${num(x.entryPrice, 4)}` },
                  { title: 'Exit', cell: (x) => `${when(new Date(x.exitTime).toISOString())} @ ${num(x.exitPrice, 4)}` },
                  { title: 'P&L', cell: (x) => money(x.pnl) },
                  { title: 'Return', cell: (x) => pct(x.returnPct) },
                  { title: 'Exit reason', cell: (x) => x.exitReason, text: (x) => x.exitReason },
                ]}
              />
            </>
          )}
        </Loaded>
      </Section>
      <Section title="Paper and live, next to the backtest" id="performance">
        <Loaded load={record} what="Trading days">
          {({ accounts }) => <Performance accounts={accounts} backtest={detail.state === 'ok' ? (detail.value.latestMetrics ?? undefined) : undefined} />}
        </Loaded>
      </Section>
      <Section title="History" id="timeline">
        <Loaded load={events} what="Event history">
          {({ events: list }) => (
            <ol class="timeline" data-timeline>
              {list.map((e) => (
                <li key={e.revision} data-event-type={e.type}>
                  <span class="when">{when(e.metadata.occurredAt)}</span> <strong>{e.type}</strong> <span class="actor">{e.metadata.actor ?? ''}</span>
                  <div>{eventLine(e)}</div>
                </li>
              ))}
            </ol>
          )}
        </Loaded>
      </Section>
    </div>
  );
};

/** Whether re-running the backtest gave the recorded metrics: what makes the trace an explanation of the record. */
const Reproduced = ({ value }: { value: boolean | null }) =>
  value === true ? (
    <span class="badge ok" data-trace-reproduced="true" title="Every recorded metric equals the re-run's">
      reproduces the recorded result
    </span>
  ) : value === false ? (
    <span class="badge warn" data-trace-reproduced="false" title="Some recorded metric differs from the re-run's (listed per window)">
      differs from the recorded result
    </span>
  ) : (
    <span class="badge" data-trace-reproduced="null" title="The re-run is not comparable with the record (a part of a longer window, or several symbols)">
      not compared with the record
    </span>
  );

const Performance = ({ accounts, backtest }: { accounts: readonly AccountRecord[]; backtest: Readonly<Record<string, number>> | undefined }) => {
  const lines = useMemo(
    () =>
      accounts.map((a, i) => ({
        name: a.account,
        color: ['#d29922', '#2ea043', '#a371f7', '#58a6ff'][i % 4]!,
        points: a.days.map((d) => [Date.parse(`${d.day}T00:00:00Z`), d.equity] as const),
      })),
    [accounts],
  );
  if (accounts.length === 0) return <p class="muted">No paper or live day yet.</p>;
  return (
    <>
      <table class="compare" data-compare>
        <thead>
          <tr>
            <th>Figure</th>
            <th>Backtest</th>
            {accounts.map((a) => (
              <th key={a.account}>{a.mode}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(['totalReturn', 'sharpe', 'maxDrawdown'] as const).map((k) => (
            <tr key={k}>
              <td>{k}</td>
              <td>{k === 'sharpe' ? num(backtest?.[k]) : pct(backtest?.[k])}</td>
              {accounts.map((a) => (
                <td key={a.account}>{k === 'sharpe' ? num(a.stats[k]) : pct(a.stats[k])}</td>
              ))}
            </tr>
          ))}
          <tr>
            <td>days</td>
            <td>—</td>
            {accounts.map((a) => (
              <td key={a.account}>{a.days.length}</td>
            ))}
          </tr>
        </tbody>
      </table>
      <LineChart name="performance-equity" lines={lines} height={200} />
    </>
  );
};
