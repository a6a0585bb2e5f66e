// Hand-made histories for the ranking read model and the activation step: strategies taken to Paper (and judged)
// through the strategy command handler, TradingDayClosed days and kill switches appended directly to their streams
// as the desk and the risk engine would write them, and the projector caught up on what is stored.
import { randomUUID } from 'node:crypto';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { eventMetadata } from '../../application/commands/handle-command.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { handleStrategyCommand } from '../../application/strategy/handle-strategy-command.js';
import { performanceStream } from '../../domain/performance/events.js';
import { riskStream } from '../../domain/risk/events.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';

export interface BacktestFigures {
  readonly sharpe: number;
  readonly oosSharpe: number;
  readonly maxDrawdown: number;
  readonly regime: string;
}

export const DEFAULT_BACKTEST: BacktestFigures = { sharpe: 1.5, oosSharpe: 1.2, maxDrawdown: 0.1, regime: 'trend_low_vol' };

export class History {
  readonly clock = fixedClock(new Date('2026-02-20T00:00:00.000Z'));
  constructor(readonly store: EventStore) {}

  async command(type: StrategyCommand['type'], strategyId: string, data: unknown, actor = 'system:test'): Promise<void> {
    this.clock.advance(60_000);
    const r = await handleStrategyCommand({ store: this.store, clock: this.clock, ids: uuidIds }, { type, strategyId, data } as unknown as StrategyCommand, {
      actor: actor as never,
    });
    if (either.isLeft(r)) throw new Error(`${type} ${strategyId} refused: ${JSON.stringify(r.left)}`);
  }

  /** Generated → Backtested (with these figures) → Filtered(passed) → Paper. */
  async toPaper(id: string, b: BacktestFigures = DEFAULT_BACKTEST): Promise<void> {
    await this.command('GenerateStrategy', id, { genome: smaCrossoverGenome(5, 30) });
    await this.command('RecordBacktest', id, {
      result: {
        metrics: { sharpe: b.sharpe, maxDrawdown: b.maxDrawdown, totalReturn: 0.3, trades: 40 },
        outOfSampleMetrics: { sharpe: b.oosSharpe },
        regime: { label: b.regime, trendStrength: 2, volatility: 0.01 },
        window: { start: '2025-01-01T00:00:00.000Z', end: '2025-12-31T00:00:00.000Z' },
        timeframe: '1h',
        symbols: ['BTCUSDT'],
        dataFingerprint: 'sha256:test',
        engineVersion: 'test-1',
      },
    });
    await this.command('FilterStrategy', id, { verdict: { outcome: 'passed', reasons: [], thresholds: { minSharpe: 0.5 } } });
    await this.command('StartPaperTrading', id, { decidedBy: 'system:pipeline', reason: 'passed the filter' });
  }

  evaluate = (id: string, outcome: 'eligible' | 'rejected') =>
    this.command('EvaluatePaperTrading', id, {
      decidedBy: 'system:pipeline',
      reason: `paper period ${outcome}`,
      evaluation: {
        outcome,
        reasons: outcome === 'eligible' ? [] : ['paper Sharpe below half the backtest'],
        paper: { sharpe: 1 },
        backtest: { sharpe: 1.5 },
        thresholds: { minSharpeRatio: 0.5 },
        period: { start: '2026-03-01T00:00:00.000Z', end: '2026-03-08T00:00:00.000Z' },
      },
    });

  async append(stream: string, type: string, data: unknown): Promise<void> {
    const eventId = randomUUID();
    const r = await this.store.appendToStream(stream, [
      { eventId, type, data, metadata: eventMetadata({ actor: 'system:desk' as never }, new Date(this.clock.now()), eventId) },
    ]);
    if (either.isLeft(r)) throw new Error(`${type} on ${stream} refused: ${JSON.stringify(r.left)}`);
  }

  /** One closed day on performance-<id>; `day` is YYYY-MM-DD. */
  day = (
    id: string,
    mode: 'paper' | 'live',
    day: string,
    o: { initialCapital: number; equity: number; dayReturn: number; trades?: number; tradesTotal?: number },
  ) =>
    this.append(performanceStream(id), 'TradingDayClosed', {
      strategyId: id,
      mode,
      account: `${mode}-${id}`,
      day,
      initialCapital: o.initialCapital,
      equity: o.equity,
      dayReturn: o.dayReturn,
      trades: o.trades ?? 1,
      tradesTotal: o.tradesTotal ?? 1,
      position: 0,
      at: Date.parse(`${day}T23:59:59.999Z`),
    });

  /** Days of `returns` from 1000 (or `initialCapital`), starting on `firstDay`; the equity compounds. */
  async days(id: string, mode: 'paper' | 'live', firstDay: string, returns: readonly number[], initialCapital = 1000): Promise<number> {
    let equity = initialCapital;
    for (const [i, r] of returns.entries()) {
      equity *= 1 + r;
      const day = new Date(Date.parse(`${firstDay}T00:00:00.000Z`) + i * 86_400_000).toISOString().slice(0, 10);
      await this.day(id, mode, day, { initialCapital, equity, dayReturn: r, tradesTotal: i + 1 });
    }
    return equity;
  }

  killSwitch = (account: string, engaged: boolean, trigger: 'manual' | 'max_drawdown' = 'manual') =>
    this.append(
      riskStream(account),
      engaged ? 'KillSwitchEngaged' : 'KillSwitchReleased',
      engaged
        ? { account, trigger, time: this.clock.now().getTime(), decidedBy: 'operator:alice', reason: 'test', positionsToClose: [] }
        : { account, trigger, time: this.clock.now().getTime(), releasedBy: 'operator:alice', reason: 'test' },
    );
}

/**
 * Catches the runner up on every committed event: the store shows an event once no older transaction is open on the
 * server, so wait until it shows as many as the events table holds.
 */
export const catchUpAll = async (pool: DatabasePool, store: EventStore, runner: { catchUp(): Promise<unknown> }): Promise<void> => {
  const total = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM events`));
  for (let tries = 0; (await store.readAll({})).length < total; tries++) {
    if (tries > 300) throw new Error(`the ${total} events never became visible`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await runner.catchUp();
};
