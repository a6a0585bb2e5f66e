// The daily learning cycle (issue 5), run by the scheduler at 03:00 UTC or by `npm run cycle`: rebuild the learner
// from the stored history, generate N genomes (never one already tested), backtest each in-sample and out-of-sample
// on the stored candles closed before `asOf`, and record every strategy's Generated → Backtested → Filtered; then
// the cycle's insights go to `cycle-<YYYY-MM-DD>` and the updated policy to `model-learning-policy`.
//
// The learning itself is domain/learning/cycle.ts runCycle (pure); this module orchestrates its I/O — what it reads
// is cycle-loading.ts, what it writes cycle-recording.ts:
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
// - the backtests: deps.backtests (WindowBacktests), the worker pool in the platform, over the cycle's own series, in
//   chunks so the time budget (`cycle.budgetMinutes`) can stop them; what it leaves out is CycleBudgetExhausted;
// - a process on `cycle-<day>` (doc/cycle.md): a CycleStageCompleted per stage (data, generate, backtest, filter,
//   learn, promote), then CycleCompleted; a day with CycleCompleted has run, one with its policy update and not
//   CycleCompleted resumes at its promotion (the passed strategies to paper, best first, up to the free slots);
// - the learner takes in the paper results of its history (deps.paperResults) before planning;
// - one run of a day at a time (deps.lock): a trigger while one runs is refused (CycleAlreadyRunning).
//
// The read models must have caught up with the log before the learner is rebuilt: pass `catchUp` (the projector's
// catch-up) when the caller is not sure they have.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { mulberry32 } from '../../domain/backtest/random-genome.js';
import {
  concludeCycle,
  insightRow,
  learnFromRecords,
  planCycle,
  type CycleOptions,
  type CyclePlan,
  type GenomeRuns,
  type FilterRule,
  type LearnerState,
  type Metrics,
  type StrategyRecord,
  type Window,
} from '../../domain/learning/cycle.js';
import { describeCycleParameters, type CycleParametersDiffer, type LearningCycleStarted } from '../../domain/learning/cycle-started.js';
import type { GeneratedOrigin } from '../../domain/learning/generator.js';
import { computeInsights, type Insights } from '../../domain/learning/insights/insights.js';
import type { LearningPolicyUpdatedData } from '../../domain/learning/policy-events.js';
import { classifyRegime, DEFAULT_REGIME, type Regime } from '../../domain/learning/policy/regime.js';
import { operandFamily, type Genome, type OperandFamily } from '../../domain/strategy/genome.js';
import { canResample } from '../../domain/market/resample.js';
import { utcDay } from '../market-data/pair-selection.js';
import type { CandleStore } from '../ports/candle-store.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import type { LearningHistory } from '../ports/learning-history.js';
import type { WindowBacktests, WindowOperandData } from '../ports/window-backtests.js';
import type { CycleCompletedData } from '../../domain/learning/cycle-stages.js';
import { loadSettings } from '../settings/settings-recorder.js';
import type { PaperResults } from '../ports/paper-results.js';
import { inProcessCycleLock, type CycleLock } from './cycle-lock.js';
import { learnerHistory, loadCycleCandles, loadPolicy, recordsOf, storedInsights, withPaperResults } from './cycle-loading.js';
import { promoteToPaper } from './cycle-promotion.js';
import { loadStages, stageRecorder, type StageRecorder, type StoredStages } from './cycle-stage-recording.js';
import { cycleAppender, recordLearning, recordStrategies, type WindowRunsByGenome } from './cycle-recording.js';
import { familiesOfSetting, loadCycleOperands, type CycleOperandSources, type CycleOperands } from './cycle-operands.js';
import { cycleStartedData, cycleStream, fixCycleParameters, type CycleRequest } from './cycle-start.js';

export { cycleStream, DEFAULT_CYCLE_SYMBOLS } from './cycle-start.js';
export { CYCLE_ACTOR } from './cycle-recording.js';

