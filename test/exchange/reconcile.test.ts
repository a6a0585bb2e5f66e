// Reconciliation at start against the loopback Binance through the ccxt adapter: the exchange moved on while
// MasterTrade was down (an order filled, one filled in part, one was cancelled by hand, one was placed by hand, one
// never arrived), and every difference is found, resolved and recorded on exchange-binance, where it reads back.
// Expected figures are worked out by hand from the loopback's rules (fee 0.1 % of what is received).
import { expect } from 'chai';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { compareWithExchange, reconcileAtStart, type KnownAccount, type ReconcileDeps } from '../../application/trading/reconcile.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import type { CcxtExchange } from '../../infrastructure/exchange/ccxt/ccxt-exchange.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { startLoopbackBinance, type LoopbackBinance } from '../support/loopback-binance.js';
import { loopbackExchange } from './loopback-exchange.js';

const NOW = new Date(Date.UTC(2024, 2, 1, 12));
const cid = (s: string) => s as ClientOrderId;

describe('reconciliation at start (ccxt adapter, loopback Binance, PostgreSQL)', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let store: EventStore;
  let server: LoopbackBinance;
  let ex: CcxtExchange;
  let deps: ReconcileDeps;

  before(async () => {
    db = await freshDatabase('reconcile');
    store = checkedPostgresStore({ connectionString: db.url });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });
  beforeEach(async () => {
    server = await startLoopbackBinance({ prices: { BTCUSDT: 40_000, ETHBTC: 0.05 }, balances: { USDT: 10_000, BTC: 0.5 } });
    ex = loopbackExchange(server);
    deps = { exchange: ex, store, clock: fixedClock(NOW), ids: uuidIds, actor: 'system:reconcile' as Actor };
  });
  afterEach(async () => {
    await ex.close();
    await server.close();
  });

  const place = async (spec: Omit<OrderSpec, 'symbol'>) => {
    const r = await ex.placeOrder({ symbol: 'BTCUSDT', ...spec })();
    if (isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };

  /** Four orders placed while up; the history knows them as open with no fills, and the balances as they began. */
  const history = (): KnownAccount => ({
    account: 'testnet-main',
    openOrders: ['a-fills', 'b-part', 'c-cancel', 'd-lost'].map((id) => ({ clientOrderId: cid(id), symbol: 'BTCUSDT', filledQuantity: 0, tradeIds: [] })),
    balances: { USDT: 10_000, BTC: 0.5 },
  });

  it('finds every difference, cancels the order nobody knows, records one ExchangeReconciled that reads back', async () => {
    await place({ clientOrderId: cid('a-fills'), side: 'buy', type: 'limit', quantity: 0.01, price: 39_000 } as OrderSpec);
    await place({ clientOrderId: cid('b-part'), side: 'sell', type: 'limit', quantity: 0.02, price: 42_000 } as OrderSpec);
    await place({ clientOrderId: cid('c-cancel'), side: 'buy', type: 'limit', quantity: 0.01, price: 35_000 } as OrderSpec);
    // 'd-lost' never reached the exchange. Now, while MasterTrade is down:
    server.setPrice('BTCUSDT', 39_000); // a-fills fills: +0.01 BTC − 0.00001 fee, −390 USDT
    server.fillPartly('b-part', 0.01); // half of b-part: −0.01 BTC, +420 USDT − 0.42 fee
    server.cancelDirect('c-cancel');
    const foreign = server.placeDirect({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '30000.00', newClientOrderId: 'web_manual1' });

    const r = await reconcileAtStart(deps, history());
    if (isLeft(r)) throw new Error(JSON.stringify(r.left));
    const { data } = r.right;
    expect(data).to.include({ exchange: 'binance', account: 'testnet-main', at: NOW.getTime() });
    expect(data.checked).to.deep.equal({ knownOpenOrders: 4, exchangeOpenOrders: 2, assets: 2 });
    const byKind = (kind: string) => data.differences.filter((d) => d.kind === kind);

    const [unknown] = byKind('unknown_open_order') as Extract<(typeof data.differences)[number], { kind: 'unknown_open_order' }>[];
    expect(unknown).to.deep.include({ resolution: 'cancelled' });
    expect(unknown!.order).to.include({
      clientOrderId: 'web_manual1',
      exchangeOrderId: String(foreign.orderId),
      status: 'cancelled',
      side: 'buy',
      price: 30_000,
    });
    expect(server.orders.find((o) => o.clientOrderId === 'web_manual1')!.status).to.equal('CANCELED');

    const ended = byKind('order_ended') as Extract<(typeof data.differences)[number], { kind: 'order_ended' }>[];
    expect(
      ended.map((d) => [
        d.clientOrderId,
        d.order.status,
        d.order.filledQuantity,
        d.newFills.map((f) => [f.price, f.quantity, f.fee, f.feeCurrency, f.liquidity]),
      ]),
    ).to.deep.equal([
      ['a-fills', 'filled', 0.01, [[39_000, 0.01, 0.00001, 'BTC', 'maker']]],
      ['c-cancel', 'cancelled', 0, []],
    ]);

    const [missed] = byKind('fills_missed') as Extract<(typeof data.differences)[number], { kind: 'fills_missed' }>[];
    expect(missed!.clientOrderId).to.equal('b-part');
    expect(missed!.order).to.include({ status: 'partially_filled', quantity: 0.02, filledQuantity: 0.01 });
    expect(missed!.newFills.map((f) => [f.price, f.quantity, f.fee, f.feeCurrency])).to.deep.equal([[42_000, 0.01, 0.42, 'USDT']]);

    expect(byKind('order_not_on_exchange')).to.deep.equal([
      { kind: 'order_not_on_exchange', clientOrderId: 'd-lost', symbol: 'BTCUSDT', resolution: 'record_rejected' },
    ]);

    const balances = byKind('balance_mismatch') as Extract<(typeof data.differences)[number], { kind: 'balance_mismatch' }>[];
    expect(balances.map((b) => [b.asset, b.expected, b.resolution])).to.deep.equal([
      ['BTC', 0.5, 'adopt_exchange_balance'],
      ['USDT', 10_000, 'adopt_exchange_balance'],
    ]);
    expect(balances[0]!.actual).to.be.closeTo(0.5 + 0.01 - 0.00001 - 0.01, 1e-9);
    expect(balances[1]!.actual).to.be.closeTo(10_000 - 390 + 420 - 0.42, 1e-9);
    expect(data.differences).to.have.length(7);

    const stored = await store.readStream('exchange-binance');
    const last = stored[stored.length - 1]!;
    expect(last.type).to.equal('ExchangeReconciled');
    expect(last.data).to.deep.equal(JSON.parse(JSON.stringify(data)));
  });

  it('adopts an unknown order when told to; reports only the fills the history lacks; equal balances are no difference', async () => {
    await place({ clientOrderId: cid('k-open'), side: 'buy', type: 'limit', quantity: 0.02, price: 35_000 } as OrderSpec);
    server.fillPartly('k-open', 0.01);
    const firstTrade = String(server.orders[0]!.trades[0]!.id);
    server.fillPartly('k-open', 0.005);
    server.placeDirect({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.01', price: '30000.00', newClientOrderId: 'web_keep' });
    // The history recorded the first fill; by hand: USDT 10 000 − 0.015 × 35 000, BTC 0.5 + 0.015 − 0.1 % of it.
    const known: KnownAccount = {
      account: 'a',
      openOrders: [{ clientOrderId: cid('k-open'), symbol: 'BTCUSDT', filledQuantity: 0.01, tradeIds: [firstTrade] }],
      balances: { USDT: 9475, BTC: 0.514985 },
    };
    const r = await reconcileAtStart(deps, known, { adoptUnknownOrders: true });
    if (isLeft(r)) throw new Error(JSON.stringify(r.left));
    expect(r.right.data.differences.map((d) => [d.kind, d.resolution])).to.have.deep.members([
      ['unknown_open_order', 'adopted'],
      ['fills_missed', 'record_fills'],
    ]);
    const missed = r.right.data.differences.find((d) => d.kind === 'fills_missed') as Extract<
      (typeof r.right.data.differences)[number],
      { kind: 'fills_missed' }
    >;
    expect(missed.newFills.map((f) => [f.quantity, f.price])).to.deep.equal([[0.005, 35_000]]);
    expect(missed.newFills[0]!.tradeId).to.not.equal(firstTrade);
    expect(server.orders.find((o) => o.clientOrderId === 'web_keep')!.status).to.equal('NEW');
  });

  it('records nothing when the exchange cannot answer (rate limited): a partial comparison would invent differences', async () => {
    const before = (await store.readStream('exchange-binance')).length;
    server.inject('GET', '/api/v3/openOrders', { kind: 'rate_limit' });
    const r = await reconcileAtStart(deps, history());
    expect(isLeft(r) && r.left).to.deep.include({ kind: 'ExchangeUnavailable' });
    expect(isLeft(r) && r.left.kind === 'ExchangeUnavailable' && r.left.failure.code).to.equal('RATE_LIMITED');
    expect(await store.readStream('exchange-binance')).to.have.length(before);
  });

  it('compareWithExchange: an exchange that agrees with the history gives no difference', () => {
    const diffs = compareWithExchange({ account: 'a', openOrders: [], balances: { USDT: 100, BTC: 0 } }, [], new Map(), { USDT: { total: 100 } });
    expect(diffs).to.deep.equal([]);
  });
});
