// The daily learning cycle (issue 5), run by the scheduler at 03:00 UTC or by `npm run cycle`: rebuild the learner
// from the stored history, generate N genomes (never one already tested), backtest each in-sample and out-of-sample
// on the stored candles closed before `asOf`, and record every strategy's Generated → Backtested → Filtered; then
// the cycle's insights go to `cycle-<YYYY-MM-DD>` and the updated policy to `model-learning-policy`.
//
// The learning itself is domain/learning/cycle.ts runCycle (pure); this module is its I/O:
// - learner state: the training-set rows (their genomes from the strategies read model) become the scored history
//   (fitness = OOS Sharpe), the tested fingerprints come from the training set (pending ones included), the policy
//   is the last LearningPolicyUpdated of `model-learning-policy` (or the initial one);
// - parameters: a day's first run records them (LearningCycleStarted on `cycle-<day>`, cycle-start.ts) before any
//   strategy; a re-run of the day resumes with them, and one that asks for others is refused (a Left, nothing
//   appended);
// - idempotency: strategy ids and event ids derive from the cycle id and the genome's index (ids.idFor), and the
//   policy event is the cycle's last append: a cycle whose policy update is stored has run, and a re-run appends
//   nothing and says so. A cycle that stopped half-way is re-run with its own strategies left out of the learner,
//   so the same seed regenerates the same genomes and only the missing events are appended;
// - honesty: the insights and the policy update learn only from the strategies whose Generated, Backtested and
//   Filtered events are in the log as this run made them (a strategy stored otherwise is left as it is and not
//   learned from), and the policy update's `results` counts them;
// - the backtests: deps.backtests (WindowBacktests), the worker pool in the platform, over the cycle's own series.
//
// The read models must have caught up with the log before the learner is rebuilt: pass `catchUp` (the projector's
// catch-up) when the caller is not sure they have.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import { ENGINE_VERSION } from '../../domain/backtest/version.js';
import { SCHEMA_VERSION } from '../../domain/events/catalog.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import {
  concludeCycle,
  learnFromRecords,
  planCycle,
  type CycleOptions,
  type GenomeRuns,
  type Figures,
  type FilterRule,
  type LearnerState,
  type Metrics,
  type StrategyRecord,
  type Window,
  verdictReasons,
} from '../../domain/learning/cycle.js';
import { describeCycleParameters, type CycleParametersDiffer, type LearningCycleStarted } from '../../domain/learning/cycle-started.js';
import type { LearningInsightsRecorded, LearningInsightsRecordedData } from '../../domain/learning/events.js';
import { genomeFingerprint, stableJson } from '../../domain/learning/fingerprint.js';
import type { GeneratedOrigin } from '../../domain/learning/generator.js';
import { computeInsights, type Insights } from '../../domain/learning/insights/insights.js';
import { POLICY_STREAM, type LearningPolicyUpdated, type LearningPolicyUpdatedData } from '../../domain/learning/policy-events.js';
import { initialPolicy, type Policy } from '../../domain/learning/policy/policy.js';
import { classifyRegime, DEFAULT_REGIME, REGIMES, type Regime } from '../../domain/learning/policy/regime.js';
import { insightRow } from '../../domain/learning/cycle.js';
import { INTERVAL_MS, type CandleSeries } from '../../domain/market/candles.js';
import { canResample, completeOnly, resample } from '../../domain/market/resample.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { Genome, type Timeframe } from '../../domain/strategy/genome.js';
import { BacktestResult, FilterVerdict, type StrategyEvent } from '../../domain/strategy/events.js';
import { formatFieldErrors, fieldErrors } from '../../domain/primitives/decode-errors.js';
import type * as t from 'io-ts';
import { decodeAll } from '../events/decode-event.js';
import { utcDay } from '../market-data/pair-selection.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore, ExpectedRevision, NewEvent } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import type { LearningHistory, LearningHistoryRow } from '../ports/learning-history.js';
import type { WindowBacktests } from '../ports/window-backtests.js';
import { handleStrategyCommand, loadStrategy, type CommandContext } from '../strategy/handle-strategy-command.js';
import { cycleStartedData, cycleStream, fixCycleParameters, type CycleRequest } from './cycle-start.js';

