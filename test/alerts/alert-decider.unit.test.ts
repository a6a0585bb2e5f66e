// The alert decider and rules as specifications (given events, when a command, then events). Expected events are
// written out by hand from the rules of doc/alerts.md.
import { expect } from 'chai';
import { alertDecider, type AlertCommand, type AlertError, type AlertState, type Observation } from '../../domain/alerts/decide.js';
import type { AlertEvent, AlertRaised } from '../../domain/alerts/events.js';
import { findingOfEvent, intervalMinutes, observeCollection, observeHealth } from '../../domain/alerts/rules.js';
import type { Actor, IsoTimestamp, Reason, Uuid } from '../../domain/primitives/codecs.js';
import { spec } from '../domain/decider-spec.js';

const A = '00000000-0000-4000-8000-00000000000a' as Uuid;
const B = '00000000-0000-4000-8000-00000000000b' as Uuid;
const iso = (s: string) => s as IsoTimestamp;
const MIN = 60_000;
const given = (events: readonly AlertEvent[]) => spec<AlertCommand, AlertEvent, AlertState, AlertError>(alertDecider).given(events);

const stale = (at: string): Observation => ({
  rule: 'data-stale',
  kind: 'condition',
  severity: 'warning',
  subject: 'binance:candles/BTCUSDT/1m',
  dedupKey: 'data-stale:binance:candles/BTCUSDT/1m',
  message: 'no new data for 40 min',
  figures: { minutesSinceUpdate: 40 },
  at: iso(at),
});
const observe = (o: Observation, alertId = B, now: string = o.at): AlertCommand => ({
  type: 'ObserveCondition',
  observation: o,
  alertId,
  now: new Date(now),
  repeatAfterMs: 15 * MIN,
  maxAgeMs: 24 * 60 * MIN,
});
const raised = (at: string, alertId: Uuid = A): AlertEvent => ({
  type: 'AlertRaised',
  data: {
    alertId,
    rule: 'data-stale',
    kind: 'condition',
    severity: 'warning',
    subject: 'binance:candles/BTCUSDT/1m',
    message: 'no new data for 40 min',
    figures: { minutesSinceUpdate: 40 } as never,
    dedupKey: 'data-stale:binance:candles/BTCUSDT/1m',
    firstSeenAt: iso(at),
  },
});
const system = 'system:alerts' as Actor;
const operator = 'operator:ana' as Actor;
const why = (s: string) => s as Reason;

