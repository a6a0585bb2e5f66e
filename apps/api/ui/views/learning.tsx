// Learning: the insights of each cycle, the policy's preferences per gene and regime, and how learned genomes fare
// against random ones.
import { useState } from 'preact/hooks';
import { useApi, Loaded, Section, Table, num, pct, when } from '../components.js';

interface CycleSummary {
  readonly cycleId: string;
  readonly regime: string;
  readonly rows: number;
  readonly scoredRows: number;
  readonly overall: { readonly count: number; readonly meanSharpe: number; readonly medianSharpe: number; readonly successRate: number };
  readonly policyUpdates: number;
  readonly recordedAt: string;
}
interface Factor {
  readonly feature: string;
  readonly value: string;
  readonly count: number;
  readonly successRate: number;
  readonly medianSharpe: number;
}
interface CycleDetail extends CycleSummary {
  readonly insights: {
    readonly notes: readonly string[];
    readonly successFactors: readonly Factor[];
    readonly failureFactors: readonly Factor[];
    readonly correlations: readonly { readonly feature: string; readonly rho: number; readonly n: number }[];
  };
}
interface Arm {
  readonly arm: string;
  readonly alpha: number;
  readonly beta: number;
  readonly mean: number;
}
interface Policy {
  readonly cycleId: string;
  readonly regimes: Readonly<Record<string, Readonly<Record<string, readonly Arm[]>>>>;
  readonly updates: number;
}
interface StrategyRow {
  readonly filterOutcome: string | null;
  readonly genomeSummary: { readonly origin: string };
  readonly latestMetrics: Readonly<Record<string, number>> | null;
}

const learningAffects = (n: { stream: string }) => n.stream.startsWith('learning') || n.stream.startsWith('cycle-');

export const LearningView = () => {
  const cycles = useApi<{ cycles: readonly CycleSummary[] }>('/api/learning/cycles?limit=500', learningAffects);
  const policy = useApi<Policy>('/api/learning/policy', learningAffects);
  const strategies = useApi<{ strategies: readonly StrategyRow[] }>('/api/strategies?limit=1000', () => false);
  const [chosen, setChosen] = useState<string | undefined>();
  const cycleId = chosen ?? (cycles.state === 'ok' ? cycles.value.cycles[0]?.cycleId : undefined);
  const detail = useApi<CycleDetail>(cycleId ? `/api/learning/cycles/${cycleId}` : undefined, learningAffects);
  return (
    <div class="view" data-view="learning">
      <h1>Learning</h1>
      <Section title="Insights per cycle" id="learning-cycles">
        <Loaded load={cycles} what="Learning cycles">
          {({ cycles: rows }) => (
            <Table
              name="learning-cycles"
              rows={rows}
              empty="No learning cycle yet."
              columns={[
                {
                  title: 'Cycle',
                  cell: (r) => (
                    <button class="link" onClick={() => setChosen(r.cycleId)}>
                      {r.cycleId}
                    </button>
                  ),
                  text: (r) => r.cycleId,
                },
                { title: 'Regime', cell: (r) => r.regime, text: (r) => r.regime },
                { title: 'Rows (scored)', cell: (r) => `${r.rows} (${r.scoredRows})` },
                { title: 'Success rate', cell: (r) => pct(r.overall.successRate) },
                { title: 'Median Sharpe', cell: (r) => num(r.overall.medianSharpe) },
                { title: 'Policy updates', cell: (r) => r.policyUpdates },
                { title: 'Recorded', cell: (r) => when(r.recordedAt) },
              ]}
            />
          )}
        </Loaded>
      </Section>
      {cycleId ? (
        <Section title={`Cycle ${cycleId}: what worked and what did not`} id="insights">
          <Loaded load={detail} what="Insights">
            {(d) => (
              <div class="two">
                <div>
                  <h3>Success factors</h3>
                  <FactorList factors={d.insights.successFactors} />
                </div>
                <div>
                  <h3>Failure factors</h3>
                  <FactorList factors={d.insights.failureFactors} />
                </div>
                <p class="muted">{d.insights.notes.join(' · ')}</p>
              </div>
            )}
          </Loaded>
        </Section>
      ) : null}
      <Section title="The policy's preferences" id="policy">
        <Loaded load={policy} what="Learning policy">
          {(p) => (
            <>
              <p class="muted">
                As of cycle {p.cycleId}, {p.updates} updates. Each gene's arms, best first (mean of the Beta(α, β) posterior).
              </p>
              {Object.entries(p.regimes).map(([regime, genes]) => (
                <div key={regime} class="regime" data-regime={regime}>
                  <h3>{regime}</h3>
                  <table class="compare">
                    <tbody>
                      {Object.entries(genes).map(([gene, arms]) => (
                        <tr key={gene}>
                          <td>{gene}</td>
                          <td>
                            {arms.slice(0, 4).map((a) => (
                              <span key={a.arm} class="arm">
                                {a.arm} {num(a.mean, 2)}
                                {'  '}
                              </span>
                            ))}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ))}
            </>
          )}
        </Loaded>
      </Section>
      <Section title="Learning against random" id="learning-vs-random">
        <Loaded load={strategies} what="Strategies">
          {({ strategies: rows }) => <VersusRandom rows={rows} />}
        </Loaded>
      </Section>
    </div>
  );
};

const FactorList = ({ factors }: { factors: readonly Factor[] }) => (
  <ul class="factors">
    {factors.slice(0, 8).map((f) => (
      <li key={`${f.feature}${f.value}`}>
        {f.feature} {f.value}: success {pct(f.successRate, 0)}, median Sharpe {num(f.medianSharpe)} (n {f.count})
      </li>
    ))}
  </ul>
);

/** Genomes by origin: how many passed the filter and their median backtest Sharpe (the latest 1000 strategies). */
const VersusRandom = ({ rows }: { rows: readonly StrategyRow[] }) => {
  const groups = new Map<string, StrategyRow[]>();
  for (const r of rows) {
    const g = r.genomeSummary.origin === 'random' ? 'random' : 'learned (policy, GA, insight)';
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length === 0 ? undefined : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return (
    <table class="compare" data-versus-random>
      <thead>
        <tr>
          <th>Origin</th>
          <th>Strategies</th>
          <th>Passed the filter</th>
          <th>Median Sharpe (backtest)</th>
        </tr>
      </thead>
      <tbody>
        {[...groups].map(([g, rs]) => (
          <tr key={g} data-origin={g}>
            <td>{g}</td>
            <td>{rs.length}</td>
            <td>{pct(rs.filter((r) => r.filterOutcome === 'passed').length / rs.length, 1)}</td>
            <td>{num(median(rs.flatMap((r) => (typeof r.latestMetrics?.['sharpe'] === 'number' ? [r.latestMetrics['sharpe']] : []))))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
