// The risk stream as specifications (given events, when a command, then events or a refusal): limits set and
// changed by an operator, refusals recorded, kill switches engaged once and released by an operator only.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type * as t from 'io-ts';
import type { RiskCommand } from '../../domain/risk/commands.js';
import { RiskCommandData } from '../../domain/risk/commands.js';
import { riskDecider } from '../../domain/risk/decide.js';
import { RiskEventData, riskStream, type RiskEvent } from '../../domain/risk/events.js';
import { DEFAULT_RISK_LIMITS, RiskLimits } from '../../domain/risk/limits.js';
import { isEngaged } from '../../domain/risk/state.js';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';
import { spec } from '../domain/decider-spec.js';

const valid = <A>(codec: t.Type<A, unknown, unknown>, value: unknown): A => {
  const decoded = codec.decode(value);
  if (either.isLeft(decoded)) throw new Error(`invalid fixture for ${codec.name}: ${formatFieldErrors(fieldErrors(decoded.left))}`);
  return decoded.right;
};

const account = 'paper-main';
const MAR_1_10H = Date.UTC(2024, 2, 1, 10);
const MAR_1_23H = Date.UTC(2024, 2, 1, 23, 59);
const MAR_2_00H = Date.UTC(2024, 2, 2, 0, 0);
const tighter = valid(RiskLimits, { ...DEFAULT_RISK_LIMITS, maxSymbolExposure: 0.1, maxDrawdown: 0.1 });

const cmd = <K extends RiskCommand['type']>(type: K, data: unknown): RiskCommand => ({ type, account, data: valid(RiskCommandData[type] as t.Mixed, data) });
const ev = <K extends RiskEvent['type']>(type: K, data: unknown): RiskEvent => ({ type, data: valid(RiskEventData[type] as t.Mixed, data) });

const setLimits = (limits: unknown, decidedBy = 'operator:alice') => cmd('SetRiskLimits', { limits, decidedBy, reason: 'first live week' });
const limitsSet = ev('RiskLimitsSet', { account, limits: DEFAULT_RISK_LIMITS, decidedBy: 'operator:alice', reason: 'first live week' });
const drawdownFigures = { limit: 0.2, actual: 0.21, equity: 7900, reference: 10_000 };
const engageDrawdown = cmd('EngageKillSwitch', {
  account,
  trigger: 'max_drawdown',
  time: MAR_1_10H,
  decidedBy: 'system:risk-gate',
  reason: 'drawdown 21% from the peak 10,000',
  positionsToClose: [{ symbol: 'BTCUSDT', quantity: 0.1 }],
  figures: drawdownFigures,
});
const drawdownEngaged = ev('KillSwitchEngaged', (engageDrawdown as { data: unknown }).data);
const dailyData = (time: number, day: string) => ({
  account,
  trigger: 'daily_loss_limit',
  time,
  day,
  decidedBy: 'system:risk-gate',
  reason: 'the day lost 5.2%',
  positionsToClose: [],
  figures: { limit: 0.05, actual: 0.052, equity: 9480, reference: 10_000 },
});
const release = (trigger: string, decidedBy = 'operator:alice', time = MAR_1_10H + 3_600_000) =>
  cmd('ReleaseKillSwitch', { trigger, decidedBy, reason: 'losses reviewed', time });

const risk = spec(riskDecider);

