// Recording a backtest job: `BacktestRequested` when it is asked for, then `BacktestCompleted` or `BacktestFailed` on
// its stream `backtest-<jobId>`; when the job backtests a stored strategy still in Generated, also `StrategyBacktested`
// on the strategy's stream (through the strategy command handler, idempotency key derived from the job id).
// Event ids derive from the job id: recording the same job again (a redelivered queue message, a retried worker)
// appends nothing; the first recorded outcome of a job is the one that stays. A result too large to store
// (domain/backtest/limits.ts MAX_STORED_RESULT_BYTES) is recorded as BacktestFailed RESULT_TOO_LARGE instead.
import { eventMetadata } from '../commands/handle-command.js';
import { either } from 'fp-ts';
import type { BacktestAnalysisRequest, BacktestJob, BacktestJobOutcome, RecordBacktestOutcome } from '../ports/backtest-jobs.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore, NewEvent, RecordedEvent } from '../ports/event-store.js';
import type { IdGenerator } from '../ports/ids.js';
import { handleStrategyCommand, loadStrategy } from '../strategy/handle-strategy-command.js';
import { backtestEventName, backtestStream, type BacktestKind } from '../../domain/backtest/events.js';
import { MAX_STORED_RESULT_BYTES } from '../../domain/backtest/limits.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import { clipText, SCHEMA_BOUNDS, type Actor } from '../../domain/primitives/codecs.js';
import { formatFieldErrors, fieldErrors } from '../../domain/primitives/decode-errors.js';
import { BacktestResult } from '../../domain/strategy/events.js';

export interface BacktestRecordDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Who records outcomes (default `system:backtest`); a worker passes `worker:<id>`. */
  readonly actor?: Actor;
}

export type { BacktestAnalysisRequest };

export interface BacktestRequestOptions {
  readonly requestedBy: Actor;
  readonly analysis?: BacktestAnalysisRequest;
  readonly correlationId?: string;
}

const OUTCOME_TYPES = new Set(['BacktestCompleted', 'BacktestFailed']);
const DEFAULT_ACTOR = 'system:backtest' as Actor;

const metadata = (deps: BacktestRecordDeps, actor: Actor, correlationId: string, causationId: string): EventMetadata =>
  eventMetadata({ actor, correlationId, causationId }, deps.clock.now(), causationId);

const requestedEvent = (deps: BacktestRecordDeps, job: BacktestJob, kind: BacktestKind, options: BacktestRequestOptions): NewEvent => {
  const eventId = deps.ids.idFor(backtestEventName.requested(job.jobId));
  // The job as BacktestRequested stores it: its own fields only. The analysis a job carries is stored beside the job,
  // as `analysis`; how much detail the runner sends back is not part of the request.
  const { analysis: carried, detail: _detail, ...plain } = job;
  const analysis = options.analysis ?? carried;
  return {
    eventId,
    type: 'BacktestRequested',
    data: { jobId: job.jobId, kind, requestedBy: options.requestedBy, job: plain, ...(analysis ? { analysis } : {}) },
    metadata: metadata(deps, options.requestedBy, options.correlationId ?? job.jobId, eventId),
  };
};

/** Appends BacktestRequested (idempotent: a retry with the same job id appends nothing). */
export const recordBacktestRequested = async (deps: BacktestRecordDeps, job: BacktestJob, options: BacktestRequestOptions): Promise<void> => {
  const kind = (options.analysis ?? job.analysis)?.kind ?? 'single';
  const appended = await deps.store.appendToStream(backtestStream(job.jobId), [requestedEvent(deps, job, kind, options)], {
    expectedRevision: 'any',
  });
  if (either.isLeft(appended)) throw new Error(`recording BacktestRequested of ${job.jobId}: ${JSON.stringify(appended.left)}`);
};

const outcomeEvent = (deps: BacktestRecordDeps, job: BacktestJob, outcome: BacktestJobOutcome, actor: Actor): NewEvent => {
  const eventId = deps.ids.idFor(backtestEventName.outcome(job.jobId));
  const causationId = deps.ids.idFor(backtestEventName.requested(job.jobId));
  return outcome.ok
    ? { eventId, type: 'BacktestCompleted', data: { jobId: job.jobId, result: outcome.result }, metadata: metadata(deps, actor, job.jobId, causationId) }
    : {
        eventId,
        type: 'BacktestFailed',
        // Error texts come from exceptions of any length: the stored message is cut to what the codec keeps.
        data: { jobId: job.jobId, code: clipText(outcome.code, SCHEMA_BOUNDS.name), error: clipText(outcome.error) },
        metadata: metadata(deps, actor, job.jobId, causationId),
      };
};

const lastRevision = (recorded: readonly RecordedEvent[]) => recorded[recorded.length - 1]?.revision;

/** UTF-8 bytes of a value's JSON. */
const jsonBytes = (value: unknown): number => new TextEncoder().encode(JSON.stringify(value)).length;

/**
 * The outcome as it may be stored: a result larger than MAX_STORED_RESULT_BYTES becomes a RESULT_TOO_LARGE failure
 * (nothing that large is appended; the job says what to ask for instead).
 */
