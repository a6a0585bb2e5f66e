// Order updates pushed over the exchange's user data stream, against the loopback Binance (its WebSocket API speaks
// what ccxt.pro 4.5 asks of Binance spot) through the real ccxt adapter, the executor and PostgreSQL. What a push
// brings is recorded without a poll; a poll after it records nothing new; a cut stream loses a push, and the next
// one's cumulative quantity shows the gap, so the whole order is fetched. Expected figures come from the loopback's
// rules by hand (maker fills at the order's price, fee 0.1 % of what is received).
import { expect } from 'chai';
import { isRight } from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { ExchangeFailure } from '../../application/ports/exchange.js';
import { Executor } from '../../application/trading/executor.js';
import { startLiveAccount } from '../../application/trading/live-account.js';
import type { FillNotice, OrderEndNotice, OrderListener } from '../../application/trading/order-router.js';
import { orderStream } from '../../domain/execution/events.js';
import type { ClientOrderId, OrderSpec, Positive } from '../../domain/execution/order.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { DEFAULT_RISK_LIMITS } from '../../domain/risk/limits.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import type { CcxtExchange } from '../../infrastructure/exchange/ccxt/ccxt-exchange.js';
import { allowAll } from '../support/allow-all-gate.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { startLoopbackBinance, type LoopbackBinance } from '../support/loopback-binance.js';
import { loopbackExchange } from './loopback-exchange.js';