const DAY = 86_400_000;

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
  /** The judged paper periods the learner takes in (PaperTradingEvaluated); absent: none. */
  readonly paperResults?: PaperResults;
  /** Ids of every strategy now in Paper (the strategies read model), for the promotion's free slots; absent: no promotion. */
  readonly strategiesInPaper?: () => Promise<readonly string[]>;
  /** One run of a day at a time, across processes in the platform (advisory-cycle-lock.ts); absent: this process's. */
  readonly lock?: CycleLock;
  /** Genomes per chunk of backtests (the budget is checked between chunks). Default 50. */
  readonly chunkSize?: number;
  /**
   * Where the external operand families the `cycle.operands` setting turns on are read (the daily series store, the
   * PredictionSource); a family whose source is absent, or without data in the cycle's windows, is not drawn.
   */
  readonly operands?: CycleOperandSources;
}

/**
 * What a run asks for (cycle-start.ts CycleRequest): the day (asOf), and any of n, seed, symbols, exchange, isDays,
 * oosDays, filter, minHistory, timeframes — a started day refuses other values and fills in the ones left out. Longer
 * timeframes are resampled from the stored 1h candles closed by asOf (complete buckets only), so the windows and the
 * regime stay those of the 1h series.
 */
export type DailyCycleOptions = CycleRequest & {
  /** Who triggers the run (`the schedule`, `npm run cycle (pid 123)`): named to a trigger refused while it runs. */
  readonly trigger?: string;
};

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
  /** Paper results (judged paper periods of the history) the learner took in before planning. */
  readonly paperResultsLearned: number;
  /** Genomes planned; `leftOut` of them were not backtested within the time budget (CycleBudgetExhausted). */
  readonly planned: number;
  readonly leftOut: number;
  /** The cycle's strategies put in paper (now or by an earlier run of the day), best first. */
  readonly promoted: readonly string[];
  readonly insights: Insights | null;
  readonly policyUpdates: number;
  /** Events this run appended (0 on a re-run). */
  readonly appended: number;
  readonly notes: readonly string[];
  readonly wallMs: number;
}

const finiteMetrics = (m: Metrics): Metrics => Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));

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

/** Which of these strategies the cycle put in paper (a PaperTradingStarted under its promotion key's actor and reason). */
const promotedBy = async (store: EventStore, cycleId: string, ids: readonly string[]): Promise<Set<string>> => {
  const out = new Set<string>();
  for (const id of ids) {
    const events = await store.readStream(`strategy-${id}`);
    if (events.some((e) => e.type === 'PaperTradingStarted' && String((e.data as { reason?: unknown }).reason).startsWith(`cycle ${cycleId}: rank `)))
      out.add(id);
  }
  return out;
};

/** A day whose policy update is stored: its report from what is stored. */
const alreadyRanReport = async (
  deps: DailyCycleDeps,
  c: {
    readonly cycleId: string;
    readonly asOfDate: Date;
    readonly symbols: readonly string[];
    readonly windows: Pick<DailyCycleReport, 'inSample' | 'outOfSample'>;
    readonly strategyIds: readonly string[];
    readonly done: LearningPolicyUpdatedData;
    readonly stages: StoredStages;
    readonly notes: string[];
    readonly started: number;
  },
): Promise<DailyCycleReport> => {
  const { cycleId, asOfDate, symbols, windows, notes, started } = c;
  const already = c.done;
  const insights = await storedInsights(deps.store, cycleId);
  const records = await recordsOf(deps.history, c.strategyIds);
  const promotedIds = await promotedBy(
    deps.store,
    cycleId,
    records.filter((r) => r.passed).map((r) => r.id),
  );
  notes.push(`cycle ${cycleId} already ran (its policy update is stored): nothing appended`);
  deps.log.info({ cycleId }, 'learning cycle already ran: nothing appended');
  return {
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
    // As recorded by the run that did it (a day before the stage events: what the strategies say).
    paperResultsLearned: c.stages.completed?.paperResultsLearned ?? c.stages.counts.get('generate')?.['paperResults'] ?? 0,
    planned: c.stages.completed?.planned ?? c.stages.budget?.planned ?? records.length,
    leftOut: c.stages.budget === undefined ? 0 : c.stages.budget.planned - c.stages.budget.backtested,
    promoted: records.filter((r) => r.passed && promotedIds.has(r.id)).map((r) => r.id),
    appended: 0,
    notes,
    wallMs: performance.now() - started,
  };
};

