// What the daily cycle writes (daily-cycle.ts runs it): its own events (LearningCycleStarted, the insights, the
// policy) with ids and idempotency keys derived from the day, and each strategy's Generated → Backtested → Filtered
// through the strategy command handler — a strategy stored otherwise than this run would record it is left as it is.
import { either } from 'fp-ts';
import { ENGINE_VERSION } from '../../domain/backtest/version.js';
import { verdictReasons, type FilterRule, type LearnerState, type Metrics, type StrategyRecord, type Window } from '../../domain/learning/cycle.js';
import type { LearningInsightsRecorded, LearningInsightsRecordedData } from '../../domain/learning/events.js';
import { POLICY_STREAM, type LearningPolicyUpdated, type LearningPolicyUpdatedData } from '../../domain/learning/policy-events.js';
import { genomeFingerprint, stableJson } from '../../domain/learning/fingerprint.js';
import type { Regime, RegimeReading } from '../../domain/learning/policy/regime.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { formatFieldErrors, fieldErrors } from '../../domain/primitives/decode-errors.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { BacktestResult, FilterVerdict, type StrategyEvent } from '../../domain/strategy/events.js';
import type * as t from 'io-ts';
import { eventMetadata } from '../commands/handle-command.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore, ExpectedRevision, NewEvent } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import { cycleStream } from './cycle-start.js';
import { handleStrategyCommands, loadStrategy, type CommandContext } from '../strategy/handle-strategy-command.js';
import type { CommandStep } from '../commands/handle-command.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';

export const CYCLE_ACTOR = 'system:learning-cycle' as Actor;

interface RecordingDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** Only what the codec accepts is ever appended (finite metrics, valid timestamps). */
const decodeOrThrow = <A, O>(codec: t.Type<A, O, unknown>, value: unknown, what: string): A => {
  const r = codec.decode(value);
  if (either.isLeft(r)) throw new Error(`${what} does not decode: ${formatFieldErrors(fieldErrors(r.left))}`);
  return r.right;
};

export interface CycleAppender {
  /** Appends one event of the cycle's own; true when it was appended (false: already stored under its key). */
  readonly append: (stream: string, e: { type: string; data: unknown }, name: string, expectedRevision: ExpectedRevision) => Promise<boolean>;
  /** Events appended so far. */
  readonly appended: () => number;
}

