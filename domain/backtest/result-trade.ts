// A closed trade as a job result carries it (events, API, read model): the engine's trade plus symbol and exit reason.
import type { ClosedTrade } from './metrics/index.js';

export interface ResultTrade {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly entryTime: number;
  readonly exitTime: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  readonly quantity: number;
  readonly pnl: number;
  readonly returnPct: number;
  readonly fees: number;
  readonly exitReason: string;
}

export const resultTrade = (symbol: string, t: ClosedTrade, exitReason: string): ResultTrade => ({
  symbol,
  side: t.side,
  entryTime: t.entryTime,
  exitTime: t.exitTime,
  entryPrice: t.entryPrice,
  exitPrice: t.exitPrice,
  quantity: t.quantity,
  pnl: t.pnl,
  returnPct: t.returnPct,
  fees: t.fees,
  exitReason,
});