export { cycleStream, DEFAULT_CYCLE_SYMBOLS } from './cycle-start.js';

const DAY = 86_400_000;
export const CYCLE_ACTOR = 'system:learning-cycle' as Actor;

export interface CycleLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DailyCycleDeps {
  readonly store: EventStore;
  readonly candles: Pick<CandleStore, 'readSeries' | 'bounds'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly log: CycleLog;
  /** The training set and the genomes behind it (the read models). */
  readonly history: LearningHistory;
  /** Runs the cycle's backtests: the worker pool in the platform (pool-window-backtests.ts), in-process in tests. */
  readonly backtests: WindowBacktests;
  /** Brings the read models up to the log before the learner is rebuilt (the projector's catch-up). */
  readonly catchUp?: () => Promise<void>;
}

/**
 * What a run asks for (cycle-start.ts CycleRequest): the day (asOf), and any of n, seed, symbols, exchange, isDays,
 * oosDays, filter, minHistory, timeframes — a started day refuses other values and fills in the ones left out. Longer
 * timeframes are resampled from the stored 1h candles closed by asOf (complete buckets only), so the windows and the
 * regime stay those of the 1h series.
 */
export type DailyCycleOptions = CycleRequest;

export interface RankedStrategy {
  readonly strategyId: string;
  readonly origin: GeneratedOrigin;
  readonly symbols: readonly string[];
  readonly strategyType: string;
  readonly passed: boolean;
  readonly oosSharpe: number | null;
  readonly oosReturn: number | null;
  readonly oosTrades: number;
  readonly isSharpe: number | null;
  readonly oosDeflatedSharpe: number | null;
}

export interface DailyCycleReport {
  readonly cycleId: string;
  readonly asOf: string;
  /** False when the cycle had already run: nothing was appended. */
  readonly ran: boolean;
  readonly symbols: readonly string[];
  readonly regime: Regime;
  readonly inSample: { readonly start: string; readonly end: string };
  readonly outOfSample: { readonly start: string; readonly end: string };
  /** Scored strategies in the history the learner was rebuilt from. */
  readonly historySize: number;
  readonly generated: number;
  readonly produced: Record<GeneratedOrigin, number>;
  readonly passed: number;
  /** The cycle's strategies in the log (those it learned from) by OOS Sharpe, best first. */
  readonly ranking: readonly RankedStrategy[];
  /** Strategies the insights and the policy learned from: those in the log as this run made them. */
  readonly learnedFrom: number;
  readonly insights: Insights | null;
  readonly policyUpdates: number;
  /** Events this run appended (0 on a re-run). */
  readonly appended: number;
  readonly notes: readonly string[];
  readonly wallMs: number;
}

// --- reading the learner's history

/** The genomes of the given strategies (the training set keeps only features); one that no longer is a Genome is left out. */
const genomesOf = async (history: LearningHistory, ids: readonly string[]): Promise<Map<string, Genome>> => {
  const out = new Map<string, Genome>();
  for (const [id, genome] of await history.genomes(ids)) if (Genome.is(genome)) out.set(id, genome);
  return out;
};

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
    inSample: figures(row.isSharpe, row.isReturn, null, row.isTrades, row.inSampleMetrics !== null),
    outOfSample: figures(row.oosSharpe, row.oosReturn, row.oosMaxDrawdown, row.oosTrades, row.outOfSampleMetrics !== null),
    oosDeflatedSharpe: row.oosDeflatedSharpe,
    passed: row.filterOutcome === 'passed',
    fitness: row.oosSharpe,
  };
};

interface StoredPolicy {
  readonly policy: Policy;
  readonly revision: bigint | undefined;
  readonly done: LearningPolicyUpdatedData | undefined;
}

