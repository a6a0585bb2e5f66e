// A log shaped like the autonomous pipeline's (issue 11), for the rebuild benchmark and the `replay --all` tests:
// per simulated day a learning cycle (started, insights, policy), `genomesPerDay` strategies generated, backtested
// and filtered (the rejected retired), the passed ones paper trading for `paperDays` days (trades as bracket orders,
// a TradingDayClosed per day, now and then a risk refusal), then judged, some activated, pinned, deactivated,
// retired. Strategy streams go through the real decider (decide/evolve), every event gets its metadata from
// `eventMetadata` and is checked with the event catalog's codec (decodeEvent) before it is handed out: the log is
// one the platform itself could have written. Seeded: one seed, one log.
import { either } from 'fp-ts';
import { decodeEvent } from '../application/events/decode-event.js';
import { eventMetadata } from '../application/commands/handle-command.js';
import { categoryOf } from '../domain/events/catalog.js';
import { mulberry32, randomGenome, type Random } from '../domain/backtest/random-genome.js';
import type { StrategyCommand } from '../domain/strategy/commands.js';
import { decide } from '../domain/strategy/decide.js';
import { evolve, initialState, type StrategyState } from '../domain/strategy/state.js';
import { exampleActivationDecision, exampleCommands } from '../apps/api/examples.js';
import { EVENT_EXAMPLES } from '../test/events/examples.js';

export interface MixedEvent {
  readonly streamName: string;
  readonly category: string;
  readonly revision: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

export interface MixedHistoryOptions {
  readonly seed: number;
  /** Stop after (about) this many events: the day in progress is finished. */
  readonly events: number;
  readonly genomesPerDay?: number;
  /** Strategies paper trading at once. */
  readonly paperSlots?: number;
  readonly paperDays?: number;
  readonly tradesPerDay?: number;
}

const DAY = 86_400_000;
const START_DAY = Date.parse('2024-01-01T00:00:00.000Z');
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'XRPUSDT'];

const uuidFrom = (rnd: Random): string => {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(rnd() * 4)]!;
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
};
const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;
const example = (type: string) => EVENT_EXAMPLES[type]!.data as Record<string, unknown>;