export const boundedOutcome = (job: BacktestJob, outcome: BacktestJobOutcome, maxBytes = MAX_STORED_RESULT_BYTES): BacktestJobOutcome => {
  if (!outcome.ok) return outcome;
  const bytes = jsonBytes(outcome.result);
  if (bytes <= maxBytes) return outcome;
  return {
    ok: false,
    jobId: job.jobId,
    code: 'RESULT_TOO_LARGE',
    error: `the result is ${bytes} bytes of JSON (${outcome.result.trades.length} trades), above the ${maxBytes} bytes a job may store: ask for a shorter period, fewer symbols or a smaller grid`,
  };
};

/** The StrategyBacktested result a completed job gives its strategy. */
export const strategyBacktestResult = (job: BacktestJob, outcome: Extract<BacktestJobOutcome, { ok: true }>): BacktestResult => {
  const r = outcome.result as typeof outcome.result & { readonly analysis?: { readonly kind: string; readonly outOfSampleMetrics?: Record<string, number> } };
  const candidate = {
    metrics: r.metrics,
    window: { start: new Date(r.window.from).toISOString(), end: new Date(r.window.to).toISOString() },
    timeframe: job.interval,
    symbols: [...job.symbols],
    dataFingerprint: r.dataFingerprint,
    engineVersion: r.engineVersion,
    backtestId: job.jobId,
    ...(r.analysis?.kind === 'walk_forward' && r.analysis.outOfSampleMetrics ? { outOfSampleMetrics: r.analysis.outOfSampleMetrics } : {}),
  };
  const decoded = BacktestResult.decode(candidate);
  if (either.isLeft(decoded)) throw new Error(`job ${job.jobId}: its result is not a valid BacktestResult: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  return decoded.right;
};

/** Records StrategyBacktested when the job's strategy is still Generated; a strategy already past it is left alone. */
const recordOnStrategy = async (deps: BacktestRecordDeps, job: BacktestJob, outcome: Extract<BacktestJobOutcome, { ok: true }>, actor: Actor) => {
  const strategyId = job.strategyId!;
  const result = strategyBacktestResult(job, outcome);
  for (let attempt = 0; attempt < 3; attempt++) {
    const loaded = await loadStrategy(deps.store, strategyId);
    if (either.isLeft(loaded)) throw new Error(loaded.left.message);
    if (loaded.right.state.status !== 'Generated') return;
    const done = await handleStrategyCommand(
      deps,
      { type: 'RecordBacktest', strategyId: strategyId as never, data: { result } },
      {
        actor,
        correlationId: job.jobId,
        causationId: deps.ids.idFor(backtestEventName.outcome(job.jobId)),
        idempotencyKey: `backtest:${job.jobId}`,
        ...(loaded.right.revision === undefined ? {} : { expectedRevision: loaded.right.revision }),
      },
    );
    if (either.isRight(done)) return;
    // Someone moved the strategy meanwhile: look again (it may have left Generated, then there is nothing to do).
    if (done.left.kind === 'WrongExpectedRevision') continue;
    if (done.left.kind === 'IllegalTransition' || done.left.kind === 'StrategyNotFound') return;
    throw new Error(`recording StrategyBacktested for job ${job.jobId}: ${JSON.stringify(done.left)}`);
  }
  throw new Error(`recording StrategyBacktested for job ${job.jobId}: the strategy kept changing`);
};

/**
 * A RecordBacktestOutcome: appends the outcome (and BacktestRequested first, when the job never went through
 * recordBacktestRequested, e.g. a job submitted straight to the queue), then the strategy step. Safe to call again.
 */
export const backtestOutcomeRecorder =
  (deps: BacktestRecordDeps): RecordBacktestOutcome =>
  async (job, ran) => {
    const actor = deps.actor ?? DEFAULT_ACTOR;
    const stream = backtestStream(job.jobId);
    let outcome = boundedOutcome(job, ran);
    let failedBefore = false;
    for (let attempt = 0; ; attempt++) {
      const recorded = await deps.store.readStream(stream);
      const earlier = recorded.find((r) => OUTCOME_TYPES.has(r.type));
      if (earlier !== undefined) {
        // Recorded before: the first outcome stays (and a job recorded as failed does not backtest its strategy).
        failedBefore = earlier.type === 'BacktestFailed';
        break;
      }
      const events: NewEvent[] = [];
      if (recorded.length === 0) {
        const analysis = outcome.ok ? (outcome.result as { analysis?: { kind: BacktestKind } }).analysis : undefined;
        events.push(requestedEvent(deps, job, job.analysis?.kind ?? analysis?.kind ?? 'single', { requestedBy: actor }));
      }
      events.push(outcomeEvent(deps, job, outcome, actor));
      const revision = lastRevision(recorded);
      const appended = await deps.store.appendToStream(stream, events, { expectedRevision: revision === undefined ? 'no_stream' : revision });
      if (either.isRight(appended)) break;
      if (appended.left.kind === 'EventRejected' && outcome.ok && appended.left.eventType === 'BacktestCompleted') {
        // The result would not read back (too large, a value its codec refuses): the job fails with the reason
        // instead of staying "requested" for ever.
        outcome = { ok: false, jobId: job.jobId, code: 'RESULT_REJECTED', error: `the result could not be stored: ${appended.left.message}` };
        continue;
      }
      if (appended.left.kind !== 'WrongExpectedRevision' || attempt >= 3)
        throw new Error(`recording the outcome of backtest ${job.jobId}: ${JSON.stringify(appended.left)}`);
    }
    if (outcome.ok && !failedBefore && job.strategyId !== undefined) await recordOnStrategy(deps, job, outcome, actor);
  };
