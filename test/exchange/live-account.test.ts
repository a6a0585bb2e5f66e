// Starting a live account after a restart, against the loopback Binance through the real ccxt adapter and PostgreSQL.
// A first run left a limit buy resting on the exchange and an emulated trailing stop waiting in the executor; while
// MasterTrade was down the exchange filled half the buy and someone placed an order by hand. Start: the missed fill
// is on the order's stream once, the hand-placed order is cancelled and recorded, ExchangeReconciled reads back, the
// executor polls the resumed buy and triggers the resumed trailing stop where its best price says. A second start
// records nothing new. Expected figures are worked out by hand from the loopback's rules (maker fee 0.1 % of what is
// received).
import { expect } from 'chai';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { Exchange } from '../../application/ports/exchange.js';
import type { Scheduler } from '../../application/trading/executor.js';
import { startLiveAccount, type LiveAccount, type LiveAccountError, type LiveAccountSettings } from '../../application/trading/live-account.js';
import { foldOrderHistory } from '../../application/trading/order-history.js';
import { orderStream } from '../../domain/execution/events.js';
import type { ClientOrderId, OrderSpec, Positive } from '../../domain/execution/order.js';
import { DEFAULT_RISK_LIMITS, type RiskLimits } from '../../domain/risk/limits.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import type { CcxtExchange } from '../../infrastructure/exchange/ccxt/ccxt-exchange.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { startLoopbackBinance, type LoopbackBinance } from '../support/loopback-binance.js';
import { loopbackExchange } from './loopback-exchange.js';

const ACCOUNT = 'testnet-main';
const T0 = Date.UTC(2024, 2, 1, 12);
const cid = (s: string) => s as ClientOrderId;
const p = (n: number) => n as Positive;

/** The scheduler's timer by hand: a test runs the polls when it wants them. */
class ManualScheduler implements Scheduler {
  tasks: (() => Promise<void>)[] = [];
  every(_ms: number, task: () => Promise<void>) {
    this.tasks.push(task);
    return () => {
      this.tasks = this.tasks.filter((t) => t !== task);
    };
  }
  async tick() {
    for (const t of this.tasks) await t();
  }
}

