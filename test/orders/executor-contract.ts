// The executor's behaviour against a venue, as a suite any Exchange can run: `executorContract(name, venueFactory)`.
// It runs against the in-test venue (executor.test.ts) and the paper exchange (executor-paper.test.ts). Faults are
// injected by `faulty`, a wrapper over whichever venue is given. Order streams go to the real PostgreSQL store.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { Executor } from '../../application/trading/executor.js';
import type { FillNotice, OrderEndNotice, OrderListener, RoutedOrder } from '../../application/trading/order-router.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { RiskGate } from '../../application/ports/risk-gate.js';
import { executorStream, orderStream } from '../../domain/execution/events.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { faulty, type VenueUnderTest } from './test-venue.js';

/** Refuses any order above `maxQuantity` (the real rules are domain/risk's; this is the port's contract only). */
const riskGate = (maxQuantity: number): RiskGate => ({
  check: (o) =>
    (o.spec.quantity ?? 0) > maxQuantity
      ? either.left({
          rule: 'max_position_size',
          limit: maxQuantity,
          actual: o.spec.quantity ?? 0,
          message: `quantity ${o.spec.quantity} above ${maxQuantity}`,
        })
      : either.right(undefined),
});

class Heard implements OrderListener {
  readonly fills: FillNotice[] = [];
  readonly ended: OrderEndNotice[] = [];
  onFill(fill: FillNotice) {
    this.fills.push(fill);
  }
  onOrderEnded(notice: OrderEndNotice) {
    this.ended.push(notice);
  }
}

let n = 0;
const newId = (label: string) => `t${process.pid}-${Date.now() % 1e6}-${n++}-${label}`.slice(0, 36) as ClientOrderId;

