// The alert evaluator (doc/alerts.md): runs the rules and hands what they find to the alert decider.
// - Event rules follow the log from their own checkpoint (`alerts-evaluator` in the checkpoint store, as the mirror
//   keeps its place): each event is decided with an idempotency key derived from its id, so a batch read again after
//   a crash (or a checkpoint lost) appends nothing twice, and an alert already resolved is not raised again.
// - State rules run on a schedule (every minute): what the platform reports now is observed, and every open state
//   alert whose condition was not observed this time resolves. A source that cannot be read resolves nothing.
// Delivery is not done here (dispatcher.ts follows the alert streams): a slow channel never holds the rules back.
import { either } from 'fp-ts';
import {
  findingOfEvent,
  observeCollection,
  observeHealth,
  STATE_RULES,
  type AlertThresholds,
  type CollectionFacts,
  type HealthFacts,
} from '../../domain/alerts/rules.js';
import type { Observation } from '../../domain/alerts/decide.js';
import type { AlertRule } from '../../domain/alerts/events.js';
import type { Actor, IsoTimestamp, Reason, Uuid } from '../../domain/primitives/codecs.js';
import { decodeEvent } from '../events/decode-event.js';
import type { CommandDeps } from '../commands/handle-command.js';
import type { CheckpointStore } from '../ports/checkpoint-store.js';
import { START, type EventFilter } from '../ports/event-store.js';
import { handleAlertCommand } from './handle-alert-command.js';

export const ALERTS_ACTOR = 'system:alerts' as Actor;
export const EVALUATOR_CHECKPOINT = 'alerts-evaluator';

/** The events the event rules read. */
export const ALERT_SOURCE_FILTER: EventFilter = {
  categories: ['cycle', 'strategy', 'risk'],
  eventTypes: ['CycleBudgetExhausted', 'StrategyDeactivated', 'KillSwitchEngaged', 'KillSwitchReleased'],
};

export interface AlertLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AlertPolicy {
  readonly thresholds: AlertThresholds;
  /** An open alert's repeat is recorded at most this often (count and lastSeenAt). */
  readonly repeatAfterMs: number;
  /** An event older than this when the evaluator first reads it raises nothing. */
  readonly maxEventAgeMs: number;
}

export interface OpenStateAlert {
  readonly dedupKey: string;
  readonly rule: AlertRule;
}

export interface AlertSources {
  /** /health's view (apps/health.ts) with the age of each part's oldest waiting event. */
  readonly health?: () => Promise<HealthFacts>;
  /** The data collection status read model. */
  readonly collection?: () => Promise<readonly CollectionFacts[]>;
  /** The open alerts of the state rules (the alerts read model). */
  readonly openStateAlerts: () => Promise<readonly OpenStateAlert[]>;
}

export interface AlertEvaluatorDeps extends CommandDeps {
  readonly checkpoints: CheckpointStore;
  readonly log: AlertLog;
  readonly policy: AlertPolicy;
  readonly sources: AlertSources;
  /** Events per read of the log (default 500). */
  readonly batchSize?: number;
}

