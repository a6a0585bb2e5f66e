// How failures become HTTP answers: a status and a JSON body that names the problem.
import type { FieldError } from '../../domain/primitives/decode-errors.js';
import type { StrategyCommandError } from '../../application/strategy/handle-strategy-command.js';
import type { EventDecodeFailed } from '../../application/events/decode-event.js';
import type { AppendError, WrongExpectedRevision } from '../../application/ports/event-store.js';
import type { RiskCommandRefused } from '../../domain/risk/decide.js';
import type { SettingRefused } from '../../domain/settings/decide.js';

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A hostile body can fail on every one of its 50,000 elements: the answer lists the first problems and counts the rest. */
export const MAX_REPORTED_ERRORS = 50;

export const invalidRequest = (errors: readonly FieldError[], where = 'body'): HttpAnswer => {
  const shown = errors.slice(0, MAX_REPORTED_ERRORS);
  const more = errors.length - shown.length;
  return {
    status: 400,
    body: {
      error: 'InvalidRequest',
      message: `the request ${where} does not decode: ${shown.map((e) => `${e.path}: ${e.message}`).join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
      errors: shown,
      ...(more > 0 ? { moreErrors: more } : {}),
    },
  };
};

export const commandFailed = (e: StrategyCommandError): HttpAnswer => {
  switch (e.kind) {
    case 'StrategyNotFound':
      return { status: 404, body: { error: 'StrategyNotFound', message: `no strategy ${e.strategyId}`, strategyId: e.strategyId } };
    case 'IllegalTransition':
      return { status: 409, body: { error: 'IllegalTransition', message: e.message, state: e.state, command: e.command, currentRevision: e.currentRevision } };
    case 'DecisionRefused': {
      // The activation's decision breaks the limit or does not match itself: the body is readable but wrong.
      const { kind, message, currentRevision, ...figures } = e;
      return { status: 422, body: { error: kind, message, currentRevision, ...figures } };
    }
    case 'WrongExpectedRevision': {
      const current = e.actual === 'no_stream' ? null : Number(e.actual);
      return {
        status: 409,
        body: {
          error: 'WrongExpectedRevision',
          message: `expected revision ${String(e.expected)} but the strategy is at revision ${current ?? 'none'}`,
          expectedRevision: typeof e.expected === 'bigint' ? Number(e.expected) : e.expected,
          currentRevision: current,
        },
      };
    }
    case 'PartialDuplicate':
      return { status: 409, body: { error: 'PartialDuplicate', message: 'some events of this command are already stored', eventIds: e.duplicateEventIds } };
    case 'EventRejected':
      // The request passed its route's checks but an event it produced would not read back: a bug, refused before
      // anything was stored (the route's codec should have answered 400).
      return { status: 500, body: { error: 'EventRejected', message: e.message, eventType: e.eventType, errors: e.errors } };
    case 'EventDecodeFailed':
      // The stored history no longer decodes: a server-side problem; nothing is appended on top of it.
      return {
        status: 500,
        body: { error: 'EventDecodeFailed', message: e.message, stream: e.streamName, revision: e.revision, eventType: e.eventType, errors: e.errors },
      };
    default: {
      const unknown: never = e;
      throw new Error(`unmapped command error ${JSON.stringify(unknown)}`);
    }
  }
};

/** A settings or risk command the decider refused (422, its code named), or a failure of the command handler. */
export const overrideFailed = (e: SettingRefused | RiskCommandRefused | WrongExpectedRevision | AppendError | EventDecodeFailed): HttpAnswer => {
  switch (e.kind) {
    case 'SettingRefused':
      return { status: e.code === 'UnknownSetting' ? 404 : 422, body: { error: e.code, message: e.message, setting: e.setting } };
    case 'RiskCommandRefused':
      return { status: e.code === 'NotEngaged' ? 409 : 422, body: { error: e.code, message: e.message, command: e.command } };
    default:
      return commandFailed(e);
  }
};
