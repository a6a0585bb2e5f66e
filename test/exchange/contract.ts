// The Exchange contract (application/ports/exchange.ts): every venue — the paper exchange, ccxt over the loopback
// Binance, ccxt over a real testnet — must pass these. Copy the pattern of test/event-store/contract.ts:
//
//   exchangeContract('ccxt binance on loopback', async (setup) => ({ exchange, driver, close }));
//
// A venue is made fresh for every case from a VenueSetup and must honour it:
// - it lists `setup.symbol` (BTCUSDT: base BTC, quote USDT) with MarketRules whose amountStep divides 0.001;
// - the price of `setup.symbol` is `setup.price` and the account holds exactly `setup.balances` (free, nothing used);
// - no slippage (fees are allowed: the suite reads them from the fills).
//
// The driver is the one thing a venue adds to the port, the market moving:
//   setPrice(symbol, price): the market trades at `price` from now on (paper: one flat bar open = high = low = close =
//   price; loopback: the server's last price). Resting orders the price reaches fill — a limit at its own price as
//   maker. When the returned promise resolves, every fill it caused is visible through the port. A market order is
//   filled at the latest after the next setPrice (the paper exchange fills it at the next bar's open; a real
//   exchange at once), so the suite always calls setPrice(symbol, same price) before expecting a market fill.
//
// Beyond the port's comment, the cases pin down: a resting order holds what it may spend (Balance.used: quote at the
// limit price for a buy, base for a sell) and gives it back when cancelled; balances move by exactly the fills and
// their fees (fees in any currency, read from the fills); a refused order changes no balance; no balance is ever
// negative; cancelling twice, or cancelling a filled order, answers with the order as it ended.
//
// The cases are a spot account's: selling more base than is held is INSUFFICIENT_FUNDS. A margin account (the paper
// exchange's default, the backtest's, where such a sell opens a short) differs in that one case, so the paper exchange
// runs the suite as a spot account (test/exchange/paper.unit.test.ts, shortSelling: false).
import { expect } from 'chai';
import { isLeft, type Either } from 'fp-ts/lib/Either.js';
import type { Balance, Exchange, ExchangeFailure, ExchangeFailureCode, ExchangeOrder } from '../../application/ports/exchange.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';

export interface VenueSetup {
  readonly symbol: 'BTCUSDT';
  readonly base: 'BTC';
  readonly quote: 'USDT';
  readonly price: number;
  readonly balances: Readonly<Record<string, number>>;
}

export interface VenueDriver {
  setPrice(symbol: string, price: number): Promise<void>;
}

export interface Venue {
  readonly exchange: Exchange;
  readonly driver: VenueDriver;
  close(): Promise<void>;
}

export type MakeVenue = (setup: VenueSetup) => Promise<Venue>;

const SETUP: VenueSetup = { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', price: 40_000, balances: { USDT: 10_000, BTC: 0.5 } };

let seq = 0;
/** A fresh client order id per call (unique across runs: venues may outlive a test, a testnet does). */
const cid = (what: string): ClientOrderId => `ct-${what}-${Date.now().toString(36)}-${(seq++).toString(36)}`.slice(0, 36) as ClientOrderId;

const ok = async <T>(task: () => Promise<Either<ExchangeFailure, T>>, what: string): Promise<T> => {
  const r = await task();
  if (isLeft(r)) throw new Error(`${what}: expected success, got ${r.left.code}: ${r.left.message}`);
  return r.right;
};
const failure = async <T>(task: () => Promise<Either<ExchangeFailure, T>>, what: string): Promise<ExchangeFailure> => {
  const r = await task();
  if (!isLeft(r)) throw new Error(`${what}: expected a failure, got ${JSON.stringify(r.right).slice(0, 300)}`);
  return r.left;
};
const close = (a: number, b: number, what: string) => expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).to.be.below(1e-8 * Math.max(1, Math.abs(b)));