/** Yields the log in the order it would have been appended, one day at a time. */
export function* mixedHistory(options: MixedHistoryOptions): Generator<MixedEvent[], void, undefined> {
  const rnd = mulberry32(options.seed);
  const genomesPerDay = options.genomesPerDay ?? 500;
  const paperSlots = options.paperSlots ?? 100;
  const paperDays = options.paperDays ?? 7;
  const tradesPerDay = options.tradesPerDay ?? 3;
  const revisions = new Map<string, number>();
  const states = new Map<string, StrategyState>();
  let emitted = 0;
  let now = START_DAY;
  let day: MixedEvent[] = [];

  const append = (streamName: string, type: string, data: unknown, actor: string, correlationId?: string) => {
    const revision = revisions.get(streamName) ?? 0;
    revisions.set(streamName, revision + 1);
    const eventId = uuidFrom(rnd);
    now += 1000;
    const metadata = eventMetadata({ actor: actor as never, ...(correlationId ? { correlationId } : {}) }, new Date(now), eventId);
    const e: MixedEvent = { streamName, category: categoryOf(streamName), revision, eventId, type, data, metadata };
    const check = decodeEvent({ ...e, revision: BigInt(revision), position: { commit: 0n, prepare: 0n } });
    if (either.isLeft(check)) throw new Error(`mixedHistory made an event the catalog refuses: ${check.left.message}`);
    day.push(e);
    emitted += 1;
  };
  /** Through the strategy decider: a refusal is a bug in this generator. */
  const command = (strategyId: string, type: StrategyCommand['type'], data: unknown, actor = 'system:pipeline') => {
    const state = states.get(strategyId) ?? initialState();
    const decision = decide({ type, strategyId, data } as unknown as StrategyCommand, state);
    if (either.isLeft(decision)) throw new Error(`mixedHistory: ${type} refused: ${decision.left.message}`);
    let next = state;
    for (const event of decision.right) {
      append(`strategy-${strategyId}`, event.type, event.data, actor);
      next = evolve(next, event);
    }
    states.set(strategyId, next);
  };

  const backtest = exampleCommands['record-backtest'] as { result: Record<string, unknown> };
  const verdict = (exampleCommands.filter as { verdict: Record<string, unknown> }).verdict;
  const evaluation = example('PaperTradingEvaluated')['evaluation'] as Record<string, unknown>;
  const paper: { id: string; since: number; symbol: string; trades: number; equity: number }[] = [];
  const live: string[] = [];
  let tradeNo = 0;

  for (let d = 0; emitted < options.events; d++) {
    const dayStart = START_DAY + d * DAY;
    const dayName = new Date(dayStart).toISOString().slice(0, 10);
    now = dayStart + 2 * 3_600_000;
    // 03:00 the daily cycle.
    const cycle = `cycle-${dayName}`;
    append(
      cycle,
      'LearningCycleStarted',
      { ...example('LearningCycleStarted'), cycleId: dayName, asOf: new Date(now).toISOString(), seed: d },
      'system:pipeline',
    );
    for (let g = 0; g < genomesPerDay; g++) {
      const id = uuidFrom(rnd);
      const symbols = [SYMBOLS[Math.floor(rnd() * SYMBOLS.length)]!];
      command(id, 'GenerateStrategy', { genome: randomGenome(rnd, symbols, '1h', d) });
      const sharpe = round(rnd() * 3 - 0.5, 3);
      command(id, 'RecordBacktest', {
        result: {
          ...backtest.result,
          metrics: {
            totalReturn: round(sharpe / 8),
            sharpe,
            sortino: round(sharpe * 1.3),
            maxDrawdown: round(0.02 + rnd() * 0.2),
            winRate: round(rnd()),
            trades: 5 + g,
          },
          outOfSampleMetrics: { totalReturn: round(sharpe / 30), sharpe: round(sharpe * 0.7), maxDrawdown: round(0.01 + rnd() * 0.1), trades: 3 + (g % 9) },
          symbols,
        },
      });
      const passed = sharpe > 1.8 && paper.length < paperSlots;
      command(id, 'FilterStrategy', {
        verdict: {
          ...verdict,
          outcome: passed ? 'passed' : 'rejected',
          reasons: passed ? [] : [`out-of-sample Sharpe ${round(sharpe * 0.7)} < 1`],
          score: sharpe,
        },
      });
      if (!passed) {
        command(id, 'RetireStrategy', { decidedBy: 'system:pipeline', reason: 'rejected by the filter' });
        continue;
      }
      command(id, 'StartPaperTrading', { decidedBy: 'system:pipeline', reason: 'passed the daily filter; paper slot free' });
      paper.push({ id, since: d, symbol: symbols[0]!, trades: 0, equity: 10_000 });
    }
    append(
      cycle,
      'LearningInsightsRecorded',
      { ...example('LearningInsightsRecorded'), cycleId: dayName, asOf: new Date(now).toISOString() },
      'system:pipeline',
    );
    append(
      'model-learning-policy',
      'LearningPolicyUpdated',
      { ...example('LearningPolicyUpdated'), cycleId: dayName, asOf: new Date(now).toISOString() },
      'system:pipeline',
    );
    // The desk: every paper strategy trades the day's bars.
    for (const p of paper) {
      const account = `paper-${p.id}`;
      let dayTrades = 0;
      for (let k = 0; k < tradesPerDay; k++) {
        tradeNo += 1;
        const at = dayStart + (4 + k * 8) * 3_600_000;
        const price = round(100 + rnd() * 50_000, 2);
        const qty = round(0.001 + rnd() * 0.5, 5);
        if (rnd() < 0.05) {
          append(
            `risk-${account}`,
            'RiskOrderRefused',
            {
              ...example('RiskOrderRefused'),
              account,
              strategyId: p.id,
              order: { clientOrderId: `mt-${tradeNo}-e`, symbol: p.symbol, side: 'buy', type: 'market', quantity: qty, purpose: 'entry' },
              referencePrice: price,
              time: at,
            },
            'system:risk-gate',
          );
          continue;
        }
        const entry = `mt-${tradeNo}-e`;
        const stop = `mt-${tradeNo}-sl`;
        const take = `mt-${tradeNo}-tp`;
        const group = `bracket-${tradeNo}`;
        const entrySpec = { clientOrderId: entry, symbol: p.symbol, side: 'buy', type: 'market', quantity: qty, purpose: 'entry' };
        const stopSpec = {
          clientOrderId: stop,
          symbol: p.symbol,
          side: 'sell',
          type: 'stop_market',
          stopPrice: round(price * 0.98, 2),
          quantity: qty,
          reduceOnly: true,
          ocoGroup: group,
          purpose: 'stop_loss',
        };
        const takeSpec = {
          clientOrderId: take,
          symbol: p.symbol,
          side: 'sell',
          type: 'take_profit',
          price: round(price * 1.02, 2),
          quantity: qty,
          reduceOnly: true,
          ocoGroup: group,
          purpose: 'take_profit',
        };
        const base = { account, strategyId: p.id, exchange: 'binance', execution: { mode: 'native' } };
        const correlation = uuidFrom(rnd);
        const fill = (clientOrderId: string, px: number, tradeId: string, time: number) => ({
          clientOrderId,
          tradeId,
          price: px,
          quantity: qty,
          fee: round(px * qty * 0.001, 6),
          feeCurrency: 'USDT',
          liquidity: 'taker',
          time,
          cumulativeQuantity: qty,
          averagePrice: px,
        });
        append(
          `order-${entry}`,
          'OrderPlaced',
          { ...base, clientOrderId: entry, spec: entrySpec, bracket: { ocoGroup: group, children: [stopSpec, takeSpec] }, time: at },
          'system:desk',
          correlation,
        );
        append(`order-${entry}`, 'OrderAccepted', { clientOrderId: entry, exchangeOrderId: `x${tradeNo}e`, time: at + 100 }, 'system:desk', correlation);
        append(`order-${entry}`, 'OrderFilled', fill(entry, price, `t${tradeNo}e`, at + 200), 'system:desk', correlation);
        append(`order-${stop}`, 'OrderPlaced', { ...base, clientOrderId: stop, spec: stopSpec, time: at + 300 }, 'system:desk', correlation);
        append(`order-${take}`, 'OrderPlaced', { ...base, clientOrderId: take, spec: takeSpec, time: at + 300 }, 'system:desk', correlation);
        const won = rnd() < 0.5;
        const [exit, other] = won ? [take, stop] : [stop, take];
        const exitPx = round(won ? price * 1.02 : price * 0.98, 2);
        if (!won)
          append(
            `order-${stop}`,
            'OrderTriggered',
            { clientOrderId: stop, triggerPrice: exitPx, time: at + 3_600_000, submitsAs: 'market' },
            'system:desk',
            correlation,
          );
        append(`order-${exit}`, 'OrderFilled', fill(exit, exitPx, `t${tradeNo}x`, at + 3_600_100), 'system:desk', correlation);
        append(
          `order-${other}`,
          'OrderCancelled',
          { clientOrderId: other, by: 'oco', reason: `${exit} of OCO group ${group} filled`, time: at + 3_600_200 },
          'system:desk',
          correlation,
        );
        p.equity = round(p.equity + (exitPx - price) * qty - price * qty * 0.002, 2);
        dayTrades += 1;
      }
      p.trades += dayTrades;
      append(
        `performance-${p.id}`,
        'TradingDayClosed',
        {
          strategyId: p.id,
          mode: live.includes(p.id) ? 'live' : 'paper',
          account,
          day: dayName,
          initialCapital: 10_000,
          equity: p.equity,
          dayReturn: round(rnd() * 0.02 - 0.01, 5),
          trades: dayTrades,
          tradesTotal: p.trades,
          position: 0,
          at: dayStart + DAY,
        },
        'system:desk',
      );
    }
    // Activation: the paper period judged after paperDays; eligible ones go live for a while, then leave.
    for (let i = paper.length - 1; i >= 0; i--) {
      const p = paper[i]!;
      const state = states.get(p.id)!;
      if (state.status === 'Paper' && d - p.since === paperDays) {
        const eligible = rnd() < 0.4;
        command(p.id, 'EvaluatePaperTrading', {
          decidedBy: 'system:pipeline',
          reason: `paper period of ${paperDays} days judged`,
          evaluation: { ...evaluation, outcome: eligible ? 'eligible' : 'rejected', reasons: eligible ? [] : ['paper Sharpe below 0.5'] },
        });
        if (eligible && live.length < 3) {
          command(p.id, 'ActivateStrategy', { decidedBy: 'system:pipeline', reason: 'best score', decision: exampleActivationDecision(p.id) });
          live.push(p.id);
          if (rnd() < 0.3) command(p.id, 'PinStrategy', { decidedBy: 'operator:alice', reason: 'keep it over the weekend' }, 'operator:alice');
        } else {
          command(p.id, 'RetireStrategy', { decidedBy: 'system:pipeline', reason: 'paper period rejected' });
          paper.splice(i, 1);
        }
      } else if (state.status === 'Live' && d - p.since >= paperDays * 3) {
        if (state.pinned) command(p.id, 'UnpinStrategy', { decidedBy: 'operator:alice', reason: 'back to the policy' }, 'operator:alice');
        command(p.id, 'DeactivateStrategy', {
          decidedBy: 'system:pipeline',
          reason: 'outranked',
          decision: { ...exampleActivationDecision(p.id), score: 0.4 },
        });
        command(p.id, 'RetireStrategy', { decidedBy: 'system:pipeline', reason: 'persistent underperformer' });
        live.splice(live.indexOf(p.id), 1);
        paper.splice(i, 1);
      }
    }
    const out = day;
    day = [];
    yield out;
  }
}
