// A fill's fee in the quote currency of its symbol, which is the currency positions and P&L are kept in.
//
// Symbols are pairs without a separator (`BTCUSDT`), so the fee's currency is matched against the symbol's ends:
// a fee in the quote asset (`USDT`, the symbol's suffix) counts as it is, a fee in the base asset (`BTC`, its
// prefix) is worth quantity × the fill's price, and a fee in any other asset (BNB on Binance) cannot be converted
// without a price of that asset: it is reported apart, per currency, and left out of the P&L (doc/positions.md).

export type QuoteFee = { readonly kind: 'quote'; readonly amount: number } | { readonly kind: 'other'; readonly currency: string; readonly amount: number };

export const feeInQuote = (symbol: string, price: number, fee: { readonly amount: number; readonly currency: string }): QuoteFee => {
  const currency = fee.currency.toUpperCase();
  const pair = symbol.toUpperCase().replace(/[/:-]/g, '');
  if (fee.amount === 0) return { kind: 'quote', amount: 0 };
  // The quote is tested first: in a pair like `USDCUSDT` both ends could match a short currency code.
  if (currency.length > 0 && currency.length < pair.length && pair.endsWith(currency)) return { kind: 'quote', amount: fee.amount };
  if (currency.length > 0 && currency.length < pair.length && pair.startsWith(currency)) return { kind: 'quote', amount: fee.amount * price };
  return { kind: 'other', currency, amount: fee.amount };
};
