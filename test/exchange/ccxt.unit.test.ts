// The ccxt adapter, ccxt unpatched, against the loopback Binance (test/support/loopback-binance.ts): the shared
// Exchange contract, then what only a real exchange does — timeouts after which the order exists anyway, rate limits,
// a duplicate client order id, keys that are wrong — and the modes that may or may not trade.
import { expect } from 'chai';
import type ccxt from 'ccxt';
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import type { ExchangeFailure } from '../../application/ports/exchange.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import { openCcxtExchange, type CcxtExchange } from '../../infrastructure/exchange/ccxt/ccxt-exchange.js';
import { startLoopbackBinance, type LoopbackBinance, type LoopbackOptions } from '../support/loopback-binance.js';
import { exchangeContract } from './contract.js';
import { LOOPBACK_TIMEOUT_MS, loopbackExchange } from './loopback-exchange.js';

const TIMEOUT_MS = LOOPBACK_TIMEOUT_MS;

exchangeContract('ccxt binance on the loopback server', async (setup) => {
  const server = await startLoopbackBinance({ prices: { [setup.symbol]: setup.price, ETHBTC: 0.05 }, balances: setup.balances });
  const exchange = loopbackExchange(server);
  return {
    exchange,
    driver: { setPrice: async (symbol, price) => server.setPrice(symbol, price) },
    close: async () => {
      await exchange.close();
      await server.close();
    },
  };
});

