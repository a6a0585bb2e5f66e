// The Sharpe ratio of daily returns, annualised with 365 trading days (crypto trades every day): mean / sample
// standard deviation × √365. Undefined with fewer than 2 returns or no variance (a flat record says nothing).
export const DAYS_PER_YEAR = 365;

export const sharpeOfSums = (n: number, sum: number, sumSquares: number): number | undefined => {
  if (n < 2) return undefined;
  const mean = sum / n;
  const variance = (sumSquares - n * mean * mean) / (n - 1);
  if (!(variance > 1e-18)) return undefined;
  return (mean / Math.sqrt(variance)) * Math.sqrt(DAYS_PER_YEAR);
};

export const dailySharpe = (returns: readonly number[]): number | undefined => {
  let sum = 0;
  let sq = 0;
  for (const r of returns) {
    sum += r;
    sq += r * r;
  }
  return sharpeOfSums(returns.length, sum, sq);
};
