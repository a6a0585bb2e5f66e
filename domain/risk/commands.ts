// What can be asked of an account's risk stream. The gate records refusals and automatic kill switches; an operator
// sets limits, engages the manual kill switch and releases any of them. Time arrives in the command (the clock port),
// so decide() stays pure.
import * as t from 'io-ts';
import { Actor, EpochMs, Reason } from '../primitives/codecs.js';
import { RiskLimits } from './limits.js';
import { KillSwitchTrigger, RiskEventData } from './events.js';

const Operator = { decidedBy: Actor, reason: Reason };
const refused = RiskEventData.RiskOrderRefused;
const engaged = RiskEventData.KillSwitchEngaged;

/** The body of each risk command as it arrives from outside (HTTP, CLI) or from the gate. */
export const RiskCommandData = {
  SetRiskLimits: t.type({ ...Operator, limits: RiskLimits }),
  RecordOrderRefusal: refused,
  EngageKillSwitch: engaged,
  ReleaseKillSwitch: t.type({ ...Operator, trigger: KillSwitchTrigger, time: EpochMs }),
} as const;

export type RiskCommandType = keyof typeof RiskCommandData;
export type RiskCommandOf<K extends RiskCommandType> = {
  readonly type: K;
  readonly account: string;
  readonly data: t.TypeOf<(typeof RiskCommandData)[K]>;
};
export type RiskCommand = { [K in RiskCommandType]: RiskCommandOf<K> }[RiskCommandType];
export const RISK_COMMAND_TYPES = Object.keys(RiskCommandData) as RiskCommandType[];