/** The last policy stored before this cycle, and this cycle's own update if it already ran. */
const loadPolicy = async (store: EventStore, cycleId: string): Promise<StoredPolicy> => {
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

// --- the cycle

const finiteMetrics = (m: Metrics): Metrics => Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));

/** Only what the codec accepts is ever appended (finite metrics, valid timestamps). */
const decodeOrThrow = <A, O>(codec: t.Type<A, O, unknown>, value: unknown, what: string): A => {
  const r = codec.decode(value);
  if (either.isLeft(r)) throw new Error(`${what} does not decode: ${formatFieldErrors(fieldErrors(r.left))}`);
  return r.right;
};

const iso = (ms: number) => new Date(ms).toISOString();

const rankingOf = (records: readonly StrategyRecord[], ids: readonly string[]): RankedStrategy[] =>
  records
    .map((r, i) => ({
      strategyId: ids[i]!,
      origin: r.origin,
      symbols: r.genome.symbols,
      strategyType: r.genome.strategyType,
      passed: r.passed,
      oosSharpe: r.outOfSample?.sharpe ?? null,
      oosReturn: r.outOfSample?.totalReturn ?? null,
      oosTrades: r.outOfSample?.tradeCount ?? 0,
      isSharpe: r.inSample?.sharpe ?? null,
      oosDeflatedSharpe: r.oosDeflatedSharpe,
    }))
    .sort((a, b) => (b.oosSharpe ?? -Infinity) - (a.oosSharpe ?? -Infinity) || a.strategyId.localeCompare(b.strategyId));