describe('starting a live account: history folded, reconciled, resolutions recorded, executor resumed (loopback Binance, PostgreSQL)', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: EventStore;
  let server: LoopbackBinance;
  const opened: CcxtExchange[] = [];
  const clock = fixedClock(new Date(T0));

  before(async () => {
    db = await freshDatabase('live_account');
    store = checkedPostgresStore({ connectionString: db.url });
    server = await startLoopbackBinance({ prices: { BTCUSDT: 40_000, ETHBTC: 0.05 }, balances: { USDT: 10_000, BTC: 0.5 } });
  });
  after(async () => {
    for (const ex of opened) await ex.close();
    await server.close();
    await store.close();
    await db.drop();
  });

  const limits: RiskLimits = { ...DEFAULT_RISK_LIMITS, maxSymbolExposure: 1 } as RiskLimits;
  const settings = (scheduler: Scheduler, over: Partial<LiveAccountSettings> = {}): LiveAccountSettings => ({
    mode: 'testnet',
    account: ACCOUNT,
    openExchange: (): Either<string, Exchange> => {
      const ex = loopbackExchange(server);
      opened.push(ex);
      return { _tag: 'Right', right: ex };
    },
    risk: { defaultLimits: limits, cashAsset: 'USDT' },
    scheduler,
    pollIntervalMs: 1000,
    // "The candles since placement": the first run saw a high of 41 000 before it stopped.
    trailingBest: () => Promise.resolve(41_000),
    retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 },
    ...over,
  });
  const start = async (scheduler = new ManualScheduler(), over: Partial<LiveAccountSettings> = {}): Promise<LiveAccount> => {
    const r = await startLiveAccount({ store, clock, ids: uuidIds }, settings(scheduler, over));
    if (isLeft(r)) throw new Error(JSON.stringify(r.left));
    return r.right;
  };
  const types = async (id: string) => (await store.readStream(orderStream(id))).map((e) => e.type);
  const allOrderEvents = async () => (await store.readAll({ filter: { categories: ['order', 'executor'] } })).length;
  const reconciliations = async () => (await store.readStream('exchange-binance')).filter((e) => e.type === 'ExchangeReconciled');

  const buy: OrderSpec = { clientOrderId: cid('lim-1'), symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: p(0.02), price: p(39_000) };
  const trail: OrderSpec = {
    clientOrderId: cid('trail-1'),
    symbol: 'BTCUSDT',
    side: 'sell',
    type: 'trailing_stop',
    quantity: p(0.01),
    trailing: { kind: 'percent', value: p(0.02) },
    reduceOnly: true,
  };

  it('refuses in paper mode, saying why, without opening the exchange', async () => {
    let openedExchange = false;
    const r: Either<LiveAccountError, LiveAccount> = await startLiveAccount(
      { store, clock, ids: uuidIds },
      settings(new ManualScheduler(), {
        mode: 'paper',
        openExchange: () => {
          openedExchange = true;
          return { _tag: 'Left', left: 'not to be called' };
        },
      }),
    );
    expect(isLeft(r) && r.left).to.deep.equal({
      kind: 'Refused',
      message: 'TRADING_MODE=paper trades on the paper exchange; a live account starts only with TRADING_MODE=testnet (the sandbox) or live (real money)',
    });
    expect(openedExchange).to.equal(false);
    expect(await reconciliations()).to.have.length(0);
  });

  it('passes on the adapter’s own refusal (no keys)', async () => {
    const r = await startLiveAccount(
      { store, clock, ids: uuidIds },
      settings(new ManualScheduler(), { openExchange: () => ({ _tag: 'Left', left: 'TRADING_MODE=testnet needs the testnet account keys' }) }),
    );
    expect(isLeft(r) && r.left).to.deep.equal({ kind: 'Refused', message: 'TRADING_MODE=testnet needs the testnet account keys' });
  });

  it('after a restart: missed fills once, the hand-placed order cancelled and recorded, orders resumed; a second start records nothing new', async () => {
    // ---- the first run: an empty history; the exchange's balances are adopted; a limit buy rests, a trailing stop waits.
    // (The gate hears of fills from the runner; here the test forwards them.)
    let gate: LiveAccount['risk'] | undefined;
    const first = await start(new ManualScheduler(), {
      listener: { onFill: (f) => void gate?.onFill(f), onOrderEnded: () => undefined },
    });
    gate = first.risk;
    expect(first.reconciled.data.differences.map((d) => [d.kind, d.kind === 'balance_mismatch' ? [d.asset, d.actual] : undefined])).to.deep.equal([
      ['balance_mismatch', ['BTC', 0.5]],
      ['balance_mismatch', ['USDT', 10_000]],
    ]);
    // A market buy of 0.01 (taker, 40 000) opens the position the trailing stop protects.
    const entry = await first.executor.place({
      account: ACCOUNT,
      exchange: 'binance',
      spec: { ...buy, clientOrderId: cid('entry-1'), type: 'market', quantity: p(0.01), price: undefined } as unknown as OrderSpec,
      referencePrice: 40_000,
      time: T0,
    });
    expect(isRight(entry) && entry.right.status).to.equal('Filled');
    const placed = await first.executor.place({ account: ACCOUNT, exchange: 'binance', spec: buy, referencePrice: 40_000, time: T0 });
    expect(isRight(placed) && placed.right.status).to.equal('Accepted');
    const held = await first.executor.place({ account: ACCOUNT, exchange: 'binance', spec: trail, referencePrice: 40_000, time: T0 });
    expect(isRight(held) && held.right.status).to.equal('Held');
    await first.executor.onPrice('BTCUSDT', { high: 41_000, low: 40_500 }, T0 + 3_600_000); // best 41 000, stop 40 180
    await first.stop();

    // ---- down: half the buy fills on the exchange; someone places an order by hand.
    server.fillPartly('lim-1', 0.01);
    const missedTrade = String(server.orders.find((o) => o.clientOrderId === 'lim-1')!.trades[0]!.id);
    server.placeDirect({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '30000.00', newClientOrderId: 'web_manual1' });

    // ---- start again.
    clock.set(new Date(T0 + 7_200_000));
    const heard: string[] = [];
    const scheduler = new ManualScheduler();
    const second = await start(scheduler, {
      listener: {
        onFill: (f) => void heard.push(`fill ${f.clientOrderId} ${f.quantity}`),
        onOrderEnded: (n) => void heard.push(`${n.kind} ${n.clientOrderId}`),
      },
    });
    const diffs = second.reconciled.data.differences;
    // The missed fill explains the balances (USDT 10 000 − 390, BTC 0.5 + 0.01 − 0.00001): no balance difference.
    expect(diffs.map((d) => [d.kind, d.resolution])).to.have.deep.members([
      ['unknown_open_order', 'cancelled'],
      ['fills_missed', 'record_fills'],
    ]);
    const unknown = diffs.find((d) => d.kind === 'unknown_open_order') as Extract<(typeof diffs)[number], { kind: 'unknown_open_order' }>;
    expect(unknown.order).to.include({ clientOrderId: 'web_manual1', status: 'cancelled', price: 30_000 });
    expect(server.orders.find((o) => o.clientOrderId === 'web_manual1')!.status).to.equal('CANCELED');
    // The record reads back exactly.
    const stored = await reconciliations();
    expect(stored).to.have.length(2);
    expect(stored[1]!.data).to.deep.equal(JSON.parse(JSON.stringify(second.reconciled.data)));
    // The missed fill is on the order's stream, once, with the exchange's trade id.
    expect(await types('lim-1')).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderPartiallyFilled']);
    const [fill] = (await store.readStream(orderStream('lim-1'))).filter((e) => e.type === 'OrderPartiallyFilled');
    expect(fill!.data).to.include({ tradeId: missedTrade, price: 39_000, quantity: 0.01, cumulativeQuantity: 0.01, fee: 0.00001, feeCurrency: 'BTC' });
    expect(heard).to.deep.equal(['fill lim-1 0.01']);
    expect(second.unapplied).to.deep.equal([]);
    // What the executor took over.
    expect(second.executor.tracking()).to.deep.equal({ live: ['lim-1'], held: ['trail-1'] });
    // The history's balances are the exchange's: 10 000 − 400 − 390 USDT, 0.5 + 0.01 − 0.00001 + 0.01 − 0.00001 BTC.
    expect(second.history.known.balances.USDT).to.be.closeTo(9210, 1e-9);
    expect(second.history.known.balances.BTC).to.be.closeTo(0.51998, 1e-12);
    await second.stop();

    // ---- a second start at once: nothing new on any order stream, and no difference.
    const eventsBefore = await allOrderEvents();
    const third = await start(scheduler);
    expect(third.reconciled.data.differences).to.deep.equal([]);
    expect(third.reconciled.data.checked).to.deep.equal({ knownOpenOrders: 1, exchangeOpenOrders: 1, assets: 2 });
    expect(await allOrderEvents()).to.equal(eventsBefore);
    expect(third.executor.tracking()).to.deep.equal({ live: ['lim-1'], held: ['trail-1'] });

    // ---- the resumed executor polls the buy: the rest fills on the exchange, the poll records it.
    server.fillPartly('lim-1', 0.01);
    await scheduler.tick();
    expect(await types('lim-1')).to.deep.equal(['OrderPlaced', 'OrderAccepted', 'OrderPartiallyFilled', 'OrderFilled']);
    expect(third.executor.tracking().live).to.deep.equal([]);

    // ---- the resumed trailing stop trails from 41 000 (stop 40 180): a low of 40 200 does not trigger it, 40 150 does.
    server.setPrice('BTCUSDT', 40_150);
    await third.executor.onPrice('BTCUSDT', { high: 40_600, low: 40_200 }, T0 + 10_800_000);
    expect(await types('trail-1')).to.deep.equal(['OrderPlaced']);
    await third.executor.onPrice('BTCUSDT', { high: 40_300, low: 40_150 }, T0 + 14_400_000);
    expect(await types('trail-1')).to.deep.equal(['OrderPlaced', 'OrderTriggered', 'OrderAccepted', 'OrderFilled']);
    const [triggered] = (await store.readStream(orderStream('trail-1'))).filter((e) => e.type === 'OrderTriggered');
    expect((triggered!.data as { triggerPrice: number }).triggerPrice).to.be.closeTo(40_180, 1e-9);
    await third.stop();

    // ---- the history now holds no open order; its balances agree with the exchange's.
    const history = await foldOrderHistory(store, {
      account: ACCOUNT,
      exchange: 'binance',
      assetsOf: (s) => (s === 'BTCUSDT' ? { base: 'BTC', quote: 'USDT' } : undefined),
    });
    if (isLeft(history)) throw new Error(history.left.message);
    expect(history.right.known.openOrders).to.deep.equal([]);
    const fourth = await start();
    expect(fourth.reconciled.data.differences).to.deep.equal([]);
    await fourth.stop();
  });

  it('a trailing stop resumed without its best price trails from the first bar after the start, which cannot trigger it', async () => {
    const other = await startLoopbackBinance({ prices: { BTCUSDT: 40_000 }, balances: { USDT: 10_000 } });
    try {
      const over = (scheduler: Scheduler): Partial<LiveAccountSettings> => ({
        account: 'acct-2',
        openExchange: () => {
          const ex = loopbackExchange(other);
          opened.push(ex);
          return { _tag: 'Right', right: ex };
        },
        trailingBest: undefined,
        scheduler,
      });
      let gate: LiveAccount['risk'] | undefined;
      const first = await start(new ManualScheduler(), {
        ...over(new ManualScheduler()),
        listener: { onFill: (f) => void gate?.onFill(f), onOrderEnded: () => undefined },
      });
      gate = first.risk;
      const entry = { clientOrderId: cid('entry-2'), symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: p(0.01) } as OrderSpec;
      await first.executor.place({ account: 'acct-2', exchange: 'binance', spec: entry, referencePrice: 40_000, time: T0 });
      const stop = { ...trail, clientOrderId: cid('trail-2'), quantity: p(0.009) }; // (the entry's 0.01 less its fee in BTC)
      const held = await first.executor.place({ account: 'acct-2', exchange: 'binance', spec: stop, referencePrice: 40_000, time: T0 });
      expect(isRight(held) && held.right.status).to.equal('Held');
      await first.stop();

      const again = await start(new ManualScheduler(), over(new ManualScheduler()));
      expect(again.executor.tracking().held).to.deep.equal(['trail-2']);
      // From the placement's 40 000 the stop would be 39 200 and this bar would reach it; resumed, the bar only sets the best.
      await again.executor.onPrice('BTCUSDT', { high: 40_000, low: 39_000 }, T0 + 3_600_000);
      expect(await types('trail-2')).to.deep.equal(['OrderPlaced']);
      other.setPrice('BTCUSDT', 39_150);
      await again.executor.onPrice('BTCUSDT', { high: 39_900, low: 39_150 }, T0 + 7_200_000);
      expect(await types('trail-2')).to.deep.equal(['OrderPlaced', 'OrderTriggered', 'OrderAccepted', 'OrderFilled']);
      await again.stop();
    } finally {
      await other.close();
    }
  });

  it('the risk gate opens knowing what the account holds: its exit is a reduction, not a new short; unpriced holdings are listed', async () => {
    const other = await startLoopbackBinance({ prices: { BTCUSDT: 40_000 }, balances: { USDT: 1_000, BTC: 0.5 } });
    try {
      const over = (lastPrice?: (symbol: string) => Promise<number | undefined>): Partial<LiveAccountSettings> => ({
        account: 'acct-3',
        openExchange: () => {
          const ex = loopbackExchange(other);
          opened.push(ex);
          return { _tag: 'Right', right: ex };
        },
        // A tight book: at most 0.25 × equity in one symbol.
        risk: { defaultLimits: { ...DEFAULT_RISK_LIMITS, maxSymbolExposure: 0.25 } as RiskLimits, cashAsset: 'USDT' },
        ...(lastPrice === undefined ? {} : { lastPrice }),
      });
      const sell = (id: string, quantity: number): OrderSpec => ({
        clientOrderId: cid(id),
        symbol: 'BTCUSDT',
        side: 'sell',
        type: 'market',
        quantity: p(quantity),
        reduceOnly: true,
      });
      const check = (gate: LiveAccount['risk'], spec: OrderSpec) =>
        gate.check({ account: 'acct-3', exchange: 'binance', spec, referencePrice: 40_000, time: T0 });

      const known = await start(
        new ManualScheduler(),
        over((s) => Promise.resolve(s === 'BTCUSDT' ? 40_000 : undefined)),
      );
      // 0.5 BTC at 40 000 = 20 000 held, 1 000 cash: equity 21 000.
      expect(known.risk.position('BTCUSDT')).to.equal(0.5);
      expect(known.risk.equity).to.equal(21_000);
      expect(known.unmarkedHoldings).to.deep.equal([]);
      expect(isRight(check(known.risk, sell('exit-3', 0.5))), 'selling what is held reduces it').to.equal(true);
      await known.stop();

      const blind = await start(new ManualScheduler(), over());
      expect(blind.unmarkedHoldings).to.deep.equal(['BTC']);
      expect(blind.risk.position('BTCUSDT')).to.equal(0);
      // Not knowing the 0.5 BTC, the gate sees a reduce-only sell with nothing to reduce.
      expect(isLeft(check(blind.risk, sell('exit-4', 0.5)))).to.equal(true);
      await blind.stop();
    } finally {
      await other.close();
    }
  });
});
