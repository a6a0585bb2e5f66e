// The alert decider (doc/alerts.md): one stream per de-duplication key, so one open alert per key. Pure: the time of
// an observation, the alert id to open with and the intervals arrive in the command.
//
// - ObserveCondition: nothing open → AlertRaised; open → AlertRepeated (count + 1) when the last recorded sighting is
//   at least `repeatAfterMs` old, else nothing (a condition seen every minute is not an event a minute); an
//   observation older than the last change, or older than `maxAgeMs` at `now` (a first start over a long history
//   pages nobody for last year's kill switch), changes nothing.
// - ClearCondition: the open alert resolves; nothing open → nothing.
// - AcknowledgeAlert (an operator): recorded on the open alert; an incident (nothing can clear it) is also resolved.
// - RecordDelivery: once per alert, notification and channel; a second record of the same changes nothing.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { Actor, IsoTimestamp, NonNegativeInt, Reason, Uuid } from '../primitives/codecs.js';
import type { AlertEvent, AlertFigures, AlertKind, AlertNotification, AlertRule, AlertSeverity } from './events.js';

/** A rule's finding: the condition holds (or the fact happened) for this subject at `at`. */
export interface Observation {
  readonly rule: AlertRule;
  readonly kind: AlertKind;
  readonly severity: AlertSeverity;
  readonly subject: string;
  readonly dedupKey: string;
  readonly message: string;
  /** Finite numbers and short strings (the event's codec refuses anything else, before it is stored). */
  readonly figures: Readonly<Record<string, number | string>>;
  readonly at: IsoTimestamp;
}

export interface OpenAlert {
  readonly alertId: Uuid;
  readonly rule: AlertRule;
  readonly kind: AlertKind;
  readonly dedupKey: string;
  readonly count: number;
  readonly lastSeenAt: string;
  readonly acknowledged: boolean;
}

export interface AlertState {
  readonly open: OpenAlert | undefined;
  /** The time of the last raise, repeat or resolution: observations before it are stale. */
  readonly lastChangeAt: string | undefined;
  /** `${alertId}:${notification}:${channel}` of every recorded delivery (delivered or failed). */
  readonly deliveries: ReadonlySet<string>;
  /** Alert ids this stream has opened, open or not (acknowledging a closed one is a conflict, not "not found"). */
  readonly known: ReadonlySet<string>;
}

export const initialAlertState = (): AlertState => ({ open: undefined, lastChangeAt: undefined, deliveries: new Set(), known: new Set() });

export const deliveryKey = (alertId: string, notification: AlertNotification, channel: string) => `${alertId}:${notification}:${channel}`;

export type DeliveryOutcome = { readonly ok: true; readonly attempts: number } | { readonly ok: false; readonly attempts: number; readonly error: string };

export type AlertCommand =
  | {
      readonly type: 'ObserveCondition';
      readonly observation: Observation;
      /** The id an alert opened by this observation gets. */
      readonly alertId: Uuid;
      readonly now: Date;
      readonly repeatAfterMs: number;
      readonly maxAgeMs: number;
    }
  | { readonly type: 'ClearCondition'; readonly at: IsoTimestamp; readonly reason: Reason; readonly by: Actor }
  | { readonly type: 'AcknowledgeAlert'; readonly alertId: Uuid; readonly at: IsoTimestamp; readonly by: Actor; readonly reason: Reason }
  | {
      readonly type: 'RecordDelivery';
      readonly alertId: Uuid;
      readonly notification: AlertNotification;
      readonly channel: string;
      readonly outcome: DeliveryOutcome;
      readonly at: IsoTimestamp;
    };

export type AlertError =
  { readonly kind: 'AlertNotFound'; readonly alertId: string } | { readonly kind: 'AlertNotOpen'; readonly alertId: string; readonly message: string };

const ms = (iso: string) => Date.parse(iso);
const NOTHING: readonly AlertEvent[] = [];