export const exchangeContract = (name: string, makeVenue: MakeVenue) => {
  describe(`exchange contract: ${name}`, function () {
    this.timeout(30_000);
    let venue: Venue;
    let ex: Exchange;
    let rules: MarketRules;
    const S = SETUP.symbol;

    beforeEach(async () => {
      venue = await makeVenue(SETUP);
      ex = venue.exchange;
      const markets = await ok(ex.markets(), 'markets');
      rules = markets.get(S)!;
    });
    afterEach(async () => {
      await venue.close();
    });

    const balances = async () => ok(ex.fetchBalances(), 'fetchBalances');
    const bal = (all: Readonly<Record<string, Balance>>, asset: string): Balance => all[asset] ?? { free: 0, used: 0, total: 0 };
    const spec = (over: Partial<OrderSpec> & Pick<OrderSpec, 'side' | 'type'>): OrderSpec => ({ clientOrderId: cid(over.type), symbol: S, ...over });
    const expectNeverNegative = async () => {
      for (const [asset, b] of Object.entries(await balances())) {
        expect(b.free, `${asset} free`).to.be.at.least(0);
        expect(b.used, `${asset} used`).to.be.at.least(0);
        expect(b.total, `${asset} total`).to.be.at.least(0);
      }
    };
    /** Fees paid in `asset` by these fills. */
    const feesIn = (o: ExchangeOrder, asset: string) => o.fills.filter((f) => f.feeCurrency === asset).reduce((s, f) => s + f.fee, 0);
    const fetch = (id: ClientOrderId) => ok(ex.fetchOrder(S, id), 'fetchOrder');

    it('lists its markets with their rules: lot size, tick, minimums', async () => {
      const markets = await ok(ex.markets(), 'markets');
      expect(rules, `rules of ${S}`).to.not.equal(undefined);
      expect(rules).to.include({ symbol: S, base: SETUP.base, quote: SETUP.quote });
      for (const [symbol, r] of markets) {
        expect(r.symbol).to.equal(symbol);
        expect(r.amountStep).to.be.above(0);
        expect(r.priceTick).to.be.above(0);
        if (r.minAmount !== undefined) expect(r.minAmount).to.be.above(0);
        if (r.minNotional !== undefined) expect(r.minNotional).to.be.above(0);
      }
      // The suite's quantities are multiples of 0.001: the step must divide them.
      expect(Math.abs(0.001 / rules.amountStep - Math.round(0.001 / rules.amountStep))).to.be.below(1e-9);
    });

    it('fills a market buy at the price, once, and moves the balances by exactly the fills and their fees', async () => {
      const before = await balances();
      const order = spec({ side: 'buy', type: 'market', quantity: 0.01 as OrderSpec['quantity'] });
      const placed = await ok(ex.placeOrder(order), 'placeOrder');
      expect(placed).to.include({ clientOrderId: order.clientOrderId, symbol: S, side: 'buy', type: 'market' });
      await venue.driver.setPrice(S, SETUP.price);
      const done = await fetch(order.clientOrderId);
      expect(done.status).to.equal('filled');
      expect(done.exchangeOrderId).to.equal(placed.exchangeOrderId);
      close(done.filledQuantity, 0.01, 'filled quantity');
      close(
        done.fills.reduce((s, f) => s + f.quantity, 0),
        0.01,
        'sum of fills',
      );
      for (const f of done.fills) close(f.price, SETUP.price, 'fill price');
      close(done.averagePrice, SETUP.price, 'average price');
      expect(new Set(done.fills.map((f) => f.tradeId)).size).to.equal(done.fills.length);
      const after = await balances();
      close(bal(after, 'BTC').total, bal(before, 'BTC').total + 0.01 - feesIn(done, 'BTC'), 'BTC after the buy');
      close(bal(after, 'USDT').total, bal(before, 'USDT').total - 0.01 * SETUP.price - feesIn(done, 'USDT'), 'USDT after the buy');
      await expectNeverNegative();
    });

    it('rests a limit buy below the price, fills it at its price (maker) when the price comes down to it', async () => {
      const limit = 39_000;
      const order = spec({ side: 'buy', type: 'limit', quantity: 0.01 as OrderSpec['quantity'], price: limit as OrderSpec['price'] });
      const placed = await ok(ex.placeOrder(order), 'placeOrder');
      expect(placed.status).to.equal('open');
      expect(placed.filledQuantity).to.equal(0);
      await venue.driver.setPrice(S, 39_500);
      expect((await fetch(order.clientOrderId)).status, 'above the limit').to.equal('open');
      // While it rests, the quote it may spend is held.
      close(bal(await balances(), 'USDT').used, 0.01 * limit, 'USDT held by the resting buy');
      await venue.driver.setPrice(S, limit);
      const done = await fetch(order.clientOrderId);
      expect(done.status).to.equal('filled');
      close(done.filledQuantity, 0.01, 'filled');
      for (const f of done.fills) {
        close(f.price, limit, 'fill price');
        expect(f.liquidity).to.equal('maker');
      }
      expect((await ok(ex.fetchOpenOrders(S), 'fetchOpenOrders')).map((o) => o.clientOrderId)).to.not.include(order.clientOrderId);
      close(bal(await balances(), 'USDT').used, 0, 'nothing held once filled');
    });

    it('rests a limit sell above the price and fills it when the price rises to it', async () => {
      const order = spec({ side: 'sell', type: 'limit', quantity: 0.1 as OrderSpec['quantity'], price: 41_000 as OrderSpec['price'] });
      expect((await ok(ex.placeOrder(order), 'placeOrder')).status).to.equal('open');
      close(bal(await balances(), 'BTC').used, 0.1, 'BTC held by the resting sell');
      await venue.driver.setPrice(S, 41_000);
      const done = await fetch(order.clientOrderId);
      expect(done.status).to.equal('filled');
      close(bal(await balances(), 'USDT').total, 10_000 + 0.1 * 41_000 - feesIn(done, 'USDT'), 'USDT after the sell');
    });

    it('cancels a resting order, gives back what it held, and cancelling again answers the same', async () => {
      const before = await balances();
      const order = spec({ side: 'buy', type: 'limit', quantity: 0.02 as OrderSpec['quantity'], price: 38_000 as OrderSpec['price'] });
      await ok(ex.placeOrder(order), 'placeOrder');
      const cancelled = await ok(ex.cancelOrder(S, order.clientOrderId), 'cancelOrder');
      expect(cancelled).to.include({ clientOrderId: order.clientOrderId, status: 'cancelled', filledQuantity: 0 });
      expect((await ok(ex.fetchOpenOrders(S), 'fetchOpenOrders')).map((o) => o.clientOrderId)).to.not.include(order.clientOrderId);
      close(bal(await balances(), 'USDT').free, bal(before, 'USDT').free, 'USDT free again');
      const again = await ok(ex.cancelOrder(S, order.clientOrderId), 'cancel again');
      expect(again).to.include({ status: 'cancelled', exchangeOrderId: cancelled.exchangeOrderId });
      // A price through the old limit fills nothing.
      await venue.driver.setPrice(S, 37_000);
      expect((await fetch(order.clientOrderId)).status).to.equal('cancelled');
    });

    it('cancelling an order that already filled answers with the order as it ended', async () => {
      const order = spec({ side: 'buy', type: 'market', quantity: 0.01 as OrderSpec['quantity'] });
      await ok(ex.placeOrder(order), 'placeOrder');
      await venue.driver.setPrice(S, SETUP.price);
      const r = await ok(ex.cancelOrder(S, order.clientOrderId), 'cancel a filled order');
      expect(r.status).to.equal('filled');
      close(r.filledQuantity, 0.01, 'filled');
    });

    it('fetchOrder and fetchOpenOrders show the resting orders as placed', async () => {
      const a = spec({ side: 'buy', type: 'limit', quantity: 0.01 as OrderSpec['quantity'], price: 35_000 as OrderSpec['price'] });
      const b = spec({ side: 'sell', type: 'limit', quantity: 0.02 as OrderSpec['quantity'], price: 45_000 as OrderSpec['price'] });
      const pa = await ok(ex.placeOrder(a), 'place a');
      const pb = await ok(ex.placeOrder(b), 'place b');
      expect(pa.exchangeOrderId).to.not.equal(pb.exchangeOrderId);
      const fa = await fetch(a.clientOrderId);
      expect(fa).to.include({
        clientOrderId: a.clientOrderId,
        exchangeOrderId: pa.exchangeOrderId,
        symbol: S,
        side: 'buy',
        type: 'limit',
        status: 'open',
        price: 35_000,
      });
      close(fa.quantity, 0.01, 'quantity');
      expect(fa.fills).to.deep.equal([]);
      for (const open of [await ok(ex.fetchOpenOrders(S), 'open of S'), await ok(ex.fetchOpenOrders(), 'all open')]) {
        const mine = open.filter((o) => o.clientOrderId === a.clientOrderId || o.clientOrderId === b.clientOrderId);
        expect(mine.map((o) => [o.clientOrderId, o.side, o.price]).sort()).to.deep.equal(
          [
            [a.clientOrderId, 'buy', 35_000],
            [b.clientOrderId, 'sell', 45_000],
          ].sort(),
        );
      }
    });

    it('placing the same clientOrderId again returns the order already there, never a second one', async () => {
      const limit = spec({ side: 'buy', type: 'limit', quantity: 0.01 as OrderSpec['quantity'], price: 36_000 as OrderSpec['price'] });
      const first = await ok(ex.placeOrder(limit), 'first');
      const second = await ok(ex.placeOrder(limit), 'second');
      expect(second.exchangeOrderId).to.equal(first.exchangeOrderId);
      expect((await ok(ex.fetchOpenOrders(S), 'open')).filter((o) => o.clientOrderId === limit.clientOrderId)).to.have.length(1);
      close(bal(await balances(), 'USDT').used, 0.01 * 36_000, 'held once');

      const before = await balances();
      const market = spec({ side: 'buy', type: 'market', quantity: 0.01 as OrderSpec['quantity'] });
      const m1 = await ok(ex.placeOrder(market), 'market first');
      await venue.driver.setPrice(S, SETUP.price);
      const m2 = await ok(ex.placeOrder(market), 'market again, after it filled');
      expect(m2.exchangeOrderId).to.equal(m1.exchangeOrderId);
      expect(m2.status).to.equal('filled');
      await venue.driver.setPrice(S, SETUP.price);
      close(bal(await balances(), 'BTC').total, bal(before, 'BTC').total + 0.01 - feesIn(m2, 'BTC'), 'BTC bought once');
    });

    it('refuses an unknown symbol', async () => {
      const f = await failure(
        ex.placeOrder({ ...spec({ side: 'buy', type: 'market', quantity: 0.01 as OrderSpec['quantity'] }), symbol: 'NOPEUSDT' }),
        'unknown symbol',
      );
      expect(f).to.include({ code: 'UNKNOWN_SYMBOL' satisfies ExchangeFailureCode, retryable: false });
    });

    it('refuses an order below the minimum notional and changes nothing', async function () {
      if (rules.minNotional === undefined) this.skip();
      const minNotional = rules.minNotional;
      const step = rules.amountStep;
      const qty = Math.max(rules.minAmount ?? step, step);
      if (qty * SETUP.price >= minNotional) this.skip();
      const before = await balances();
      const order = spec({ side: 'buy', type: 'limit', quantity: qty as OrderSpec['quantity'], price: SETUP.price as OrderSpec['price'] });
      const f = await failure(ex.placeOrder(order), 'below min notional');
      expect(f).to.include({ code: 'BELOW_MIN_NOTIONAL', retryable: false });
      expect(await balances()).to.deep.equal(before);
      expect((await failure(ex.fetchOrder(S, order.clientOrderId), 'fetch refused')).code).to.equal('UNKNOWN_ORDER');
    });

    it('refuses what the account cannot pay for; balances never go negative', async () => {
      const before = await balances();
      const buy = spec({ side: 'buy', type: 'market', quantity: 1 as OrderSpec['quantity'] }); // 40 000 USDT of 10 000
      expect(await failure(ex.placeOrder(buy), 'buy too much')).to.include({ code: 'INSUFFICIENT_FUNDS', retryable: false });
      const sell = spec({ side: 'sell', type: 'limit', quantity: 0.6 as OrderSpec['quantity'], price: 41_000 as OrderSpec['price'] }); // 0.6 BTC of 0.5
      expect(await failure(ex.placeOrder(sell), 'sell too much')).to.include({ code: 'INSUFFICIENT_FUNDS', retryable: false });
      await venue.driver.setPrice(S, 41_000);
      expect(await balances()).to.deep.equal(before);
      // What is held by a resting order cannot be spent twice.
      await ok(ex.placeOrder(spec({ side: 'buy', type: 'limit', quantity: 0.2 as OrderSpec['quantity'], price: 40_000 as OrderSpec['price'] })), 'hold 8 000');
      const more = spec({ side: 'buy', type: 'limit', quantity: 0.1 as OrderSpec['quantity'], price: 40_000 as OrderSpec['price'] }); // 4 000 of the 2 000 left
      expect((await failure(ex.placeOrder(more), 'spend the held quote')).code).to.equal('INSUFFICIENT_FUNDS');
      await expectNeverNegative();
    });

    it('answers UNKNOWN_ORDER for an order it never had, on fetch and on cancel', async () => {
      const never = cid('never');
      expect(await failure(ex.fetchOrder(S, never), 'fetch')).to.include({ code: 'UNKNOWN_ORDER', retryable: false });
      expect(await failure(ex.cancelOrder(S, never), 'cancel')).to.include({ code: 'UNKNOWN_ORDER', retryable: false });
    });
  });
};
