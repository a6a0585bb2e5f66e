// Positions and P&L: open positions, orders, realised and unrealised P&L per strategy and in total, and each
// strategy's paper/live equity (the trading days) on one chart.
import { useMemo } from 'preact/hooks';
import { useApi, Loaded, Section, Table, StrategyLink, money, pct, when } from '../components.js';
import { LineChart } from '../charts.js';
import type { Ranking } from './strategies.js';

type Row = Readonly<Record<string, unknown>>;
const s = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'number' ? money(v) : String(v));
const trading = (n: { stream: string }) => /^(order|position|account|trading|performance|fill)/.test(n.stream);

const GenericTable = ({ rows, name, keys, empty }: { rows: readonly Row[]; name: string; keys: readonly string[]; empty: string }) => (
  <Table
    name={name}
    rows={rows}
    empty={empty}
    columns={keys.map((k) => ({
      title: k,
      cell: (r: Row) => (k === 'strategyId' && typeof r[k] === 'string' ? <StrategyLink id={r[k]} /> : s(r[k])),
      text: (r: Row) => String(r[k] ?? ''),
    }))}
  />
);

export const PositionsView = () => {
  const positions = useApi<{ positions: readonly Row[]; balances: readonly Row[] }>('/api/positions?status=open&limit=1000', trading);
  const orders = useApi<{ orders: readonly Row[]; total: number }>('/api/orders?limit=1000', trading);
  const byStrategy = useApi<{ rows: readonly Row[] }>('/api/pnl?groupBy=strategy&limit=1000', trading);
  const total = useApi<{ rows: readonly Row[] }>('/api/pnl?groupBy=total', trading);
  const ranking = useApi<Ranking>('/api/ranking', (n) => n.stream.startsWith('performance-') || n.stream.startsWith('strategy-'));
  return (
    <div class="view" data-view="positions">
      <h1>Positions and P&amp;L</h1>
      <Section title="P&L in total" id="pnl-total">
        <Loaded load={total} what="P&L">
          {({ rows }) => (
            <GenericTable name="pnl-total" rows={rows} keys={Object.keys(rows[0] ?? { realized: 0, unrealized: 0 })} empty="No fill yet: no P&L." />
          )}
        </Loaded>
      </Section>
      <Section title="Paper and live accounts per strategy (trading days)" id="accounts">
        <Loaded load={ranking} what="Accounts">
          {(r) => <Accounts ranking={r} />}
        </Loaded>
      </Section>
      <Section title="P&L per strategy" id="pnl-strategy">
        <Loaded load={byStrategy} what="P&L per strategy">
          {({ rows }) => (
            <GenericTable name="pnl-strategy" rows={rows} keys={Object.keys(rows[0] ?? { strategyId: '', realized: 0, unrealized: 0 })} empty="No fill yet." />
          )}
        </Loaded>
      </Section>
      <Section title="Open positions" id="open-positions">
        <Loaded load={positions} what="Positions">
          {({ positions: rows }) => (
            <GenericTable name="positions" rows={rows} keys={Object.keys(rows[0] ?? { account: '', symbol: '', quantity: 0 })} empty="No open position." />
          )}
        </Loaded>
      </Section>
      <Section title="Orders" id="orders">
        <Loaded load={orders} what="Orders">
          {({ orders: rows }) => (
            <GenericTable
              name="orders"
              rows={rows}
              keys={Object.keys(rows[0] ?? { orderId: '', account: '', symbol: '', side: '', status: '' }).slice(0, 10)}
              empty="No order yet."
            />
          )}
        </Loaded>
      </Section>
    </div>
  );
};

const Accounts = ({ ranking }: { ranking: Ranking }) => {
  const rows = ranking.strategies.flatMap((r) =>
    (['paper', 'live'] as const).flatMap((mode) => {
      const f = r[mode];
      return f ? [{ strategyId: r.strategyId, mode, ...f }] : [];
    }),
  );
  const lines = useMemo(
    () =>
      ranking.strategies
        .filter((r) => r.state === 'Live' || r.state === 'Paper')
        .slice(0, 6)
        .map((r, i) => ({
          name: `${r.strategyId.slice(0, 8)} ${r.live ? 'live' : 'paper'}`,
          color: ['#58a6ff', '#2ea043', '#d29922', '#a371f7', '#f778ba', '#79c0ff'][i]!,
          points: ((r.live ?? r.paper) as { recentReturns?: number[]; lastDay?: string; initialCapital?: number } | null)?.recentReturns
            ? equityFromReturns(r.live ?? r.paper)
            : [],
        })),
    [ranking],
  );
  const totalEquity = rows.reduce((a, r) => a + r.equity, 0);
  return (
    <>
      <p>
        Total equity over {rows.length} accounts: <strong data-total-equity>{money(totalEquity)}</strong>
      </p>
      <Table
        name="accounts"
        rows={rows}
        columns={[
          { title: 'Strategy', cell: (r) => <StrategyLink id={r.strategyId} />, text: (r) => r.strategyId },
          { title: 'Mode', cell: (r) => r.mode, text: (r) => r.mode },
          { title: 'Days', cell: (r) => r.days },
          { title: 'Equity', cell: (r) => money(r.equity) },
          { title: 'Return', cell: (r) => pct(r.totalReturn) },
          { title: 'Max DD', cell: (r) => pct(r.maxDrawdown) },
          { title: 'Trades', cell: (r) => r.trades },
          { title: 'Last day', cell: (r) => when((r as { lastDay?: string }).lastDay) },
        ]}
      />
      <LineChart name="accounts-equity" lines={lines} height={220} />
    </>
  );
};

/** The equity of the last days, rebuilt backwards from the last equity and the recent daily returns. */
const equityFromReturns = (f: unknown): (readonly [number, number])[] => {
  const x = f as { equity: number; recentReturns: number[]; lastDay: string };
  const out: [number, number][] = [];
  let eq = x.equity;
  let day = Date.parse(`${x.lastDay}T00:00:00Z`);
  for (let i = x.recentReturns.length - 1; i >= 0; i--) {
    out.unshift([day, eq]);
    eq = eq / (1 + x.recentReturns[i]!);
    day -= 86_400_000;
  }
  out.unshift([day, eq]);
  return out;
};
