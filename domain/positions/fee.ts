// What a fill does to a position once its fee is accounted for: the quantity the position moves by and the fee in the
// quote currency of its symbol, which is the currency positions and P&L are kept in.
//
// Symbols are pairs without a separator (`BTCUSDT`), so the fee's currency is matched against the symbol's ends:
// - a fee in the quote asset (`USDT`, the symbol's suffix) counts as it is;
// - a fee in the base asset (`BTC`, its prefix) is taken out of the base the fill moved — a buy of 1 BTC with a
//   0.001 BTC fee leaves 0.999 BTC, as the venue's balance does, so selling what the venue holds closes the
//   position — and is worth fee × the fill's price: the buy becomes 0.999 at the price, plus a quote fee of
//   0.001 × price, the same cost;
// - a fee in any other asset (BNB on Binance) cannot be converted without a price of that asset: it is reported apart,
//   per currency, and left out of the P&L (doc/positions.md).
import type { PositionFill } from './average-cost.js';

export type QuoteFee =
  | { readonly kind: 'quote'; readonly amount: number }
  | { readonly kind: 'base'; readonly amount: number }
  | { readonly kind: 'other'; readonly currency: string; readonly amount: number };

/** Which end of the symbol the fee's currency is, and the fee's worth in the quote currency where it has one. */
export const feeInQuote = (symbol: string, price: number, fee: { readonly amount: number; readonly currency: string }): QuoteFee => {
  const currency = fee.currency.toUpperCase();
  const pair = symbol.toUpperCase().replace(/[/:-]/g, '');
  if (fee.amount === 0) return { kind: 'quote', amount: 0 };
  // The quote is tested first: in a pair like `USDCUSDT` both ends could match a short currency code.
  if (currency.length > 0 && currency.length < pair.length && pair.endsWith(currency)) return { kind: 'quote', amount: fee.amount };
  if (currency.length > 0 && currency.length < pair.length && pair.startsWith(currency)) return { kind: 'base', amount: fee.amount * price };
  return { kind: 'other', currency, amount: fee.amount };
};

export interface FillWithFee {
  /** The fill as the position sees it: a base-asset fee taken out of its quantity, its fee in the quote currency. */
  readonly fill: PositionFill;
  readonly fee: QuoteFee;
}

export const fillWithFee = (
  symbol: string,
  fill: { readonly side: 'buy' | 'sell'; readonly quantity: number; readonly price: number; readonly fee: number; readonly feeCurrency: string },
): FillWithFee => {
  const fee = feeInQuote(symbol, fill.price, { amount: fill.fee, currency: fill.feeCurrency });
  const base = { side: fill.side, price: fill.price };
  switch (fee.kind) {
    case 'quote':
      return { fill: { ...base, quantity: fill.quantity, fee: fee.amount }, fee };
    case 'base': {
      // A buy receives quantity − fee; a sell gives up quantity + fee. A fee as large as the bought quantity is not a
      // venue's: it is then only counted in quote, the quantity left as reported.
      const quantity = fill.side === 'buy' ? fill.quantity - fill.fee : fill.quantity + fill.fee;
      return { fill: { ...base, quantity: quantity > 0 ? quantity : fill.quantity, fee: fee.amount }, fee };
    }
    case 'other':
      return { fill: { ...base, quantity: fill.quantity, fee: 0 }, fee };
    default: {
      const unknown: never = fee;
      throw new Error(`unknown fee kind ${JSON.stringify(unknown)}`);
    }
  }
};