/** Every append of the cycle's own streams: ids and idempotency keys from the day and the event's name. */
export const cycleAppender = (deps: RecordingDeps, cycleId: string): CycleAppender => {
  let count = 0;
  return {
    appended: () => count,
    append: async (stream, e, name, expectedRevision) => {
      const eventId = deps.ids.idFor(`learning-cycle:${cycleId}:${name}`);
      const ctx: CommandContext = {
        actor: CYCLE_ACTOR,
        correlationId: deps.ids.idFor(`learning-cycle:${cycleId}`),
        idempotencyKey: `learning-cycle:${cycleId}:${name}`,
      };
      const event: NewEvent = { eventId, type: e.type, data: e.data, metadata: eventMetadata(ctx, deps.clock.now(), eventId) };
      const r = await deps.store.appendToStream(stream, [event], { expectedRevision });
      if (either.isLeft(r))
        throw new Error(
          `learning cycle ${cycleId}: appending ${e.type} to ${stream} refused: ${JSON.stringify(r.left, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
        );
      if (r.right.appended) count++;
      return r.right.appended;
    },
  };
};

export interface LearningToRecord {
  readonly cycleId: string;
  /** What the cycle learnt (from the strategies in the log as this run made them). */
  readonly learnt: Pick<LearnerState, 'insights' | 'policy'>;
  readonly regime: Regime;
  readonly asOf: Date;
  /** How many strategies it learnt from. */
  readonly results: number;
  /** The policy stream's revision when the cycle read it: a concurrent update is refused, not overwritten. */
  readonly policyRevision: bigint | undefined;
}

/** The cycle's insights on `cycle-<day>`, then its policy update (last: its presence says the cycle ran). */
export const recordLearning = async (append: CycleAppender['append'], l: LearningToRecord): Promise<void> => {
  const asOf = l.asOf.toISOString();
  const insightsEvent: LearningInsightsRecorded = {
    type: 'LearningInsightsRecorded',
    data: {
      cycleId: l.cycleId,
      insights: l.learnt.insights! as LearningInsightsRecordedData['insights'],
      regime: l.regime,
      asOf: asOf as LearningInsightsRecordedData['asOf'] & string,
    },
  };
  const policyEvent: LearningPolicyUpdated = {
    type: 'LearningPolicyUpdated',
    data: {
      cycleId: l.cycleId,
      policy: l.learnt.policy as LearningPolicyUpdatedData['policy'],
      regime: l.regime,
      asOf: asOf as LearningPolicyUpdatedData['asOf'] & string,
      results: l.results as LearningPolicyUpdatedData['results'] & number,
    },
  };
  await append(cycleStream(l.cycleId), insightsEvent, 'insights', 'any');
  await append(POLICY_STREAM, policyEvent, 'policy', l.policyRevision ?? 'no_stream');
};

/** A genome's backtests as stored: by window start, the finite metrics and the data fingerprint. */
export type WindowRunsByGenome = Map<Genome, Map<number, { metrics: Metrics; fingerprint: string }>>;

export interface StrategiesToRecord {
  readonly cycleId: string;
  readonly strategyIds: readonly string[];
  readonly records: readonly StrategyRecord[];
  readonly runs: WindowRunsByGenome;
  readonly inSample: Window;
  readonly outOfSample: Window;
  readonly windows: {
    readonly inSample: { readonly start: string; readonly end: string };
    readonly outOfSample: { readonly start: string; readonly end: string };
  };
  readonly rule: FilterRule;
  readonly reading: RegimeReading;
  /** Strategies tried in the cycle: the deflated Sharpe's trials, reported with every verdict. */
  readonly trials: number;
}

/** Strategy streams read ahead of the one being appended (a few connections of the store's pool). */
const READS_AHEAD = 6;

/**
 * Records each strategy's life: Generated → Backtested → Filtered (each command idempotent by its key). A strategy
 * already stored otherwise than this run made it (another genome, backtest or verdict: a day started before its
 * parameters were recorded, or other candles since) is left as it is — and not learned from: `inLog[i]` says which are.
 */
export const recordStrategies = async (
  deps: RecordingDeps,
  s: StrategiesToRecord,
): Promise<{ readonly inLog: readonly boolean[]; readonly appended: number; readonly notes: readonly string[] }> => {
  const { cycleId, rule, windows, reading } = s;
  let appended = 0;
  const notes: string[] = [];
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
  // The next strategies' streams are read while this one is appended (each strategy is its own stream; the append's
  // expected revision still guards against a writer in between). The appends stay in order, one after the other.
  const reads = new Map<number, ReturnType<typeof loadStrategy>>();
  const read = (i: number) => {
    let r = reads.get(i);
    if (r === undefined) {
      r = loadStrategy(deps.store, s.strategyIds[i]!);
      r.catch(() => undefined); // awaited in its turn
      reads.set(i, r);
    }
    return r;
  };
  for (const [i, record] of s.records.entries()) {
    const strategyId = s.strategyIds[i]! as StrategyEvent['data']['strategyId'];
    for (let j = i + 1; j <= i + READS_AHEAD && j < s.records.length; j++) void read(j);
    const existing = await read(i);
    reads.delete(i);
    if (either.isLeft(existing)) throw new Error(existing.left.message);
    const status = existing.right.state.status;
    const bt = s.runs.get(record.genome);
    const is = bt?.get(s.inSample.from);
    const oos = bt?.get(s.outOfSample.from);
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
        reasons: verdictReasons(record, rule, s.trials),
        thresholds,
        ...(oosSharpe === null || oosSharpe === undefined ? {} : { score: oosSharpe }),
        ...(record.oosDeflatedSharpe === null || !Number.isFinite(record.oosDeflatedSharpe) ? {} : { deflatedSharpe: record.oosDeflatedSharpe }),
        trials: s.trials,
      },
      `strategy ${i}'s filter verdict`,
    );
    const differs = storedOtherwise(existing.right.events, record.fingerprint, btResult, verdict);
    if (differs !== undefined) {
      notes.push(`strategy ${i} (${strategyId}) is stored with another ${differs}: left as it is, not learned from`);
      inLog.push(false);
      continue;
    }
    // The steps it still lacks (a crash may have left it part-way), decided in order and appended at once: the
    // events of three commands sent one by one, in one read and one append.
    const steps: CommandStep<StrategyCommand>[] = [
      ...(status === 'Initial'
        ? [{ command: { type: 'GenerateStrategy', strategyId, data: { genome: record.genome } } as const, ctx: ctx(i, 'generate') }]
        : []),
      ...(status === 'Initial' || status === 'Generated'
        ? [{ command: { type: 'RecordBacktest', strategyId, data: { result: btResult } } as const, ctx: ctx(i, 'backtest') }]
        : []),
      ...(status === 'Initial' || status === 'Generated' || status === 'Backtested'
        ? [{ command: { type: 'FilterStrategy', strategyId, data: { verdict } } as const, ctx: ctx(i, 'filter') }]
        : []),
    ];
    if (steps.length > 0) check(await handleStrategyCommands(deps, strategyId, steps, existing.right), steps.map((x) => x.command.type).join(' → '));
    inLog.push(true);
  }
  return { inLog, appended, notes };
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
