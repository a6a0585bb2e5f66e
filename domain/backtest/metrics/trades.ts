// What the closed trades say: how often they win, by how much, how long they are held, how much of
// the time the strategy is in the market, and the streaks. One pass over the trades, one sweep over the bars.
import { finiteOrNull, ratioOrNull, type Metric } from './degenerate.js';

/** A round trip as the backtest engine closes it. Times are epoch ms UTC; pnl is after fees. */
export interface ClosedTrade {
  readonly entryTime: number;
  readonly exitTime: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly quantity: number;
  readonly side: 'long' | 'short';
  /** Profit or loss after fees, in the account currency. */
  readonly pnl: number;
  /** The trade's return, in whatever unit the engine uses (best/worst trade return keep that unit). */
  readonly returnPct: number;
  readonly fees: number;
  readonly barsHeld: number;
}

/**
 * A trade wins when its pnl (after fees) is above 0 and loses when below; a trade at exactly 0 is a
 * breakeven: it counts in the number of trades and the win rate's denominator, and breaks both streaks.
 * Amounts keep their sign: losses (gross loss, average loss, worst trade) are negative.
 */
export interface TradeMetrics {
  readonly tradeCount: number;
  readonly winCount: number;
  readonly lossCount: number;
  /** wins / trades. Null without trades. */
  readonly winRate: Metric;
  /** Sum of winning pnl (≥ 0). */
  readonly grossProfit: number;
  /** Sum of losing pnl (≤ 0). */
  readonly grossLoss: number;
  /** grossProfit / |grossLoss|. Null without a losing trade (no trades, or all won: see winRate). */
  readonly profitFactor: Metric;
  /** Mean pnl of winning trades. Null without a win. */
  readonly averageWin: Metric;
  /** Mean pnl of losing trades (negative). Null without a loss. */
  readonly averageLoss: Metric;
  /** Mean pnl per trade = winRate·averageWin + lossRate·averageLoss. Null without trades. */
  readonly expectancy: Metric;
  /** averageWin / |averageLoss|. Null without a win or without a loss. */
  readonly payoffRatio: Metric;
  /** Mean barsHeld. Null without trades. */
  readonly averageHoldingBars: Metric;
  /** Mean exitTime − entryTime, in ms. Null without trades. */
  readonly averageHoldingMs: Metric;
  /** Share of bars in a position: bars whose open time t has a trade with entryTime ≤ t < exitTime. Null without bars. */
  readonly exposure: Metric;
  /** Longest run of consecutive winning trades, in the order given (the engine's: by exit). */
  readonly longestWinStreak: number;
  readonly longestLossStreak: number;
  /** Largest pnl of a trade. Null without trades. */
  readonly bestTradePnl: Metric;
  readonly worstTradePnl: Metric;
  /** Largest returnPct of a trade. Null without trades. */
  readonly bestTradeReturn: Metric;
  readonly worstTradeReturn: Metric;
  /** Sum of fees paid. */
  readonly totalFees: number;
}

const checkTrade = (t: ClosedTrade, index: number): void => {
  // The common case in direct property reads; the loop below only to name the first bad field.
  if (!(
    Number.isFinite(t.entryTime) &&
    Number.isFinite(t.exitTime) &&
    Number.isFinite(t.pnl) &&
    Number.isFinite(t.returnPct) &&
    Number.isFinite(t.fees) &&
    Number.isFinite(t.barsHeld)
  ))
    for (const field of ['entryTime', 'exitTime', 'pnl', 'returnPct', 'fees', 'barsHeld'] as const) {
      if (!Number.isFinite(t[field])) throw new RangeError(`trade ${index}: ${field} is not a finite number (${t[field]})`);
    }
  if (t.exitTime < t.entryTime) throw new RangeError(`trade ${index}: exits (${t.exitTime}) before it enters (${t.entryTime})`);
};

/**
 * Share of the bars (open times `openTime`, ascending) during which at least one trade was open.
 * A sweep: trades by entry time, the latest exit among those already entered says whether bar t is covered.
 */
export const exposure = (trades: readonly ClosedTrade[], openTime: Float64Array): Metric => {
  const n = openTime.length;
  if (n === 0) return null;
  if (trades.length === 0) return 0;
  let ordered = trades;
  for (let k = 1; k < trades.length; k++) {
    if (trades[k]!.entryTime < trades[k - 1]!.entryTime) {
      ordered = [...trades].sort((a, b) => a.entryTime - b.entryTime);
      break;
    }
  }
  let next = 0;
  let nextEntry = ordered[0]!.entryTime; // the entry time of ordered[next], +Infinity past the last trade
  let coveredUntil = -Infinity;
  let exposed = 0;
  for (let i = 0; i < n; i++) {
    const t = openTime[i]!;
    while (nextEntry <= t) {
      if (ordered[next]!.exitTime > coveredUntil) coveredUntil = ordered[next]!.exitTime;
      next++;
      nextEntry = next < ordered.length ? ordered[next]!.entryTime : Infinity;
    }
    if (t < coveredUntil) exposed++;
  }
  return exposed / n;
};

export const tradeMetrics = (trades: readonly ClosedTrade[], openTime: Float64Array): TradeMetrics => {
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let totalPnl = 0;
  let totalBars = 0;
  let totalMs = 0;
  let fees = 0;
  let winStreak = 0;
  let lossStreak = 0;
  let longestWin = 0;
  let longestLoss = 0;
  let bestPnl = -Infinity;
  let worstPnl = Infinity;
  let bestReturn = -Infinity;
  let worstReturn = Infinity;
  for (let k = 0; k < trades.length; k++) {
    const t = trades[k]!;
    checkTrade(t, k);
    totalPnl += t.pnl;
    totalBars += t.barsHeld;
    totalMs += t.exitTime - t.entryTime;
    fees += t.fees;
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
      winStreak++;
      lossStreak = 0;
      if (winStreak > longestWin) longestWin = winStreak;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss += t.pnl;
      lossStreak++;
      winStreak = 0;
      if (lossStreak > longestLoss) longestLoss = lossStreak;
    } else {
      winStreak = 0;
      lossStreak = 0;
    }
    if (t.pnl > bestPnl) bestPnl = t.pnl;
    if (t.pnl < worstPnl) worstPnl = t.pnl;
    if (t.returnPct > bestReturn) bestReturn = t.returnPct;
    if (t.returnPct < worstReturn) worstReturn = t.returnPct;
  }
  const count = trades.length;
  const any = count > 0;
  const averageWin = wins > 0 ? grossProfit / wins : null;
  const averageLoss = losses > 0 ? grossLoss / losses : null;
  return {
    tradeCount: count,
    winCount: wins,
    lossCount: losses,
    winRate: any ? wins / count : null,
    grossProfit,
    grossLoss,
    profitFactor: ratioOrNull(grossProfit, -grossLoss),
    averageWin,
    averageLoss,
    expectancy: any ? finiteOrNull(totalPnl / count) : null,
    payoffRatio: averageWin === null || averageLoss === null ? null : ratioOrNull(averageWin, -averageLoss),
    averageHoldingBars: any ? totalBars / count : null,
    averageHoldingMs: any ? totalMs / count : null,
    exposure: exposure(trades, openTime),
    longestWinStreak: longestWin,
    longestLossStreak: longestLoss,
    bestTradePnl: any ? bestPnl : null,
    worstTradePnl: any ? worstPnl : null,
    bestTradeReturn: any ? bestReturn : null,
    worstTradeReturn: any ? worstReturn : null,
    totalFees: fees,
  };
};