export const runDailyCycle = async (deps: DailyCycleDeps, options: DailyCycleOptions = {}): Promise<Either<CycleParametersDiffer, DailyCycleReport>> => {
  const started = performance.now();
  const cycleId = utcDay(options.asOf ?? deps.clock.now());
  const interval = '1h' as const;
  const barMs = INTERVAL_MS[interval];
  const asked = options.timeframes ?? options.defaultTimeframes ?? [];
  const unusable = asked.filter((tf) => tf !== interval && !canResample(interval, tf));
  if (unusable.length > 0) throw new RangeError(`learning cycle: timeframes ${unusable.join(', ')} cannot be built from ${interval} candles`);

  // The day's parameters: its first run's (a re-run resumes with them, or is refused when it asks for others).
  const fixed = await fixCycleParameters(deps, cycleId, options);
  if (either.isLeft(fixed)) return fixed; // the caller says it (the CLI exits 2, the scheduler logs it)
  const day = fixed.right.parameters;
  const notes: string[] = [...fixed.right.notes];
  const asOfDate = new Date(day.asOf);
  const asOf = asOfDate.getTime();
  const { n, seed, exchange, symbols } = day;
  const rule: FilterRule = day.filter;
  const timeframes = day.timeframes ?? (['1h'] as const);

  // Windows by open time; only candles closed by asOf (open time + 1 h ≤ asOf) are loaded, so nothing is seen early.
  const outOfSample: Window = { from: asOf - day.oosDays * DAY, to: asOf };
  const inSample: Window = { from: outOfSample.from - day.isDays * DAY, to: outOfSample.from };
  const windows = { inSample: { start: iso(inSample.from), end: iso(inSample.to) }, outOfSample: { start: iso(outOfSample.from), end: iso(outOfSample.to) } };

  await deps.catchUp?.();
  const stored = await loadPolicy(deps.store, cycleId);
  const strategyIds = Array.from({ length: n }, (_, i) => deps.ids.idFor(`learning-cycle:${cycleId}:strategy:${i}`));

  const already = stored.done;
  if (already !== undefined) {
    // The cycle ran: report what is stored, append nothing.
    const insights = await storedInsights(deps.store, cycleId);
    const ownIds = new Set(strategyIds);
    const rows = (await deps.history.rows()).filter((r) => ownIds.has(r.strategyId));
    const genomes = await genomesOf(
      deps.history,
      rows.map((r) => r.strategyId),
    );
    const records = rows.flatMap((r) => (genomes.has(r.strategyId) ? [recordOf(r, genomes.get(r.strategyId)!)] : []));
    notes.push(`cycle ${cycleId} already ran (its policy update is stored): nothing appended`);
    deps.log.info({ cycleId }, 'learning cycle already ran: nothing appended');
    return either.right({
      cycleId,
      asOf: asOfDate.toISOString(),
      ran: false,
      symbols,
      regime: already.regime ?? DEFAULT_REGIME,
      ...windows,
      historySize: 0,
      generated: records.length,
      produced: {
        ga: records.filter((r) => r.origin === 'ga').length,
        policy: records.filter((r) => r.origin === 'policy').length,
        random: records.filter((r) => r.origin === 'random').length,
      },
      passed: records.filter((r) => r.passed).length,
      ranking: rankingOf(
        records,
        records.map((r) => r.id),
      ),
      insights,
      policyUpdates: already.policy.updates,
      learnedFrom: already.results ?? records.length,
      appended: 0,
      notes,
      wallMs: performance.now() - started,
    });
  }
  if (symbols.length === 0)
    throw new Error(`learning cycle ${cycleId}: no symbol has ${exchange} 1h candles over ${windows.inSample.start} … ${windows.outOfSample.end}`);

  // Every append of the cycle's own streams: ids and idempotency keys from the day and the event's name.
  let appended = 0;
  const metadata = (name: string): EventMetadata => ({
    correlationId: deps.ids.idFor(`learning-cycle:${cycleId}`),
    causationId: deps.ids.idFor(`learning-cycle:${cycleId}`),
    actor: CYCLE_ACTOR,
    schemaVersion: SCHEMA_VERSION as EventMetadata['schemaVersion'],
    occurredAt: deps.clock.now().toISOString() as EventMetadata['occurredAt'],
    idempotencyKey: `learning-cycle:${cycleId}:${name}`,
  });
  const append = async (stream: string, e: { type: string; data: unknown }, name: string, expectedRevision: ExpectedRevision) => {
    const eventId = deps.ids.idFor(`learning-cycle:${cycleId}:${name}`);
    const event: NewEvent = { eventId, type: e.type, data: e.data, metadata: metadata(name) };
    const r = await deps.store.appendToStream(stream, [event], { expectedRevision });
    if (either.isLeft(r))
      throw new Error(
        `learning cycle ${cycleId}: appending ${e.type} to ${stream} refused: ${JSON.stringify(r.left, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      );
    if (r.right.appended) appended++;
    return r.right.appended;
  };
  // A first run fixes the day's parameters before its first strategy; a run racing it to the same day stops here.
  if (fixed.right.toRecord !== undefined) {
    const event: LearningCycleStarted = { type: 'LearningCycleStarted', data: cycleStartedData(day) };
    const recorded = await append(cycleStream(cycleId), event, 'started', fixed.right.toRecord.expectedRevision).catch((err: unknown) => {
      throw new Error(`learning cycle ${cycleId}: another run started the day at the same time (${(err as Error).message}): run it again to resume it`);
    });
    if (!recorded) throw new Error(`learning cycle ${cycleId}: another run started the day at the same time: run it again to resume it`);
    if (day.recordedOnResume === true)
      notes.push(
        `cycle ${cycleId} was started before its parameters were recorded: this run's are recorded as the day's, and a strategy ` +
          'the earlier run stored otherwise is left as it is and not learned from',
      );
  }

  // The learner, rebuilt from the history (this cycle's own strategies left out: see the module comment).
  const own = new Set(strategyIds);
  const rows = (await deps.history.rows()).filter((r) => !own.has(r.strategyId));
  const genomes = await genomesOf(
    deps.history,
    rows.map((r) => r.strategyId),
  );
  const history = rows
    .filter((r) => genomes.has(r.strategyId))
    .map((r) => recordOf(r, genomes.get(r.strategyId)!))
    .sort((a, b) => a.cycle - b.cycle || a.id.localeCompare(b.id));
  if (history.length < rows.length) notes.push(`${rows.length - history.length} training rows without a readable genome were left out`);
  const tested = await deps.history.triedFingerprints();
  if (fixed.right.resuming) {
    // A run that stopped half-way: its genomes are not "tested" for the regeneration (they are the same ones).
    for (const f of await deps.history.fingerprintsOf(strategyIds)) tested.delete(f);
    notes.push(`cycle ${cycleId} was started before: resuming it with its parameters (${describeCycleParameters(day)})`);
  }
  const insightsBefore = history.length > 0 ? computeInsights(history.map(insightRow)) : null;
  const learner: LearnerState = { history, tested, policy: stored.policy, insights: insightsBefore };
  const cycleIndex = history.reduce((m, r) => Math.max(m, r.cycle + 1), 0);

  // Candles: the IS window with indicator warm-up before it, up to the last candle closed by asOf.
  const warmup = 1000 * barMs;
  const series: Record<string, CandleSeries> = {};
  for (const symbol of symbols)
    series[symbol] = await deps.candles.readSeries({ exchange, symbol, interval }, { from: inSample.from - warmup, to: asOf - barMs + 1 });
  const seriesByTimeframe = new Map<Timeframe, Record<string, CandleSeries>>([[interval, series]]);
  for (const tf of timeframes) {
    if (seriesByTimeframe.has(tf)) continue;
    const resampled: Record<string, CandleSeries> = {};
    for (const symbol of symbols) {
      const r = resample(series[symbol]!, tf, { asOf });
      if (either.isLeft(r)) throw new Error(`learning cycle ${cycleId}: ${symbol} ${tf}: ${r.left}`);
      resampled[symbol] = completeOnly(r.right);
    }
    seriesByTimeframe.set(tf, resampled);
  }
  const reference = series[symbols.includes('BTCUSDT') ? 'BTCUSDT' : symbols[0]!]!;
  const reading = classifyRegime(reference.close, { window: 720 });
  notes.push(...reading.notes.map((x) => `regime: ${x}`));

  const cycleOptions: CycleOptions = {
    cycle: cycleIndex,
    cycleId,
    size: n,
    symbols,
    inSample,
    outOfSample,
    regime: reading.regime,
    filter: rule,
    seed,
    ...(day.minHistory === undefined ? {} : { minHistory: day.minHistory }),
    ...(day.timeframes === undefined ? {} : { timeframes: day.timeframes }),
  };
  // runCycle in its three steps, so that the backtests (minutes of CPU for N = 500) run on the worker pool
  // (deps.backtests), each genome on the in-sample and the out-of-sample window over the cycle's own series: the API
  // and the projector sharing this process keep answering.
  const plan = planCycle(learner, cycleOptions, mulberry32(seed));
  const planned = plan.generation.genomes.map((g) => g.genome);
  const windowRuns = await deps.backtests.run({ exchange, series: seriesByTimeframe, genomes: planned, windows: [inSample, outOfSample] });
  // Each backtest's metrics as stored (finite only) and its data fingerprint, for the events; the learner reads
  // non-finite metrics as missing, so it gets the same figures either way.
  const runs = new Map<Genome, Map<number, { metrics: Metrics; fingerprint: string }>>();
  const genomeRuns: GenomeRuns[] = planned.map((genome, i) => {
    const [is, oos] = windowRuns[i] ?? [];
    if (is === undefined || oos === undefined) throw new Error(`learning cycle ${cycleId}: no backtest result for genome ${i}`);
    const byWindow = new Map<number, { metrics: Metrics; fingerprint: string }>();
    if (is.ok) byWindow.set(inSample.from, { metrics: finiteMetrics(is.metrics), fingerprint: is.dataFingerprint });
    if (oos.ok) byWindow.set(outOfSample.from, { metrics: finiteMetrics(oos.metrics), fingerprint: oos.dataFingerprint });
    runs.set(genome, byWindow);
    return { is: is.ok ? is.metrics : null, oos: oos.ok ? oos.metrics : null };
  });
  const result = concludeCycle(learner, cycleOptions, plan, genomeRuns);
  notes.push(...result.notes);

  // Record each strategy's life: Generated → Backtested → Filtered (each command idempotent by its key). A strategy
  // already stored otherwise than this run made it (another genome, backtest or verdict: a day started before its
  // parameters were recorded, or other candles since) is left as it is — and not learned from.
  const ctx = (i: number, step: string): CommandContext => ({
    actor: CYCLE_ACTOR,
    correlationId: deps.ids.idFor(`learning-cycle:${cycleId}`),
    idempotencyKey: `learning-cycle:${cycleId}:${i}:${step}`,
  });
  const check = <L extends { readonly kind: string }, R extends { readonly events: readonly unknown[] }>(r: either.Either<L, R>, what: string): R => {
    if (either.isLeft(r)) throw new Error(`learning cycle ${cycleId}: ${what} refused: ${JSON.stringify(r.left)}`);
    appended += r.right.events.length;
    return r.right;
  };
  // Every threshold the day's rule holds (the OOS gate, and the platform's thresholds when the day has them).
  const thresholds = Object.fromEntries(Object.entries(rule).filter(([, v]) => typeof v === 'number'));
  const inLog: boolean[] = [];
  for (const [i, record] of result.records.entries()) {
    const strategyId = strategyIds[i]! as StrategyEvent['data']['strategyId'];
    const existing = await loadStrategy(deps.store, strategyId);
    if (either.isLeft(existing)) throw new Error(existing.left.message);
    const status = existing.right.state.status;
    const bt = runs.get(record.genome);
    const is = bt?.get(inSample.from);
    const oos = bt?.get(outOfSample.from);
    const btResult = decodeOrThrow(
      BacktestResult,
      {
        metrics: is?.metrics ?? {},
        ...(oos === undefined
          ? {}
          : { outOfSampleMetrics: { ...oos.metrics, ...(record.oosDeflatedSharpe === null ? {} : { deflatedSharpe: record.oosDeflatedSharpe }) } }),
        window: { start: windows.inSample.start, end: windows.outOfSample.end },
        timeframe: record.genome.timeframe,
        symbols: [...record.genome.symbols],
        dataFingerprint: oos?.fingerprint ?? is?.fingerprint ?? 'none',
        engineVersion: ENGINE_VERSION,
        // Read by the training-set projection (backtestRegime): the market regime the cycle generated for.
        regime: { label: reading.regime, trendStrength: reading.trendStrength, volatility: reading.volatility },
        inSampleWindow: windows.inSample,
        outOfSampleWindow: windows.outOfSample,
      },
      `strategy ${i}'s backtest result`,
    );
    const oosSharpe = record.outOfSample?.sharpe;
    const verdict = decodeOrThrow(
      FilterVerdict,
      {
        outcome: record.passed ? 'passed' : 'rejected',
        reasons: verdictReasons(record, rule, n),
        thresholds,
        ...(oosSharpe === null || oosSharpe === undefined ? {} : { score: oosSharpe }),
      },
      `strategy ${i}'s filter verdict`,
    );
    const differs = storedOtherwise(existing.right.events, record.fingerprint, btResult, verdict);
    if (differs !== undefined) {
      notes.push(`strategy ${i} (${strategyId}) is stored with another ${differs}: left as it is, not learned from`);
      inLog.push(false);
      continue;
    }
    if (status === 'Initial')
      check(
        await handleStrategyCommand(deps, { type: 'GenerateStrategy', strategyId, data: { genome: record.genome } }, ctx(i, 'generate')),
        'GenerateStrategy',
      );
    if (status === 'Initial' || status === 'Generated')
      check(await handleStrategyCommand(deps, { type: 'RecordBacktest', strategyId, data: { result: btResult } }, ctx(i, 'backtest')), 'RecordBacktest');
    if (status === 'Initial' || status === 'Generated' || status === 'Backtested')
      check(await handleStrategyCommand(deps, { type: 'FilterStrategy', strategyId, data: { verdict } }, ctx(i, 'filter')), 'FilterStrategy');
    inLog.push(true);
  }

  // The cycle's learning comes only from the strategies in the log as this run made them.
  const learned = result.records.filter((_, i) => inLog[i]);
  const learnt = learned.length === result.records.length ? result.learner : learnFromRecords(learner, cycleOptions, learned);
  if (learned.length < result.records.length)
    notes.push(
      `${result.records.length - learned.length} of ${result.records.length} strategies are stored otherwise: the insights and the policy learn from the ${learned.length} in the log`,
    );

  // The cycle's insights, then the policy (last: its presence says the cycle ran).
  const insightsEvent: LearningInsightsRecorded = {
    type: 'LearningInsightsRecorded',
    data: {
      cycleId,
      insights: learnt.insights! as LearningInsightsRecordedData['insights'],
      regime: reading.regime,
      asOf: asOfDate.toISOString() as LearningInsightsRecordedData['asOf'] & string,
    },
  };
  const policyEvent: LearningPolicyUpdated = {
    type: 'LearningPolicyUpdated',
    data: {
      cycleId,
      policy: learnt.policy as LearningPolicyUpdatedData['policy'],
      regime: reading.regime,
      asOf: asOfDate.toISOString() as LearningPolicyUpdatedData['asOf'] & string,
      results: learned.length as LearningPolicyUpdatedData['results'] & number,
    },
  };
  await append(cycleStream(cycleId), insightsEvent, 'insights', 'any');
  await append(POLICY_STREAM, policyEvent, 'policy', stored.revision ?? 'no_stream');

  const report: DailyCycleReport = {
    cycleId,
    asOf: asOfDate.toISOString(),
    ran: true,
    symbols,
    regime: reading.regime,
    ...windows,
    historySize: history.length,
    generated: result.records.length,
    produced: result.generation.produced,
    passed: learned.filter((r) => r.passed).length,
    ranking: rankingOf(
      learned,
      strategyIds.filter((_, i) => inLog[i]),
    ),
    insights: learnt.insights,
    policyUpdates: learnt.policy.updates,
    learnedFrom: learned.length,
    appended,
    notes,
    wallMs: performance.now() - started,
  };
  deps.log.info(
    {
      cycleId,
      generated: report.generated,
      passed: report.passed,
      produced: report.produced,
      regime: report.regime,
      appended,
      wallMs: Math.round(report.wallMs),
    },
    'learning cycle done',
  );
  return either.right(report);
};