const right = <T>(r: Either<ExchangeFailure, T>): T => {
  if (isLeft(r)) throw new Error(`expected success, got ${r.left.code}: ${r.left.message}`);
  return r.right;
};
const left = <T>(r: Either<ExchangeFailure, T>): ExchangeFailure => {
  if (isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right).slice(0, 200)}`);
  return r.left;
};

describe('ccxt adapter on the loopback Binance: what only a real exchange does', function () {
  this.timeout(20_000);
  let server: LoopbackBinance;
  let ex: CcxtExchange;
  let n = 0;
  const id = () => `cx-${Date.now().toString(36)}-${n++}` as ClientOrderId;
  const start = async (options: LoopbackOptions = {}) => {
    server = await startLoopbackBinance(options);
    ex = loopbackExchange(server);
  };
  const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order');
  const buy = (over: Partial<OrderSpec> = {}): OrderSpec =>
    ({ clientOrderId: id(), symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: 0.01, ...over }) as OrderSpec;

  afterEach(async () => {
    await ex?.close();
    await server?.close();
  });

  describe('market rules from exchangeInfo (precisionMode TICK_SIZE)', () => {
    it('reads PRICE_FILTER, LOT_SIZE and NOTIONAL, or the older MIN_NOTIONAL', async () => {
      await start();
      const rules = right(await ex.markets()());
      expect(rules.get('BTCUSDT')).to.deep.equal({
        symbol: 'BTCUSDT',
        base: 'BTC',
        quote: 'USDT',
        amountStep: 0.00001,
        priceTick: 0.01,
        minAmount: 0.00001,
        maxAmount: 9000,
        minNotional: 5,
      });
      expect(rules.get('ETHBTC')).to.deep.equal({
        symbol: 'ETHBTC',
        base: 'ETH',
        quote: 'BTC',
        amountStep: 0.0001,
        priceTick: 0.00001,
        minAmount: 0.0001,
        maxAmount: 9000,
        minNotional: 0.0001,
      });
    });
  });

  describe('idempotent placement', () => {
    it('a placement that timed out after the exchange placed it answers with that order, and places nothing twice', async () => {
      await start();
      server.inject('POST', '/api/v3/order', { kind: 'timeout', holdMs: TIMEOUT_MS * 4, process: true });
      const spec = buy();
      const order = right(await ex.placeOrder(spec)());
      expect(order).to.include({ clientOrderId: spec.clientOrderId, status: 'filled', filledQuantity: 0.01 });
      expect(order.fills.map((f) => [f.price, f.quantity, f.liquidity])).to.deep.equal([[40_000, 0.01, 'taker']]);
      // The retry the executor makes after a timeout finds the same order.
      const again = right(await ex.placeOrder(spec)());
      expect(again.exchangeOrderId).to.equal(order.exchangeOrderId);
      expect(server.orders.filter((o) => o.clientOrderId === spec.clientOrderId)).to.have.length(1);
      expect(posts()).to.have.length(1);
      expect(server.balance('BTC').free).to.be.closeTo(1 + 0.01 - 0.01 * server.takerFee, 1e-9);
    });

    it('a placement that timed out before the exchange acted is a retryable TIMEOUT, and the retry places it once', async () => {
      await start();
      server.inject('POST', '/api/v3/order', { kind: 'timeout', holdMs: TIMEOUT_MS * 4, process: false });
      const spec = buy();
      expect(left(await ex.placeOrder(spec)())).to.include({ code: 'TIMEOUT', retryable: true });
      expect(server.orders).to.have.length(0);
      const placed = right(await ex.placeOrder(spec)());
      expect(placed.status).to.equal('filled');
      expect(server.orders).to.have.length(1);
    });

    it('"Duplicate order sent." (the id is on an open order the first look did not see) answers with that order', async () => {
      await start();
      const spec = buy({ type: 'limit', price: 39_000 as OrderSpec['price'] });
      const first = right(await ex.placeOrder(spec)());
      // The lookup before placing misses it (a replica lagging behind): the exchange itself refuses the duplicate.
      server.inject('GET', '/api/v3/order', { kind: 'reply', status: 400, body: { code: -2013, msg: 'Order does not exist.' } });
      const second = right(await ex.placeOrder(spec)());
      expect(second.exchangeOrderId).to.equal(first.exchangeOrderId);
      expect(posts()).to.have.length(2);
      expect(server.orders).to.have.length(1);
    });

    it('rate limited (429 with Retry-After, -1003): RATE_LIMITED, retryable, nothing placed', async () => {
      await start();
      server.inject('POST', '/api/v3/order', { kind: 'rate_limit', retryAfterSeconds: 2 });
      const spec = buy();
      const f = left(await ex.placeOrder(spec)());
      expect(f).to.include({ code: 'RATE_LIMITED', retryable: true });
      expect(f.message).to.contain('429');
      expect(server.orders).to.have.length(0);
      expect(right(await ex.placeOrder(spec)()).status).to.equal('filled');
    });

    it('a ban (418) on the lookup is RATE_LIMITED and stops the placement before any POST', async () => {
      await start();
      server.inject('GET', '/api/v3/order', { kind: 'banned', until: Date.now() + 60_000 });
      expect(left(await ex.placeOrder(buy())())).to.include({ code: 'RATE_LIMITED', retryable: true });
      expect(posts()).to.have.length(0);
    });
  });

  describe('order types', () => {
    it('a stop-market sell rests until the price falls to its stop, then fills at the market', async () => {
      await start();
      const spec = buy({ side: 'sell', type: 'stop_market', quantity: 0.1 as OrderSpec['quantity'], stopPrice: 39_000 as OrderSpec['stopPrice'] });
      const placed = right(await ex.placeOrder(spec)());
      expect(placed).to.include({ type: 'stop_market', status: 'open', stopPrice: 39_000 });
      expect(server.orders[0]).to.include({ type: 'STOP_LOSS', side: 'SELL' });
      server.setPrice('BTCUSDT', 39_500);
      expect(right(await ex.fetchOrder('BTCUSDT', spec.clientOrderId)()).status).to.equal('open');
      server.setPrice('BTCUSDT', 38_900);
      const done = right(await ex.fetchOrder('BTCUSDT', spec.clientOrderId)());
      expect(done).to.include({ status: 'filled', type: 'stop_market', averagePrice: 38_900 });
    });

    it('a limit order filled in part is partially_filled, with the fills so far (maker) from the account trades', async () => {
      await start();
      const spec = buy({ side: 'sell', type: 'limit', quantity: 0.02 as OrderSpec['quantity'], price: 42_000 as OrderSpec['price'] });
      right(await ex.placeOrder(spec)());
      server.fillPartly(spec.clientOrderId, 0.005);
      const o = right(await ex.fetchOrder('BTCUSDT', spec.clientOrderId)());
      expect(o).to.include({ status: 'partially_filled', quantity: 0.02, filledQuantity: 0.005, averagePrice: 42_000 });
      expect(o.fills.map((f) => [f.price, f.quantity, f.fee, f.feeCurrency, f.liquidity])).to.deep.equal([[42_000, 0.005, 0.21, 'USDT', 'maker']]);
      const open = right(await ex.fetchOpenOrders('BTCUSDT')());
      expect(open.map((x) => [x.clientOrderId, x.status])).to.deep.equal([[spec.clientOrderId, 'partially_filled']]);
    });

    it('a market buy for a quote amount sends quoteOrderQty and buys what it pays for', async () => {
      await start();
      const spec: OrderSpec = { clientOrderId: id(), symbol: 'BTCUSDT', side: 'buy', type: 'market', quoteQuantity: 400 as OrderSpec['quantity'] };
      const order = right(await ex.placeOrder(spec)());
      expect(posts()[0]!.params).to.include({ quoteOrderQty: '400' });
      expect(order).to.include({ status: 'filled', filledQuantity: 0.01 });
    });

    it('a type Binance spot lacks natively is UNSUPPORTED (the executor emulates it), never sent', async () => {
      await start();
      expect(ex.nativeTypes).to.deep.equal(new Set(['market', 'limit', 'stop_market', 'stop_limit']));
      const f = left(await ex.placeOrder(buy({ side: 'sell', type: 'take_profit', price: 45_000 as OrderSpec['price'] }))());
      expect(f).to.include({ code: 'UNSUPPORTED', retryable: false });
      expect(posts()).to.have.length(0);
    });

    it('an order placed outside MasterTrade is listed under its exchange id', async () => {
      await start();
      const foreign = server.placeDirect({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '0.01',
        price: '30000',
        newClientOrderId: 'and.roid:web/1',
      });
      const open = right(await ex.fetchOpenOrders()());
      expect(open.map((o) => [o.clientOrderId, o.exchangeOrderId])).to.deep.equal([[`ext-${foreign.orderId}`, String(foreign.orderId)]]);
    });
  });

  describe('failures as the exchange sends them', () => {
    it('a wrong secret (-1022) and a wrong key (-2015, HTTP 401) are AUTHENTICATION', async () => {
      await start();
      const wrongSecret = loopbackExchange(server, { credentials: { apiKey: server.apiKey, secret: 'x'.repeat(64) } });
      const wrongKey = loopbackExchange(server, { credentials: { apiKey: 'nope', secret: server.secret } });
      try {
        expect(left(await wrongSecret.fetchBalances()())).to.include({ code: 'AUTHENTICATION', retryable: false });
        expect(left(await wrongKey.fetchBalances()())).to.include({ code: 'AUTHENTICATION', retryable: false });
        expect(left(await wrongSecret.placeOrder(buy())())).to.include({ code: 'AUTHENTICATION' });
        expect(server.orders).to.have.length(0);
      } finally {
        await wrongSecret.close();
        await wrongKey.close();
      }
    });

    it('the older MIN_NOTIONAL filter failure is BELOW_MIN_NOTIONAL too', async () => {
      await start();
      const spec: OrderSpec = {
        clientOrderId: id(),
        symbol: 'ETHBTC',
        side: 'buy',
        type: 'limit',
        quantity: 0.001 as OrderSpec['quantity'],
        price: 0.05 as OrderSpec['price'],
      };
      expect(left(await ex.placeOrder(spec)())).to.include({ code: 'BELOW_MIN_NOTIONAL' });
    });

    it('an exchange that does not answer at all is TIMEOUT or NETWORK, retryable', async () => {
      await start();
      await server.close();
      const f = left(await ex.fetchBalances()());
      expect(['TIMEOUT', 'NETWORK']).to.include(f.code);
      expect(f.retryable).to.equal(true);
    });
  });
});

describe('ccxt adapter: which modes may trade', () => {
  const keys = { apiKey: 'k', secret: 's' };
  const refused = (r: Either<string, CcxtExchange>): string => {
    if (isRight(r)) throw new Error('expected a refusal');
    return r.left;
  };

  it('paper never reaches an exchange', () => {
    expect(refused(openCcxtExchange({ mode: 'paper', exchangeId: 'binance', credentials: keys }))).to.match(/TRADING_MODE=paper trades on the paper exchange/);
  });

  it('live without keys is refused, saying which variables', () => {
    expect(refused(openCcxtExchange({ mode: 'live', exchangeId: 'binance', credentials: undefined }))).to.match(
      /TRADING_MODE=live refused.*EXCHANGE_API_KEY and EXCHANGE_API_SECRET/,
    );
  });

  it('live with a redirected address is refused', () => {
    expect(refused(openCcxtExchange({ mode: 'live', exchangeId: 'binance', credentials: keys, apiUrls: { private: 'http://127.0.0.1:1/api/v3' } }))).to.match(
      /never with real money/,
    );
  });

  it('testnet on an exchange without a sandbox is refused (that would be real money)', () => {
    expect(refused(openCcxtExchange({ mode: 'testnet', exchangeId: 'bitstamp', credentials: keys }))).to.match(/no sandbox for 'bitstamp'/);
  });

  it('an exchange ccxt does not have is refused', () => {
    expect(refused(openCcxtExchange({ mode: 'testnet', exchangeId: 'nosuchexchange', credentials: keys }))).to.match(/has no exchange 'nosuchexchange'/);
  });

  it('testnet goes to the sandbox, live to the exchange itself', async () => {
    const urls = (ex: CcxtExchange) => (ex as unknown as { client: InstanceType<typeof ccxt.binance> }).client.urls.api as Record<string, string>;
    const testnet = openCcxtExchange({ mode: 'testnet', exchangeId: 'binance', credentials: keys });
    const live = openCcxtExchange({ mode: 'live', exchangeId: 'binance', credentials: keys });
    if (isLeft(testnet) || isLeft(live)) throw new Error('both should open');
    expect(urls(testnet.right).private).to.equal('https://testnet.binance.vision/api/v3');
    expect(urls(live.right).private).to.equal('https://api.binance.com/api/v3');
    await testnet.right.close();
    await live.right.close();
  });
});