/**
 * The planned genomes' backtests, each on the in-sample and the out-of-sample window over the cycle's own series, on
 * deps.backtests (the worker pool): the runs as the learner reads them, and each one's metrics as stored (finite only)
 * with its data fingerprint, for the events — the learner reads non-finite metrics as missing, so it gets the same
 * figures either way.
 */
const backtestPlanned = async (
  backtests: WindowBacktests,
  b: {
    readonly cycleId: string;
    readonly exchange: string;
    readonly series: Parameters<WindowBacktests['run']>[0]['series'];
    readonly operands?: WindowOperandData;
    readonly genomes: readonly Genome[];
    readonly inSample: Window;
    readonly outOfSample: Window;
  },
): Promise<{ runs: WindowRunsByGenome; genomeRuns: GenomeRuns[] }> => {
  const { inSample, outOfSample } = b;
  const windowRuns = await backtests.run({
    exchange: b.exchange,
    series: b.series,
    genomes: b.genomes,
    windows: [inSample, outOfSample],
    ...(b.operands === undefined ? {} : { operands: b.operands }),
  });
  const runs: WindowRunsByGenome = new Map();
  const genomeRuns: GenomeRuns[] = b.genomes.map((genome, i) => {
    const [is, oos] = windowRuns[i] ?? [];
    if (is === undefined || oos === undefined) throw new Error(`learning cycle ${b.cycleId}: no backtest result for genome ${i}`);
    const byWindow = new Map<number, { metrics: Metrics; fingerprint: string }>();
    if (is.ok) byWindow.set(inSample.from, { metrics: finiteMetrics(is.metrics), fingerprint: is.dataFingerprint });
    if (oos.ok) byWindow.set(outOfSample.from, { metrics: finiteMetrics(oos.metrics), fingerprint: oos.dataFingerprint });
    runs.set(genome, byWindow);
    return { is: is.ok ? is.metrics : null, oos: oos.ok ? oos.metrics : null };
  });
  return { runs, genomeRuns };
};

/** A trigger while another run holds the day: refused at once, nothing appended. */
export interface CycleAlreadyRunning {
  readonly kind: 'CycleAlreadyRunning';
  readonly cycleId: string;
  readonly holder: string;
  readonly message: string;
}

/** No wanted pair has candles over the day's windows: nothing to learn from, nothing appended. */
export interface CycleWithoutData {
  readonly kind: 'CycleWithoutData';
  readonly cycleId: string;
  readonly leftOut: readonly { readonly symbol: string; readonly reason: string }[];
  readonly message: string;
}

export type CycleRefused = CycleParametersDiffer | CycleAlreadyRunning | CycleWithoutData;

const DEFAULT_CHUNK = 50;

/**
 * Runs the day's cycle holding its lock (deps.lock, else the process's own): a second trigger while it runs is
 * refused (CycleAlreadyRunning, naming the running one); a day's parameters that differ are refused as before.
 */
export const runDailyCycle = async (deps: DailyCycleDeps, options: DailyCycleOptions = {}): Promise<Either<CycleRefused, DailyCycleReport>> => {
  const cycleId = utcDay(options.asOf ?? deps.clock.now());
  const holder = options.trigger ?? 'a run';
  const locked = await (deps.lock ?? processLock).withLock(cycleId, holder, () => runUnlocked(deps, cycleId, options));
  if (locked.acquired) return locked.value;
  const message =
    `learning cycle ${cycleId} is already running (${locked.holder}): this trigger (${holder}) is refused and appends nothing. ` +
    'Its progress: GET /api/cycles/' +
    cycleId +
    '; a run killed half-way is resumed by the next trigger.';
  deps.log.warn({ cycleId, holder: locked.holder }, message);
  return either.left({ kind: 'CycleAlreadyRunning', cycleId, holder: locked.holder, message });
};

const processLock = inProcessCycleLock();