describe('alert decider (domain/alerts/decide.ts)', () => {
  it('a condition seen with no alert open raises one with the id it is given', () => {
    given([])
      .when(observe(stale('2026-03-01T10:00:00.000Z'), A))
      .then([raised('2026-03-01T10:00:00.000Z')]);
  });

  it('seen again inside the repeat interval: nothing (one alert, its count stays 1)', () => {
    given([raised('2026-03-01T10:00:00.000Z')])
      .when(observe(stale('2026-03-01T10:14:59.999Z')))
      .thenNothingHappened();
  });

  it('seen again after the repeat interval: counted on the same alert (count 2, lastSeenAt moves)', () => {
    given([raised('2026-03-01T10:00:00.000Z')])
      .when(observe(stale('2026-03-01T10:15:00.000Z')))
      .then([
        {
          type: 'AlertRepeated',
          data: {
            alertId: A,
            count: 2 as never,
            lastSeenAt: iso('2026-03-01T10:15:00.000Z'),
            message: 'no new data for 40 min',
            figures: { minutesSinceUpdate: 40 } as never,
          },
        },
      ]);
  });

  it('an observation older than the last change (a replayed event) changes nothing', () => {
    given([raised('2026-03-01T10:00:00.000Z')])
      .when(observe(stale('2026-03-01T09:00:00.000Z')))
      .thenNothingHappened();
    const resolved: AlertEvent = {
      type: 'AlertResolved',
      data: { alertId: A, resolvedAt: iso('2026-03-01T11:00:00.000Z'), resolvedBy: system, reason: why('cleared') },
    };
    given([raised('2026-03-01T10:00:00.000Z'), resolved])
      .when(observe(stale('2026-03-01T10:30:00.000Z')))
      .thenNothingHappened();
  });

  it('an observation older than the maximum age at now raises nothing (a first start over a long history)', () => {
    given([])
      .when(observe(stale('2026-03-01T10:00:00.000Z'), A, '2026-03-02T10:00:00.001Z'))
      .thenNothingHappened();
    given([])
      .when(observe(stale('2026-03-01T10:00:00.000Z'), A, '2026-03-02T10:00:00.000Z'))
      .then([raised('2026-03-01T10:00:00.000Z')]);
  });

  it('clearing resolves the open alert; with nothing open it does nothing; after resolution a new sighting opens a new alert', () => {
    const clear: AlertCommand = { type: 'ClearCondition', at: iso('2026-03-01T11:00:00.000Z'), reason: why('cleared'), by: system };
    const resolved: AlertEvent = {
      type: 'AlertResolved',
      data: { alertId: A, resolvedAt: iso('2026-03-01T11:00:00.000Z'), resolvedBy: system, reason: why('cleared') },
    };
    given([raised('2026-03-01T10:00:00.000Z')])
      .when(clear)
      .then([resolved]);
    given([]).when(clear).thenNothingHappened();
    given([raised('2026-03-01T10:00:00.000Z'), resolved])
      .when(clear)
      .thenNothingHappened();
    given([raised('2026-03-01T10:00:00.000Z'), resolved])
      .when(observe(stale('2026-03-01T12:00:00.000Z'), B))
      .then([raised('2026-03-01T12:00:00.000Z', B)]);
  });

  it('acknowledging a condition records it and leaves it open; an incident is also resolved; twice is a conflict; unknown is not found', () => {
    const ack = (alertId: Uuid): AlertCommand => ({
      type: 'AcknowledgeAlert',
      alertId,
      at: iso('2026-03-01T10:05:00.000Z'),
      by: operator,
      reason: why('looking into it'),
    });
    const acknowledged: AlertEvent = {
      type: 'AlertAcknowledged',
      data: { alertId: A, acknowledgedAt: iso('2026-03-01T10:05:00.000Z'), acknowledgedBy: operator, reason: why('looking into it') },
    };
    given([raised('2026-03-01T10:00:00.000Z')])
      .when(ack(A))
      .then([acknowledged]);
    given([raised('2026-03-01T10:00:00.000Z'), acknowledged])
      .when(ack(A))
      .thenFails({ kind: 'AlertNotOpen' });
    given([raised('2026-03-01T10:00:00.000Z')])
      .when(ack(B))
      .thenFails({ kind: 'AlertNotFound', alertId: B });
    const incident: AlertEvent = {
      type: 'AlertRaised',
      data: { ...(raised('2026-03-01T10:00:00.000Z').data as AlertRaised['data']), rule: 'cycle-over-budget', kind: 'incident' },
    };
    given([incident])
      .when(ack(A))
      .then([
        acknowledged,
        { type: 'AlertResolved', data: { alertId: A, resolvedAt: iso('2026-03-01T10:05:00.000Z'), resolvedBy: operator, reason: why('looking into it') } },
      ]);
  });

  it('a delivery is recorded once per alert, notification and channel', () => {
    const record = (channel: string, ok: boolean): AlertCommand => ({
      type: 'RecordDelivery',
      alertId: A,
      notification: 'raised',
      channel,
      outcome: ok ? { ok: true, attempts: 1 } : { ok: false, attempts: 3, error: 'HTTP 500' },
      at: iso('2026-03-01T10:00:01.000Z'),
    });
    const delivered: AlertEvent = {
      type: 'AlertDelivered',
      data: { alertId: A, notification: 'raised', channel: 'webhook', attempts: 1 as never, at: iso('2026-03-01T10:00:01.000Z') },
    };
    given([raised('2026-03-01T10:00:00.000Z')])
      .when(record('webhook', true))
      .then([delivered]);
    given([raised('2026-03-01T10:00:00.000Z'), delivered])
      .when(record('webhook', false))
      .thenNothingHappened();
    given([raised('2026-03-01T10:00:00.000Z'), delivered])
      .when(record('telegram', false))
      .then([
        {
          type: 'AlertDeliveryFailed',
          data: { alertId: A, notification: 'raised', channel: 'telegram', attempts: 3 as never, error: 'HTTP 500', at: iso('2026-03-01T10:00:01.000Z') },
        },
      ]);
    given([]).when(record('webhook', true)).thenFails({ kind: 'AlertNotFound' });
  });
});

