// The risk gate of one account, with hand-worked figures: positions, cash and equity from fills and prices; each
// pre-trade rule refusing with its limit and figure (recorded on the risk stream); open orders counted; reduce-only
// orders passing every halt; the drawdown, daily loss and manual kill switches, and their release by an operator.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type { RiskCommand } from '../../domain/risk/commands.js';
import { DEFAULT_RISK_LIMITS, type RiskLimits } from '../../domain/risk/limits.js';
import type { OrderSpec } from '../../domain/execution/order.js';
import { AccountRiskGate } from '../../application/trading/risk-gate.js';
import type { PreTradeOrder } from '../../application/ports/risk-gate.js';
import { memoryRiskStream } from './memory-risk-stream.js';

const MAR_1_10H = Date.UTC(2024, 2, 1, 10);
const HOUR = 3_600_000;
const limits = (l: Partial<Record<keyof RiskLimits, number>> = {}) =>
  ({ ...DEFAULT_RISK_LIMITS, maxPositionNotional: 1e9, maxSymbolExposure: 1, maxOpenPositions: 10, dailyLossLimit: 0.5, maxDrawdown: 0.5, ...l }) as RiskLimits;

let nextId = 0;
const order = (symbol: string, side: 'buy' | 'sell', quantity: number, price: number, extra: Partial<OrderSpec> = {}, time = MAR_1_10H): PreTradeOrder => ({
  account: 'acc',
  exchange: 'binance',
  spec: { clientOrderId: `o-${++nextId}`, symbol, side, type: 'market', quantity, ...extra } as OrderSpec,
  referencePrice: price,
  time,
});

const gateWith = (l: RiskLimits, cash = 10_000) => {
  const stream = memoryRiskStream();
  const gate = new AccountRiskGate({ account: 'acc', exchange: 'binance', cash, defaultLimits: l, record: stream.record });
  return { gate, stream };
};

/** Approve and fill at once, fee-free unless told. */
const fill = (gate: AccountRiskGate, o: PreTradeOrder, fee = 0) => {
  expect(either.isRight(gate.check(o)), `approve ${o.spec.symbol} ${o.spec.side} ${o.spec.quantity}`).to.equal(true);
  return gate.onFill({
    clientOrderId: o.spec.clientOrderId,
    symbol: o.spec.symbol,
    side: o.spec.side,
    price: o.referencePrice,
    quantity: o.spec.quantity!,
    fee,
    time: o.time,
    complete: true,
  });
};

const refusalOf = (gate: AccountRiskGate, o: PreTradeOrder) => {
  const r = gate.check(o);
  if (either.isRight(r)) return expect.fail(`approved ${JSON.stringify(o.spec)}`);
  return r.left;
};

