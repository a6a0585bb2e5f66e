// Where alerts are sent (doc/alerts.md): a channel takes one notification and answers how it went. It never throws
// and never waits longer than its own timeout and retries: the dispatcher records the outcome either way.
import type { DeliveryOutcome } from '../../domain/alerts/decide.js';
import type { AlertFigures, AlertNotification, AlertRule, AlertSeverity } from '../../domain/alerts/events.js';

/** The JSON a webhook receives (the payload format of doc/alerts.md). */
export interface AlertMessage {
  /** `${alertId}:${notification}:${channel}`: the same on a retry, so a receiver can drop duplicates. */
  readonly deliveryId: string;
  readonly notification: AlertNotification;
  readonly alertId: string;
  readonly rule: AlertRule;
  readonly severity: AlertSeverity;
  readonly subject: string;
  readonly message: string;
  readonly figures: AlertFigures;
  readonly dedupKey: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly count: number;
  readonly resolvedAt: string | null;
  readonly resolution: string | null;
}

export interface AlertChannel {
  /** Recorded with each delivery: `webhook`, `telegram`. */
  readonly name: string;
  send(message: AlertMessage): Promise<DeliveryOutcome>;
}
