// Sizing as specifications: hand-worked figures (computed with Python's decimal module, not with this code), the
// refusals with their numbers, and a seeded property over random accounts and real Binance markets: the sized order
// never risks more than riskPerTrade × equity at its stop (slippage and both fees included), never commits more than
// positionSize × equity, sits on the lot size (ccxt's own truncation is the reference), its stop on the tick, and
// reaches the minimum notional — or is refused, and then only when no whole lot would do.
import { expect } from 'chai';
import ccxt from 'ccxt';
import fc from 'fast-check';
import { either } from 'fp-ts';
import { positionQuantity } from '../../domain/execution/fill-model.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import { sizeOrder, type SizingInput } from '../../domain/risk/sizing.js';
import { ceilToStep, decimalsOf, floorToStep } from '../../domain/execution/steps.js';
import type { RiskParameters } from '../../domain/strategy/genome.js';

const market = (m: Record<string, unknown>) => m as unknown as MarketRules;
// Binance spot exchangeInfo, as ccxt 4.5 reads it (precision.amount / precision.price, limits.amount.min/max, limits.cost.min).
const BTCUSDT = market({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  amountStep: 0.00001,
  priceTick: 0.01,
  minAmount: 0.00001,
  maxAmount: 9000,
  minNotional: 5,
});
const ETHUSDT = market({
  symbol: 'ETHUSDT',
  base: 'ETH',
  quote: 'USDT',
  amountStep: 0.0001,
  priceTick: 0.01,
  minAmount: 0.0001,
  maxAmount: 9000,
  minNotional: 5,
});
const SHIBUSDT = market({
  symbol: 'SHIBUSDT',
  base: 'SHIB',
  quote: 'USDT',
  amountStep: 1,
  priceTick: 1e-8,
  minAmount: 1,
  maxAmount: 46116860414,
  minNotional: 5,
});
const XRPUSDT = market({
  symbol: 'XRPUSDT',
  base: 'XRP',
  quote: 'USDT',
  amountStep: 0.1,
  priceTick: 0.0001,
  minAmount: 0.1,
  maxAmount: 9222449,
  minNotional: 5,
});
const AAPL = market({ symbol: 'AAPL', base: 'AAPL', quote: 'USD', amountStep: 1, priceTick: 0.01 });
const MARKETS = [BTCUSDT, ETHUSDT, SHIBUSDT, XRPUSDT, AAPL];

const risk = (positionSize: number, riskPerTrade: number) => ({ positionSize, riskPerTrade }) as RiskParameters;
const costs = { takerFee: 0.001, slippage: 0.0005 };

const sized = (input: SizingInput) => {
  const r = sizeOrder(input);
  if (either.isLeft(r)) return expect.fail(`refused: ${r.left.message}`);
  return r.right;
};
const refused = (input: SizingInput) => {
  const r = sizeOrder(input);
  if (either.isRight(r)) return expect.fail(`sized ${JSON.stringify(r.right)}`);
  return r.left;
};

