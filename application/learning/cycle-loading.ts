// What the daily cycle reads before it learns (daily-cycle.ts runs it): the learner's history from the read models
// (training-set rows and their genomes as StrategyRecords), the last learning policy stored before the cycle, a
// cycle's stored insights, and the candles of its windows (1h, resampled to the longer timeframes it tests on).
import { either } from 'fp-ts';
import type { Figures, LearnerState, StrategyRecord } from '../../domain/learning/cycle.js';
import { learnFromPaper, type PaperFeedback } from '../../domain/learning/paper-feedback.js';
import type { PaperResults } from '../ports/paper-results.js';
import type { LearningInsightsRecorded } from '../../domain/learning/events.js';
import type { GeneratedOrigin } from '../../domain/learning/generator.js';
import type { Insights } from '../../domain/learning/insights/insights.js';
import { POLICY_STREAM, type LearningPolicyUpdated, type LearningPolicyUpdatedData } from '../../domain/learning/policy-events.js';
import { initialPolicy, type Policy } from '../../domain/learning/policy/policy.js';
import { DEFAULT_REGIME, REGIMES, type Regime } from '../../domain/learning/policy/regime.js';
import { INTERVAL_MS, type CandleSeries } from '../../domain/market/candles.js';
import { completeOnly, resample } from '../../domain/market/resample.js';
import { Genome, type Timeframe } from '../../domain/strategy/genome.js';
import { decodeAll } from '../events/decode-event.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { EventStore } from '../ports/event-store.js';
import type { LearningHistory, LearningHistoryRow } from '../ports/learning-history.js';
import { cycleStream } from './cycle-start.js';

const regimeOf = (row: LearningHistoryRow): Regime => {
  const label = row.regime?.['label'];
  return typeof label === 'string' && (REGIMES as readonly string[]).includes(label) ? (label as Regime) : DEFAULT_REGIME;
};

const ORIGINS: readonly GeneratedOrigin[] = ['ga', 'policy', 'random'];

/** A training-set row as the learner's StrategyRecord (figures from the stored IS/OOS metrics). */
const recordOf = (row: LearningHistoryRow, genome: Genome): StrategyRecord => {
  const figures = (sharpe: number | null, ret: number | null, dd: number | null, trades: number | null, present: boolean): Figures | null =>
    present ? { sharpe, totalReturn: ret, maxDrawdown: dd, tradeCount: trades ?? 0 } : null;
  return {
    id: row.strategyId,
    cycle: row.generation,
    genome,
    fingerprint: row.genomeFingerprint,
    origin: (ORIGINS as readonly string[]).includes(row.origin) ? (row.origin as GeneratedOrigin) : 'random',
    regime: regimeOf(row),
    inSample: figures(row.isSharpe, row.isReturn, null, row.isTrades, row.hasInSample),
    outOfSample: figures(row.oosSharpe, row.oosReturn, row.oosMaxDrawdown, row.oosTrades, row.hasOutOfSample),
    oosDeflatedSharpe: row.oosDeflatedSharpe,
    passed: row.filterOutcome === 'passed',
    fitness: row.oosSharpe,
  };
};

/**
 * Each row's record, kept while the history hands out the same row and genome objects (it does while a row is
 * unchanged: projections/training-set/learning-history.ts), so a cycle checks and builds only the new ones; null
 * when the stored genome is no longer a Genome.
 */
const built = new WeakMap<LearningHistoryRow, { readonly genome: unknown; readonly record: StrategyRecord | null }>();

/** The records of these rows, in their order; `unreadable` counts those whose genome is no longer readable (left out). */
const recordsOfRows = async (history: LearningHistory, rows: readonly LearningHistoryRow[]): Promise<{ records: StrategyRecord[]; unreadable: number }> => {
  const genomes = await history.genomes(rows.map((r) => r.strategyId));
  const records: StrategyRecord[] = [];
  for (const row of rows) {
    const genome = genomes.get(row.strategyId);
    let hit = built.get(row);
    if (hit === undefined || hit.genome !== genome) {
      hit = { genome, record: genome !== undefined && Genome.is(genome) ? recordOf(row, genome) : null };
      built.set(row, hit);
    }
    if (hit.record !== null) records.push(hit.record);
  }
  return { records, unreadable: rows.length - records.length };
};

/** The given strategies' records, as stored (a cycle that already ran reports its own from them). */
export const recordsOf = async (history: LearningHistory, ids: readonly string[]): Promise<StrategyRecord[]> => {
  const wanted = new Set(ids);
  return (
    await recordsOfRows(
      history,
      (await history.rows()).filter((r) => wanted.has(r.strategyId)),
    )
  ).records;
};

