// Counters of what the log records, whichever process did it: orders placed, filled and cancelled, risk refusals by
// rule (the reason code), backtests completed (a strategy's backtest in a cycle, a backtest job through the API).
// Fed by a subscription to the global log from its head when the meter starts, so they count from then on, like any
// process's counter; served by the API process only, so a sum over targets counts each fact once.
import * as t from 'io-ts';
import { Counter, type Registry } from 'prom-client';
import { START, type EventStore, type Position, type RecordedEvent, type Subscription } from '../../application/ports/event-store.js';
import { RiskRuleName } from '../../domain/risk/events.js';
import type { Logger } from '../logging/logger.js';
import { METRIC_PREFIX } from './process-metrics.js';

const ORDER_EVENTS = { OrderPlaced: 'placed', OrderFilled: 'filled', OrderCancelled: 'cancelled' } as const;
const BACKTEST_EVENTS = { StrategyBacktested: 'strategy', BacktestCompleted: 'job' } as const;
const REFUSAL = 'RiskOrderRefused';
const Refusal = t.type({ rule: RiskRuleName });

export interface EventMeters {
  stop(): Promise<void>;
}

export const startEventMeters = (registry: Registry, store: EventStore, log: Logger, retryMs = 5000): EventMeters => {
  const orders = new Counter({
    name: `${METRIC_PREFIX}orders_total`,
    help: 'Orders by what happened to them: placed, filled, cancelled (from the log)',
    labelNames: ['event'],
    registers: [registry],
  });
  const refusals = new Counter({
    name: `${METRIC_PREFIX}risk_refusals_total`,
    help: 'Orders the risk rules refused, by reason code (the rule; unknown for one that does not decode)',
    labelNames: ['reason'],
    registers: [registry],
  });
  const backtests = new Counter({
    name: `${METRIC_PREFIX}backtests_completed_total`,
    help: 'Backtests completed: kind strategy (a cycle or command backtest, StrategyBacktested) or job (BacktestCompleted)',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const e of Object.values(ORDER_EVENTS)) orders.labels(e).inc(0);
  for (const k of Object.values(BACKTEST_EVENTS)) backtests.labels(k).inc(0);

  const count = (e: RecordedEvent) => {
    if (Object.hasOwn(ORDER_EVENTS, e.type)) orders.labels(ORDER_EVENTS[e.type as keyof typeof ORDER_EVENTS]).inc();
    else if (Object.hasOwn(BACKTEST_EVENTS, e.type)) backtests.labels(BACKTEST_EVENTS[e.type as keyof typeof BACKTEST_EVENTS]).inc();
    else if (e.type === REFUSAL) refusals.labels(Refusal.is(e.data) ? e.data.rule : 'unknown').inc();
  };

  let stopped = false;
  let subscription: Subscription | undefined;
  let retry: NodeJS.Timeout | undefined;
  let from: Position | undefined;
  const follow = async () => {
    if (stopped) return;
    try {
      from ??= (await store.headPosition()) ?? START;
    } catch (err) {
      log.warn({ err }, 'metrics: cannot read the log head; trying again');
      retry = setTimeout(() => void follow(), retryMs);
      return;
    }
    if (stopped) return;
    const sub = store.subscribeToAll(
      { from, filter: { eventTypes: [...Object.keys(ORDER_EVENTS), ...Object.keys(BACKTEST_EVENTS), REFUSAL] } },
      async (batch) => {
        for (const e of batch) count(e);
        from = batch[batch.length - 1]?.position ?? from;
      },
    );
    subscription = sub;
    sub.done.catch((err: unknown) => {
      if (stopped) return;
      log.warn({ err }, 'metrics: the log subscription failed; following again from the last event counted');
      retry = setTimeout(() => void follow(), retryMs);
    });
  };
  void follow();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await subscription?.stop();
    },
  };
};
