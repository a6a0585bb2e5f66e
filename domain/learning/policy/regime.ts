// The market regime a cycle generates for: trend or range × low or high volatility, from closes alone.
//
// Trend strength is a drift t-statistic over the last `window` bars: |ln(c_end / c_start)| / (σ · √n), where σ
// is the standard deviation of the window's log returns and n the number of returns. For a driftless random
// walk it is |N(0, 1)| (median 0.67); the window is `trend` when it is above `trendThreshold` (default 1.5: a
// random walk goes that far about 13% of the time). The efficiency ratio |net move| / Σ|moves| is reported beside
// it for the reader.
//
// Volatility level compares the window's realised volatility (σ of log returns) with the median σ of every
// `window`-long block of the history passed in (closes before the window included): `high_vol` above it.
// Without at least `minReferenceBlocks` (3) blocks of history the median is that of daily (24-bar) blocks of the
// window itself, which says less, and a note says so. With fewer than 3 usable closes the regime is the default.
export const REGIMES = ['trend_low_vol', 'trend_high_vol', 'range_low_vol', 'range_high_vol'] as const;
export type Regime = (typeof REGIMES)[number];
/** What a cycle without market data learns for: the most common regime of BTCUSDT 1h in 2021–2023. */
export const DEFAULT_REGIME: Regime = 'range_low_vol';

export interface RegimeOptions {
  /** Bars in the window being classified (the most recent ones). Default 720 (30 days of 1h). */
  readonly window?: number;
  readonly trendThreshold?: number;
  /** A known reference volatility (σ of log returns per bar); replaces the median of the history. */
  readonly volatilityReference?: number;
  readonly minReferenceBlocks?: number;
}

export interface RegimeReading {
  readonly regime: Regime;
  readonly trendStrength: number;
  readonly efficiencyRatio: number;
  readonly volatility: number;
  readonly volatilityReference: number;
  readonly notes: string[];
}

const logReturns = (closes: ArrayLike<number>, from: number, to: number): number[] => {
  const r: number[] = [];
  for (let i = from + 1; i < to; i++) {
    const a = closes[i - 1]!;
    const b = closes[i]!;
    if (a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b)) r.push(Math.log(b / a));
  }
  return r;
};

const std = (xs: readonly number[]): number => {
  if (xs.length < 2) return 0;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const classifyRegime = (closes: Float64Array | readonly number[], options: RegimeOptions = {}): RegimeReading => {
  const window = Math.max(3, options.window ?? 720);
  const trendThreshold = options.trendThreshold ?? 1.5;
  const minBlocks = options.minReferenceBlocks ?? 3;
  const n = closes.length;
  const start = Math.max(0, n - window);
  const returns = logReturns(closes, start, n);
  const notes: string[] = [];
  if (returns.length < 2) {
    notes.push(`${returns.length} usable returns: no data to classify, using the default regime ${DEFAULT_REGIME}`);
    return { regime: DEFAULT_REGIME, trendStrength: 0, efficiencyRatio: 0, volatility: 0, volatilityReference: 0, notes };
  }
  if (n < window) notes.push(`window of ${n} closes is shorter than the ${window} asked for`);
  const net = returns.reduce((s, r) => s + r, 0);
  const sigma = std(returns);
  const path = returns.reduce((s, r) => s + Math.abs(r), 0);
  const trendStrength = sigma > 0 ? Math.abs(net) / (sigma * Math.sqrt(returns.length)) : 0;
  const efficiencyRatio = path > 0 ? Math.abs(net) / path : 0;

  let reference = options.volatilityReference;
  if (reference === undefined) {
    const blocks: number[] = [];
    for (let end = n; end - window >= 0; end -= window) blocks.push(std(logReturns(closes, end - window, end)));
    if (blocks.length >= minBlocks) reference = median(blocks);
    else {
      const daily: number[] = [];
      for (let end = n; end - 25 >= start; end -= 24) daily.push(std(logReturns(closes, end - 25, end)));
      reference = daily.length > 0 ? median(daily) : sigma;
      notes.push(`history of ${blocks.length} window(s) < ${minBlocks}: volatility compared with the window's own daily median`);
    }
  }
  const trend = trendStrength > trendThreshold ? 'trend' : 'range';
  const vol = sigma > reference ? 'high_vol' : 'low_vol';
  return { regime: `${trend}_${vol}`, trendStrength, efficiencyRatio, volatility: sigma, volatilityReference: reference, notes };
};
