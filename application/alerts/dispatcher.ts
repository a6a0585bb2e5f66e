// The alert dispatcher (doc/alerts.md): follows the alert streams from its checkpoint (`alerts-dispatcher`) and sends
// each AlertRaised and AlertResolved to every configured channel, then records AlertDelivered or AlertDeliveryFailed
// on the alert's stream. A delivery already recorded for an alert, notification and channel is never sent again, so
// reading the log again (a restart, a lost checkpoint) re-sends nothing. The deliveries of a batch run side by side:
// a channel retrying a failing endpoint holds back no other alert of the batch, and never the evaluator.
import { either } from 'fp-ts';
import { decodeAll, decodeEvent } from '../events/decode-event.js';
import { deliveryKey, initialAlertState, evolveAlert, type DeliveryOutcome } from '../../domain/alerts/decide.js';
import { ALERT_CATEGORY, type AlertEvent, type AlertNotification } from '../../domain/alerts/events.js';
import type { IsoTimestamp, Uuid } from '../../domain/primitives/codecs.js';
import type { CommandDeps } from '../commands/handle-command.js';
import type { CheckpointStore } from '../ports/checkpoint-store.js';
import { START, type EventFilter } from '../ports/event-store.js';
import type { AlertChannel, AlertMessage } from './channel.js';
import { ALERTS_ACTOR, type AlertLog } from './evaluator.js';
import { handleAlertCommand } from './handle-alert-command.js';

export const DISPATCHER_CHECKPOINT = 'alerts-dispatcher';
const NOTIFICATIONS: EventFilter = { categories: [ALERT_CATEGORY], eventTypes: ['AlertRaised', 'AlertResolved'] };

export interface AlertDispatcherDeps extends CommandDeps {
  readonly checkpoints: CheckpointStore;
  readonly channels: readonly AlertChannel[];
  readonly log: AlertLog;
  /** Notifications per read of the log (default 50): at most this many × channels deliveries run at once. */
  readonly batchSize?: number;
}

/** What a channel is told about one alert, from its stream's events. */
export const alertMessage = (events: readonly AlertEvent[], alertId: string, notification: AlertNotification, channel: string): AlertMessage | undefined => {
  const raised = events.find((e) => e.type === 'AlertRaised' && e.data.alertId === alertId);
  if (raised?.type !== 'AlertRaised') return undefined;
  let m: AlertMessage = {
    deliveryId: deliveryKey(alertId, notification, channel),
    notification,
    alertId,
    rule: raised.data.rule,
    severity: raised.data.severity,
    subject: raised.data.subject,
    message: raised.data.message,
    figures: raised.data.figures,
    dedupKey: raised.data.dedupKey,
    firstSeenAt: raised.data.firstSeenAt,
    lastSeenAt: raised.data.firstSeenAt,
    count: 1,
    resolvedAt: null,
    resolution: null,
  };
  for (const e of events) {
    if (e.data.alertId !== alertId) continue;
    if (e.type === 'AlertRepeated') m = { ...m, count: e.data.count, lastSeenAt: e.data.lastSeenAt, message: e.data.message, figures: e.data.figures };
    // The raised notification tells what was known when it was raised; the resolved one tells how it ended.
    if (e.type === 'AlertResolved' && notification === 'resolved') m = { ...m, resolvedAt: e.data.resolvedAt, resolution: e.data.reason };
  }
  return m;
};

export const createAlertDispatcher = (deps: AlertDispatcherDeps) => {
  const batchSize = deps.batchSize ?? 50;

  const deliver = async (streamName: string, dedupKey: string, alertId: string, notification: AlertNotification, channel: AlertChannel): Promise<boolean> => {
    const decoded = decodeAll<AlertEvent>(await deps.store.readStream(streamName));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    const events = decoded.right.map((d) => d.event);
    const state = events.reduce(evolveAlert, initialAlertState());
    if (state.deliveries.has(deliveryKey(alertId, notification, channel.name))) return false;
    const message = alertMessage(events, alertId, notification, channel.name);
    if (message === undefined) return false;
    let outcome: DeliveryOutcome;
    try {
      outcome = await channel.send(message);
    } catch (err) {
      // A channel must not throw; if it does, it is recorded as a failure like any other.
      outcome = { ok: false, attempts: 1, error: err instanceof Error ? err.message : String(err) };
    }
    if (!outcome.ok) deps.log.warn({ alertId, channel: channel.name, attempts: outcome.attempts, err: outcome.error }, 'alert delivery failed');
    const recorded = await handleAlertCommand(
      deps,
      dedupKey,
      {
        type: 'RecordDelivery',
        alertId: alertId as Uuid,
        notification,
        channel: channel.name,
        outcome: outcome.ok ? outcome : { ...outcome, error: outcome.error.slice(0, 2000) },
        at: deps.clock.now().toISOString() as IsoTimestamp,
      },
      { actor: ALERTS_ACTOR, idempotencyKey: `alert-delivery:${deliveryKey(alertId, notification, channel.name)}` },
    );
    if (either.isLeft(recorded)) throw new Error(`recording the delivery of ${alertId} to ${channel.name}: ${JSON.stringify(recorded.left)}`);
    return true;
  };

  /** Sends every notification after the checkpoint; returns the deliveries made (sent and recorded). */
  const dispatch = async (): Promise<number> => {
    let from = (await deps.checkpoints.load(DISPATCHER_CHECKPOINT)) ?? START;
    let sent = 0;
    for (;;) {
      const batch = await deps.store.readAll({ from, maxCount: batchSize, filter: NOTIFICATIONS });
      if (batch.length === 0) return sent;
      const jobs: Promise<boolean>[] = [];
      for (const recorded of batch) {
        const decoded = decodeEvent<AlertEvent>(recorded);
        if (either.isLeft(decoded)) {
          deps.log.error({ eventId: recorded.eventId, err: decoded.left.message }, 'alerts: a notification does not decode; not sent');
          continue;
        }
        const e = decoded.right.event;
        if (e.type !== 'AlertRaised' && e.type !== 'AlertResolved') continue;
        const notification: AlertNotification = e.type === 'AlertRaised' ? 'raised' : 'resolved';
        const dedupKey = e.type === 'AlertRaised' ? e.data.dedupKey : undefined;
        for (const channel of deps.channels)
          jobs.push(
            (async () => {
              // AlertResolved does not repeat the key: it is on the stream's AlertRaised.
              const key = dedupKey ?? (await dedupKeyOf(recorded.streamName, e.data.alertId));
              return key === undefined ? false : deliver(recorded.streamName, key, e.data.alertId, notification, channel);
            })(),
          );
      }
      const settled = await Promise.allSettled(jobs);
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      // A delivery that could not be recorded is tried again from this batch on the next pass (nothing recorded twice).
      if (failed) throw failed.reason;
      sent += settled.filter((s) => s.status === 'fulfilled' && s.value).length;
      from = batch[batch.length - 1]?.position ?? from;
      await deps.checkpoints.save(DISPATCHER_CHECKPOINT, from);
    }
  };

  const dedupKeyOf = async (streamName: string, alertId: string): Promise<string | undefined> => {
    const decoded = decodeAll<AlertEvent>(await deps.store.readStream(streamName));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    const raised = decoded.right.find((d) => d.event.type === 'AlertRaised' && d.event.data.alertId === alertId)?.event;
    return raised?.type === 'AlertRaised' ? raised.data.dedupKey : undefined;
  };

  return { dispatch };
};

export type AlertDispatcher = ReturnType<typeof createAlertDispatcher>;