/** What a stored strategy has that this run would not record (a genome, a backtest or a verdict), if anything. */
const storedOtherwise = (events: readonly StrategyEvent[], fingerprint: string, result: BacktestResult, verdict: FilterVerdict): string | undefined => {
  for (const e of events) {
    // Compared as stable JSON: what the log holds is what JSON gives back (key order, -0), not the object in hand.
    if (e.type === 'StrategyGenerated' && genomeFingerprint(e.data.genome) !== fingerprint) return 'genome';
    if (e.type === 'StrategyBacktested' && stableJson(e.data.result) !== stableJson(result))
      return `backtest (data ${e.data.result.dataFingerprint.slice(0, 12)}…, engine ${e.data.result.engineVersion})`;
    if (e.type === 'StrategyFiltered' && stableJson(e.data.verdict) !== stableJson(verdict)) return `filter verdict (${e.data.verdict.outcome})`;
  }
  return undefined;
};

const storedInsights = async (store: EventStore, cycleId: string): Promise<Insights | null> => {
  const decoded = decodeAll<LearningInsightsRecorded>((await store.readStream(cycleStream(cycleId))).filter((r) => r.type === 'LearningInsightsRecorded'));
  if (either.isLeft(decoded)) throw new Error(decoded.left.message);
  const last = decoded.right[decoded.right.length - 1];
  return last === undefined ? null : last.event.data.insights;
};
