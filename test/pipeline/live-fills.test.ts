// The live desk's runner feed (application/pipeline/live-fills.ts) on a real order stream in PostgreSQL: a partial fill
// that a resumed poll records while a restart's replay reads the same order reaches the runner once. The race is made
// by hand: the replay's read of the stream is held while the poll records the second partial fill and its notice goes
// through (as the executor tells the desk), then the read returns with both fills. The runner must book
// 0.4 + 0.3 + 0.3 = 1.0 BTC, each trade once, the order complete once; told twice, the second fill would make it 1.3.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { RunnerFeed } from '../../application/pipeline/live-fills.js';
import { eventMetadata } from '../../application/commands/handle-command.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { FillNotice, OrderEndNotice, OrderListener, RoutedOrder } from '../../application/trading/order-router.js';
import { orderStream } from '../../domain/execution/events.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';

const ID = 'Labc123def456-r81y00-e';
const T = Date.UTC(2022, 2, 1, 6);
const ORDER = {
  account: 'live-11fe0000-0000-4000-8000-0000000000b1',
  strategyId: '11fe0000-0000-4000-8000-0000000000b1',
  exchange: 'binance',
  spec: { clientOrderId: ID, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: 1, price: 40_000, timeInForce: 'GTC', purpose: 'entry' },
  referencePrice: 40_000,
  time: T,
} as unknown as RoutedOrder;
const RULES = { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', amountStep: 0.00001, priceTick: 0.01 } as unknown as MarketRules;

class Recorder implements OrderListener {
  readonly fills: FillNotice[] = [];
  readonly ends: OrderEndNotice[] = [];
  onFill(f: FillNotice) {
    this.fills.push(f);
  }
  onOrderEnded(n: OrderEndNotice) {
    this.ends.push(n);
  }
}

describe('live desk: the runner feed tells each fill once (PostgreSQL)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: EventStore;

  before(async () => {
    db = await freshDatabase('live_fills');
    store = checkedPostgresStore({ connectionString: db.url });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  const append = async (type: string, data: Record<string, unknown>) => {
    const eventId = uuidIds.newId();
    const r = await store.appendToStream(
      orderStream(ID),
      [{ eventId, type, data: { clientOrderId: ID, ...data }, metadata: eventMetadata({ actor: 'system:test' as never }, new Date(T), eventId) }],
      { expectedRevision: 'any' },
    );
    if (either.isLeft(r)) throw new Error(JSON.stringify(r.left));
  };
  let cumulative = 0;
  const fill = (type: 'OrderPartiallyFilled' | 'OrderFilled', tradeId: string, quantity: number, minute: number) => {
    cumulative += quantity;
    return append(type, {
      tradeId,
      price: 40_000,
      quantity,
      fee: quantity * 40,
      feeCurrency: 'USDT',
      liquidity: 'maker',
      time: T + minute * 60_000,
      cumulativeQuantity: cumulative,
      averagePrice: 40_000,
    });
  };

  it('a partial fill recorded by a resumed poll while the replay reads the order is told the runner once', async () => {
    const { referencePrice: _r, time: _t, ...request } = ORDER;
    await append('OrderPlaced', { ...request, execution: { mode: 'native' }, time: T });
    await append('OrderAccepted', { exchangeOrderId: '9001', time: T });
    await fill('OrderPartiallyFilled', 't1', 0.4, 1); // recorded before the crash

    const runner = new Recorder();
    // The replay's read of the order is held: meanwhile the poll records t2 and the desk is told (as the executor tells it).
    let held = false;
    const racing: EventStore = Object.create(store, {
      readStream: {
        value: async (name: string, options?: Parameters<EventStore['readStream']>[1]) => {
          if (name === orderStream(ID) && !held) {
            held = true;
            await fill('OrderPartiallyFilled', 't2', 0.3, 2);
            await feed.catchUp(ID); // the poll's notice of t2
          }
          return store.readStream(name, options);
        },
      },
    });
    const feed: RunnerFeed = new RunnerFeed(racing, RULES, () => runner);
    feed.sentOrder(ORDER); // the runner's replayed decision re-sends the order
    await feed.catchUp(ID); // the replay: the order's stream exists, the runner is told what it recorded
    expect(
      runner.fills.map((f) => f.quantity),
      'the fills told, in order',
    ).to.deep.equal([0.4, 0.3]);

    // The rest fills: the poll and the push channel both report it; the runner books it once, complete.
    await fill('OrderFilled', 't3', 0.3, 3);
    await Promise.all([feed.catchUp(ID), feed.catchUp(ID)]);
    expect(runner.fills.map((f) => [f.quantity, f.complete])).to.deep.equal([
      [0.4, false],
      [0.3, false],
      [0.3, true],
    ]);
    expect(runner.fills.reduce((a, f) => a + f.quantity, 0)).to.be.closeTo(1, 1e-12);
    // Each notice carries the order's request and its fee in quote, as recorded.
    expect(runner.fills.every((f) => f.account === ORDER.account && f.side === 'buy' && f.symbol === 'BTCUSDT' && f.fee === f.quantity * 40)).to.equal(true);
  });

  it('an end is told once, and only of an order the runner sent', async () => {
    const runner = new Recorder();
    const feed = new RunnerFeed(store, RULES, () => runner);
    const end: OrderEndNotice = { kind: 'cancelled', clientOrderId: ID as never, reason: 'the test' };
    await feed.ended(end); // not sent by this runner: not its concern
    expect(runner.ends).to.deep.equal([]);
    feed.sentOrder(ORDER);
    await feed.ended(end);
    await feed.ended(end);
    expect(runner.ends).to.deep.equal([end]);
  });
});