const ACCOUNT = 'testnet-push';
const T0 = Date.UTC(2024, 2, 1, 12);
const cid = (s: string) => s as ClientOrderId;
const p = (n: number) => n as Positive;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits (up to 5 s) for `check` to hold. */
const eventually = async (what: string, check: () => boolean | Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

class Heard implements OrderListener {
  readonly fills: FillNotice[] = [];
  readonly ends: OrderEndNotice[] = [];
  onFill(f: FillNotice) {
    this.fills.push(f);
  }
  onOrderEnded(n: OrderEndNotice) {
    this.ends.push(n);
  }
}

/** The REST requests that poll order status: a push must need none of them. */
const POLLING = new Set(['GET /api/v3/openOrders', 'GET /api/v3/order', 'GET /api/v3/myTrades']);

describe('order updates pushed over the user data stream (ccxt.pro, loopback Binance WebSocket API, PostgreSQL)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: EventStore;
  let server: LoopbackBinance;
  let exchange: CcxtExchange;
  let executor: Executor;
  let heard: Heard;
  let stopWatch: (() => Promise<void>) | undefined;
  const pushErrors: ExchangeFailure[] = [];

  before(async () => {
    db = await freshDatabase('order_push');
    store = checkedPostgresStore({ connectionString: db.url });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });
  beforeEach(async () => {
    server = await startLoopbackBinance({ prices: { BTCUSDT: 40_000, ETHBTC: 0.05 }, balances: { USDT: 10_000, BTC: 0.5 } });
    exchange = loopbackExchange(server);
    heard = new Heard();
    pushErrors.length = 0;
    executor = new Executor({
      store,
      clock: fixedClock(new Date(T0)),
      ids: uuidIds,
      exchange,
      risk: allowAll,
      listener: heard,
      account: ACCOUNT,
      retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
      actor: 'system:push-test' as Actor,
    });
    stopWatch = executor.watch((f) => pushErrors.push(f));
    await eventually('the user data stream subscription', () => server.streamSubscriptions() === 1);
  });
  afterEach(async () => {
    await stopWatch?.();
    await executor.settled();
    await exchange.close();
    await server.close();
  });

  const types = async (id: string) => (await store.readStream(orderStream(id))).map((e) => e.type);
  const fillsOf = async (id: string) =>
    (await store.readStream(orderStream(id)))
      .filter((e) => e.type === 'OrderFilled' || e.type === 'OrderPartiallyFilled')
      .map(
        (e) => e.data as { tradeId: string; price: number; quantity: number; cumulativeQuantity: number; fee: number; feeCurrency: string; liquidity: string },
      );
  const pollsSince = (n: number) => server.requests.slice(n).filter((r) => POLLING.has(`${r.method} ${r.path}`));
  const limitBuy = (id: string, quantity: number, price = 39_000): OrderSpec => ({
    clientOrderId: cid(id),
    symbol: 'BTCUSDT',
    side: 'buy',
    type: 'limit',
    quantity: p(quantity),
    price: p(price),
  });
  const place = async (spec: OrderSpec) => {
    const placed = await executor.place({ account: ACCOUNT, exchange: 'binance', spec, referencePrice: 40_000, time: T0 });
    expect(isRight(placed) && placed.right.status).to.equal('Accepted');
  };
  const tradeIds = (id: string) => server.orders.find((o) => o.clientOrderId === id)!.trades.map((t) => String(t.id));

  it('the adapter offers the push channel: ccxt.pro has watchOrders for binance', () => {
    expect(exchange.watchOrders).to.be.a('function');
    expect(stopWatch).to.be.a('function');
  });

  it('a resting limit filled on the exchange is recorded from the push, without a poll; a poll then records nothing new', async () => {
    await place(limitBuy('push-1', 0.01));
    const before = server.requests.length;
    server.setPrice('BTCUSDT', 39_000); // the buy at 39 000 fills, maker
    await eventually('OrderFilled', async () => (await types('push-1')).includes('OrderFilled'));
    expect(await types('push-1')).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
    expect(await fillsOf('push-1')).to.deep.equal([
      { ...(await fillsOf('push-1'))[0]!, tradeId: tradeIds('push-1')[0], price: 39_000, quantity: 0.01, cumulativeQuantity: 0.01, fee: 0.00001 },
    ]);
    expect((await fillsOf('push-1'))[0]).to.include({ feeCurrency: 'BTC', liquidity: 'maker' });
    expect(pollsSince(before)).to.deep.equal([]);
    await executor.settled();
    expect(executor.tracking().live).to.deep.equal([]);
    expect(heard.fills.map((f) => [f.clientOrderId, f.quantity, f.complete])).to.deep.equal([['push-1', 0.01, true]]);

    const events = (await store.readAll({ filter: { categories: ['order', 'executor'] } })).length;
    await executor.syncOnce();
    expect((await store.readAll({ filter: { categories: ['order', 'executor'] } })).length).to.equal(events);
    expect(heard.fills).to.have.length(1);
  });

  it('a partial fill, then a poll that records nothing new, then the rest: each fill once, from the push', async () => {
    await place(limitBuy('push-2', 0.02));
    const before = server.requests.length;
    server.fillPartly('push-2', 0.005);
    await eventually('OrderPartiallyFilled', async () => (await types('push-2')).includes('OrderPartiallyFilled'));
    expect(pollsSince(before)).to.deep.equal([]);
    // The poll sees the same open order with the same trade: nothing new.
    await executor.syncOnce();
    expect(await types('push-2')).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderPartiallyFilled']);
    server.fillPartly('push-2', 0.015);
    await eventually('OrderFilled', async () => (await types('push-2')).includes('OrderFilled'));
    const fills = await fillsOf('push-2');
    expect(fills.map((f) => [f.tradeId, f.quantity, f.cumulativeQuantity, f.price])).to.deep.equal([
      [tradeIds('push-2')[0], 0.005, 0.005, 39_000],
      [tradeIds('push-2')[1], 0.015, 0.02, 39_000],
    ]);
    await executor.syncOnce();
    expect(await types('push-2')).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderPartiallyFilled', 'OrderFilled']);
    expect(heard.fills.map((f) => [f.quantity, f.complete])).to.deep.equal([
      [0.005, false],
      [0.015, true],
    ]);
  });

  it('a cancel by hand on the exchange arrives as OrderCancelled (by the exchange), after the fill that came first', async () => {
    await place(limitBuy('push-3', 0.02));
    const before = server.requests.length;
    server.fillPartly('push-3', 0.005);
    server.cancelDirect('push-3'); // the web UI: Binance names the cancel by an id of its own, ours in `C`
    await eventually('OrderCancelled', async () => (await types('push-3')).includes('OrderCancelled'));
    expect(await types('push-3')).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderPartiallyFilled', 'OrderCancelled']);
    const [cancelled] = (await store.readStream(orderStream('push-3'))).filter((e) => e.type === 'OrderCancelled');
    expect(cancelled!.data).to.include({ by: 'exchange' });
    expect(pollsSince(before)).to.deep.equal([]);
    expect(heard.ends.map((n) => [n.kind, n.clientOrderId])).to.deep.equal([['cancelled', 'push-3']]);
    expect(executor.tracking().live).to.deep.equal([]);
  });

  it('a cut stream loses a push: the watcher reconnects, and the next push shows the gap, so the whole order is fetched', async () => {
    await place(limitBuy('push-4', 0.02));
    server.dropStreams();
    await eventually('the lost connection told', () => pushErrors.length > 0);
    expect(pushErrors[0]!.code).to.equal('NETWORK');
    server.fillPartly('push-4', 0.005); // pushed to nobody
    await eventually('the stream subscribed again', () => server.streamSubscriptions() === 1);
    expect(await types('push-4')).to.deep.equal(['OrderPlaced', 'OrderAccepted']);
    server.fillPartly('push-4', 0.005); // pushed: cumulative 0.01, carrying the second trade only
    await eventually('both fills', async () => (await fillsOf('push-4')).length === 2);
    expect((await fillsOf('push-4')).map((f) => [f.tradeId, f.quantity, f.cumulativeQuantity])).to.deep.equal([
      [tradeIds('push-4')[0], 0.005, 0.005],
      [tradeIds('push-4')[1], 0.005, 0.01],
    ]);
    expect(server.requests.some((r) => r.method === 'GET' && r.path === '/api/v3/order' && r.params['origClientOrderId'] === 'push-4')).to.equal(true);
  });

  it('an order the stream never saw placed (resumed by another process): its fill comes from the report itself, no poll', async () => {
    await place(limitBuy('push-6', 0.01));
    // The first process stops; a second one, with a client of its own, resumes the order and starts its stream.
    await stopWatch!();
    stopWatch = undefined;
    const exchange2 = loopbackExchange(server);
    const executor2 = new Executor({
      store,
      clock: fixedClock(new Date(T0)),
      ids: uuidIds,
      exchange: exchange2,
      risk: allowAll,
      listener: heard,
      account: ACCOUNT,
      actor: 'system:push-test' as Actor,
    });
    executor2.resume({ live: [{ clientOrderId: cid('push-6'), symbol: 'BTCUSDT' }], held: [] });
    const stop2 = executor2.watch()!;
    try {
      await eventually('the second stream', () => server.streamSubscriptions() === 1);
      const before = server.requests.length;
      server.setPrice('BTCUSDT', 39_000);
      await eventually('OrderFilled', async () => (await types('push-6')).includes('OrderFilled'));
      expect((await fillsOf('push-6')).map((f) => [f.tradeId, f.quantity])).to.deep.equal([[tradeIds('push-6')[0], 0.01]]);
      expect(pollsSince(before)).to.deep.equal([]);
    } finally {
      await stop2();
      await executor2.settled();
      await exchange2.close();
    }
  });

  it('an order placed by hand is pushed too: no stream of ours, its fill recorded once as unmatched', async () => {
    server.placeDirect({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '39000.00', newClientOrderId: 'web_hand1' });
    server.fillPartly('web_hand1', 0.004);
    await eventually('FillUnmatched', async () => (await store.readStream(`executor-${ACCOUNT}`)).some((e) => e.type === 'FillUnmatched'));
    await executor.syncOnce(); // the poll sees the same trade: the event id from the trade id keeps it once
    const unmatched = (await store.readStream(`executor-${ACCOUNT}`)).filter((e) => (e.data as { clientOrderId: string }).clientOrderId === 'web_hand1');
    expect(unmatched.map((e) => [e.type, (e.data as { fill: { tradeId: string } }).fill.tradeId])).to.deep.equal([['FillUnmatched', tradeIds('web_hand1')[0]]]);
    expect(await types('web_hand1')).to.deep.equal([]);
  });

  it('the stop closes the stream: the subscription ends and no socket to the exchange stays open', async () => {
    await stopWatch!();
    stopWatch = undefined;
    await eventually('the subscription closed', () => server.streamSubscriptions() === 0);
    const port = Number(new URL(server.url).port);
    const open = (process as unknown as { _getActiveHandles(): unknown[] })
      ._getActiveHandles()
      .filter((h) => (h as { remotePort?: number }).remotePort === port && (h as { destroyed?: boolean }).destroyed !== true);
    // ccxt's REST keep-alive sockets are the adapter's close(), not the watcher's: only websockets count here.
    const websockets = open.filter((h) => (h as { _httpMessage?: unknown; parser?: unknown }).parser === undefined);
    expect(websockets).to.deep.equal([]);
    // And nothing more arrives: a fill now is left to the poll.
    await place(limitBuy('push-5', 0.01));
    server.setPrice('BTCUSDT', 39_000);
    await sleep(100);
    expect(await types('push-5')).to.deep.equal(['OrderPlaced', 'OrderAccepted']);
    await executor.syncOnce();
    expect(await types('push-5')).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderFilled']);
  });
});

