// The predictor on the Markets view (doc/predictor.md): its latest forecast (GET /api/predictions/latest) next to the
// baselines' (persistence, ridge), and over the week before it (GET /api/predictions?from&to) each one's errors on
// the hours whose return is known, with the forecasts drawn against the realised returns. A server without the
// predictor's routes answers 404: the panel says "not available", never a blank.
import { useMemo } from 'preact/hooks';
import { useApi, Loaded, num, pct, when } from '../components.js';
import { LineChart } from '../charts.js';

export interface PredictionView {
  readonly model: string;
  readonly modelVersion: string | number;
  readonly kind: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly madeAt: string;
  readonly forHour: string;
  readonly expectedReturn: number;
  readonly upProbability: number | null;
  readonly confidence: number | null;
  readonly baselines: { readonly persistence: number | null; readonly ridge: number | null };
  readonly realisedReturn: number | null;
}
interface ErrorFigures {
  readonly samples: number;
  readonly mae: number;
  readonly rmse: number;
  readonly directionalAccuracy: number;
}
interface PredictionRange {
  readonly model: string;
  readonly from: string;
  readonly to: string;
  readonly errors: {
    readonly hoursWithOutcome: number;
    readonly model: ErrorFigures | null;
    readonly persistence: ErrorFigures | null;
    readonly ridge: ErrorFigures | null;
  };
  readonly predictions: readonly PredictionView[];
}

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const bp = (r: number | null | undefined) => (typeof r === 'number' && Number.isFinite(r) ? `${(r * 10_000).toFixed(1)} bp` : '—');

export const PredictionsPanel = () => {
  const latest = useApi<PredictionView>('/api/predictions/latest', (n) => n.stream.startsWith('predict'));
  const end = latest.state === 'ok' ? Date.parse(latest.value.forHour) + HOUR : undefined;
  const range = useApi<PredictionRange>(
    end !== undefined ? `/api/predictions?from=${new Date(end - WEEK).toISOString()}&to=${new Date(end).toISOString()}` : undefined,
    (n) => n.stream.startsWith('predict'),
  );
  return (
    <Loaded load={latest} what="Predictions">
      {(p) => (
        <div data-predictions>
          <table class="compare" data-latest-prediction>
            <thead>
              <tr>
                <th>
                  {p.model} ({p.kind}, version {p.modelVersion}) · {p.symbol} · for {when(p.forHour)}
                </th>
                <th>Expected return</th>
              </tr>
            </thead>
            <tbody>
              <tr data-forecast="model">
                <td>Model</td>
                <td>
                  {bp(p.expectedReturn)}
                  {p.upProbability !== null ? ` · up ${pct(p.upProbability, 0)}` : ''}
                  {p.confidence !== null ? ` · confidence ${num(p.confidence, 2)}` : ''}
                </td>
              </tr>
              <tr data-forecast="persistence">
                <td>Persistence baseline</td>
                <td>{bp(p.baselines.persistence)}</td>
              </tr>
              <tr data-forecast="ridge">
                <td>Ridge baseline</td>
                <td>{bp(p.baselines.ridge)}</td>
              </tr>
              <tr data-forecast="realised">
                <td>Realised</td>
                <td>{p.realisedReturn === null ? 'not known yet' : bp(p.realisedReturn)}</td>
              </tr>
            </tbody>
          </table>
          <p class="muted">Made at {when(p.madeAt)}.</p>
          <Loaded load={range} what="The week's predictions">
            {(r) => <RangeErrors range={r} />}
          </Loaded>
        </div>
      )}
    </Loaded>
  );
};

const RangeErrors = ({ range }: { range: PredictionRange }) => {
  const lines = useMemo(() => {
    const known = range.predictions.filter((p) => p.realisedReturn !== null);
    const line = (name: string, color: string, pick: (p: PredictionView) => number | null) => ({
      name,
      color,
      points: known.filter((p) => pick(p) !== null).map((p) => [Date.parse(p.forHour), pick(p)! * 10_000] as const),
    });
    return [
      line('realised (bp)', '#8b949e', (p) => p.realisedReturn),
      line('model (bp)', '#58a6ff', (p) => p.expectedReturn),
      line('ridge (bp)', '#d29922', (p) => p.baselines.ridge),
    ];
  }, [range]);
  const rows: [string, ErrorFigures | null][] = [
    ['Model', range.errors.model],
    ['Persistence', range.errors.persistence],
    ['Ridge', range.errors.ridge],
  ];
  return (
    <>
      <h3>
        {when(range.from)} → {when(range.to)}: {range.predictions.length} forecasts, {range.errors.hoursWithOutcome} with a known return
      </h3>
      <table class="compare" data-prediction-errors>
        <thead>
          <tr>
            <th>Forecaster</th>
            <th>MAE</th>
            <th>RMSE</th>
            <th>Direction right</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, e]) => (
            <tr key={name} data-errors-of={name.toLowerCase()}>
              <td>{name}</td>
              <td>{bp(e?.mae)}</td>
              <td>{bp(e?.rmse)}</td>
              <td>{e ? pct(e.directionalAccuracy, 1) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {range.errors.hoursWithOutcome > 1 ? <LineChart name="predictions" lines={lines} height={200} /> : null}
    </>
  );
};
