// What the desk tests (desk, desk-orders, desk-leave, desk-operands, desk-speed, live-desk) share: a strategy command
// sent at a simulated time, the read models folded until they show what a test waits for, and a strategies reader
// narrowed to one strategy.
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import type { TradingStrategies } from '../../../application/pipeline/trading-desk.js';
import type { EventStore } from '../../../application/ports/event-store.js';
import { handleStrategyCommand } from '../../../application/strategy/handle-strategy-command.js';
import type { StrategyCommand } from '../../../domain/strategy/commands.js';
import type { fixedClock } from '../../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../../infrastructure/clock/uuid-ids.js';
import { ProjectionRunner } from '../../../projections/runner.js';
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
});
