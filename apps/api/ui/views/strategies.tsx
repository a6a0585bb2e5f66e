// Strategies: the live and paper ranking with its metrics (score, parts, backtest and paper/live figures), and every
// strategy by state, paged by the server.
import { useState } from 'preact/hooks';
import { useApi, Loaded, Section, Table, StateBadge, StrategyLink, num, pct } from '../components.js';

interface Figures {
  readonly days: number;
  readonly equity: number;
  readonly totalReturn: number;
  readonly sharpe: number;
  readonly maxDrawdown: number;
  readonly trades: number;
}
export interface RankingRow {
  readonly strategyId: string;
  readonly state: string;
  readonly pinned: boolean;
  readonly score: number;
  readonly parts: Readonly<Record<string, number>>;
  readonly inputs: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly backtest: { readonly sharpe: number; readonly outOfSampleSharpe: number; readonly maxDrawdown: number } | null;
  readonly paper: Figures | null;
  readonly live: Figures | null;
  readonly regime: string | null;
  readonly breaches: readonly { readonly rule: string; readonly message: string }[];
  readonly killSwitch: readonly unknown[];
}
export interface Ranking {
  readonly currentRegime: string | null;
  readonly maxActiveStrategies: number;
  readonly weights: Readonly<Record<string, number>>;
  readonly strategies: readonly RankingRow[];
}
interface StrategyListRow {
  readonly id: string;
  readonly state: string;
  readonly strategyType: string;
  readonly timeframe: string;
  readonly symbols: readonly string[];
  readonly genomeSummary: { readonly origin: string; readonly generation: number; readonly indicators: readonly string[] };
  readonly latestMetrics: Readonly<Record<string, number>> | null;
}

const rankingAffects = (n: { stream: string }) => n.stream.startsWith('strategy-') || n.stream.startsWith('performance-') || n.stream === 'settings';
const STATES = ['', 'Generated', 'Backtested', 'Filtered', 'Paper', 'Live', 'Retired'];
const PAGE = 50;

export const StrategiesView = () => {
  const ranking = useApi<Ranking>('/api/ranking', rankingAffects);
  const [state, setState] = useState('');
  const [page, setPage] = useState(0);
  const list = useApi<{ strategies: readonly StrategyListRow[] }>(
    `/api/strategies?limit=${PAGE + 1}&offset=${page * PAGE}${state ? `&state=${state}` : ''}`,
    (n) => n.stream.startsWith('strategy-'),
  );
  return (
    <div class="view" data-view="strategies">
      <h1>Strategies</h1>
      <Section title="Live and paper ranking" id="ranking">
        <Loaded load={ranking} what="Ranking">
          {(r) => (
            <>
              <p class="muted">
                Current regime <strong>{r.currentRegime ?? 'unknown'}</strong> · at most {r.maxActiveStrategies} live · score weights{' '}
                {Object.entries(r.weights)
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}
              </p>
              <Table
                name="ranking"
                rows={r.strategies}
                empty="No strategy in paper or live yet."
                columns={[
                  { title: 'Strategy', cell: (s) => <StrategyLink id={s.strategyId} />, text: (s) => s.strategyId },
                  { title: 'State', cell: (s) => <StateBadge state={s.state} />, text: (s) => `${s.state}${s.pinned ? ' pinned' : ''}` },
                  { title: 'Pinned', cell: (s) => (s.pinned ? '📌' : '') },
                  { title: 'Score', cell: (s) => num(s.score, 3) },
                  {
                    title: 'Parts',
                    cell: (s) => (
                      <span class="counts">
                        {Object.entries(s.parts)
                          .map(([k, v]) => `${k} ${num(v, 2)}`)
                          .join(' · ')}
                      </span>
                    ),
                  },
                  { title: 'Backtest Sharpe (OOS)', cell: (s) => `${num(s.backtest?.sharpe)} (${num(s.backtest?.outOfSampleSharpe)})` },
                  { title: 'Paper return', cell: (s) => (s.paper ? `${pct(s.paper.totalReturn)} in ${s.paper.days} d` : '—') },
                  { title: 'Live return', cell: (s) => (s.live ? `${pct(s.live.totalReturn)} in ${s.live.days} d` : '—') },
                  { title: 'Max DD', cell: (s) => pct((s.live ?? s.paper)?.maxDrawdown) },
                  { title: 'Breaches', cell: (s) => s.breaches.map((b) => b.rule).join(', ') || '—', text: (s) => s.breaches.map((b) => b.rule).join(' ') },
                ]}
              />
            </>
          )}
        </Loaded>
      </Section>
      <Section title="All strategies" id="all-strategies">
        <div class="table-tools">
          <label>
            State{' '}
            <select
              aria-label="State"
              value={state}
              onChange={(e) => {
                setState((e.target as HTMLSelectElement).value);
                setPage(0);
              }}
            >
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s || 'any'}
                </option>
              ))}
            </select>
          </label>
        </div>
        <Loaded load={list} what="Strategies">
          {({ strategies }) => (
            <>
              <Table
                name="strategies"
                rows={strategies.slice(0, PAGE)}
                pageSize={PAGE}
                columns={[
                  { title: 'Strategy', cell: (s) => <StrategyLink id={s.id} />, text: (s) => s.id },
                  { title: 'State', cell: (s) => <StateBadge state={s.state} />, text: (s) => s.state },
                  { title: 'Type', cell: (s) => s.strategyType, text: (s) => s.strategyType },
                  { title: 'Market', cell: (s) => `${s.symbols.join(', ')} ${s.timeframe}`, text: (s) => s.symbols.join(' ') },
                  { title: 'Indicators', cell: (s) => s.genomeSummary.indicators.join(', '), text: (s) => s.genomeSummary.indicators.join(' ') },
                  { title: 'Origin', cell: (s) => `${s.genomeSummary.origin} g${s.genomeSummary.generation}`, text: (s) => s.genomeSummary.origin },
                  { title: 'Sharpe', cell: (s) => num(s.latestMetrics?.['sharpe']) },
                  { title: 'Return', cell: (s) => pct(s.latestMetrics?.['totalReturn']) },
                ]}
              />
              <div class="pager">
                <button disabled={page === 0} onClick={() => setPage(page - 1)}>
                  ‹ Newer
                </button>
                <span>server page {page + 1}</span>
                <button disabled={strategies.length <= PAGE} onClick={() => setPage(page + 1)}>
                  Older ›
                </button>
              </div>
            </>
          )}
        </Loaded>
      </Section>
    </div>
  );
};