const runUnlocked = async (deps: DailyCycleDeps, cycleId: string, options: DailyCycleOptions): Promise<Either<CycleRefused, DailyCycleReport>> => {
  const started = performance.now();
  const interval = '1h' as const;
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
  // The budget and the paper slots are the settings' at this run's start (not day parameters: what they cut is recorded).
  const settings = await loadSettings(deps.store);
  if (either.isLeft(settings)) throw new Error(`learning cycle ${cycleId}: the settings stream cannot be read: ${settings.left.message}`);
  const budgetMs = settings.right['cycle.budgetMinutes'] * 60_000;
  const maxPaper = settings.right['paper.maxStrategies'];

  // Windows by open time; only candles closed by asOf (open time + 1 h ≤ asOf) are loaded, so nothing is seen early.
  const outOfSample: Window = { from: asOf - day.oosDays * DAY, to: asOf };
  const inSample: Window = { from: outOfSample.from - day.isDays * DAY, to: outOfSample.from };
  const windows = { inSample: { start: iso(inSample.from), end: iso(inSample.to) }, outOfSample: { start: iso(outOfSample.from), end: iso(outOfSample.to) } };

  await deps.catchUp?.();
  const stored = await loadPolicy(deps.store, cycleId);
  const stages = await loadStages(deps.store, cycleId);
  const strategyIds = Array.from({ length: n }, (_, i) => deps.ids.idFor(`learning-cycle:${cycleId}:strategy:${i}`));
  const { append, appended } = cycleAppender(deps, cycleId);
  const rec = stageRecorder(append, deps.clock, cycleId);

  // The cycle learnt (its policy update is stored): report what is stored; finish the stages a crash left undone
  // (learn's event, the promotion, the completion) unless the day ran before there were stages.
  if (stored.done !== undefined) {
    const report = await alreadyRanReport(deps, { cycleId, asOfDate, symbols, windows, strategyIds, done: stored.done, stages, notes, started });
    if (stages.completed !== undefined || !stages.done.has('filter')) return either.right(report);
    notes.push(`cycle ${cycleId} learnt but did not finish: resuming at its promotion`);
    const learned = stored.done.results ?? report.learnedFrom;
    await rec.completed('learn', { learnedFrom: learned, policyUpdates: stored.done.policy.updates });
    const promotion = await promoteStage(deps, rec, { cycleId, strategyIds, ranking: report.ranking, maxPaper });
    notes.push(...promotion.notes);
    await rec.cycleCompleted({
      planned: n,
      backtested: stages.budget?.backtested ?? report.generated,
      passed: report.passed,
      promoted: promotion.promoted.length,
      paperResultsLearned: report.paperResultsLearned,
    } as Omit<CycleCompletedData, 'cycleId' | 'at'>);
    return either.right({ ...report, ran: true, promoted: promotion.promoted, appended: appended() + promotion.appended, notes });
  }
  if (symbols.length === 0) {
    const leftOut = day.leftOut ?? [];
    const message =
      `learning cycle ${cycleId}: no symbol has ${exchange} 1h candles over ${windows.inSample.start} … ${windows.outOfSample.end}` +
      `${leftOut.length === 0 ? '' : ` (${leftOut.map((l) => `${l.symbol}: ${l.reason}`).join('; ')})`}: nothing to learn from, nothing appended. ` +
      'Import or download the candles (npm run import, doc/market-data.md).';
    deps.log.warn({ cycleId, leftOut }, message);
    return either.left({ kind: 'CycleWithoutData', cycleId, leftOut, message });
  }

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

  // Stage data: the candles (the IS window with indicator warm-up before it, up to the last candle closed by asOf).
  rec.stageStarted();
  const { series, byTimeframe: seriesByTimeframe } = await loadCycleCandles(deps.candles, {
    cycleId,
    exchange,
    symbols,
    from: inSample.from,
    asOf,
    timeframes,
  });
  const reference = series[symbols.includes('BTCUSDT') ? 'BTCUSDT' : symbols[0]!]!;
  const reading = classifyRegime(reference.close, { window: 720 });
  notes.push(...reading.notes.map((x) => `regime: ${x}`));
  const degradations = day.leftOut ?? [];
  // The external operand families the settings turn on, and which of them have data in both windows.
  const families = familiesOfSetting(settings.right['cycle.operands']);
  const operands: CycleOperands | undefined =
    families.length === 0
      ? undefined
      : await loadCycleOperands(deps.operands ?? {}, {
          families,
          symbols,
          exchange,
          from: reference.openTime[0] ?? inSample.from,
          asOf,
          windows: [inSample, outOfSample],
        });
  notes.push(...(operands?.notes ?? []));
  await rec.completed(
    'data',
    {
      symbols: symbols.length,
      leftOut: degradations.length,
      candles: symbols.reduce((k, s) => k + series[s]!.close.length, 0),
      ...(operands === undefined ? {} : { operandDaily: operands.found.daily.length, operandModels: operands.found.models.length }),
    },
    { degradations, notes: [`regime ${reading.regime}`, ...(operands === undefined ? [] : [`operands ${describeFound(operands)}`])] },
  );

  // Stage generate: the learner, rebuilt from the history (this cycle's own strategies left out: see the module
  // comment) with the paper results taken in, then the plan.
  rec.stageStarted();
  const { records: history, unreadable } = await learnerHistory(deps.history, new Set(strategyIds));
  if (unreadable > 0) notes.push(`${unreadable} training rows without a readable genome were left out`);
  const tested = await deps.history.triedFingerprints();
  if (fixed.right.resuming) {
    // A run that stopped half-way: its genomes are not "tested" for the regeneration (they are the same ones).
    for (const f of await deps.history.fingerprintsOf(strategyIds)) tested.delete(f);
    notes.push(`cycle ${cycleId} was started before: resuming it with its parameters (${describeCycleParameters(day)})`);
  }
  const insightsBefore = history.length > 0 ? computeInsights(history.map(insightRow)) : null;
  const paper = await withPaperResults({ history, tested, policy: stored.policy, insights: insightsBefore }, deps.paperResults, asOfDate);
  notes.push(...paper.notes.map((x) => `paper feedback: ${x}`));
  const learner: LearnerState = paper.learner;
  const cycleIndex = history.reduce((m, r) => Math.max(m, r.cycle + 1), 0);

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
    ...(operands === undefined ? {} : { operands: operands.families, operandData: operands.found }),
  };
  const fullPlan = planCycle(learner, cycleOptions, mulberry32(seed));
  const produced = fullPlan.generation.produced;
  await rec.completed('generate', { planned: fullPlan.generation.genomes.length, historySize: history.length, paperResults: paper.applied, ...produced });

  // Stage backtest: on deps.backtests (the worker pool: the API and the projector sharing this process keep
  // answering), in chunks, so the time budget can stop them between two; a resumed run keeps the recorded cut.
  rec.stageStarted();
  // A GA child inherits its parent's external condition even on a day that draws none (the setting turned off since):
  // the families its genomes read and the data stage did not load are loaded for their backtests only.
  const inherited = plannedFamilies(fullPlan).filter((f) => !(operands?.families ?? []).includes(f));
  const forBacktests =
    inherited.length === 0
      ? operands?.data
      : mergeOperandData(
          operands?.data,
          (
            await loadCycleOperands(deps.operands ?? {}, {
              families: inherited,
              symbols,
              exchange,
              from: reference.openTime[0] ?? inSample.from,
              asOf,
              windows: [inSample, outOfSample],
            })
          ).data,
        );
  const cut = await backtestWithinBudget(deps, rec, {
    cycleId,
    exchange,
    series: seriesByTimeframe,
    ...(forBacktests === undefined ? {} : { operands: forBacktests }),
    plan: fullPlan,
    inSample,
    outOfSample,
    budgetMs,
    ...(stages.budget === undefined ? {} : { recordedCut: stages.budget.backtested }),
  });
  const plan = cut.plan;
  const { runs, genomeRuns } = cut;
  const failed = genomeRuns.filter((r) => r.is === null || r.oos === null).length;
  await rec.completed('backtest', { planned: fullPlan.generation.genomes.length, backtested: plan.generation.genomes.length, failed, leftOut: cut.leftOut });
  if (cut.leftOut > 0)
    notes.push(
      `time budget of ${settings.right['cycle.budgetMinutes']} min: ${plan.generation.genomes.length} of ${fullPlan.generation.genomes.length} genomes backtested, ${cut.leftOut} left out (CycleBudgetExhausted)`,
    );

  // Stage filter: each strategy's life recorded, Generated → Backtested → Filtered; one stored otherwise is not learned from.
  rec.stageStarted();
  const result = concludeCycle(learner, cycleOptions, plan, genomeRuns);
  notes.push(...result.notes);
  const ownIds = strategyIds.slice(0, plan.generation.genomes.length);
  const recorded = await recordStrategies(deps, {
    cycleId,
    strategyIds: ownIds,
    records: result.records,
    runs,
    inSample,
    outOfSample,
    windows,
    rule,
    reading,
    trials: n,
  });
  const { inLog } = recorded;
  notes.push(...recorded.notes);
  const learned = result.records.filter((_, i) => inLog[i]);
  await rec.completed('filter', {
    recorded: learned.length,
    passed: learned.filter((r) => r.passed).length,
    rejected: learned.filter((r) => !r.passed).length,
    storedOtherwise: result.records.length - learned.length,
  });

  // Stage learn: only from the strategies in the log as this run made them; the insights, then the policy (its
  // presence says the cycle learnt).
  rec.stageStarted();
  const learnt = learned.length === result.records.length ? result.learner : learnFromRecords(learner, cycleOptions, learned);
  if (learned.length < result.records.length)
    notes.push(
      `${result.records.length - learned.length} of ${result.records.length} strategies are stored otherwise: the insights and the policy learn from the ${learned.length} in the log`,
    );
  await recordLearning(append, { cycleId, learnt, regime: reading.regime, asOf: asOfDate, results: learned.length, policyRevision: stored.revision });
  await rec.completed('learn', { learnedFrom: learned.length, paperResults: paper.applied, policyUpdates: learnt.policy.updates });

  // Stage promote: the passed strategies, best first, to paper up to the free slots.
  const ranking = rankingOf(
    learned,
    ownIds.filter((_, i) => inLog[i]),
  );
  const promotion = await promoteStage(deps, rec, { cycleId, strategyIds, ranking, maxPaper });
  notes.push(...promotion.notes);
  await rec.cycleCompleted({
    planned: fullPlan.generation.genomes.length,
    backtested: plan.generation.genomes.length,
    passed: learned.filter((r) => r.passed).length,
    promoted: promotion.promoted.length,
    paperResultsLearned: paper.applied,
  } as Omit<CycleCompletedData, 'cycleId' | 'at'>);

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
    ranking,
    insights: learnt.insights,
    policyUpdates: learnt.policy.updates,
    learnedFrom: learned.length,
    paperResultsLearned: paper.applied,
    planned: fullPlan.generation.genomes.length,
    leftOut: cut.leftOut,
    promoted: promotion.promoted,
    appended: appended() + recorded.appended + promotion.appended,
    notes,
    wallMs: performance.now() - started,
  };
  deps.log.info(
    {
      cycleId,
      generated: report.generated,
      passed: report.passed,
      promoted: report.promoted.length,
      leftOut: report.leftOut,
      paperResultsLearned: report.paperResultsLearned,
      produced: report.produced,
      regime: report.regime,
      appended: report.appended,
      wallMs: Math.round(report.wallMs),
    },
    'learning cycle done',
  );
  return either.right(report);
};

