// The alert events (doc/alerts.md). One stream per de-duplication key (`alert-<key hash>`): an alert opens with
// AlertRaised, repeats of its condition are counted by AlertRepeated (at most one per repeat interval), it closes with
// AlertResolved (its condition cleared, or an operator closed an incident), and every channel's delivery of a
// notification (raised, resolved) is recorded once, AlertDelivered or AlertDeliveryFailed, so nothing is sent twice.
import * as t from 'io-ts';
import { Actor, boundedRecord, boundedString, Finite, IdString, IsoTimestamp, Name, NonNegativeInt, Reason, Text, Uuid } from '../primitives/codecs.js';

export const ALERT_CATEGORY = 'alert';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const AlertSeverity = t.keyof({ info: null, warning: null, critical: null }, 'AlertSeverity');

export const ALERT_RULES = [
  'cycle-over-budget',
  'cycle-failed',
  'strategy-deactivated',
  'drawdown-limit',
  'daily-loss-limit',
  'kill-switch',
  'data-stale',
  'projection-lag',
  'mirror-lag',
  'service-down',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export const AlertRule = t.keyof(Object.fromEntries(ALERT_RULES.map((r) => [r, null])) as Record<AlertRule, null>, 'AlertRule');

/** What an alert tells about: `condition`s resolve when they clear; `incident`s stay open until an operator closes them. */
export const AlertKind = t.keyof({ condition: null, incident: null }, 'AlertKind');
export type AlertKind = t.TypeOf<typeof AlertKind>;

/** The notifications a channel is sent for one alert. */
export const AlertNotification = t.keyof({ raised: null, resolved: null }, 'AlertNotification');
export type AlertNotification = t.TypeOf<typeof AlertNotification>;

/** The figures the rule judged on: numbers and short strings (a limit, the value that reached it, a lag). */
export const AlertFigures = boundedRecord(t.union([Finite, boundedString(500)]), 64, 'AlertFigures');
export type AlertFigures = t.TypeOf<typeof AlertFigures>;

export const AlertEventData = {
  AlertRaised: t.type({
    alertId: Uuid,
    rule: AlertRule,
    kind: AlertKind,
    severity: AlertSeverity,
    subject: IdString,
    message: Text,
    figures: AlertFigures,
    dedupKey: IdString,
    firstSeenAt: IsoTimestamp,
  }),
  AlertRepeated: t.type({ alertId: Uuid, count: NonNegativeInt, lastSeenAt: IsoTimestamp, message: Text, figures: AlertFigures }),
  AlertResolved: t.type({ alertId: Uuid, resolvedAt: IsoTimestamp, resolvedBy: Actor, reason: Reason }),
  AlertAcknowledged: t.type({ alertId: Uuid, acknowledgedAt: IsoTimestamp, acknowledgedBy: Actor, reason: Reason }),
  AlertDelivered: t.type({ alertId: Uuid, notification: AlertNotification, channel: Name, attempts: NonNegativeInt, at: IsoTimestamp }),
  AlertDeliveryFailed: t.type({ alertId: Uuid, notification: AlertNotification, channel: Name, attempts: NonNegativeInt, error: Text, at: IsoTimestamp }),
} as const;

export type AlertEventType = keyof typeof AlertEventData;
export type AlertEventOf<K extends AlertEventType> = { readonly type: K; readonly data: t.TypeOf<(typeof AlertEventData)[K]> };
export type AlertEvent = { [K in AlertEventType]: AlertEventOf<K> }[AlertEventType];
export type AlertRaised = AlertEventOf<'AlertRaised'>;
export const ALERT_EVENT_TYPES = Object.keys(AlertEventData) as AlertEventType[];