const byId = new Intl.Collator().compare;

/**
 * The learner's scored history: every training row but the cycle's own strategies, oldest cycle first; `unreadable`
 * counts the rows whose genome is no longer readable (left out).
 */
export const learnerHistory = async (history: LearningHistory, own: ReadonlySet<string>): Promise<{ records: StrategyRecord[]; unreadable: number }> => {
  const { records, unreadable } = await recordsOfRows(
    history,
    (await history.rows()).filter((r) => !own.has(r.strategyId)),
  );
  // Intl.Collator's compare is what String#localeCompare uses, without building a collator per call.
  records.sort((a, b) => a.cycle - b.cycle || byId(a.id, b.id));
  return { records, unreadable };
};

export interface StoredPolicy {
  readonly policy: Policy;
  readonly revision: bigint | undefined;
  readonly done: LearningPolicyUpdatedData | undefined;
}

/** The last policy stored before this cycle, and this cycle's own update if it already ran. */
export const loadPolicy = async (store: EventStore, cycleId: string): Promise<StoredPolicy> => {
  const recorded = await store.readStream(POLICY_STREAM);
  const decoded = decodeAll<LearningPolicyUpdated>(recorded);
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  const done = decoded.right.find((d) => d.event.data.cycleId === cycleId)?.event.data;
  const before = decoded.right.filter((d) => d.event.data.cycleId !== cycleId);
  const last = before[before.length - 1];
  return {
    policy: last === undefined ? initialPolicy() : last.event.data.policy,
    revision: recorded[recorded.length - 1]?.revision,
    done,
  };
};

export const storedInsights = async (store: EventStore, cycleId: string): Promise<Insights | null> => {
  const decoded = decodeAll<LearningInsightsRecorded>((await store.readStream(cycleStream(cycleId))).filter((r) => r.type === 'LearningInsightsRecorded'));
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  const last = decoded.right[decoded.right.length - 1];
  return last === undefined ? null : last.event.data.insights;
};

/** 1h bars before the in-sample window that warm the cycle's indicators up. */
export const CYCLE_WARMUP_BARS = 1000;

export interface CycleCandlesRequest {
  readonly cycleId: string;
  readonly exchange: string;
  readonly symbols: readonly string[];
  /** The in-sample window's first open time. */
  readonly from: number;
  readonly asOf: number;
  readonly timeframes: readonly Timeframe[];
}

/**
 * The cycle's candles: the 1h series from the IS window with indicator warm-up before it up to the last candle
 * closed by asOf (open time + 1 h ≤ asOf, so nothing is seen early), and each longer timeframe resampled from it
 * (complete buckets only).
 */
export const loadCycleCandles = async (
  candles: Pick<CandleStore, 'readSeries'>,
  r: CycleCandlesRequest,
): Promise<{ series: Record<string, CandleSeries>; byTimeframe: Map<Timeframe, Record<string, CandleSeries>> }> => {
  const interval = '1h' as const;
  const barMs = INTERVAL_MS[interval];
  const warmup = CYCLE_WARMUP_BARS * barMs;
  const series: Record<string, CandleSeries> = {};
  for (const symbol of r.symbols)
    series[symbol] = await candles.readSeries({ exchange: r.exchange, symbol, interval }, { from: r.from - warmup, to: r.asOf - barMs + 1 });
  const byTimeframe = new Map<Timeframe, Record<string, CandleSeries>>([[interval, series]]);
  for (const tf of r.timeframes) {
    if (byTimeframe.has(tf)) continue;
    const resampled: Record<string, CandleSeries> = {};
    for (const symbol of r.symbols) {
      const s = resample(series[symbol]!, tf, { asOf: r.asOf });
      if (either.isLeft(s)) throw new Error(`learning cycle ${r.cycleId}: ${symbol} ${tf}: ${s.left}`);
      resampled[symbol] = completeOnly(s.right);
    }
    byTimeframe.set(tf, resampled);
  }
  return { series, byTimeframe };
};

/**
 * The learner with the paper results of its history taken in (domain/learning/paper-feedback.ts learnFromPaper):
 * each strategy's judged paper period that ended by the cycle's asOf lowers its fitness to its paper Sharpe when
 * worse, and rewards the policy. `applied` is how many results were learned from (recorded with the cycle).
 */
export const withPaperResults = async (learner: LearnerState, paperResults: PaperResults | undefined, asOf: Date): Promise<PaperFeedback> => {
  if (paperResults === undefined) return { learner, applied: 0, notes: ['no paper results source: the learner takes in no paper result'] };
  const results = await paperResults.forStrategies(
    learner.history.map((r) => r.id),
    asOf,
  );
  return learnFromPaper(learner, results);
};