/** The promote stage: promotion, then its CycleStageCompleted. */
const promoteStage = async (
  deps: DailyCycleDeps,
  rec: StageRecorder,
  p: { readonly cycleId: string; readonly strategyIds: readonly string[]; readonly ranking: readonly RankedStrategy[]; readonly maxPaper: number },
) => {
  rec.stageStarted();
  const passed = p.ranking.filter((r) => r.passed).map((r) => ({ strategyId: r.strategyId, score: r.oosSharpe }));
  if (deps.strategiesInPaper === undefined) {
    const note = 'no strategies read model given: promotion to paper skipped';
    await rec.completed('promote', { passed: passed.length, promoted: 0 }, { notes: [note] });
    return { promoted: [] as string[], appended: 0, notes: [note] };
  }
  const outcome = await promoteToPaper(deps, {
    cycleId: p.cycleId,
    own: p.strategyIds,
    passed,
    maxStrategies: p.maxPaper,
    inPaper: await deps.strategiesInPaper(),
  });
  await rec.completed(
    'promote',
    { passed: passed.length, maxStrategies: p.maxPaper, inPaperBefore: outcome.others, freeSlots: outcome.freeSlots, promoted: outcome.promoted.length },
    { notes: [...outcome.notes] },
  );
  return outcome;
};

