// Pipeline: the latest cycle's counts per stage (generated → backtested → filtered → paper → live), its progress and
// time left while it runs, past cycles, the next scheduled run.
import { useApi, Loaded, Section, Table, duration, when } from '../components.js';
import { OperatorSettings } from './operator-settings.js';

interface Stage {
  readonly counts: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}
export interface CycleRow {
  readonly cycleId: string;
  readonly stage: string;
  readonly startedAt: string | null;
  readonly elapsedMs: number;
  readonly etaMs: number | null;
  readonly planned: number | null;
  readonly backtested: number;
  readonly stages: Readonly<Record<string, Stage>>;
  readonly finishedAt: string | null;
  readonly completed: Readonly<Record<string, number>> | null;
}
interface Ranking {
  readonly strategies: readonly { readonly state: string }[];
}

const STAGES = ['generate', 'backtest', 'filter', 'promote', 'learn'];
const cycleAffects = (n: { stream: string }) => n.stream.startsWith('cycle-') || n.stream.startsWith('strategy-');

export const PipelineView = () => {
  const cycles = useApi<{ cycles: readonly CycleRow[] }>('/api/cycles?limit=100', cycleAffects);
  const schedule = useApi<{ nextCycleAt: string; cycleHour: number; now: string }>('/api/pipeline/schedule', () => false);
  const ranking = useApi<Ranking>('/api/ranking', (n) => n.stream.startsWith('strategy-') || n.stream.startsWith('performance-'));
  return (
    <div class="view" data-view="pipeline">
      <h1>Pipeline</h1>
      <Loaded load={cycles} what="Cycles">
        {({ cycles: rows }) => {
          const latest = rows[0];
          if (!latest) return <div class="panel">No cycle has run yet.</div>;
          const g = latest.stages['generate']?.counts ?? {};
          const b = latest.stages['backtest']?.counts ?? {};
          const f = latest.stages['filter']?.counts ?? {};
          const p = latest.stages['promote']?.counts ?? {};
          const live = ranking.state === 'ok' ? ranking.value.strategies.filter((s) => s.state === 'Live').length : undefined;
          const paper = ranking.state === 'ok' ? ranking.value.strategies.filter((s) => s.state === 'Paper').length : undefined;
          const planned = latest.planned ?? 0;
          const progress = latest.stage === 'done' ? 1 : planned > 0 ? latest.backtested / planned : 0;
          return (
            <Section title={`Cycle ${latest.cycleId}`} id="latest-cycle">
              <div class="funnel" data-cycle={latest.cycleId}>
                <div class="step" data-stage="generated">
                  <span class="big">{g['planned'] ?? '—'}</span>generated
                </div>
                <div class="step" data-stage="backtested">
                  <span class="big">{b['backtested'] ?? latest.backtested}</span>backtested
                </div>
                <div class="step" data-stage="filtered">
                  <span class="big">{f['passed'] ?? '—'}</span>passed the filter
                </div>
                <div class="step" data-stage="paper">
                  <span class="big">{p['promoted'] ?? '—'}</span>promoted to paper{paper !== undefined ? ` (${paper} in paper)` : ''}
                </div>
                <div class="step" data-stage="live">
                  <span class="big">{live ?? '—'}</span>live now
                </div>
              </div>
              <div class="progress" title={`${Math.round(progress * 100)}%`}>
                <div class="bar" data-progress={progress.toFixed(3)} style={{ width: `${Math.round(progress * 100)}%` }} />
              </div>
              <p>
                Stage <strong data-cycle-stage>{latest.stage}</strong>
                {latest.stage === 'done'
                  ? ` — finished ${when(latest.finishedAt)} after ${duration(latest.elapsedMs)}`
                  : ` — ${latest.backtested} of ${planned} backtested, ${duration(latest.elapsedMs)} elapsed, time left ${latest.etaMs === null ? 'unknown' : duration(latest.etaMs)}`}
              </p>
            </Section>
          );
        }}
      </Loaded>
      <Section title="Next scheduled run" id="schedule">
        <Loaded load={schedule} what="Schedule">
          {(s) => (
            <p>
              The daily cycle runs at {String(s.cycleHour).padStart(2, '0')}:00 UTC; next run <strong data-next-run>{when(s.nextCycleAt)}</strong> (server time{' '}
              {when(s.now)}).
            </p>
          )}
        </Loaded>
      </Section>
      <OperatorSettings />
      <Section title="Past cycles" id="past-cycles">
        <Loaded load={cycles} what="Cycles">
          {({ cycles: rows }) => (
            <Table
              name="cycles"
              rows={rows}
              columns={[
                { title: 'Cycle', cell: (r) => r.cycleId, text: (r) => r.cycleId },
                { title: 'Stage', cell: (r) => r.stage, text: (r) => r.stage },
                ...STAGES.map((s) => ({
                  title: s,
                  cell: (r: CycleRow) => (
                    <span class="counts">
                      {Object.entries(r.stages[s]?.counts ?? {})
                        .map(([k, v]) => `${k} ${v}`)
                        .join(' · ')}
                    </span>
                  ),
                })),
                { title: 'Elapsed', cell: (r) => duration(r.elapsedMs) },
              ]}
            />
          )}
        </Loaded>
      </Section>
    </div>
  );
};
