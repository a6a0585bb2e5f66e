// The paper exchange on its own: placement checks (bad input is a value naming the problem, nothing stored), the
// order types on hand-made bars (expected prices worked out by hand), OCO groups, balances.
import { expect } from 'chai';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import type { ExchangeFill, ExchangeOrder } from '../../application/ports/exchange.js';
import { fillConfig } from '../../domain/execution/fill-model.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import { PaperExchange } from '../../infrastructure/exchange/paper/paper-exchange.js';

const H = 3_600_000;
const BTC = { symbol: 'BTCUSDT', base: 'BTC', quote: 'USDT', amountStep: 0.001, priceTick: 0.01, minNotional: 5 } as MarketRules;
const spec = (s: Partial<Record<keyof OrderSpec, unknown>>): OrderSpec => ({ symbol: 'BTCUSDT', side: 'buy', type: 'market', ...s }) as OrderSpec;

const venue = (fill = fillConfig({ takerFee: 0.001, makerFee: 0.0005, slippage: 0 }), capital = 10_000) => {
  const x = new PaperExchange({ markets: [BTC], fill, initialCapital: capital });
  const fills: { account: string; order: ExchangeOrder; fill: ExchangeFill }[] = [];
  const ended: { order: ExchangeOrder; reason: string }[] = [];
  x.subscribe({ onFill: (account, order, fill) => fills.push({ account, order, fill }), onOrderEnded: (_, order, reason) => ended.push({ order, reason }) });
  let t = 0;
  /** One whole bar: open, match, close. */
  const bar = (o: number, h: number, l: number, c: number) => {
    x.openBar('BTCUSDT', t, t + H, o, h, l, c);
    x.matchBar('BTCUSDT');
    x.closeBar('BTCUSDT');
    t += H;
  };
  return { x, fills, ended, bar };
};

