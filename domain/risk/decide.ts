// The risk stream's rules: limits change only when they differ (with the operator and reason), every refusal is
// recorded, a kill switch engages once (a daily loss once per UTC day), and only an operator releases one that holds.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import type { RiskCommand, RiskCommandType } from './commands.js';
import type { KillSwitchTrigger, RiskEvent } from './events.js';
import { sameLimits } from './limits.js';
import { utcDay } from './rules.js';
import { initialRiskState, evolveRisk, isEngaged, type RiskState } from './state.js';

export interface RiskCommandRefused {
  readonly kind: 'RiskCommandRefused';
  readonly command: RiskCommandType;
  readonly code: 'NotAnOperator' | 'NotEngaged' | 'DayMismatch';
  readonly message: string;
}

export type RiskError = RiskCommandRefused;
type Decision = Either<RiskError, readonly RiskEvent[]>;

const refuse = (command: RiskCommandType, code: RiskCommandRefused['code'], message: string): Decision =>
  either.left({ kind: 'RiskCommandRefused', command, code, message });

const emit = (event: RiskEvent): Decision => either.right([event]);

const isOperator = (actor: string) => actor.startsWith('operator:');

const describe = (trigger: KillSwitchTrigger) =>
  trigger === 'manual' ? 'the manual kill switch' : trigger === 'max_drawdown' ? 'the drawdown kill switch' : 'the daily loss kill switch';

export const decideRisk = (command: RiskCommand, state: RiskState): Decision => {
  const account = command.account;
  switch (command.type) {
    case 'SetRiskLimits': {
      const { limits, decidedBy, reason } = command.data;
      if (!isOperator(decidedBy)) return refuse(command.type, 'NotAnOperator', `risk limits are set by an operator, not ${decidedBy}`);
      if (state.limits && sameLimits(state.limits, limits)) return either.right([]);
      return emit({ type: 'RiskLimitsSet', data: { account, limits, decidedBy, reason, ...(state.limits ? { previous: state.limits } : {}) } });
    }
    case 'RecordOrderRefusal':
      return emit({ type: 'RiskOrderRefused', data: { ...command.data, account } });
    case 'EngageKillSwitch': {
      const { trigger, decidedBy, time, day } = command.data;
      if (trigger === 'manual' && !isOperator(decidedBy))
        return refuse(command.type, 'NotAnOperator', `the manual kill switch is engaged by an operator, not ${decidedBy}`);
      if (trigger === 'daily_loss_limit' && day !== utcDay(time))
        return refuse(command.type, 'DayMismatch', `a daily loss kill switch names the UTC day of its time (${utcDay(time)}), got ${String(day)}`);
      // Engaged already (a daily loss: already today): nothing new to record.
      if (isEngaged(state.engaged, trigger, utcDay(time))) return either.right([]);
      return emit({ type: 'KillSwitchEngaged', data: { ...command.data, account } });
    }
    case 'ReleaseKillSwitch': {
      const { trigger, decidedBy, reason, time } = command.data;
      if (!isOperator(decidedBy)) return refuse(command.type, 'NotAnOperator', `${describe(trigger)} is released by an operator only, not ${decidedBy}`);
      if (!isEngaged(state.engaged, trigger, utcDay(time))) return refuse(command.type, 'NotEngaged', `${describe(trigger)} is not engaged`);
      return emit({ type: 'KillSwitchReleased', data: { account, trigger, time, releasedBy: decidedBy, reason } });
    }
    default: {
      const unknown: never = command;
      throw new Error(`decideRisk: unhandled command ${JSON.stringify(unknown)}`);
    }
  }
};

/** The risk decider as the one command handler takes it (application/commands/handle-command.ts). */
export const riskDecider = { decide: decideRisk, evolve: evolveRisk, initialState: initialRiskState };
