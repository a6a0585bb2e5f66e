// The paper exchange (infrastructure/exchange/paper) through the shared Exchange contract. The venue: one account of a
// spot paper exchange (no short selling: a sell is limited to the base held, as on the spot venues the contract was
// written for), Binance's BTCUSDT rules, fees taker 0.1 % / maker 0.05 % (paid in quote), no slippage. The driver's
// setPrice is one flat one-minute bar, open = high = low = close = price, fed whole: openBar → matchBar → closeBar.
// The setup's base balance is bought, not conjured: the account starts with the quote the setup holds plus what its
// base costs at the setup's price and fee, and buys the base with a market order filled at the first bar.
import { isLeft } from 'fp-ts/lib/Either.js';
import { fillConfig } from '../../domain/execution/fill-model.js';
import type { MarketRules } from '../../domain/execution/market-rules.js';
import type { ClientOrderId, OrderSpec } from '../../domain/execution/order.js';
import { PaperExchange } from '../../infrastructure/exchange/paper/paper-exchange.js';
import { exchangeContract } from './contract.js';

const MINUTE = 60_000;
const TAKER = 0.001;

exchangeContract('paper exchange (spot account, bar-driven)', async (setup) => {
  const rules: MarketRules = {
    symbol: setup.symbol,
    base: setup.base,
    quote: setup.quote,
    amountStep: 0.00001,
    priceTick: 0.01,
    minAmount: 0.00001,
    maxAmount: 9000,
    minNotional: 5,
  } as MarketRules;
  const base = setup.balances[setup.base] ?? 0;
  const paper = new PaperExchange({
    markets: [rules],
    fill: fillConfig({ takerFee: TAKER, makerFee: 0.0005, slippage: 0 }),
    initialCapital: (setup.balances[setup.quote] ?? 0) + base * setup.price * (1 + TAKER),
    shortSelling: false,
  });
  let t = Date.UTC(2024, 0, 1);
  const bar = (symbol: string, price: number) => {
    paper.openBar(symbol, t, t + MINUTE, price, price, price, price);
    paper.matchBar(symbol);
    paper.closeBar(symbol);
    t += MINUTE;
  };
  const account = 'contract';
  bar(setup.symbol, setup.price);
  if (base > 0) {
    const seed = paper.place(account, {
      clientOrderId: 'seed' as ClientOrderId,
      symbol: setup.symbol,
      side: 'buy',
      type: 'market',
      quantity: base as OrderSpec['quantity'],
    });
    if (isLeft(seed)) throw new Error(`seeding the paper account: ${seed.left.message}`);
    bar(setup.symbol, setup.price);
  }
  return { exchange: paper.exchange(account), driver: { setPrice: async (symbol, price) => bar(symbol, price) }, close: async () => undefined };
});