export interface Evaluation {
  readonly raisedOrRepeated: number;
  readonly resolved: number;
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const createAlertEvaluator = (deps: AlertEvaluatorDeps) => {
  const batchSize = deps.batchSize ?? 500;

  /**
   * An alert event its codec refuses (a bug in a rule) is logged and passed over: one bad finding must not stop every
   * alert behind it. Anything else (the store unreachable, a stream that does not decode) throws: the round is retried.
   */
  const refused = (dedupKey: string, e: { readonly kind: string }): number => {
    if (e.kind !== 'EventRejected') throw new Error(`alert ${dedupKey}: ${JSON.stringify(e)}`);
    deps.log.error({ dedupKey, err: e }, `alerts: the alert ${dedupKey} could not be stored; passed over`);
    return 0;
  };

  const observe = async (o: Observation, idempotencyKey: string | undefined): Promise<number> => {
    const alertId = deps.ids.idFor(`alert:${o.dedupKey}:${idempotencyKey ?? o.at}`) as Uuid;
    const result = await handleAlertCommand(
      deps,
      o.dedupKey,
      {
        type: 'ObserveCondition',
        observation: o,
        alertId,
        now: deps.clock.now(),
        repeatAfterMs: deps.policy.repeatAfterMs,
        maxAgeMs: deps.policy.maxEventAgeMs,
      },
      { actor: ALERTS_ACTOR, ...(idempotencyKey ? { idempotencyKey } : {}) },
    );
    if (either.isLeft(result)) return refused(o.dedupKey, result.left);
    return result.right.events.length;
  };

  const clear = async (dedupKey: string, at: IsoTimestamp, reason: string, idempotencyKey: string | undefined): Promise<number> => {
    const result = await handleAlertCommand(
      deps,
      dedupKey,
      { type: 'ClearCondition', at, reason: reason.slice(0, 2000) as Reason, by: ALERTS_ACTOR },
      { actor: ALERTS_ACTOR, ...(idempotencyKey ? { idempotencyKey } : {}) },
    );
    if (either.isLeft(result)) return refused(dedupKey, result.left);
    return result.right.events.length;
  };

  /** Reads the log after the checkpoint until nothing is left; returns the alert events appended. */
  const followEvents = async (): Promise<number> => {
    let from = (await deps.checkpoints.load(EVALUATOR_CHECKPOINT)) ?? START;
    let appended = 0;
    for (;;) {
      const batch = await deps.store.readAll({ from, maxCount: batchSize, filter: ALERT_SOURCE_FILTER });
      if (batch.length === 0) return appended;
      for (const recorded of batch) {
        const decoded = decodeEvent(recorded);
        // The projections stop loudly at an event that does not decode; the alerts pass over it (the projection
        // stop is itself reported by /health, and so by the service-down rule).
        if (either.isLeft(decoded)) {
          deps.log.warn({ eventId: recorded.eventId, err: decoded.left.message }, 'alerts: passing over an event that does not decode');
          continue;
        }
        const finding = findingOfEvent({ ...decoded.right.event, streamName: recorded.streamName, occurredAt: decoded.right.metadata.occurredAt });
        if (finding === undefined) continue;
        const key = `alert-source:${recorded.eventId}`;
        appended +=
          'observe' in finding ? await observe(finding.observe, key) : await clear(finding.clear.dedupKey, finding.clear.at, finding.clear.reason, key);
      }
      from = batch[batch.length - 1]?.position ?? from;
      await deps.checkpoints.save(EVALUATOR_CHECKPOINT, from);
    }
  };

  /** One scheduled evaluation of the state rules at the clock's now. */
  const evaluateConditions = async (): Promise<Evaluation> => {
    const now = deps.clock.now().toISOString() as IsoTimestamp;
    const observed: Observation[] = [];
    const judged = new Set<AlertRule>();
    const read = async <T>(what: string, rules: readonly AlertRule[], fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        const value = await fn();
        for (const r of rules) judged.add(r);
        return value;
      } catch (err) {
        deps.log.warn({ source: what, err: errorMessage(err) }, `alerts: could not read ${what}; its alerts stay as they are`);
        return undefined;
      }
    };
    const { health, collection } = deps.sources;
    const facts = health ? await read('the health report', ['service-down', 'projection-lag', 'mirror-lag', 'cycle-failed'], health) : undefined;
    if (facts) observed.push(...observeHealth(facts, now, deps.policy.thresholds));
    const rows = collection ? await read('the data collection status', ['data-stale'], collection) : undefined;
    if (rows) observed.push(...observeCollection(rows, now, deps.policy.thresholds));

    let raisedOrRepeated = 0;
    for (const o of observed) raisedOrRepeated += await observe(o, undefined);
    const seen = new Set(observed.map((o) => o.dedupKey));
    let resolved = 0;
    for (const open of await deps.sources.openStateAlerts()) {
      if (!STATE_RULES.includes(open.rule) || !judged.has(open.rule) || seen.has(open.dedupKey)) continue;
      resolved += await clear(open.dedupKey, now, `the condition cleared (${open.rule} no longer observed at ${now})`, undefined);
    }
    return { raisedOrRepeated, resolved };
  };

  return { followEvents, evaluateConditions };
};

export type AlertEvaluator = ReturnType<typeof createAlertEvaluator>;