describe('startLiveAccount with a venue that pushes (loopback Binance, PostgreSQL)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: EventStore;
  let server: LoopbackBinance;
  const opened: CcxtExchange[] = [];

  before(async () => {
    db = await freshDatabase('live_push');
    store = checkedPostgresStore({ connectionString: db.url });
    server = await startLoopbackBinance({ prices: { BTCUSDT: 40_000, ETHBTC: 0.05 }, balances: { USDT: 10_000, BTC: 0.5 } });
  });
  after(async () => {
    for (const ex of opened) await ex.close();
    await server.close();
    await store.close();
    await db.drop();
  });

  const start = async (push: boolean) => {
    let ticks = 0;
    const started = await startLiveAccount(
      { store, clock: fixedClock(new Date(T0)), ids: uuidIds },
      {
        mode: 'testnet',
        account: ACCOUNT,
        openExchange: () => {
          const ex = loopbackExchange(server);
          opened.push(ex);
          return { _tag: 'Right', right: ex };
        },
        risk: { defaultLimits: DEFAULT_RISK_LIMITS, cashAsset: 'USDT' },
        // Polls only when the test says so: none here.
        scheduler: { every: () => () => void ticks++ },
        push,
        retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
      },
    );
    if (!isRight(started)) throw new Error(JSON.stringify(started.left));
    return started.right;
  };

  it('starts the watcher (polling every 30 s as the safety net), records a fill from the push, and closes it on stop', async () => {
    const account = await start(true);
    expect([account.pushed, account.pollIntervalMs]).to.deep.equal([true, 30_000]);
    await eventually('the subscription', () => server.streamSubscriptions() === 1);
    const placed = await account.executor.place({
      account: ACCOUNT,
      exchange: 'binance',
      spec: { clientOrderId: cid('live-push-1'), symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: p(0.01), price: p(39_500) },
      referencePrice: 40_000,
      time: T0,
    });
    expect(isRight(placed) && placed.right.status).to.equal('Accepted');
    server.setPrice('BTCUSDT', 39_500);
    await eventually('OrderFilled', async () => (await store.readStream(orderStream('live-push-1'))).some((e) => e.type === 'OrderFilled'));
    await account.stop();
    await eventually('the subscription closed', () => server.streamSubscriptions() === 0);
  });

  it('without the push channel: polled only, every 5 s, and no stream opened', async () => {
    const account = await start(false);
    expect([account.pushed, account.pollIntervalMs]).to.deep.equal([false, 5_000]);
    await sleep(50);
    expect(server.streamSubscriptions()).to.equal(0);
    await account.stop();
  });
});