describe('position sizing (domain/risk/sizing.ts)', () => {
  describe('hand-worked cases', () => {
    it('a long BTC entry with a 2% stop is sized by the risk budget and truncated to the 0.00001 lot', () => {
      // E 10,000, price 50,000, slippage 0.05% → entry 50,025; stop 2% below: 49,024.50 (on the tick); its fill
      // 48,999.98775; loss per BTC 1,025.01225 + fees 50.025 + 48.99998775 = 1,124.03723775;
      // 1% of equity = 100 → 0.0889650241… BTC (the 50% cap would allow 0.0998501748…) → 0.08896.
      const s = sized({ equity: 10_000, side: 'buy', price: 50_000, stopDistance: 0.02, risk: risk(0.5, 0.01), costs, market: BTCUSDT });
      expect(s).to.deep.equal({
        quantity: 0.08896,
        entryPrice: 50_025,
        stopPrice: 49_024.5,
        notional: 0.08896 * 50_025,
        riskAtStop: s.riskAtStop,
        bound: 'risk_per_trade',
      });
      expect(s.riskAtStop).to.be.closeTo(99.99435267024, 1e-9);
    });

    it('without a stop the position cap decides: positionSize × equity, entry fee included', () => {
      // 5,000 / (50,025 × 1.001) = 0.0998501748… → 0.09985
      const s = sized({ equity: 10_000, side: 'buy', price: 50_000, risk: risk(0.5, 0.01), costs, market: BTCUSDT });
      expect(s.quantity).to.equal(0.09985);
      expect(s.bound).to.equal('position_size');
      expect(s.riskAtStop).to.equal(0);
      expect(s).not.to.have.property('stopPrice');
    });

    it('a short rounds its stop DOWN to the tick (toward the entry) and is sized by the risk budget', () => {
      // E 20,000, ETH at 2,000.00, sell: entry 2,000 × 0.9995 = 1,999.00; stop 3% above: 2,058.97 exactly → on the
      // tick; its fill 2,058.97 × 1.0005 = 2,059.999485; loss per ETH 60.999485 + 1.999 + 2.059999485 = 65.058484485;
      // 0.5% of 20,000 = 100 → 1.537078… ETH → 1.5370 (lot 0.0001).
      const s = sized({ equity: 20_000, side: 'sell', price: 2_000, stopDistance: 0.03, risk: risk(0.2, 0.005), costs, market: ETHUSDT });
      expect(s.stopPrice).to.equal(2058.97);
      expect(s.quantity).to.equal(1.537);
      expect(s.bound).to.equal('risk_per_trade');
    });

    it('a stop between ticks rounds toward the entry, so the distance at risk never grows', () => {
      // XRP at 0.5123, no slippage: a 1.5% stop is 0.5046155 → 0.5047 (up, toward the entry), not 0.5046.
      const s = sized({
        equity: 1_000,
        side: 'buy',
        price: 0.5123,
        stopDistance: 0.015,
        risk: risk(1, 0.01),
        costs: { takerFee: 0, slippage: 0 },
        market: XRPUSDT,
      });
      expect(s.stopPrice).to.equal(0.5047);
      // loss per XRP 0.0076 → 10 / 0.0076 = 1315.789… → 1315.7 (lot 0.1)
      expect(s.quantity).to.equal(1315.7);
    });

    it('whole shares for an equity: 1% of 25,000 at 1% stop on 187.23 → 133 shares, fee-free', () => {
      // loss per share 1.8723 (stop 185.3577 → 185.36 up to the tick: 1.87) → 250 / 1.87 = 133.68… → 133
      const s = sized({
        equity: 25_000,
        side: 'buy',
        price: 187.23,
        stopDistance: 0.01,
        risk: risk(1, 0.01),
        costs: { takerFee: 0, slippage: 0 },
        market: AAPL,
      });
      expect(s.stopPrice).to.equal(185.36);
      expect(s.quantity).to.equal(133);
    });

    it('an extra cap in quote currency (room left under the max position size) binds when it is the smallest', () => {
      const s = sized({ equity: 10_000, side: 'buy', price: 50_000, risk: risk(0.5, 0.01), costs, market: BTCUSDT, maxNotional: 1_000 });
      // 1,000 / 50,025 = 0.019990004… → 0.01999
      expect(s).to.include({ quantity: 0.01999, bound: 'max_notional' });
    });

    it('the market maximum binds a huge account', () => {
      const s = sized({ equity: 1e12, side: 'buy', price: 50_000, risk: risk(1, 1), costs, market: BTCUSDT });
      expect(s).to.include({ quantity: 9000, bound: 'max_amount' });
    });

    it('agrees with the fill model’s positionQuantity before rounding (fine tick and lot)', () => {
      const fine = market({ symbol: 'X', base: 'X', quote: 'Q', amountStep: 1e-8, priceTick: 1e-8 });
      const s = sized({ equity: 10_000, side: 'buy', price: 50_000, stopDistance: 0.02, risk: risk(0.5, 0.01), costs, market: fine });
      const q = positionQuantity(10_000, 50_025, 1, risk(0.5, 0.01), 0.02, { ...costs, makerFee: 0.001, quantityStep: 0 });
      expect(s.quantity).to.be.at.most(q);
      expect(q - s.quantity).to.be.below(2e-8);
    });
  });

  describe('refusals name the figures', () => {
    it('below the minimum notional: 4.99 USDT of BTC is refused with the notional and the minimum', () => {
      // no stop, 0.0499% of 10,000 committed = 4.99 USDT → 0.0000997 BTC → 0.00009 BTC = 4.5 USDT at 50,000
      const r = refused({ equity: 10_000, side: 'buy', price: 50_000, risk: risk(0.000499, 0.01), costs: { takerFee: 0, slippage: 0 }, market: BTCUSDT });
      expect(r).to.deep.include({ kind: 'BelowMinimumNotional', quantity: 0.00009, minimum: 5 });
      expect((r as { notional: number }).notional).to.be.closeTo(4.5, 1e-9);
    });

    it('below one lot: refused with the unrounded quantity and the minimum', () => {
      const r = refused({ equity: 100, side: 'buy', price: 187.23, risk: risk(0.5, 0.01), costs: { takerFee: 0, slippage: 0 }, market: AAPL });
      expect(r).to.deep.include({ kind: 'BelowMinimumQuantity', minimum: 1 });
      expect((r as { quantity: number }).quantity).to.be.closeTo(50 / 187.23, 1e-12);
    });

    it('a stop closer than one tick is refused, not placed at the entry', () => {
      const r = refused({
        equity: 1_000,
        side: 'buy',
        price: 0.5,
        stopDistance: 0.0001,
        risk: risk(1, 0.01),
        costs: { takerFee: 0, slippage: 0 },
        market: XRPUSDT,
      });
      expect(r).to.deep.include({ kind: 'StopWithinOneTick', stopPrice: 0.5, tick: 0.0001 });
    });

    for (const [field, input] of [
      ['equity', { equity: 0 }],
      ['equity', { equity: Number.NaN }],
      ['price', { price: -1 }],
      ['price', { price: Number.POSITIVE_INFINITY }],
      ['stopDistance', { stopDistance: 1 }],
      ['stopDistance', { stopDistance: 0 }],
      ['maxNotional', { maxNotional: -5 }],
    ] as const)
      it(`${field} = ${JSON.stringify(Object.values(input)[0])} is refused naming the field`, () => {
        const r = refused({ equity: 10_000, side: 'buy', price: 100, risk: risk(0.5, 0.01), costs, market: ETHUSDT, ...input });
        expect(r).to.deep.include({ kind: 'InvalidSizingInput', field });
      });
  });

  describe('rounding to the exchange steps', () => {
    it('decimals of a step as written', () => {
      expect([0.00001, 1e-8, 0.0025, 5, 0.1, 2.5e-7].map(decimalsOf)).to.deep.equal([5, 8, 4, 0, 1, 8]);
    });

    it('floorToStep equals ccxt’s amountToPrecision truncation; ceil never below, floor never above', () => {
      const steps = [0.00001, 0.0001, 0.001, 0.01, 0.1, 1, 5, 0.0025, 1e-8, 0.05];
      fc.assert(
        fc.property(fc.constantFrom(...steps), fc.double({ min: 0, max: 1e6, noNaN: true }), (step, x) => {
          const floor = floorToStep(x, step);
          expect(floor).to.be.at.most(x);
          expect(ceilToStep(x, step)).to.be.at.least(x);
          if (decimalsOf(step) > 0 && step === 10 ** -decimalsOf(step) && x * 10 ** decimalsOf(step) < 1e13)
            expect(floor).to.equal(Number(ccxt.decimalToPrecision(x, ccxt.TRUNCATE, step, ccxt.TICK_SIZE)));
        }),
        { seed: 20261101, numRuns: 3000 },
      );
      expect(floorToStep(0.3, 0.1)).to.equal(0.3); // 0.3 / 0.1 is 2.9999999999999996 in binary
      expect(floorToStep(1.0000000000000002, 0.1)).to.equal(1);
    });
  });

  describe('property: never more than the budget, always on the steps, never below the minimums', () => {
    it('over random accounts, prices, fees, stops and real markets', () => {
      fc.assert(
        fc.property(
          fc.record({
            equity: fc.double({ min: 10, max: 1e8, noNaN: true }),
            ticks: fc.integer({ min: 100, max: 20_000_000 }),
            side: fc.constantFrom('buy' as const, 'sell' as const),
            stopDistance: fc.option(fc.double({ min: 0.0005, max: 0.5, noNaN: true }), { nil: undefined }),
            positionSize: fc.double({ min: 0.001, max: 1, noNaN: true }),
            riskPerTrade: fc.double({ min: 0.0005, max: 0.1, noNaN: true }),
            takerFee: fc.double({ min: 0, max: 0.01, noNaN: true }),
            slippage: fc.double({ min: 0, max: 0.01, noNaN: true }),
            market: fc.constantFrom(...MARKETS),
          }),
          (drawn) => {
            // A price on the market's tick, 100 to 20M ticks: what the market can quote.
            const c = { ...drawn, price: drawn.ticks * drawn.market.priceTick };
            const input: SizingInput = {
              equity: c.equity,
              side: c.side,
              price: c.price,
              ...(c.stopDistance !== undefined ? { stopDistance: c.stopDistance } : {}),
              risk: risk(c.positionSize, c.riskPerTrade),
              costs: { takerFee: c.takerFee, slippage: c.slippage },
              market: c.market,
            };
            const r = sizeOrder(input);
            const sign = c.side === 'buy' ? 1 : -1;
            const entry = c.price * (1 + sign * c.slippage);
            if (either.isLeft(r)) {
              // Refused only when truly impossible: one lot (or the minimum) would already break a cap or the minimum notional.
              const lot = Math.max(c.market.amountStep, c.market.minAmount ?? 0);
              if (r.left.kind === 'BelowMinimumNotional') expect(r.left.notional).to.be.below(c.market.minNotional!);
              else if (r.left.kind === 'BelowMinimumQuantity') {
                const capByPosition = (c.positionSize * c.equity) / (entry * (1 + c.takerFee));
                expect(Math.min(capByPosition, r.left.quantity)).to.be.below(lot * (1 + 1e-9));
              } else expect(r.left.kind).to.equal('StopWithinOneTick');
              return;
            }
            const s = r.right;
            // Independent arithmetic: what the position loses if the stop fills.
            let loss = 0;
            if (c.stopDistance !== undefined) {
              const stop = s.stopPrice!;
              expect(Number(ccxt.decimalToPrecision(stop, ccxt.ROUND, c.market.priceTick, ccxt.TICK_SIZE))).to.be.closeTo(stop, c.market.priceTick * 1e-6);
              // toward the entry: no farther than the requested distance
              expect(sign * (entry - stop)).to.be.at.most(entry * c.stopDistance * (1 + 1e-12));
              const stopFill = stop * (1 - sign * c.slippage);
              loss = s.quantity * (sign * (entry - stopFill)) + s.quantity * entry * c.takerFee + s.quantity * stopFill * c.takerFee;
            }
            expect(loss, 'loss at the stop').to.be.at.most(c.riskPerTrade * c.equity);
            expect(s.quantity * entry * (1 + c.takerFee), 'committed').to.be.at.most(c.positionSize * c.equity);
            expect(s.quantity).to.be.at.most(c.market.maxAmount ?? Infinity);
            expect(Math.abs(s.quantity / c.market.amountStep - Math.round(s.quantity / c.market.amountStep)), 'on the lot').to.be.below(1e-6);
            expect(s.quantity).to.be.at.least(c.market.minAmount ?? c.market.amountStep);
            if (c.market.minNotional !== undefined) expect(s.quantity * Math.min(c.price, entry)).to.be.at.least(c.market.minNotional);
            // and not needlessly small: one more lot would break a cap
            const more = s.quantity + c.market.amountStep;
            const lossPerUnit = s.quantity > 0 ? loss / s.quantity : 0;
            const breaks =
              more * lossPerUnit > c.riskPerTrade * c.equity * (1 + 1e-12) ||
              more * entry * (1 + c.takerFee) > c.positionSize * c.equity * (1 + 1e-12) ||
              more > (c.market.maxAmount ?? Infinity);
            expect(breaks, 'one more lot fits').to.equal(true);
          },
        ),
        { seed: 20261102, numRuns: 5000 },
      );
    });
  });
});