describe('the risk gate (application/trading/risk-gate.ts)', () => {
  describe('account state from fills and prices', () => {
    it('cash, position, average price and equity follow fills and prices (fees included)', () => {
      const { gate } = gateWith(limits());
      fill(gate, order('BTCUSDT', 'buy', 0.1, 50_000), 5);
      expect(gate.cash).to.equal(4995);
      expect(gate.equity).to.equal(9995);
      gate.onPrice('BTCUSDT', 52_000, MAR_1_10H + HOUR);
      expect(gate.equity).to.equal(10_195);
      fill(gate, order('BTCUSDT', 'sell', 0.05, 52_000, {}, MAR_1_10H + HOUR), 2.6);
      expect(gate.position('BTCUSDT')).to.equal(0.05);
      expect(gate.averagePrice('BTCUSDT')).to.equal(50_000);
      expect(gate.cash).to.be.closeTo(7592.4, 1e-9);
      expect(gate.equity).to.be.closeTo(10_192.4, 1e-9);
      expect(gate.peakEquity).to.equal(10_195);
      expect(gate.dayPnl).to.be.closeTo(192.4, 1e-9);
    });

    it('a buy on top averages the price; a sell through zero opens a short at the fill', () => {
      const { gate } = gateWith(limits({ maxSymbolExposure: 10, maxPortfolioExposure: 10 }));
      fill(gate, order('ETHUSDT', 'buy', 1, 2000));
      fill(gate, order('ETHUSDT', 'buy', 3, 2400));
      expect(gate.averagePrice('ETHUSDT')).to.equal(2300);
      fill(gate, order('ETHUSDT', 'sell', 6, 2500));
      expect(gate.position('ETHUSDT')).to.equal(-2);
      expect(gate.averagePrice('ETHUSDT')).to.equal(2500);
    });
  });

  describe('pre-trade rules, each refusal with its limit and figure, recorded', () => {
    it('max_symbol_exposure: 0.06 BTC at 50,000 is 0.3 × equity, above 0.25', async () => {
      const { gate, stream } = gateWith(limits({ maxSymbolExposure: 0.25 }));
      const o = order('BTCUSDT', 'buy', 0.06, 50_000);
      expect(refusalOf(gate, o)).to.deep.include({ rule: 'max_symbol_exposure', limit: 0.25, actual: 0.3 });
      await gate.flush();
      expect(stream.events).to.have.length(1);
      expect(stream.events[0]).to.deep.include({ type: 'RiskOrderRefused' });
      expect(stream.events[0]!.data).to.deep.include({
        account: 'acc',
        rule: 'max_symbol_exposure',
        limit: 0.25,
        actual: 0.3,
        order: o.spec,
        referencePrice: 50_000,
        time: MAR_1_10H,
      });
    });

    it('max_position_size: 3,000 of BTC above a 2,000 cap', () => {
      const { gate } = gateWith(limits({ maxPositionNotional: 2000 }));
      expect(refusalOf(gate, order('BTCUSDT', 'buy', 0.06, 50_000))).to.deep.include({ rule: 'max_position_size', limit: 2000, actual: 3000 });
    });

    it('an open order counts: 0.04 approved, then 0.02 more would make 0.3 × equity', () => {
      const { gate } = gateWith(limits({ maxSymbolExposure: 0.25 }));
      expect(either.isRight(gate.check(order('BTCUSDT', 'buy', 0.04, 50_000)))).to.equal(true);
      expect(refusalOf(gate, order('BTCUSDT', 'buy', 0.02, 50_000))).to.deep.include({ rule: 'max_symbol_exposure', actual: 0.3 });
    });

    it('an order that ends unfilled frees its room; a retried placement of the same order is not counted twice', () => {
      const { gate } = gateWith(limits({ maxSymbolExposure: 0.25 }));
      const first = order('BTCUSDT', 'buy', 0.04, 50_000);
      expect(either.isRight(gate.check(first))).to.equal(true);
      expect(either.isRight(gate.check(first))).to.equal(true);
      expect(refusalOf(gate, order('BTCUSDT', 'buy', 0.02, 50_000)).rule).to.equal('max_symbol_exposure');
      gate.onOrderEnded(first.spec.clientOrderId);
      expect(either.isRight(gate.check(order('BTCUSDT', 'buy', 0.05, 50_000)))).to.equal(true);
    });

    it('max_open_positions: a third symbol when two are open', () => {
      const { gate } = gateWith(limits({ maxOpenPositions: 2 }));
      fill(gate, order('BTCUSDT', 'buy', 0.01, 50_000));
      expect(either.isRight(gate.check(order('ETHUSDT', 'buy', 0.1, 2000)))).to.equal(true);
      expect(refusalOf(gate, order('SOLUSDT', 'buy', 1, 100))).to.deep.include({ rule: 'max_open_positions', limit: 2, actual: 3 });
      // adding to an open symbol is not a new position
      expect(either.isRight(gate.check(order('BTCUSDT', 'buy', 0.01, 50_000)))).to.equal(true);
    });

    it('max_portfolio_exposure: 2,000 + 2,000 + 2,000 is 0.6 × equity, above 0.5', () => {
      const { gate } = gateWith(limits({ maxPortfolioExposure: 0.5 }));
      fill(gate, order('BTCUSDT', 'buy', 0.04, 50_000));
      fill(gate, order('ETHUSDT', 'buy', 1, 2000));
      const r = refusalOf(gate, order('SOLUSDT', 'buy', 20, 100));
      expect(r).to.deep.include({ rule: 'max_portfolio_exposure', limit: 0.5 });
      expect(r.actual).to.be.closeTo(0.6, 1e-12);
    });

    it('a quote-quantity order is judged by its quote amount over the price', () => {
      const { gate } = gateWith(limits({ maxPositionNotional: 2000 }));
      const o = order('BTCUSDT', 'buy', 1, 50_000);
      const { quantity: _q, ...spec } = o.spec;
      expect(refusalOf(gate, { ...o, spec: { ...spec, quoteQuantity: 2500 } as OrderSpec })).to.deep.include({ rule: 'max_position_size', actual: 2500 });
    });

    it('no price to judge at (an unknown symbol): invalid_order, recorded without a reference price', async () => {
      const { gate, stream } = gateWith(limits());
      expect(refusalOf(gate, order('NOPEUSDT', 'buy', 1, Number.NaN)).rule).to.equal('invalid_order');
      await gate.flush();
      expect(stream.events[0]!.data).to.not.have.property('referencePrice');
    });

    it('reduce-only flagged but larger than the position: refused, the position named', () => {
      const { gate } = gateWith(limits());
      fill(gate, order('BTCUSDT', 'buy', 0.01, 50_000));
      expect(refusalOf(gate, order('BTCUSDT', 'sell', 0.02, 50_000, { reduceOnly: true }))).to.deep.include({ rule: 'reduce_only', limit: 0.01, actual: 0.02 });
    });

    it('an order that only reduces passes even above every limit', () => {
      const { gate } = gateWith(limits({ maxSymbolExposure: 0.5 }));
      fill(gate, order('BTCUSDT', 'buy', 0.1, 50_000));
      gate.onPrice('BTCUSDT', 100_000, MAR_1_10H + 1);
      gate.apply({
        type: 'RiskLimitsSet',
        data: {
          account: 'acc',
          limits: limits({ maxSymbolExposure: 0.01, maxPositionNotional: 1, maxOpenPositions: 0 }),
          decidedBy: 'operator:a',
          reason: 'r',
        },
      } as never);
      expect(either.isRight(gate.check(order('BTCUSDT', 'sell', 0.05, 100_000)))).to.equal(true);
    });
  });

  describe('kill switches', () => {
    it('a 20% drawdown trips: close every position, halt opening orders, record the figures; reduce-only still passes', async () => {
      const { gate, stream } = gateWith(limits({ maxDrawdown: 0.2 }));
      fill(gate, order('BTCUSDT', 'buy', 0.1, 50_000));
      expect(gate.onPrice('BTCUSDT', 40_000, MAR_1_10H + HOUR)).to.equal(undefined); // 9,000: 10%
      const action = gate.onPrice('BTCUSDT', 30_000, MAR_1_10H + 2 * HOUR); // 8,000: 20%
      expect(action).to.deep.equal({ kind: 'close_all_positions', trigger: 'max_drawdown', positions: [{ symbol: 'BTCUSDT', quantity: 0.1 }] });
      expect(gate.onPrice('BTCUSDT', 29_000, MAR_1_10H + 3 * HOUR), 'trips once').to.equal(undefined);
      expect(refusalOf(gate, order('ETHUSDT', 'buy', 0.1, 2000))).to.deep.include({ rule: 'max_drawdown', limit: 0.2, actual: 0.2 });
      expect(either.isRight(gate.check(order('BTCUSDT', 'sell', 0.1, 29_000, { reduceOnly: true, purpose: 'kill_switch' })))).to.equal(true);
      await gate.flush();
      const engaged = stream.events.find((e) => e.type === 'KillSwitchEngaged');
      expect(engaged?.data).to.deep.include({
        trigger: 'max_drawdown',
        decidedBy: 'system:risk-gate',
        positionsToClose: [{ symbol: 'BTCUSDT', quantity: 0.1 }],
      });
      expect(engaged?.data).to.have.deep.property('figures', { limit: 0.2, actual: 0.2, equity: 8000, reference: 10_000 });
    });

    it('only an operator releases it; released, the peak restarts from the equity then', async () => {
      const { gate } = gateWith(limits({ maxDrawdown: 0.2 }));
      fill(gate, order('BTCUSDT', 'buy', 0.1, 50_000));
      gate.onPrice('BTCUSDT', 30_000, MAR_1_10H + HOUR);
      const release = (decidedBy: string) =>
        ({
          type: 'ReleaseKillSwitch',
          account: 'acc',
          data: { trigger: 'max_drawdown', decidedBy, reason: 'reviewed', time: MAR_1_10H + 2 * HOUR },
        }) as RiskCommand;
      expect(either.isLeft(await gate.command(release('system:cron')))).to.equal(true);
      expect(refusalOf(gate, order('ETHUSDT', 'buy', 0.1, 2000)).rule).to.equal('max_drawdown');
      expect(either.isRight(await gate.command(release('operator:alice')))).to.equal(true);
      expect(gate.peakEquity).to.equal(8000);
      expect(either.isRight(gate.check(order('ETHUSDT', 'buy', 0.1, 2000)))).to.equal(true);
      expect(gate.onPrice('BTCUSDT', 29_000, MAR_1_10H + 3 * HOUR), 'no re-trip at once').to.equal(undefined);
    });

    it('the daily loss limit halts for the rest of the UTC day only', () => {
      const { gate } = gateWith(limits({ dailyLossLimit: 0.05 }));
      fill(gate, order('BTCUSDT', 'buy', 0.1, 50_000));
      const action = gate.onPrice('BTCUSDT', 44_000, Date.UTC(2024, 2, 1, 23)); // 9,400: −6% on the day
      expect(action?.trigger).to.equal('daily_loss_limit');
      const late = refusalOf(gate, order('ETHUSDT', 'buy', 0.1, 2000, {}, Date.UTC(2024, 2, 1, 23, 30)));
      expect(late).to.deep.include({ rule: 'daily_loss_limit', limit: 0.05 });
      expect(late.actual).to.be.closeTo(0.06, 1e-12);
      expect(either.isRight(gate.check(order('ETHUSDT', 'buy', 0.1, 2000, {}, Date.UTC(2024, 2, 2, 0, 30))))).to.equal(true);
      // the new day starts from 9,400: a 4% fall is within the limit
      expect(gate.onPrice('BTCUSDT', 40_240, Date.UTC(2024, 2, 2, 1))).to.equal(undefined);
    });

    it('the manual switch: engaged by an operator (closing action), refused orders name it, released by an operator', async () => {
      const { gate } = gateWith(limits());
      fill(gate, order('BTCUSDT', 'buy', 0.01, 50_000));
      const engage = {
        type: 'EngageKillSwitch',
        account: 'acc',
        data: { account: 'acc', trigger: 'manual', time: MAR_1_10H + 1, decidedBy: 'operator:bob', reason: 'exchange incident', positionsToClose: [] },
      } as unknown as RiskCommand;
      const engaged = await gate.command(engage);
      expect(either.isRight(engaged) && engaged.right).to.deep.equal({
        kind: 'close_all_positions',
        trigger: 'manual',
        positions: [{ symbol: 'BTCUSDT', quantity: 0.01 }],
      });
      const r = refusalOf(gate, order('ETHUSDT', 'buy', 0.1, 2000));
      expect(r.rule).to.equal('kill_switch');
      expect(r.message).to.match(/operator:bob: exchange incident/);
      expect(either.isRight(gate.check(order('BTCUSDT', 'sell', 0.01, 50_000)))).to.equal(true);
      const release = {
        type: 'ReleaseKillSwitch',
        account: 'acc',
        data: { trigger: 'manual', decidedBy: 'operator:bob', reason: 'over', time: MAR_1_10H + 2 },
      };
      expect(either.isRight(await gate.command(release as RiskCommand))).to.equal(true);
      expect(either.isRight(gate.check(order('ETHUSDT', 'buy', 0.1, 2000)))).to.equal(true);
    });

    it('a gate opened on a stream with an engaged switch starts halted, with the stream’s limits', () => {
      const stream = memoryRiskStream();
      const state = {
        limits: limits({ maxOpenPositions: 1 }),
        engaged: {
          manual: { account: 'acc', trigger: 'manual', time: MAR_1_10H, decidedBy: 'operator:bob', reason: 'weekend', positionsToClose: [] },
        },
        refusals: 0,
      } as never;
      const gate = new AccountRiskGate({ account: 'acc', exchange: 'binance', cash: 10_000, defaultLimits: limits(), state, record: stream.record });
      expect(gate.limits.maxOpenPositions).to.equal(1);
      expect(refusalOf(gate, order('ETHUSDT', 'buy', 0.1, 2000)).rule).to.equal('kill_switch');
    });
  });

  describe('bad input', () => {
    it('a price that is not a price is ignored, never folded into the equity', () => {
      const { gate } = gateWith(limits());
      fill(gate, order('BTCUSDT', 'buy', 0.1, 50_000));
      for (const p of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY]) expect(gate.onPrice('BTCUSDT', p, MAR_1_10H + 1)).to.equal(undefined);
      expect(gate.equity).to.equal(10_000);
    });
    it('a fill with a non-finite figure is a bug upstream: thrown, the state untouched', () => {
      const { gate } = gateWith(limits());
      expect(() => gate.onFill({ clientOrderId: 'x', symbol: 'BTCUSDT', side: 'buy', price: Number.NaN, quantity: 1, fee: 0, time: MAR_1_10H })).to.throw(
        RangeError,
      );
      expect(gate.equity).to.equal(10_000);
    });
    it('a fill of an order the gate never approved still moves the position (it happened)', () => {
      const { gate } = gateWith(limits());
      gate.onFill({ clientOrderId: 'placed-by-hand', symbol: 'BTCUSDT', side: 'buy', price: 50_000, quantity: 0.01, fee: 0, time: MAR_1_10H });
      expect(gate.position('BTCUSDT')).to.equal(0.01);
    });
    it('a recording that fails is reported, and the gate keeps its decision', async () => {
      const failures: unknown[] = [];
      const gate = new AccountRiskGate({
        account: 'acc',
        exchange: 'binance',
        cash: 10_000,
        defaultLimits: limits({ maxPositionNotional: 1 }),
        record: () => Promise.reject(new Error('store down')),
        onRecordFailed: (e) => failures.push(e),
      });
      expect(refusalOf(gate, order('BTCUSDT', 'buy', 0.01, 50_000)).rule).to.equal('max_position_size');
      await gate.flush();
      expect(failures).to.have.length(1);
    });
  });
});
