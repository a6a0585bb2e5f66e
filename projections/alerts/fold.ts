// One alert as the read model keeps it, folded from its stream's events (pure). An event of a revision already
// folded changes nothing, so a batch applied twice leaves the row as it was.
import type { AlertEvent } from '../../domain/alerts/events.js';

export interface AlertDeliveryRow {
  readonly notification: 'raised' | 'resolved';
  readonly channel: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly at: string;
  readonly error?: string;
}

export interface AlertRow {
  readonly alertId: string;
  readonly streamName: string;
  readonly dedupKey: string;
  readonly rule: string;
  readonly kind: string;
  readonly severity: string;
  readonly subject: string;
  readonly message: string;
  readonly figures: Readonly<Record<string, unknown>>;
  readonly state: 'open' | 'resolved';
  readonly count: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly resolution: string | null;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgement: string | null;
  readonly deliveries: readonly AlertDeliveryRow[];
  readonly revision: number;
}

/** Folds one event into the alert it belongs to (`row` undefined before its AlertRaised). */
export const foldAlert = (row: AlertRow | undefined, event: AlertEvent, streamName: string, revision: number): AlertRow | undefined => {
  if (row !== undefined && revision <= row.revision) return row;
  if (event.type === 'AlertRaised') {
    const d = event.data;
    return (
      row ?? {
        alertId: d.alertId,
        streamName,
        dedupKey: d.dedupKey,
        rule: d.rule,
        kind: d.kind,
        severity: d.severity,
        subject: d.subject,
        message: d.message,
        figures: d.figures,
        state: 'open',
        count: 1,
        firstSeenAt: d.firstSeenAt,
        lastSeenAt: d.firstSeenAt,
        resolvedAt: null,
        resolvedBy: null,
        resolution: null,
        acknowledgedAt: null,
        acknowledgedBy: null,
        acknowledgement: null,
        deliveries: [],
        revision,
      }
    );
  }
  if (row === undefined) return undefined;
  switch (event.type) {
    case 'AlertRepeated':
      return { ...row, count: event.data.count, lastSeenAt: event.data.lastSeenAt, message: event.data.message, figures: event.data.figures, revision };
    case 'AlertResolved':
      return { ...row, state: 'resolved', resolvedAt: event.data.resolvedAt, resolvedBy: event.data.resolvedBy, resolution: event.data.reason, revision };
    case 'AlertAcknowledged':
      return { ...row, acknowledgedAt: event.data.acknowledgedAt, acknowledgedBy: event.data.acknowledgedBy, acknowledgement: event.data.reason, revision };
    case 'AlertDelivered':
    case 'AlertDeliveryFailed': {
      const d = event.data;
      const delivery: AlertDeliveryRow = {
        notification: d.notification,
        channel: d.channel,
        ok: event.type === 'AlertDelivered',
        attempts: d.attempts,
        at: d.at,
        ...(event.type === 'AlertDeliveryFailed' ? { error: event.data.error } : {}),
      };
      return { ...row, deliveries: [...row.deliveries, delivery], revision };
    }
    default: {
      const unknown: never = event;
      throw new Error(`unknown alert event ${JSON.stringify(unknown)}`);
    }
  }
};