describe('paper exchange', () => {
  it('refuses bad orders with a code and a message naming the field, and stores nothing', () => {
    const { x } = venue();
    const code = (s: OrderSpec) => {
      const r = x.place('a', s);
      return isLeft(r) ? r.left.code + ' ' + r.left.message : 'placed';
    };
    expect(code(spec({ clientOrderId: 'u1', symbol: 'NOPEUSDT', quantity: 1 }))).to.match(/^UNKNOWN_SYMBOL .*NOPEUSDT/);
    expect(code(spec({ clientOrderId: 'q1', quantity: 0.0015 }))).to.match(/^INVALID_ORDER .*quantity.*lot size/);
    expect(code(spec({ clientOrderId: 'p1', type: 'limit', quantity: 0.01, price: 100.005 }))).to.match(/^INVALID_ORDER .*price.*tick/);
    expect(code(spec({ clientOrderId: 'p2', type: 'limit', quantity: 0.01 }))).to.match(/^INVALID_ORDER .*price.*required/);
    expect(code(spec({ clientOrderId: 'p3', type: 'stop_market', quantity: 0.01 }))).to.match(/^INVALID_ORDER .*stopPrice/);
    expect(code(spec({ clientOrderId: 'p4', quantity: 0.01, quoteQuantity: 10 }))).to.match(/^INVALID_ORDER .*exactly one/);
    expect(code(spec({ clientOrderId: 'p5', type: 'limit', quoteQuantity: 10, price: 100 }))).to.match(/^INVALID_ORDER .*quoteQuantity/);
    expect(code(spec({ clientOrderId: 'n1', type: 'limit', quantity: 0.001, price: 100 }))).to.match(/^BELOW_MIN_NOTIONAL .*0.1/); // 0.1 USDT < 5
    expect(code(spec({ clientOrderId: 'f1', type: 'limit', quantity: 1, price: 20_000 }))).to.match(/^INSUFFICIENT_FUNDS/); // 20,020 > 10,000
    expect(code(spec({ clientOrderId: 'r1', side: 'sell', quantity: 1, reduceOnly: true }))).to.match(/^INVALID_ORDER .*reduceOnly/);
    expect(x.openOrders('a')).to.deep.equal([]);
    // A refused id can be used again once the order is right.
    expect(code(spec({ clientOrderId: 'q1', quantity: 0.002 }))).to.equal('placed');
  });

  it('is idempotent on clientOrderId: placing the same id again returns the order already there', () => {
    const { x, bar, fills } = venue();
    const first = x.place('a', spec({ clientOrderId: 'x1', type: 'limit', quantity: 0.1, price: 100 }));
    const again = x.place('a', spec({ clientOrderId: 'x1', type: 'limit', quantity: 0.1, price: 100 }));
    expect(isRight(first) && isRight(again) && first.right.exchangeOrderId === again.right.exchangeOrderId).to.equal(true);
    expect(x.openOrders('a')).to.have.length(1);
    bar(101, 102, 99, 100);
    expect(fills).to.have.length(1); // filled once
    expect(isRight(x.place('a', spec({ clientOrderId: 'x1', type: 'limit', quantity: 0.1, price: 100 })))).to.equal(true);
    bar(101, 102, 99, 100);
    expect(fills).to.have.length(1);
  });

  it('fills a market order at the next open with slippage and the taker fee; quoteQuantity rounds down to the lot', () => {
    const { x, fills, bar } = venue(fillConfig({ takerFee: 0.001, makerFee: 0, slippage: 0.01 }));
    bar(100, 100, 100, 100);
    x.place('a', spec({ clientOrderId: 'm1', quoteQuantity: 5000 }));
    expect(fills).to.have.length(0); // not at the close it was placed after
    bar(200, 210, 190, 205);
    // 200 × 1.01 = 202; 5000 / 202 = 24.75… → 24.752 (lot 0.001); fee 24.752 × 202 × 0.001 = 4.999904
    const f = fills[0]!.fill;
    expect(f.price).to.equal(202);
    expect(f.quantity).to.be.closeTo(24.752, 1e-12);
    expect(f.fee).to.be.closeTo(4.999904, 1e-9);
    expect(f.time).to.equal(H); // the bar's open time
    const b = x.balances('a');
    expect(b['BTC']!.total).to.be.closeTo(24.752, 1e-12);
    // As a spot venue reports it: the bought base's notional is out of the quote total (not merely in use).
    expect(b['USDT']!.total).to.be.closeTo(10_000 - 4.999904 - 24.752 * 202, 1e-9);
    expect(b['USDT']!.free).to.be.closeTo(10_000 - 4.999904 - 24.752 * 202, 1e-9);
  });

  it('cancels the rest of an OCO group when one fills, and prefers the stop inside one bar', () => {
    const { x, fills, ended, bar } = venue(fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 }));
    bar(100, 100, 100, 100);
    x.place('a', spec({ clientOrderId: 'e', quantity: 1 }));
    bar(100, 100, 100, 100);
    x.place('a', spec({ clientOrderId: 'sl', side: 'sell', type: 'stop_market', quantity: 1, stopPrice: 95, reduceOnly: true, ocoGroup: 'g' }));
    x.place('a', spec({ clientOrderId: 'tp', side: 'sell', type: 'take_profit', quantity: 1, price: 105, reduceOnly: true, ocoGroup: 'g' }));
    bar(100, 106, 94, 100); // both in range: the stop at 95
    expect(fills.map((f) => [f.order.clientOrderId, f.fill.price])).to.deep.equal([
      ['e', 100],
      ['sl', 95],
    ]);
    expect(ended.map((e) => [e.order.clientOrderId, e.order.status])).to.deep.equal([['tp', 'cancelled']]);
    expect(x.positions('a')).to.deep.equal([]);
    expect(x.cash('a')).to.equal(9_995);
  });

  it('matches limit, stop-limit and trailing stops (percent and amount) by hand-made numbers', () => {
    const { x, fills, bar } = venue(fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 }));
    bar(100, 100, 100, 100);
    // A buy limit at 98: bar 2 goes down to 97 → filled at 98 (its price, maker).
    x.place('a', spec({ clientOrderId: 'l', type: 'limit', quantity: 10, price: 98 }));
    bar(100, 101, 99, 100);
    expect(fills).to.have.length(0);
    bar(99, 100, 97, 98);
    expect(fills.map((f) => [f.fill.price, f.fill.liquidity])).to.deep.equal([[98, 'maker']]);
    // A sell trailing stop by 5 (amount) from 100 → 95; bar high 110 → 105 after it; the next bar's low 104 → 105.
    x.place(
      'a',
      spec({ clientOrderId: 't', side: 'sell', type: 'trailing_stop', quantity: 5, stopPrice: 95, trailing: { kind: 'amount', value: 5 }, reduceOnly: true }),
    );
    bar(100, 110, 96, 108);
    expect(fills).to.have.length(1);
    bar(108, 109, 104, 106);
    expect(fills[1]!.fill.price).to.equal(105);
    // A sell stop-limit: stop 100, limit 99. Bar gaps to 97 (< 99): triggered, not marketable; the next bar reaches 99.5 → 99.
    x.place('a', spec({ clientOrderId: 's', side: 'sell', type: 'stop_limit', quantity: 5, stopPrice: 100, price: 99, reduceOnly: true }));
    bar(97, 98.5, 96, 98);
    expect(fills).to.have.length(2);
    bar(98, 99.5, 97, 99);
    expect(fills[2]!.fill.price).to.equal(99);
    expect(x.positions('a')).to.deep.equal([]);
    // 10 bought at 98, 5 sold at 105 and 5 at 99: +35 + 5.
    expect(x.cash('a')).to.be.closeTo(10_040, 1e-9);
  });

  it('refuses a fill the account cannot pay for, and never lets a balance go negative', () => {
    const { x, ended, bar } = venue(fillConfig({ takerFee: 0.001, makerFee: 0, slippage: 0 }), 1_000);
    bar(100, 100, 100, 100);
    // Placed within the free balance at 100 (9 × 100 × 1.001 = 900.9) but the next open is 120: 1,080 + fee > 1,000.
    expect(isRight(x.place('a', spec({ clientOrderId: 'big', quantity: 9 })))).to.equal(true);
    bar(120, 121, 119, 120);
    expect(ended.map((e) => [e.order.clientOrderId, e.order.status])).to.deep.equal([['big', 'rejected']]);
    expect(ended[0]!.reason).to.match(/INSUFFICIENT_FUNDS/);
    for (const b of Object.values(x.balances('a'))) expect(b.free).to.be.at.least(0);
    expect(x.cash('a')).to.equal(1_000);
  });

  it('holds what a resting order may spend (reduce-only orders hold nothing); a spot account sells only what it holds', () => {
    const { x, bar } = venue(fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 }));
    bar(100, 100, 100, 100);
    x.place('a', spec({ clientOrderId: 'e', quantity: 10 }));
    bar(100, 100, 100, 100);
    // Long 10 at 100: quote total 9,000. A sell of 15 at 110 holds the 10 held and quote for the 5 it would short.
    x.place('a', spec({ clientOrderId: 's', side: 'sell', type: 'limit', quantity: 15, price: 110 }));
    x.place('a', spec({ clientOrderId: 'sl', side: 'sell', type: 'stop_market', quantity: 10, stopPrice: 90, reduceOnly: true }));
    expect(x.balances('a')).to.deep.equal({ USDT: { total: 9_000, used: 550, free: 8_450 }, BTC: { total: 10, used: 10, free: 0 } });
    // 8,450 free: a buy of 84.5 at 100 fits, one more lot does not.
    expect(isLeft(x.place('a', spec({ clientOrderId: 'b2', type: 'limit', quantity: 84.501, price: 100 })))).to.equal(true);
    expect(isRight(x.place('a', spec({ clientOrderId: 'b1', type: 'limit', quantity: 84.5, price: 100 })))).to.equal(true);
    x.cancel('a', 'BTCUSDT', 'b1' as ClientOrderId);
    x.cancel('a', 'BTCUSDT', 's' as ClientOrderId);
    expect(x.balances('a')['USDT']).to.deep.equal({ total: 9_000, used: 0, free: 9_000 });

    const spot = new PaperExchange({
      markets: [BTC],
      fill: fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 }),
      initialCapital: 10_000,
      shortSelling: false,
    });
    spot.openBar('BTCUSDT', 0, H, 100, 100, 100, 100);
    spot.place('a', spec({ clientOrderId: 'e', quantity: 1 })); // fills at this open
    const short = spot.place('a', spec({ clientOrderId: 's', side: 'sell', quantity: 1.001 }));
    expect(isLeft(short) && short.left.code).to.equal('INSUFFICIENT_FUNDS');
    expect(isRight(spot.place('a', spec({ clientOrderId: 's2', side: 'sell', type: 'limit', quantity: 1, price: 200 })))).to.equal(true);
    const twice = spot.place('a', spec({ clientOrderId: 's3', side: 'sell', quantity: 0.5 })); // the 1 held is held by s2
    expect(isLeft(twice) && twice.left.code).to.equal('INSUFFICIENT_FUNDS');
  });

  it('opens a short as margin: the notional locked from the quote balance, P&L booked on the buy back', () => {
    const { x, bar } = venue(fillConfig({ takerFee: 0, makerFee: 0, slippage: 0 }));
    bar(100, 100, 100, 100);
    x.place('a', spec({ clientOrderId: 's', side: 'sell', quantity: 10 }));
    bar(100, 100, 100, 100);
    expect(x.positions('a')).to.deep.equal([{ symbol: 'BTCUSDT', quantity: -10, entryPrice: 100 }]);
    expect(x.balances('a')['USDT']).to.deep.equal({ total: 10_000, used: 1_000, free: 9_000 });
    x.place('a', spec({ clientOrderId: 'b', quantity: 10, reduceOnly: true }));
    bar(90, 90, 90, 90);
    expect(x.cash('a')).to.equal(10_100);
    expect(x.portfolio().cash).to.equal(10_100);
  });
});
