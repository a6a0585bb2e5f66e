// An account's risk state, folded from its `risk-<account>` stream: the limits an operator set (none: configuration
// defaults apply) and the kill switches engaged now.
import type { RiskLimits } from './limits.js';
import type { KillSwitchEngaged, KillSwitchTrigger, RiskEvent } from './events.js';

export type EngagedSwitches = Readonly<Partial<Record<KillSwitchTrigger, KillSwitchEngaged['data']>>>;

export interface RiskState {
  readonly limits?: RiskLimits;
  readonly engaged: EngagedSwitches;
  readonly refusals: number;
}

export const initialRiskState = (): RiskState => ({ engaged: {}, refusals: 0 });

const without = (engaged: EngagedSwitches, trigger: KillSwitchTrigger): EngagedSwitches => {
  const next = { ...engaged };
  delete next[trigger];
  return next;
};

export const evolveRisk = (state: RiskState, event: RiskEvent): RiskState => {
  switch (event.type) {
    case 'RiskLimitsSet':
      return { ...state, limits: event.data.limits };
    case 'RiskOrderRefused':
      return { ...state, refusals: state.refusals + 1 };
    case 'KillSwitchEngaged':
      return { ...state, engaged: { ...state.engaged, [event.data.trigger]: event.data } };
    case 'KillSwitchReleased':
      return { ...state, engaged: without(state.engaged, event.data.trigger) };
    default: {
      const unknown: never = event;
      throw new Error(`evolveRisk: unhandled event ${JSON.stringify(unknown)}`);
    }
  }
};

/**
 * Whether a kill switch holds at `day` (a UTC day, 2024-03-01): a manual or drawdown switch until released, a daily
 * loss switch only on the day it tripped.
 */
export const isEngaged = (engaged: EngagedSwitches, trigger: KillSwitchTrigger, day: string): boolean => {
  const s = engaged[trigger];
  if (s === undefined) return false;
  return trigger !== 'daily_loss_limit' || s.day === day;
};
