// The ccxt adapter's two tables, by hand-made cases: ccxt market precision in each precisionMode → MarketRules, and
// what an exchange answers (as ccxt throws it) → ExchangeFailure. And the trading settings of the configuration.
import { expect } from 'chai';
import ccxt, { type MarketInterface } from 'ccxt';
import { either } from 'fp-ts';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { classify } from '../../infrastructure/exchange/ccxt/failures.js';
import { marketRulesOf, PRECISION_MODE } from '../../infrastructure/exchange/ccxt/market-rules.js';
import { loadConfig } from '../../infrastructure/config/config.js';

const market = (precision: { amount?: number; price?: number }, limits: { amount?: { min?: number; max?: number }; cost?: { min?: number } } = {}) =>
  ({ symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', spot: true, precision, limits }) as unknown as MarketInterface;

describe('ccxt market → MarketRules', () => {
  it('agrees with ccxt on its own constants', () => {
    expect(PRECISION_MODE).to.deep.equal({ DECIMAL_PLACES: ccxt.DECIMAL_PLACES, SIGNIFICANT_DIGITS: ccxt.SIGNIFICANT_DIGITS, TICK_SIZE: ccxt.TICK_SIZE });
  });

  it('TICK_SIZE: the precision is the step itself', () => {
    const r = marketRulesOf(market({ amount: 0.00001, price: 0.01 }, { amount: { min: 0.00001, max: 9000 }, cost: { min: 5 } }), ccxt.TICK_SIZE);
    expect(isRight(r) && r.right).to.deep.equal({
      symbol: 'BTCUSDT',
      base: 'BTC',
      quote: 'USDT',
      amountStep: 0.00001,
      priceTick: 0.01,
      minAmount: 0.00001,
      maxAmount: 9000,
      minNotional: 5,
    });
  });

  it('DECIMAL_PLACES: 5 places is a step of 0.00001, 0 places a step of 1', () => {
    const r = marketRulesOf(market({ amount: 5, price: 0 }), ccxt.DECIMAL_PLACES);
    expect(isRight(r) && r.right).to.deep.equal({ symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', amountStep: 0.00001, priceTick: 1 });
  });

  it('SIGNIFICANT_DIGITS has no fixed step: the market is left out, saying why', () => {
    const r = marketRulesOf(market({ amount: 4, price: 5 }), ccxt.SIGNIFICANT_DIGITS);
    expect(isLeft(r) && r.left).to.match(/significant digits/);
  });

  it('a market without precision, or with a zero limit, gets no made-up rule', () => {
    expect(isLeft(marketRulesOf(market({ price: 0.01 }), ccxt.TICK_SIZE))).to.equal(true);
    const r = marketRulesOf(market({ amount: 0.001, price: 0.01 }, { amount: { min: 0 }, cost: { min: 0 } }), ccxt.TICK_SIZE);
    expect(isRight(r) && r.right).to.not.have.any.keys('minAmount', 'minNotional');
  });
});

describe('what ccxt throws → ExchangeFailure', () => {
  const body = (code: number, msg: string) => `binance {"code":${code},"msg":"${msg}"}`;
  const cases: [string, Error, string, boolean][] = [
    ['insufficient funds (-2010)', new ccxt.InvalidOrder(body(-2010, 'Account has insufficient balance for requested action.')), 'INSUFFICIENT_FUNDS', false],
    ['insufficient funds (ccxt class only)', new ccxt.InsufficientFunds('kraken EOrder:Insufficient funds'), 'INSUFFICIENT_FUNDS', false],
    [
      'HTTP 429',
      new ccxt.DDoSProtection(`binance 429 Too Many Requests ${body(-1003, 'Too many requests; current limit of IP(1.2.3.4) is 6000 requests per minute.')}`),
      'RATE_LIMITED',
      true,
    ],
    [
      'HTTP 418 ban',
      new ccxt.DDoSProtection(`binance 418 I'm a teapot ${body(-1003, 'Way too many requests; IP(1.2.3.4) banned until 1659146400000.')}`),
      'RATE_LIMITED',
      true,
    ],
    ['-1003 on a 400 under another class', new ccxt.ExchangeError(body(-1003, 'Too much request weight used')), 'RATE_LIMITED', true],
    ['ccxt timeout', new ccxt.RequestTimeout('binance GET https://api.binance.com/api/v3/order request timed out (10000 ms)'), 'TIMEOUT', true],
    [
      '-1007 backend timeout',
      new ccxt.ExchangeError(body(-1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.')),
      'TIMEOUT',
      true,
    ],
    ['network', new ccxt.NetworkError('fetch failed'), 'NETWORK', true],
    ['unreadable reply', new ccxt.BadResponse('binance returned an unparsable body'), 'NETWORK', true],
    ['unknown order (-2013)', new ccxt.OrderNotFound(body(-2013, 'Order does not exist.')), 'UNKNOWN_ORDER', false],
    ['unknown order on cancel (-2011) under OperationRejected', new ccxt.OperationRejected(body(-2011, 'Unknown order sent.')), 'UNKNOWN_ORDER', false],
    ['NOTIONAL (-1013) under BadRequest', new ccxt.BadRequest(body(-1013, 'Filter failure: NOTIONAL')), 'BELOW_MIN_NOTIONAL', false],
    ['MIN_NOTIONAL (-1013) under ExchangeError', new ccxt.ExchangeError(body(-1013, 'Filter failure: MIN_NOTIONAL')), 'BELOW_MIN_NOTIONAL', false],
    [
      'LOT_SIZE',
      new ccxt.InvalidOrder(`binance order amount should be evenly divisible by lot size ${body(-1013, 'Filter failure: LOT_SIZE')}`),
      'INVALID_ORDER',
      false,
    ],
    ['bad parameter (-1111)', new ccxt.BadRequest(body(-1111, 'Precision is over the maximum defined for this asset.')), 'INVALID_ORDER', false],
    ['unknown symbol (-1121)', new ccxt.BadSymbol(body(-1121, 'Invalid symbol.')), 'UNKNOWN_SYMBOL', false],
    ['unknown symbol (ccxt, before any request)', new ccxt.BadSymbol('binance does not have market symbol NOPE/USDT'), 'UNKNOWN_SYMBOL', false],
    ['bad key (-2015)', new ccxt.OperationRejected(body(-2015, 'Invalid API-key, IP, or permissions for action.')), 'AUTHENTICATION', false],
    ['bad signature (-1022) under BadRequest', new ccxt.BadRequest(body(-1022, 'Signature for this request is not valid.')), 'AUTHENTICATION', false],
    ['no key configured', new ccxt.AuthenticationError('binance requires "apiKey" credential'), 'AUTHENTICATION', false],
    ['clock drift (-1021)', new ccxt.BadRequest(body(-1021, 'Timestamp for this request is outside of the recvWindow.')), 'NETWORK', true],
    ['not supported', new ccxt.NotSupported('binance createOrder() does not support trailing orders'), 'UNSUPPORTED', false],
    ['other -2010 rejection', new ccxt.InvalidOrder(body(-2010, 'Stop price would trigger immediately.')), 'REJECTED', false],
  ];
  for (const [what, err, code, retryable] of cases)
    it(`${what} → ${code}${retryable ? ', retryable' : ''}`, () => {
      expect(classify(err)).to.include({ code, retryable });
    });

  it('"Duplicate order sent." is the adapter’s own case (it looks the order up), never returned as such', () => {
    expect(classify(new ccxt.InvalidOrder(body(-2010, 'Duplicate order sent.'))).code).to.equal('DUPLICATE');
  });

  it('an error that is not ccxt’s is a bug and is thrown', () => {
    expect(() => classify(new TypeError('x is undefined'))).to.throw(TypeError);
  });
});

describe('trading settings from the environment', () => {
  it('paper by default, Binance, no keys read', () => {
    const c = loadConfig({ EXCHANGE_API_KEY: 'k', EXCHANGE_API_SECRET: 's' });
    expect(either.isRight(c) && c.right.trading).to.deep.equal({ mode: 'paper', exchange: 'binance', credentials: undefined });
  });

  it('testnet and live need both keys, and the message names the variables and why', () => {
    for (const mode of ['testnet', 'live']) {
      const c = loadConfig({ TRADING_MODE: mode, EXCHANGE_API_KEY: 'k' });
      expect(either.isLeft(c) && c.left)
        .to.contain(`EXCHANGE_API_SECRET: required when TRADING_MODE=${mode}`)
        .and.not.contain('EXCHANGE_API_KEY:');
    }
    const live = loadConfig({ TRADING_MODE: 'live' });
    expect(either.isLeft(live) && live.left)
      .to.contain('EXCHANGE_API_KEY: required when TRADING_MODE=live')
      .and.contain('real account');
  });

  it('reads the mode, exchange and keys', () => {
    const c = loadConfig({ TRADING_MODE: 'live', TRADING_EXCHANGE: 'okx', EXCHANGE_API_KEY: 'key1', EXCHANGE_API_SECRET: 'sec1', EXCHANGE_API_PASSWORD: 'pw' });
    expect(either.isRight(c) && c.right.trading).to.deep.equal({
      mode: 'live',
      exchange: 'okx',
      credentials: { apiKey: 'key1', secret: 'sec1', password: 'pw' },
    });
  });

  it('refuses an unknown mode, naming the variable; a bad key is refused without showing it', () => {
    const c = loadConfig({ TRADING_MODE: 'real' });
    expect(either.isLeft(c) && c.left).to.contain('TRADING_MODE: must be one of paper, testnet, live, got "real"');
    const k = loadConfig({ TRADING_MODE: 'testnet', EXCHANGE_API_KEY: 'has space secret-value', EXCHANGE_API_SECRET: 's' });
    expect(either.isLeft(k) && k.left)
      .to.contain('EXCHANGE_API_KEY: must be printable ASCII')
      .and.not.contain('secret-value');
  });
});