describe('the risk stream (domain/risk/decide.ts)', () => {
  it('names its stream risk-<account>', () => expect(riskStream(account)).to.equal('risk-paper-main'));

  describe('limits', () => {
    it('an operator sets the first limits: recorded with actor and reason, no previous', () =>
      risk.given([]).when(setLimits(DEFAULT_RISK_LIMITS)).then([limitsSet]));
    it('a change records the previous limits beside the new ones', () =>
      risk
        .given([limitsSet])
        .when(setLimits(tighter))
        .then([ev('RiskLimitsSet', { account, limits: tighter, previous: DEFAULT_RISK_LIMITS, decidedBy: 'operator:alice', reason: 'first live week' })]));
    it('the same limits again change nothing', () => risk.given([limitsSet]).when(setLimits(DEFAULT_RISK_LIMITS)).thenNothingHappened());
    it('a system actor cannot set limits', () => risk.given([]).when(setLimits(tighter, 'system:scheduler')).thenFails({ code: 'NotAnOperator' }));
    it('limits out of range are refused at the boundary with the field named', () => {
      const bad = RiskCommandData.SetRiskLimits.decode({
        decidedBy: 'operator:a',
        reason: 'x',
        limits: { ...DEFAULT_RISK_LIMITS, maxDrawdown: 1.5, maxOpenPositions: -1 },
      });
      expect(either.isLeft(bad) && fieldErrors(bad.left).map((e) => e.path)).to.include.members(['limits.maxDrawdown', 'limits.maxOpenPositions']);
    });
  });

  describe('refusals', () => {
    const refusal = {
      exchange: 'binance',
      order: { clientOrderId: 'mt-1', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: 0.5 },
      referencePrice: 50_000,
      time: MAR_1_10H,
      rule: 'max_position_size',
      limit: 20_000,
      actual: 25_000,
      message: 'BTCUSDT would reach 25000',
    };
    it('every refusal is recorded with the rule, the numbers and the order, even twice the same', () =>
      risk
        .given([ev('RiskOrderRefused', { ...refusal, account })])
        .when(cmd('RecordOrderRefusal', { ...refusal, account }))
        .then([ev('RiskOrderRefused', { ...refusal, account })]));
  });

  describe('kill switches', () => {
    it('a drawdown engages the kill switch with its figures and the positions to close', () => risk.given([]).when(engageDrawdown).then([drawdownEngaged]));
    it('engaged already: a second trip records nothing', () => risk.given([drawdownEngaged]).when(engageDrawdown).thenNothingHappened());
    it('an operator engages the manual switch with actor and reason', () => {
      const data = { account, trigger: 'manual', time: MAR_1_10H, decidedBy: 'operator:bob', reason: 'exchange incident', positionsToClose: [] };
      risk
        .given([])
        .when(cmd('EngageKillSwitch', data))
        .then([ev('KillSwitchEngaged', data)]);
    });
    it('a system actor cannot engage the manual switch', () =>
      risk
        .given([])
        .when(cmd('EngageKillSwitch', { account, trigger: 'manual', time: MAR_1_10H, decidedBy: 'system:x', reason: 'r', positionsToClose: [] }))
        .thenFails({ code: 'NotAnOperator' }));
    it('a daily loss trips once a UTC day, and again the next day', () => {
      const first = ev('KillSwitchEngaged', dailyData(MAR_1_10H, '2024-03-01'));
      risk
        .given([first])
        .when(cmd('EngageKillSwitch', dailyData(MAR_1_23H, '2024-03-01')))
        .thenNothingHappened();
      risk
        .given([first])
        .when(cmd('EngageKillSwitch', dailyData(MAR_2_00H, '2024-03-02')))
        .then([ev('KillSwitchEngaged', dailyData(MAR_2_00H, '2024-03-02'))]);
    });
    it('a daily loss names the UTC day of its time', () =>
      risk
        .given([])
        .when(cmd('EngageKillSwitch', dailyData(MAR_2_00H, '2024-03-01')))
        .thenFails({ code: 'DayMismatch' }));
    it('an operator releases an engaged switch: audited with actor and reason', () =>
      risk
        .given([drawdownEngaged])
        .when(release('max_drawdown'))
        .then([
          ev('KillSwitchReleased', { account, trigger: 'max_drawdown', time: MAR_1_10H + 3_600_000, releasedBy: 'operator:alice', reason: 'losses reviewed' }),
        ]));
    it('only an operator releases a kill switch', () =>
      risk.given([drawdownEngaged]).when(release('max_drawdown', 'system:risk-gate')).thenFails({ code: 'NotAnOperator' }));
    it('a switch that is not engaged cannot be released', () => risk.given([drawdownEngaged]).when(release('manual')).thenFails({ code: 'NotEngaged' }));
    it('a released switch cannot be released twice', () => {
      const released = ev('KillSwitchReleased', { account, trigger: 'max_drawdown', time: MAR_1_10H + 1, releasedBy: 'operator:alice', reason: 'r' });
      risk.given([drawdownEngaged, released]).when(release('max_drawdown')).thenFails({ code: 'NotEngaged' });
    });
    it('yesterday’s daily loss switch no longer holds and is not released', () => {
      const first = ev('KillSwitchEngaged', dailyData(MAR_1_10H, '2024-03-01'));
      risk
        .given([first])
        .when(release('daily_loss_limit', 'operator:alice', MAR_2_00H))
        .thenFails({ code: 'NotEngaged' });
      const state = [first].reduce(riskDecider.evolve, riskDecider.initialState());
      expect(isEngaged(state.engaged, 'daily_loss_limit', '2024-03-01')).to.equal(true);
      expect(isEngaged(state.engaged, 'daily_loss_limit', '2024-03-02')).to.equal(false);
    });
  });
});
