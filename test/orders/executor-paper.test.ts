// The executor contract against the paper exchange (infrastructure/exchange/paper), order streams in PostgreSQL.
//
// The venue: one margin account of a paper exchange (as paper sessions use it), the in-test venue's BTCUSDT rules,
// capital 100,000 USDT, fees 0.1 % paid in quote, no slippage. The paper exchange is bar-driven; to answer as the
// suite's venues do (a market order filled at once at the current price), the book is always left in a bar's open
// phase — a flat bar at the current price, in which a market order fills at that open as it is placed. movePrice
// matches and closes that bar, then feeds the moved bar whole (open: the last price brought inside the range) and
// opens the next flat bar at the moved bar's close.
//
// The suite tests the executor's emulation (stop-market, trailing stops and bracket stops held by the executor), so
// the venue declares market and limit native, as the in-test venue does; the paper exchange itself matches every
// type natively (its own tests: test/execution/paper-exchange.unit.test.ts, the one-fill-model test).
import { either } from 'fp-ts';
import type { Exchange } from '../../application/ports/exchange.js';
import { fillConfig } from '../../domain/execution/fill-model.js';
import type { OrderType } from '../../domain/execution/order.js';
import { PaperExchange } from '../../infrastructure/exchange/paper/paper-exchange.js';
import { executorContract } from './executor-contract.js';
import { BTCUSDT, type VenueUnderTest } from './test-venue.js';

const MINUTE = 60_000;

const paperVenue = (): VenueUnderTest => {
  const paper = new PaperExchange({ markets: [BTCUSDT], fill: fillConfig({ takerFee: 0.001, makerFee: 0.001, slippage: 0 }), initialCapital: 100_000 });
  const account = 'paper-test';
  const symbol = BTCUSDT.symbol;
  let t = 1_700_000_000_000;
  let last = 30_000;
  const openFlat = (price: number) => paper.openBar(symbol, t, t + MINUTE, price, price, price, price);
  openFlat(last);
  const exchange: Exchange = { ...paper.exchange(account), nativeTypes: new Set<OrderType>(['market', 'limit']) };
  return {
    exchange,
    movePrice: async (s, range) => {
      paper.matchBar(s);
      paper.closeBar(s);
      t += MINUTE;
      paper.openBar(s, t, t + MINUTE, Math.min(range.high, Math.max(range.low, last)), range.high, range.low, range.close);
      paper.matchBar(s);
      paper.closeBar(s);
      t += MINUTE;
      last = range.close;
      openFlat(last);
    },
    balances: async () => {
      const b = await exchange.fetchBalances()();
      if (either.isLeft(b)) throw new Error(b.left.message);
      return b.right;
    },
  };
};

executorContract('the paper exchange', paperVenue);
