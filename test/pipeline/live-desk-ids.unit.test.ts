// The pieces of the live desk that need no exchange: the runner's 'position' client order ids (the same decisions make
// the same ids in any run; at most 36 characters, Binance's limit), a fill as the runner books it when Binance charges
// a buy's fee in the base asset, when the pipeline routes live strategies to the exchange, and what /health says.
import { expect } from 'chai';
import { booked, liveOrderIdPrefix } from '../../application/pipeline/live-desk.js';
import type { FillNotice, OrderRouter, RoutedOrder } from '../../application/trading/order-router.js';
import { StrategyRunner } from '../../application/trading/runner.js';
import { liveTradingHealth } from '../../apps/health.js';
import { tradesLiveOnExchange } from '../../apps/pipeline.js';
import type { Platform } from '../../apps/platform.js';
import { compileGenome } from '../../domain/backtest/compile.js';
import { fillConfig } from '../../domain/execution/fill-model.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ClientOrderId } from '../../domain/execution/order.js';
import type { Genome } from '../../domain/strategy/genome.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import type { PipelineStatus } from '../../application/pipeline/pipeline.js';

const T = Date.UTC(2022, 2, 1, 6); // 1646114400 s = "r81y00" in base 36 (27·36⁵ + 8·36⁴ + 1·36³ + 34·36² + 0·36 + 0)

/** A venue in a test: market orders fill at once at the reference price, fee 0; resting orders rest. */
class FillingRouter implements OrderRouter {
  readonly ids: string[] = [];
  runner: StrategyRunner | undefined;
  submit(o: RoutedOrder) {
    this.ids.push(o.spec.clientOrderId);
    if (o.spec.type !== 'market') return;
    const qty = o.spec.quantity ?? (o.spec.quoteQuantity ?? 0) / o.referencePrice;
    return this.runner!.onFill({
      account: o.account,
      clientOrderId: o.spec.clientOrderId,
      symbol: o.spec.symbol,
      side: o.spec.side,
      price: o.referencePrice,
      quantity: qty,
      fee: 0,
      liquidity: 'taker',
      time: o.time,
      complete: true,
    });
  }
  cancel() {}
}

const run = (bits: number[]) => {
  const genome = { ...smaCrossoverGenome(5, 20), exitRules: { stopLoss: 0.02, takeProfit: 0.05 } } as unknown as Genome;
  const router = new FillingRouter();
  let k = 0;
  const runner = new StrategyRunner({
    account: 'live-x',
    exchange: 'binance',
    symbol: 'BTCUSDT',
    compiled: compileGenome(genome),
    fill: fillConfig({ takerFee: 0, makerFee: 0 }),
    initialCapital: 10_000,
    router,
    signals: { next: () => bits[k++] ?? 0 },
    orderIdPrefix: liveOrderIdPrefix('live-11fe0000-0000-4000-8000-0000000000a1-2'),
    orderIds: 'position',
  });
  router.runner = runner;
  for (let i = 0; i < bits.length; i++) void runner.onClose({ openTime: T + i * 3_600_000, open: 100, high: 100, low: 100, close: 100, volume: 1 });
  return router.ids;
};

describe('live desk: client order ids, booked fills, wiring, health', () => {
  it("'position' ids: group from the entry bar, a letter per purpose, the same in a second run, ≤ 36 characters", () => {
    // Entry at the first bar (bit 1), exit at the third (bit 2).
    const ids = run([1, 0, 2]);
    const p = liveOrderIdPrefix('live-11fe0000-0000-4000-8000-0000000000a1-2');
    expect(p).to.match(/^L[0-9a-f]{12}$/);
    expect(ids).to.deep.equal([`${p}-r81y00-e`, `${p}-r81y00-s`, `${p}-r81y00-t`, `${p}-r81y00-x1`]);
    expect(run([1, 0, 2])).to.deep.equal(ids);
    for (const id of ids) expect(id.length).to.be.at.most(36);
  });

  it("'counter' ids (the default) stay <prefix>-<n>", () => {
    const router = new FillingRouter();
    const runner = new StrategyRunner({
      account: 'a',
      exchange: 'paper',
      symbol: 'BTCUSDT',
      compiled: compileGenome(smaCrossoverGenome(5, 20)),
      fill: fillConfig({ takerFee: 0, makerFee: 0 }),
      initialCapital: 10_000,
      router,
      signals: { next: () => 1 },
      orderIdPrefix: 'desk',
    });
    router.runner = runner;
    void runner.onClose({ openTime: T, open: 100, high: 100, low: 100, close: 100, volume: 1 });
    expect(router.ids).to.deep.equal(['desk-1' as ClientOrderId]);
  });

  it('a buy whose fee is charged in the base asset is booked for what it leaves, on the lot size, its fee in quote', () => {
    const rules = { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', amountStep: 0.00001, priceTick: 0.01 } as unknown as MarketRules;
    const f = { side: 'buy', price: 40_000, quantity: 0.24975, fee: 0.00024975 } as FillNotice;
    // 0.24975 − 0.00024975 = 0.24950025 → 0.2495 on the 0.00001 lot; fee 0.00024975 × 40 000 = 9.99 USDT.
    const b = booked(rules, 'BTC', f);
    expect(b.quantity).to.equal(0.2495);
    expect(b.fee).to.be.closeTo(9.99, 1e-9);
    expect(booked(rules, 'USDT', { ...f, side: 'sell', fee: 9.99 })).to.deep.equal({ ...f, side: 'sell', fee: 9.99 });
    expect(booked(rules, 'BNB', f).fee).to.equal(0);
  });

  it('live strategies go to the exchange only with TRADING_MODE testnet or live, and never in replay', () => {
    const platform = (mode: string) => ({ config: { trading: { mode } } }) as unknown as Platform;
    expect(tradesLiveOnExchange(platform('paper'), { mode: 'live' })).to.equal(false);
    expect(tradesLiveOnExchange(platform('testnet'), { mode: 'live' })).to.equal(true);
    expect(tradesLiveOnExchange(platform('live'), { mode: 'live' })).to.equal(true);
    expect(tradesLiveOnExchange(platform('live'), { mode: 'replay' })).to.equal(false);
  });

  it('/health liveTrading: degraded, saying why, when TRADING_MODE≠paper and the pipeline has no live desk', () => {
    const status = (steps: string[]) => ({ mode: 'live', steps, ticks: 0, lastTick: null, lastError: null }) as PipelineStatus;
    expect(liveTradingHealth('testnet', 'binance', status(['selection', 'cycle', 'desk', 'activation']))).to.deep.equal({
      status: 'degraded',
      mode: 'testnet',
      tradesOn: 'paper',
      reason:
        'TRADING_MODE=testnet but the pipeline has no live desk (steps: selection, cycle, desk, activation): live strategies still trade on the paper exchange',
    });
    expect(liveTradingHealth('testnet', 'binance', status(['selection', 'cycle', 'desk', 'activation', 'live'])).status).to.equal('ok');
    expect(liveTradingHealth('paper', 'binance', status(['desk'])).status).to.equal('ok');
  });
});