export const decideAlert = (command: AlertCommand, state: AlertState): Either<AlertError, readonly AlertEvent[]> => {
  switch (command.type) {
    case 'ObserveCondition': {
      const o = command.observation;
      if (command.now.getTime() - ms(o.at) > command.maxAgeMs) return either.right(NOTHING);
      if (state.lastChangeAt !== undefined && ms(o.at) <= ms(state.lastChangeAt)) return either.right(NOTHING);
      const open = state.open;
      if (open === undefined)
        return either.right([
          {
            type: 'AlertRaised',
            data: {
              alertId: command.alertId,
              rule: o.rule,
              kind: o.kind,
              severity: o.severity,
              subject: o.subject as never,
              message: o.message as never,
              figures: o.figures as AlertFigures,
              dedupKey: o.dedupKey as never,
              firstSeenAt: o.at,
            },
          },
        ]);
      if (ms(o.at) - ms(open.lastSeenAt) < command.repeatAfterMs) return either.right(NOTHING);
      return either.right([
        {
          type: 'AlertRepeated',
          data: {
            alertId: open.alertId,
            count: (open.count + 1) as NonNegativeInt,
            lastSeenAt: o.at,
            message: o.message as never,
            figures: o.figures as AlertFigures,
          },
        },
      ]);
    }
    case 'ClearCondition': {
      const open = state.open;
      if (open === undefined) return either.right(NOTHING);
      if (state.lastChangeAt !== undefined && ms(command.at) < ms(state.lastChangeAt)) return either.right(NOTHING);
      return either.right([{ type: 'AlertResolved', data: { alertId: open.alertId, resolvedAt: command.at, resolvedBy: command.by, reason: command.reason } }]);
    }
    case 'AcknowledgeAlert': {
      const open = state.open;
      if (open === undefined || open.alertId !== command.alertId) {
        if (!state.known.has(command.alertId)) return either.left({ kind: 'AlertNotFound', alertId: command.alertId });
        return either.left({ kind: 'AlertNotOpen', alertId: command.alertId, message: `alert ${command.alertId} is resolved` });
      }
      if (open.acknowledged)
        return either.left({ kind: 'AlertNotOpen', alertId: command.alertId, message: `alert ${command.alertId} is already acknowledged` });
      const acknowledged: AlertEvent = {
        type: 'AlertAcknowledged',
        data: { alertId: open.alertId, acknowledgedAt: command.at, acknowledgedBy: command.by, reason: command.reason },
      };
      // An incident has no condition that could clear it: the operator's acknowledgement closes it.
      if (open.kind === 'condition') return either.right([acknowledged]);
      return either.right([
        acknowledged,
        { type: 'AlertResolved', data: { alertId: open.alertId, resolvedAt: command.at, resolvedBy: command.by, reason: command.reason } },
      ]);
    }
    case 'RecordDelivery': {
      if (!state.known.has(command.alertId)) return either.left({ kind: 'AlertNotFound', alertId: command.alertId });
      if (state.deliveries.has(deliveryKey(command.alertId, command.notification, command.channel))) return either.right(NOTHING);
      const base = {
        alertId: command.alertId,
        notification: command.notification,
        channel: command.channel as never,
        attempts: command.outcome.attempts as NonNegativeInt,
        at: command.at,
      };
      return either.right([
        command.outcome.ok ? { type: 'AlertDelivered', data: base } : { type: 'AlertDeliveryFailed', data: { ...base, error: command.outcome.error as never } },
      ]);
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown alert command ${JSON.stringify(unknown)}`);
    }
  }
};

export const evolveAlert = (state: AlertState, event: AlertEvent): AlertState => {
  switch (event.type) {
    case 'AlertRaised': {
      const d = event.data;
      return {
        ...state,
        open: { alertId: d.alertId, rule: d.rule, kind: d.kind, dedupKey: d.dedupKey, count: 1, lastSeenAt: d.firstSeenAt, acknowledged: false },
        lastChangeAt: d.firstSeenAt,
        known: new Set([...state.known, d.alertId]),
      };
    }
    case 'AlertRepeated':
      return state.open?.alertId === event.data.alertId
        ? { ...state, open: { ...state.open, count: event.data.count, lastSeenAt: event.data.lastSeenAt }, lastChangeAt: event.data.lastSeenAt }
        : state;
    case 'AlertResolved':
      return state.open?.alertId === event.data.alertId ? { ...state, open: undefined, lastChangeAt: event.data.resolvedAt } : state;
    case 'AlertAcknowledged':
      return state.open?.alertId === event.data.alertId ? { ...state, open: { ...state.open, acknowledged: true } } : state;
    case 'AlertDelivered':
    case 'AlertDeliveryFailed':
      return { ...state, deliveries: new Set([...state.deliveries, deliveryKey(event.data.alertId, event.data.notification, event.data.channel)]) };
    default: {
      const unknown: never = event;
      throw new Error(`unknown alert event ${JSON.stringify(unknown)}`);
    }
  }
};

export const alertDecider = { decide: decideAlert, evolve: evolveAlert, initialState: initialAlertState };
