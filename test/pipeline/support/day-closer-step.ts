// A small real pipeline step for the loop's tests (not a mock): at each tick it closes the day before `now` for a few
// buy-and-hold test accounts — one TradingDayClosed per (account, UTC day) on performance-<id>, equity from the
// day's real hourly closes — through handleCommand with a decider that refuses a day already closed and event ids
// derived from what they record (ids.idFor). Like the real desk it is idempotent: a tick after kill -9 closes what
// was left open and nothing twice.
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { handleCommand, type CommandDeps } from '../../../application/commands/handle-command.js';
import type { CandleStore } from '../../../application/ports/candle-store.js';
import type { PipelineStep, StepOutcome } from '../../../application/pipeline/step.js';
import { performanceStream, type TradingDayClosed } from '../../../domain/performance/events.js';
import type { Actor } from '../../../domain/primitives/codecs.js';

const DAY = 86_400_000;
const CAPITAL = 10_000;

interface CloseDay {
  readonly type: 'CloseDay';
  readonly data: TradingDayClosed['data'];
}
interface DaysState {
  readonly closed: ReadonlySet<string>;
  readonly lastEquity: number;
  readonly tradesTotal: number;
}

/** Refuses nothing but a repeat: a day already closed decides no event. */
export const dayCloserDecider = {
  initialState: (): DaysState => ({ closed: new Set(), lastEquity: CAPITAL, tradesTotal: 0 }),
  evolve: (s: DaysState, e: TradingDayClosed): DaysState => ({
    closed: new Set([...s.closed, e.data.day]),
    lastEquity: e.data.equity,
    tradesTotal: e.data.tradesTotal,
  }),
  decide: (c: CloseDay, s: DaysState): Either<never, readonly TradingDayClosed[]> =>
    either.right(s.closed.has(c.data.day) ? [] : [{ type: 'TradingDayClosed', data: c.data }]),
};

export interface DayCloserOptions {
  readonly accounts: number;
  readonly symbol: string;
  /** Days before this are not closed (the replay's <from>). */
  readonly since: number;
}

export const dayCloserStep = (deps: CommandDeps & { readonly candles: Pick<CandleStore, 'readSeries'> }, options: DayCloserOptions): PipelineStep => {
  const strategies = Array.from({ length: options.accounts }, (_, k) => deps.ids.idFor(`test-day-closer:${k}`));
  return {
    name: 'day-closer',
    tick: async (now: Date): Promise<StepOutcome> => {
      const dayStart = Math.floor(now.getTime() / DAY) * DAY - DAY;
      if (dayStart < options.since) return { appended: 0, notes: [] };
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const series = await deps.candles.readSeries({ exchange: 'binance', symbol: options.symbol, interval: '1h' }, { from: dayStart, to: dayStart + DAY });
      const n = series.length;
      if (n === 0) return { appended: 0, notes: [`no ${options.symbol} candle on ${day}`] };
      const first = { open: series.open[0] ?? 0 };
      const last = { close: series.close[n - 1] ?? 0, openTime: series.openTime[n - 1] ?? 0 };
      let appended = 0;
      for (const [k, strategyId] of strategies.entries()) {
        // Account k holds (k + 1) / accounts of its capital in the coin, bought at the first day's open.
        const weight = (k + 1) / options.accounts;
        const stream = performanceStream(strategyId);
        const handled = await handleCommand(
          deps,
          {
            ...dayCloserDecider,
            decide: (c: CloseDay, s: DaysState) => {
              const equity = s.lastEquity * (1 - weight + (weight * last.close) / first.open);
              const data = { ...c.data, equity, dayReturn: equity / s.lastEquity - 1, tradesTotal: s.closed.size === 0 ? 1 : s.tradesTotal };
              return dayCloserDecider.decide({ ...c, data: data as TradingDayClosed['data'] }, s);
            },
          },
          stream,
          {
            type: 'CloseDay',
            data: {
              strategyId,
              mode: 'paper',
              account: `paper-${strategyId}`,
              day,
              initialCapital: CAPITAL,
              equity: CAPITAL,
              dayReturn: 0,
              trades: 0,
              tradesTotal: 0,
              position: weight,
              at: last.openTime + 3_600_000,
            } as TradingDayClosed['data'],
          },
          { actor: 'system:test-day-closer' as Actor, idempotencyKey: `${stream}:${day}` },
        );
        if (either.isLeft(handled)) throw new Error(`day-closer: ${JSON.stringify(handled.left)}`);
        appended += handled.right.events.length;
      }
      return { appended, notes: [] };
    },
  };
};
