// The runner's protective exits on a venue's price tick: with real market rules a stop or target off the tick is
// refused by the venue, so the runner rounds them — a stop toward the entry (the risk the genome accepted is never
// widened), a target away from it (never cut). Without a tick it sends the levels as computed, to the last bit, as
// the backtest uses them. Expected levels are worked out by hand below.
import { expect } from 'chai';
import type { OrderRouter, RoutedOrder } from '../../application/trading/order-router.js';
import { StrategyRunner } from '../../application/trading/runner.js';
import { ENTRY, type SignalSource } from '../../application/trading/runner-signals.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { fillConfig } from '../../domain/execution/fill-model.js';
import { thresholdGenome } from '../backtest/helpers.js';

const H = 3_600_000;

const run = (priceTick: number | undefined, direction: 'long_only' | 'long_short', signal: number) => {
  const sent: RoutedOrder[] = [];
  const router: OrderRouter = { submit: (o) => void sent.push(o), cancel: () => undefined };
  const signals: SignalSource = { next: () => signal };
  const compiled = compileGenome(thresholdGenome(0, 0, { direction, exitRules: { stopLoss: 0.02, takeProfit: 0.05, trailingStop: 0.03 } }));
  const runner = new StrategyRunner({
    account: 'a',
    exchange: 'paper',
    symbol: 'TESTUSDT',
    compiled,
    fill: fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 }),
    initialCapital: 10_000,
    router,
    signals,
    orderIdPrefix: 't',
    ...(priceTick === undefined ? {} : { priceTick }),
  });
  void runner.onClose({ openTime: 0, open: 100, high: 100, low: 100, close: 100, volume: 1 });
  const entry = sent[0]!;
  void runner.onFill({
    account: 'a',
    clientOrderId: entry.spec.clientOrderId,
    symbol: 'TESTUSDT',
    side: entry.spec.side,
    price: 100.003,
    quantity: 1,
    fee: 0,
    liquidity: 'taker',
    time: H,
    complete: true,
  });
  const by = (purpose: string) => sent.find((o) => o.spec.purpose === purpose)!.spec;
  return { stop: by('stop_loss'), target: by('take_profit'), trailing: by('trailing_stop') };
};

describe('strategy runner: protective exits on the venue tick', () => {
  it('a long filled at 100.003, tick 0.01: stop 98.00294 → 98.01, target 105.00315 → 105.01, trailing start 97.00291 → 97.01', () => {
    const { stop, target, trailing } = run(0.01, 'long_only', ENTRY);
    expect(stop.stopPrice).to.equal(98.01);
    expect(target.price).to.equal(105.01);
    expect(trailing.stopPrice).to.equal(97.01);
  });

  it('a short filled at 100.003, tick 0.01: stop 102.00306 → 102, target 95.00285 → 95, trailing start 103.00309 → 103', () => {
    // long_short: the exit set is the short signal (EXIT = 2).
    const { stop, target, trailing } = run(0.01, 'long_short', 2);
    expect(stop.side).to.equal('buy');
    expect(stop.stopPrice).to.equal(102);
    expect(target.price).to.equal(95);
    expect(trailing.stopPrice).to.equal(103);
  });

  it('without a tick the levels are sent as computed (the backtest’s prices, bit for bit)', () => {
    const { stop, target, trailing } = run(undefined, 'long_only', ENTRY);
    expect(stop.stopPrice).to.equal(100.003 * (1 - 0.02));
    expect(target.price).to.equal(100.003 * (1 + 0.05));
    expect(trailing.stopPrice).to.equal(100.003 * (1 - 0.03));
  });
});