describe('alert rules (domain/alerts/rules.ts)', () => {
  const at = iso('2026-03-01T10:00:00.000Z');

  it('a kill switch tripped by the drawdown is a critical drawdown-limit alert on its account; its release clears the same key', () => {
    const engaged = findingOfEvent({
      type: 'KillSwitchEngaged',
      streamName: 'risk-paper',
      occurredAt: at,
      data: {
        account: 'paper',
        trigger: 'max_drawdown',
        time: 1,
        decidedBy: 'system:risk-gate',
        reason: 'drawdown',
        positionsToClose: [],
        figures: { limit: 0.2, actual: 0.25, equity: 750, reference: 1000 },
      },
    });
    expect(engaged && 'observe' in engaged ? engaged.observe : undefined).to.deep.include({
      rule: 'drawdown-limit',
      severity: 'critical',
      dedupKey: 'kill-switch:paper:max_drawdown',
      figures: { trigger: 'max_drawdown', limit: 0.2, actual: 0.25, equity: 750, reference: 1000, positionsToClose: 0 },
    });
    expect((engaged as { observe: Observation }).observe.message).to.contain('drawdown 25.00% reached the limit of 20.00%');
    const released = findingOfEvent({
      type: 'KillSwitchReleased',
      streamName: 'risk-paper',
      occurredAt: at,
      data: { account: 'paper', trigger: 'max_drawdown', time: 2, releasedBy: 'operator:ana', reason: 'reviewed' },
    });
    expect(released && 'clear' in released ? released.clear.dedupKey : undefined).to.equal('kill-switch:paper:max_drawdown');
  });

  it('a deactivation counts only when the limits caused it (reason "breached: …"), not when outranked', () => {
    const e = (reason: string) =>
      findingOfEvent({
        type: 'StrategyDeactivated',
        streamName: 'strategy-x',
        occurredAt: at,
        data: { strategyId: 'x', decidedBy: 'system:activation-policy', reason },
      });
    expect(e('breached: drawdown — live drawdown 25.00%')).to.have.nested.property('observe.rule', 'strategy-deactivated');
    expect(e('outranked: score 0.1 is below y (0.2)')).to.equal(undefined);
  });

  it('lag: a part whose oldest waiting event is older than the threshold lags; at the threshold it does not', () => {
    const facts = (oldest: string) => ({
      unhealthy: [],
      projections: [{ name: 'strategies', lagEvents: 12, oldestWaitingAt: oldest }],
      mirror: { name: 'mirror', lagEvents: 0, oldestWaitingAt: undefined },
      pipelineError: undefined,
    });
    expect(observeHealth(facts('2026-03-01T09:55:00.000Z'), at, { lagSeconds: 300, staleMinutes: 30 })).to.deep.equal([]);
    const [o] = observeHealth(facts('2026-03-01T09:54:59.000Z'), at, { lagSeconds: 300, staleMinutes: 30 });
    expect(o).to.deep.include({
      rule: 'projection-lag',
      dedupKey: 'projection-lag:strategies',
      figures: { lagSeconds: 301, lagEvents: 12, thresholdSeconds: 300 },
    });
  });

  it('stale: no update for longer than max(threshold, 2 intervals); CSV imports never; a daily series after 2 days', () => {
    const row = (source: string, interval: string, lastUpdateAt: string | null) => ({
      source,
      symbol: 'BTCUSDT',
      interval,
      lastUpdateAt,
      lastError: null,
      consecutiveErrors: 0,
    });
    const th = { lagSeconds: 300, staleMinutes: 30 };
    expect(intervalMinutes('1m')).to.equal(1);
    expect(intervalMinutes('4h')).to.equal(240);
    expect(intervalMinutes('')).to.equal(1440);
    expect(observeCollection([row('binance:candles', '1m', '2026-03-01T09:30:00.000Z')], at, th)).to.deep.equal([]);
    expect(observeCollection([row('binance:candles', '1m', '2026-03-01T09:29:00.000Z')], at, th)).to.have.length(1);
    expect(observeCollection([row('csv:candles', '1m', '2026-01-01T00:00:00.000Z')], at, th)).to.deep.equal([]);
    expect(observeCollection([row('alternative.me:fear_greed', '', '2026-02-28T10:00:00.000Z')], at, th)).to.deep.equal([]);
    expect(observeCollection([row('alternative.me:fear_greed', '', '2026-02-27T09:59:00.000Z')], at, th)).to.have.length(1);
    expect(observeCollection([row('binance:candles', '1h', null)], at, th)[0]!.message).to.contain('no data has arrived yet');
  });
});
