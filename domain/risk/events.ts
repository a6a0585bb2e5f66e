// The facts of an account's risk, on its `risk-<account>` stream: the limits it trades under and who set them, every
// order a rule refused (the rule, the limit, the figure, the order), and every kill switch engaged and released —
// by a drawdown or the day's loss with the numbers, or by an operator with the actor and reason.
import * as t from 'io-ts';
import { OrderSpec } from '../execution/order.js';
import { Actor, boundedArray, EpochMs, Finite, IdString, Name, Reason, Text } from '../primitives/codecs.js';
import { OrderSymbol } from '../execution/order.js';
import { RiskLimits } from './limits.js';

export const RISK_CATEGORY = 'risk';
export const riskStream = (account: string) => `${RISK_CATEGORY}-${account}`;

/** Most positions a kill switch lists to close (an account holds far fewer). */
export const RISK_BOUNDS = { positions: 1000 } as const;

export const RiskRuleName = t.keyof(
  {
    invalid_order: null,
    reduce_only: null,
    kill_switch: null,
    max_drawdown: null,
    daily_loss_limit: null,
    no_equity: null,
    max_position_size: null,
    max_symbol_exposure: null,
    max_portfolio_exposure: null,
    max_open_positions: null,
  },
  'RiskRule',
);

/** What engaged a kill switch: an operator, the drawdown from the equity peak, or the UTC day's loss. */
export const KillSwitchTrigger = t.keyof({ manual: null, max_drawdown: null, daily_loss_limit: null }, 'KillSwitchTrigger');
export type KillSwitchTrigger = t.TypeOf<typeof KillSwitchTrigger>;

/** A UTC day, 2024-03-01: the day a daily loss limit tripped for (it lifts by itself the next day). */
export const UtcDay = t.refinement(t.string, (s) => /^\d{4}-\d{2}-\d{2}$/.test(s), 'UtcDay');

/** A position as the kill switch found it: signed quantity (negative: short), closed by an opposite reduce-only order. */
export const PositionToClose = t.type({ symbol: OrderSymbol, quantity: Finite }, 'PositionToClose');

/** The figures a tripped limit was judged on (absent for a manual switch). */
export const TripFigures = t.type(
  {
    /** The limit and the figure that reached it, as fractions (0.2 = 20%). */
    limit: Finite,
    actual: Finite,
    equity: Finite,
    /** The peak for a drawdown, the day's first equity for a daily loss. */
    reference: Finite,
  },
  'TripFigures',
);

export const RiskEventData = {
  RiskLimitsSet: t.intersection([t.type({ account: IdString, limits: RiskLimits, decidedBy: Actor, reason: Reason }), t.partial({ previous: RiskLimits })]),
  RiskOrderRefused: t.intersection([
    t.type({
      account: IdString,
      exchange: Name,
      order: OrderSpec,
      time: EpochMs,
      rule: RiskRuleName,
      limit: Finite,
      actual: Finite,
      message: Text,
    }),
    t.partial({ strategyId: IdString, referencePrice: Finite }),
  ]),
  KillSwitchEngaged: t.intersection([
    t.type({
      account: IdString,
      trigger: KillSwitchTrigger,
      time: EpochMs,
      decidedBy: Actor,
      reason: Reason,
      positionsToClose: boundedArray(PositionToClose, RISK_BOUNDS.positions),
    }),
    t.partial({ figures: TripFigures, day: UtcDay }),
  ]),
  KillSwitchReleased: t.type({ account: IdString, trigger: KillSwitchTrigger, time: EpochMs, releasedBy: Actor, reason: Reason }),
} as const;

export type RiskEventType = keyof typeof RiskEventData;
export type RiskEventOf<K extends RiskEventType> = {
  readonly type: K;
  readonly data: t.TypeOf<(typeof RiskEventData)[K]>;
};
export type RiskEvent = { [K in RiskEventType]: RiskEventOf<K> }[RiskEventType];
export type KillSwitchEngaged = RiskEventOf<'KillSwitchEngaged'>;
export type RiskOrderRefused = RiskEventOf<'RiskOrderRefused'>;

export const RISK_EVENT_TYPES = Object.keys(RiskEventData) as RiskEventType[];
