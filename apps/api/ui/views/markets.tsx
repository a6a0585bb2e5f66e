// Markets: the pairs selected for the latest cycle with their scores, data collection status (lag, gaps, errors),
// sentiment and indices (daily series), and the predictor's latest predictions next to its baselines.
import { useMemo } from 'preact/hooks';
import { useApi, Loaded, Section, Table, num, when } from '../components.js';
import { LineChart } from '../charts.js';
import type { CycleRow } from './pipeline.js';
import { PredictionsPanel } from './predictions-panel.js';

interface Selection {
  readonly day: string;
  readonly selected: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly candidates: readonly {
    readonly rank: number;
    readonly symbol: string;
    readonly score: number;
    readonly eligible: boolean;
    readonly parts: Readonly<Record<string, number>>;
    readonly metrics: Readonly<Record<string, unknown>>;
  }[];
}
type Row = Readonly<Record<string, unknown>>;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const MarketsView = () => {
  const cycles = useApi<{ cycles: readonly CycleRow[] }>('/api/cycles?limit=1', (n) => n.stream.startsWith('cycle-'));
  const latestDay = cycles.state === 'ok' ? cycles.value.cycles[0]?.cycleId : undefined;
  const selection = useApi<Selection>(latestDay ? `/api/market-data/selections/${latestDay}` : undefined, (n) => n.stream.startsWith('pair'));
  const status = useApi<{ status: readonly Row[] }>('/api/market-data/status', (n) => n.stream.startsWith('collect'));
  const to = latestDay ? Date.parse(`${latestDay}T00:00:00Z`) + 86_400_000 : undefined;
  const daily = useApi<{ series: Readonly<Record<string, readonly { day: string; value: number; label: string | null }[]>> }>(
    to ? `/api/market-data/daily?from=${day(to - 120 * 86_400_000)}&to=${day(to)}` : undefined,
    () => false,
  );
  return (
    <div class="view" data-view="markets">
      <h1>Markets</h1>
      <Section title={`Selected pairs${latestDay ? ` for ${latestDay}` : ''}`} id="selection">
        {cycles.state === 'ok' && !latestDay ? (
          <p class="muted">No cycle yet: no selection to show.</p>
        ) : (
          <Loaded load={selection} what="Pair selection">
            {(s) => (
              <>
                <p>
                  Selected: <strong data-selected>{s.selected.join(', ')}</strong>
                  {s.added.length ? ` · added ${s.added.join(', ')}` : ''}
                  {s.removed.length ? ` · removed ${s.removed.join(', ')}` : ''}
                </p>
                <Table
                  name="selection"
                  rows={s.candidates}
                  columns={[
                    { title: 'Rank', cell: (c) => c.rank },
                    { title: 'Pair', cell: (c) => c.symbol, text: (c) => c.symbol },
                    { title: 'Score', cell: (c) => num(c.score, 3) },
                    { title: 'Eligible', cell: (c) => (c.eligible ? 'yes' : 'no') },
                    {
                      title: 'Parts',
                      cell: (c) => (
                        <span class="counts">
                          {Object.entries(c.parts)
                            .map(([k, v]) => `${k} ${num(v, 2)}`)
                            .join(' · ')}
                        </span>
                      ),
                    },
                    { title: 'Volatility', cell: (c) => num(c.metrics['volatility'], 3) },
                    { title: 'Quote volume/day', cell: (c) => num(c.metrics['quoteVolumePerDay'], 0) },
                  ]}
                />
              </>
            )}
          </Loaded>
        )}
      </Section>
      <Section title="Data collection" id="collection">
        <Loaded load={status} what="Collection status">
          {({ status: rows }) => (
            <Table
              name="collection"
              rows={rows}
              empty="No collector has reported (the replay reads imported candles; `npm start` collects live)."
              columns={Object.keys(rows[0] ?? { source: '', symbol: '', lag: '', gaps: '', lastError: '' })
                .slice(0, 9)
                .map((k) => ({
                  title: k,
                  cell: (r: Row) => (typeof r[k] === 'object' && r[k] !== null ? JSON.stringify(r[k]) : String(r[k] ?? '—')),
                  text: (r: Row) => String(r[k] ?? ''),
                }))}
            />
          )}
        </Loaded>
      </Section>
      <Section title="Sentiment and indices" id="daily-series">
        <Loaded load={daily} what="Daily series">
          {({ series }) => <DailySeries series={series} />}
        </Loaded>
      </Section>
      <Section title="Predictions next to baselines" id="predictions">
        <PredictionsPanel />
      </Section>
    </div>
  );
};

const DailySeries = ({ series }: { series: Readonly<Record<string, readonly { day: string; value: number; label: string | null }[]>> }) => {
  const names = Object.keys(series);
  const colors = ['#58a6ff', '#d29922', '#2ea043', '#a371f7', '#f778ba'];
  // Each series on its own scale would need its own chart; they are shown as % of their first value.
  const lines = useMemo(
    () =>
      names.map((n, i) => {
        const pts = series[n] ?? [];
        const first = pts[0]?.value || 1;
        return { name: n, color: colors[i % colors.length]!, points: pts.map((p) => [Date.parse(`${p.day}T00:00:00Z`), (p.value / first) * 100] as const) };
      }),
    [series],
  );
  if (names.length === 0) return <p class="muted">No daily series imported (npm run import:sentiment).</p>;
  return (
    <>
      <table class="compare" data-daily>
        <thead>
          <tr>
            <th>Series</th>
            <th>Last day</th>
            <th>Value</th>
            <th>Label</th>
          </tr>
        </thead>
        <tbody>
          {names.map((n) => {
            const last = series[n]![series[n]!.length - 1];
            return (
              <tr key={n} data-series={n}>
                <td>{n}</td>
                <td>{last?.day ?? '—'}</td>
                <td>{num(last?.value)}</td>
                <td>{last?.label ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <LineChart name="daily-series" lines={lines} height={200} />
    </>
  );
};