/**
 * The planned genomes' backtests in chunks of deps.chunkSize: before each chunk, the time spent (on the cycle's
 * clock) is held against the budget; when it is spent, the rest are left out and CycleBudgetExhausted lists them. A
 * run resuming a day whose cut is recorded backtests exactly the genomes before the cut.
 */
const backtestWithinBudget = async (
  deps: DailyCycleDeps,
  rec: StageRecorder,
  b: {
    readonly cycleId: string;
    readonly exchange: string;
    readonly series: Parameters<WindowBacktests['run']>[0]['series'];
    readonly operands?: WindowOperandData;
    readonly plan: CyclePlan;
    readonly inSample: Window;
    readonly outOfSample: Window;
    readonly budgetMs: number;
    readonly recordedCut?: number;
  },
): Promise<{ plan: CyclePlan; runs: WindowRunsByGenome; genomeRuns: GenomeRuns[]; leftOut: number }> => {
  const all = b.plan.generation.genomes;
  const planned = all.length;
  const target = Math.min(planned, b.recordedCut ?? planned);
  const chunk = Math.max(1, deps.chunkSize ?? DEFAULT_CHUNK);
  const started = deps.clock.now().getTime();
  const runs: WindowRunsByGenome = new Map();
  const genomeRuns: GenomeRuns[] = [];
  let done = 0;
  while (done < target) {
    if (b.recordedCut === undefined && deps.clock.now().getTime() - started >= b.budgetMs) break;
    const genomes = all.slice(done, Math.min(target, done + chunk)).map((g) => g.genome);
    const part = await backtestPlanned(deps.backtests, { ...b, genomes });
    for (const [g, r] of part.runs) runs.set(g, r);
    genomeRuns.push(...part.genomeRuns);
    done += genomes.length;
    if (done < target) await rec.progressed(done, planned);
  }
  if (done < planned)
    await rec.budgetExhausted({
      planned,
      backtested: done,
      leftOut: all.slice(done).map((g, i) => ({ index: done + i, fingerprint: g.fingerprint })),
      budgetMs: b.budgetMs,
    } as Parameters<StageRecorder['budgetExhausted']>[0]);
  const plan: CyclePlan = done === planned ? b.plan : { ...b.plan, generation: { ...b.plan.generation, genomes: all.slice(0, done) } };
  return { plan, runs, genomeRuns, leftOut: planned - done };
};

/** `sentiment, macro(fear_greed…)`: the families asked for and the data found, for the data stage's note. */
const describeFound = (o: CycleOperands): string =>
  `${o.families.join(', ')}: daily [${o.found.daily.join(', ')}], symbols [${o.found.crossSymbols.join(', ')}], models [${o.found.models.join(', ')}]`;

/** The external operand families the plan's genomes read. */
const plannedFamilies = (plan: CyclePlan): OperandFamily[] => {
  const found = new Set<OperandFamily>();
  for (const { genome } of plan.generation.genomes)
    for (const c of [...genome.entry.conditions, ...(genome.exit.conditions ?? [])])
      for (const o of [c.left, c.right]) {
        const f = operandFamily(o);
        if (f !== undefined) found.add(f);
      }
  return [...found];
};

const mergeOperandData = (a: WindowOperandData | undefined, b: WindowOperandData): WindowOperandData => ({
  ...(a?.daily === undefined && b.daily === undefined ? {} : { daily: { ...a?.daily, ...b.daily } }),
  ...(a?.predictions === undefined && b.predictions === undefined ? {} : { predictions: { ...a?.predictions, ...b.predictions } }),
});
