// The base and quote assets of a symbol, for the balances a fill moves. Pairs are written without a separator
// (`BTCUSDT`), so the quote is found as the longest known quote asset the symbol ends with (`ETHBTC` → ETH / BTC);
// a ccxt-style `BTC/USDT` splits at its slash. A symbol that ends with no known quote asset (a stock ticker, an exotic
// pair) keeps its whole name as the base and `?` as the quote: its balances stay apart and visibly unsplit.
export const KNOWN_QUOTES = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'DAI', 'USD', 'EUR', 'GBP', 'TRY', 'BRL', 'JPY', 'BTC', 'ETH', 'BNB'] as const;

export interface Pair {
  readonly base: string;
  readonly quote: string;
}

export const splitPair = (symbol: string): Pair => {
  const s = symbol.toUpperCase();
  const slash = s.split(/[/:]/);
  if (slash.length >= 2 && slash[0] !== '' && slash[1] !== '') return { base: slash[0]!, quote: slash[1]! };
  const quote = [...KNOWN_QUOTES].sort((a, b) => b.length - a.length).find((q) => s.length > q.length && s.endsWith(q));
  return quote === undefined ? { base: s, quote: '?' } : { base: s.slice(0, s.length - quote.length), quote };
};
