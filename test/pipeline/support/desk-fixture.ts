// What the desk tests (desk, desk-orders, desk-leave, desk-operands, desk-speed, live-desk) share: the paper desk's
// run settings and wiring, a stored backtest, a strategy command sent at a simulated time, the read models folded until
// they show what a test waits for, and a strategies reader narrowed to one strategy.
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import type { TradingDeskDeps, TradingStrategies } from '../../../application/pipeline/trading-desk.js';
import type { EventStore } from '../../../application/ports/event-store.js';
import { handleStrategyCommand } from '../../../application/strategy/handle-strategy-command.js';
import type { RunSettings } from '../../../domain/execution/run-settings.js';
import type { ExchangeId } from '../../../domain/market/exchange.js';
import type { RiskLimits } from '../../../domain/risk/limits.js';
import type { StrategyCommand } from '../../../domain/strategy/commands.js';
import type { fixedClock } from '../../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../../infrastructure/clock/uuid-ids.js';
import { PaperExchange } from '../../../infrastructure/exchange/paper/paper-exchange.js';
import type { PostgresCandleStore } from '../../../infrastructure/market-data/postgres-candle-store.js';
import { ProjectionRunner } from '../../../projections/runner.js';
import { tradingStrategiesReader } from '../../../projections/trading-days/queries.js';
import { LOOSE_RISK_LIMITS } from '../../support/allow-all-gate.js';
import { catchUpOnVisible, memoryLog } from '../../projections/support.js';

/** Sends a strategy command as an operator with the clock set to `at`; a refusal fails the test. */
export const sendStrategyCommand = async (
  store: EventStore,
  clock: ReturnType<typeof fixedClock>,
  type: StrategyCommand['type'],
  strategyId: string,
  data: unknown,
  at: number,
): Promise<void> => {
  clock.set(new Date(at));
  const r = await handleStrategyCommand({ store, clock, ids: uuidIds }, { type, strategyId, data } as unknown as StrategyCommand, {
    actor: 'operator:test' as never,
  });
  if (either.isLeft(r)) throw new Error(`${type} refused: ${JSON.stringify(r.left)}`);
};

/**
 * Folds the log into `projections` until `ready` holds: the runner only reads what every transaction on the server
 * lets it see, and other suites share the server.
 */
export const projectUntil = async (
  pool: DatabasePool,
  store: EventStore,
  projections: ConstructorParameters<typeof ProjectionRunner>[0]['projections'],
  ready: () => Promise<boolean>,
): Promise<void> => {
  const runner = new ProjectionRunner({ pool, store, projections, log: memoryLog() });
  try {
    for (let tries = 0; ; tries++) {
      await catchUpOnVisible(store, runner, (await store.readAll({})).length);
      if (await ready()) return;
      if (tries > 600) throw new Error(`the read models (${projections.map((p) => p.name).join(', ')}) never caught up`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await runner.stop();
  }
};

/** The reader, showing one strategy only. */
export const onlyStrategy = (reader: TradingStrategies, id: string): TradingStrategies => ({
  inPaperOrLive: async () => (await reader.inPaperOrLive()).filter((r) => r.id === id),
  genomes: (ids) => reader.genomes(ids),
  closedAccounts: (accounts) => reader.closedAccounts(accounts),
});

/** The paper desks' run settings: Binance's taker and maker fees, 5 bp of slippage, 10,000 of capital. */
export const DESK_RUN: RunSettings = { takerFee: 0.001, makerFee: 0.0002, slippage: 0.0005, initialCapital: 10_000, sizing: { mode: 'fractional' } };

/** A backtest result to record before paper trading (the desk reads only that one exists). */
export const DESK_BACKTEST = {
  metrics: { sharpe: 1, totalReturn: 0.1, maxDrawdown: 0.1, tradeCount: 100 },
  window: { start: '2021-06-01T00:00:00.000Z', end: '2022-02-01T00:00:00.000Z' },
  timeframe: '1h',
  symbols: ['BTCUSDT'],
  dataFingerprint: 'sha256:test',
  engineVersion: 'test-1',
};

/** A paper desk on the test's store, read models and candles (`only`: the one strategy it shows), loose risk limits by default. */
export const paperDeskDeps = (d: {
  readonly store: EventStore;
  readonly clock: ReturnType<typeof fixedClock>;
  readonly pool: DatabasePool;
  readonly candles: PostgresCandleStore;
  readonly only?: string;
  readonly riskLimits?: RiskLimits;
}): TradingDeskDeps => ({
  store: d.store,
  clock: d.clock,
  ids: uuidIds,
  strategies: d.only === undefined ? tradingStrategiesReader(d.pool) : onlyStrategy(tradingStrategiesReader(d.pool), d.only),
  candles: d.candles,
  venue: (o) => new PaperExchange(o),
  exchange: 'binance' as ExchangeId,
  run: DESK_RUN,
  riskLimits: d.riskLimits ?? LOOSE_RISK_LIMITS,
});