export const executorContract = (name: string, makeVenue: () => VenueUnderTest) =>
  describe(`the executor on ${name}`, () => {
    let db: TestDatabase;
    let store: EventStore;
    before(async () => {
      db = await freshDatabase('executor');
      store = checkedPostgresStore({ connectionString: db.url });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    const setup = () => {
      const venue = makeVenue();
      const faults = faulty(venue.exchange);
      const heard = new Heard();
      const clock = fixedClock(new Date('2024-03-01T12:00:00Z'));
      const executor = new Executor({
        store,
        clock,
        ids: uuidIds,
        exchange: faults.exchange,
        risk: riskGate(5),
        listener: heard,
        account: 'paper-test',
        retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 2 },
        actor: 'system:executor-test' as Actor,
      });
      return { venue, faults, heard, executor };
    };
    const types = async (id: string) => (await store.readStream(orderStream(id))).map((e) => e.type);
    const dataOf = async (id: string, type: string) =>
      (await store.readStream(orderStream(id))).filter((e) => e.type === type).map((e) => e.data as Record<string, unknown>);
    // (loosely typed: the bad-input cases are exactly the specs the types would not let through)
    const routed = (spec: Readonly<Record<string, unknown>> & Pick<OrderSpec, 'type'>, extra: Partial<RoutedOrder> = {}): RoutedOrder => ({
      account: 'paper-test',
      strategyId: 'strategy-1',
      exchange: 'testvenue',
      spec: { clientOrderId: newId(spec.type), symbol: 'BTCUSDT', side: 'buy', ...spec },
      referencePrice: 30000,
      time: 1_709_294_400_000,
      ...extra,
    });

    it('a market order: placed, accepted, filled, and the runner hears the fill once', async () => {
      const { heard, executor } = setup();
      const o = routed({ type: 'market', quantity: 0.1 });
      await executor.submit(o);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
      const [filled] = await dataOf(o.spec.clientOrderId, 'OrderFilled');
      expect(filled).to.include({ quantity: 0.1, cumulativeQuantity: 0.1 });
      expect(heard.fills).to.have.length(1);
      expect(heard.fills[0]).to.include({ clientOrderId: o.spec.clientOrderId, quantity: 0.1, complete: true });
    });

    it('a timeout after the order reached the venue: looked up, never placed twice', async () => {
      const { faults, executor } = setup();
      faults.inject('timeout_after');
      const o = routed({ type: 'market', quantity: 0.1 });
      await executor.submit(o);
      expect(faults.reached(o.spec.clientOrderId)).to.equal(1);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
    });

    it('rate limits and network failures are retried under the same client order id', async () => {
      const { faults, executor } = setup();
      faults.inject('rate_limited', 'network_down', 'rate_limited');
      const o = routed({ type: 'market', quantity: 0.1 });
      await executor.submit(o);
      expect(faults.reached(o.spec.clientOrderId)).to.equal(1);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
    });

    it('timeouts on every attempt: rejected with the code, the venue never got it, the runner is told', async () => {
      const { faults, heard, executor } = setup();
      faults.inject('timeout_before', 'timeout_before', 'timeout_before', 'timeout_before');
      const o = routed({ type: 'market', quantity: 0.1 });
      await executor.submit(o);
      expect(faults.reached(o.spec.clientOrderId)).to.equal(0);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderRejected']);
      const [rejected] = await dataOf(o.spec.clientOrderId, 'OrderRejected');
      expect(rejected!['rejection']).to.include({ by: 'exchange', code: 'TIMEOUT' });
      expect(heard.ended).to.deep.include({
        kind: 'rejected',
        clientOrderId: o.spec.clientOrderId,
        code: 'TIMEOUT',
        message: (rejected!['rejection'] as { message: string }).message,
      });
    });

    it('an exchange rejection is recorded with its code and not retried', async () => {
      const { faults, executor } = setup();
      faults.inject('rejected');
      const o = routed({ type: 'market', quantity: 0.1 });
      await executor.submit(o);
      expect(faults.reached(o.spec.clientOrderId)).to.equal(0);
      const [rejected] = await dataOf(o.spec.clientOrderId, 'OrderRejected');
      expect(rejected!['rejection']).to.include({ by: 'exchange', code: 'REJECTED' });
    });

    it('insufficient funds: rejected by the exchange, balances never negative', async () => {
      const { venue, executor } = setup();
      const o = routed({ type: 'market', quantity: 4.9 }); // 147,000 USDT of 100,000
      await executor.submit(o);
      const [rejected] = await dataOf(o.spec.clientOrderId, 'OrderRejected');
      expect(rejected!['rejection']).to.include({ by: 'exchange', code: 'INSUFFICIENT_FUNDS' });
      for (const b of Object.values(await venue.balances())) expect(b.free).to.be.at.least(0);
    });

    it('a risk refusal: the order rejected by the rule with its numbers, nothing sent', async () => {
      const { faults, heard, executor } = setup();
      const o = routed({ type: 'market', quantity: 6 });
      await executor.submit(o);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderRejected']);
      const [rejected] = await dataOf(o.spec.clientOrderId, 'OrderRejected');
      expect(rejected!['rejection']).to.deep.equal({ by: 'risk', rule: 'max_position_size', limit: 5, actual: 6, message: 'quantity 6 above 5' });
      expect(faults.reached(o.spec.clientOrderId)).to.equal(0);
      expect(heard.ended[0]).to.include({ kind: 'refused' });
    });

    for (const [what, spec, field] of [
      ['below the minimum notional', { type: 'limit', quantity: 0.001, price: 3000 }, 'spec.quantity'],
      ['off the tick size', { type: 'limit', quantity: 0.1, price: 30000.005 }, 'spec.price'],
      ['an unknown symbol', { type: 'market', quantity: 0.1, symbol: 'NOPEUSDT' }, 'spec.symbol'],
    ] as const)
      it(`an order ${what}: rejected by validation naming ${field}, nothing sent`, async () => {
        const { faults, executor } = setup();
        const o = routed(spec);
        await executor.submit(o);
        expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderRejected']);
        const [rejected] = await dataOf(o.spec.clientOrderId, 'OrderRejected');
        expect(rejected!['rejection']).to.include({ by: 'validation', field });
        expect(faults.reached(o.spec.clientOrderId)).to.equal(0);
      });

    it('the same order submitted twice is placed once; another order under its id is refused', async () => {
      const { faults, executor } = setup();
      const o = routed({ type: 'market', quantity: 0.1 });
      await Promise.all([executor.submit(o), executor.submit(o)]);
      expect(faults.reached(o.spec.clientOrderId)).to.equal(1);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
      const other = await executor.place({ ...o, spec: { ...o.spec, quantity: 0.2 } as OrderSpec });
      expect(either.isLeft(other) && other.left.kind).to.equal('DuplicateClientOrderId');
      expect(faults.reached(o.spec.clientOrderId)).to.equal(1);
    });

    it('a resting limit: its fill is found by polling and recorded once, even when reported twice', async () => {
      const { venue, faults, heard, executor } = setup();
      const o = routed({ type: 'limit', quantity: 0.2, price: 29500 });
      await executor.submit(o);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderAccepted']);
      await venue.movePrice('BTCUSDT', { high: 29900, low: 29400, close: 29600 }, 0);
      faults.reportFillsTwice(true);
      await executor.syncOnce();
      await executor.syncOnce();
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
      expect(heard.fills.map((f) => f.clientOrderId)).to.deep.equal([o.spec.clientOrderId]);
    });

    it('a fill for an order the system does not know: recorded once as unmatched, on the executor stream', async () => {
      const { executor } = setup();
      const fill = { tradeId: 'x-77', price: 30000, quantity: 0.01, fee: 0.00001, feeCurrency: 'BTC', liquidity: 'taker', time: 1_709_294_400_000 } as const;
      const id = newId('ghost');
      for (let i = 0; i < 2; i++) {
        const r = await executor.recordFill(id, fill, true);
        expect(either.isRight(r)).to.equal(true);
      }
      const unmatched = (await store.readStream(executorStream('paper-test'))).filter((e) => (e.data as { clientOrderId: string }).clientOrderId === id);
      expect(unmatched.map((e) => e.type)).to.deep.equal(['FillUnmatched']);
      expect(unmatched[0]!.data).to.include({ problem: 'unknown_order' });
      expect(await types(id)).to.deep.equal([]);
    });

    it('an emulated trailing stop: held, trails the closed bars, triggers, and its market order fills', async () => {
      const { venue, executor } = setup();
      const buy = routed({ type: 'market', quantity: 0.5 });
      await executor.submit(buy);
      const o = routed({ type: 'trailing_stop', side: 'sell', quantity: 0.4, reduceOnly: true, trailing: { kind: 'percent', value: 0.02 } });
      await executor.submit(o);
      const [placed] = await dataOf(o.spec.clientOrderId, 'OrderPlaced');
      expect(placed!['execution']).to.include({ mode: 'emulated', submitsAs: 'market' });
      // Best 30000 → stop 29400. Bar 1 (low 29500) does not reach it; its high 31000 moves the stop to 30380.
      const bar = async (high: number, low: number, close: number) => {
        await venue.movePrice('BTCUSDT', { high, low, close }, 0);
        await executor.onPrice('BTCUSDT', { high, low }, 1_709_298_000_000);
      };
      await bar(31000, 29500, 30800);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced']);
      await bar(30900, 30300, 30350);
      expect(await types(o.spec.clientOrderId)).to.deep.equal(['OrderPlaced', 'OrderTriggered', 'OrderAccepted', 'OrderFilled']);
      const [triggered] = await dataOf(o.spec.clientOrderId, 'OrderTriggered');
      expect(triggered!['triggerPrice']).to.be.closeTo(31000 * 0.98, 1e-6);
    });

    it('a bracket: the exits are placed when the entry fills, and the take-profit filling cancels the stop (OCO)', async () => {
      const { venue, executor } = setup();
      const entry = routed({ type: 'market', quantity: 0.3 });
      const sl = newId('sl');
      const tp = newId('tp');
      const withBracket: RoutedOrder = {
        ...entry,
        bracket: {
          ocoGroup: 'g-1',
          children: [
            {
              clientOrderId: sl,
              symbol: 'BTCUSDT',
              side: 'sell',
              type: 'stop_market',
              stopPrice: 29000,
              reduceOnly: true,
              ocoGroup: 'g-1',
              purpose: 'stop_loss',
            },
            { clientOrderId: tp, symbol: 'BTCUSDT', side: 'sell', type: 'limit', price: 31000, reduceOnly: true, ocoGroup: 'g-1', purpose: 'take_profit' },
          ],
        } as RoutedOrder['bracket'],
      };
      await executor.submit(withBracket);
      await executor.settled();
      expect(await types(sl)).to.deep.equal(['OrderPlaced']); // emulated: stop_market is not native here
      expect(await types(tp)).to.deep.equal(['OrderPlaced', 'OrderAccepted']);
      const [slPlaced] = await dataOf(sl, 'OrderPlaced');
      expect(slPlaced).to.deep.include({ parentOrderId: entry.spec.clientOrderId });
      // 0.3 bought, less the fee paid in BTC, down to the lot step 0.001: the in-test venue takes 0.1 % in BTC (0.2997 →
      // 0.299); a venue that takes its fee in USDT (the paper exchange) leaves the whole 0.3.
      const entryOrder = await venue.exchange.fetchOrder('BTCUSDT', entry.spec.clientOrderId)();
      if (either.isLeft(entryOrder)) throw new Error(entryOrder.left.message);
      const btcFee = entryOrder.right.fills.filter((f) => f.feeCurrency === 'BTC').reduce((sum, f) => sum + f.fee, 0);
      expect((slPlaced!['spec'] as OrderSpec).quantity).to.equal(Math.floor((0.3 - btcFee) * 1000 + 1e-9) / 1000);
      await venue.movePrice('BTCUSDT', { high: 31200, low: 30500, close: 31100 }, 0);
      await executor.syncOnce();
      expect(await types(tp)).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
      expect(await types(sl)).to.deep.equal(['OrderPlaced', 'OrderCancelled']);
      const [cancelled] = await dataOf(sl, 'OrderCancelled');
      expect(cancelled).to.include({ by: 'oco' });
      // The cancelled stop never triggers afterwards.
      await executor.onPrice('BTCUSDT', { high: 29000, low: 28000 }, 1_709_300_000_000);
      expect(await types(sl)).to.deep.equal(['OrderPlaced', 'OrderCancelled']);
    });
  });
