// Real strategy histories for the projection tests, written through the command handler with a fixed clock,
// and the small helpers the projection suites share.
import { randomUUID } from 'node:crypto';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import type { EventStore } from '../../application/ports/event-store.js';
import { handleStrategyCommand, type StrategyCommandDeps } from '../../application/strategy/handle-strategy-command.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import { rsiMeanReversionGenome, smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import type { ProjectionLog } from '../../projections/projection.js';

/**
 * Resolves once the store's log shows every event written so far (at most 60 s). The log shows an event only once
 * every transaction older than it on the whole server has ended: on a shared server another suite's transaction can
 * hide the latest events for a while, and a catch-up or a rebuild started then does not see them (a flaky test).
 */
export const allVisible = async (pool: DatabasePool, store: EventStore): Promise<void> => {
  const written = Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM events`));
  for (let tries = 0; (await store.readAll({ maxCount: written + 1 })).length < written; tries++) {
    if (tries > 600) throw new Error(`the ${written} events never became visible: a transaction elsewhere on the server holds back the log`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

export const T0 = new Date('2026-03-01T03:00:00.000Z');

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string | undefined;
}

/** A logger that keeps what it is told, for assertions (and prints nothing). */
export const memoryLog = (): ProjectionLog & { entries: LogEntry[] } => {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => void entries.push({ level, obj: obj as Record<string, unknown>, msg });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
};

export const backtestResult = (sharpe: number) => ({
  metrics: { sharpe, totalReturn: sharpe / 10, maxDrawdown: 0.12, trades: 42 },
  window: { start: '2025-01-01T00:00:00.000Z', end: '2025-12-31T00:00:00.000Z' },
  timeframe: '1h',
  symbols: ['BTCUSDT'],
  dataFingerprint: 'sha256:test',
  engineVersion: 'test-1',
  outOfSampleMetrics: { sharpe: sharpe * 0.8 },
});

/** A decision as the activation policy records it: score = 1·sharpe + 1·stability, the strategy among the activations. */
export const activationDecision = (score: number, others: readonly string[], activated?: string) => ({
  score,
  scoreParts: { sharpe: score * 0.6, stability: score * 0.4 },
  weights: { sharpe: 1, stability: 1 },
  activations: activated === undefined ? [] : [activated],
  deactivations: [],
  candidates: others.map((strategyId, i) => ({ strategyId, score: score - 0.1 * (i + 1) })),
  thresholds: { minScore: 0.5, minPaperDays: 14 },
  maxActiveStrategies: 3,
  activeStrategies: 1,
});

export class HistoryWriter {
  readonly clock = fixedClock(T0);
  readonly deps: StrategyCommandDeps;

  constructor(readonly store: EventStore) {
    this.deps = { store, clock: this.clock, ids: uuidIds };
  }

  /** Runs one command an hour after the previous one; fails the test on any refusal. */
  async run(type: StrategyCommand['type'], strategyId: string, data: unknown, correlationId?: string): Promise<void> {
    this.clock.advance(3_600_000);
    const result = await handleStrategyCommand(this.deps, { type, strategyId, data } as unknown as StrategyCommand, {
      actor: 'system:test' as never,
      ...(correlationId ? { correlationId } : {}),
    });
    if (either.isLeft(result)) throw new Error(`${type} refused: ${JSON.stringify(result.left)}`);
  }

  generate = (id: string, i: number) =>
    this.run('GenerateStrategy', id, { genome: i % 2 === 0 ? smaCrossoverGenome(5 + i, 30 + i) : rsiMeanReversionGenome() });
  backtest = (id: string, sharpe: number) => this.run('RecordBacktest', id, { result: backtestResult(sharpe) });
  filter = (id: string, outcome: 'passed' | 'rejected') =>
    this.run('FilterStrategy', id, { verdict: { outcome, reasons: outcome === 'passed' ? [] : ['sharpe below 1'], thresholds: { minSharpe: 1 }, score: 0.7 } });
  paper = (id: string) => this.run('StartPaperTrading', id, { decidedBy: 'system:pipeline', reason: 'passed the filter' });
  activate = (id: string, score: number, others: readonly string[]) =>
    this.run(
      'ActivateStrategy',
      id,
      { decidedBy: 'system:activation-policy', reason: `score ${score} is among the best`, decision: activationDecision(score, others, id) },
      randomUUID(),
    );
  deactivate = (id: string, withDecision: boolean) =>
    this.run('DeactivateStrategy', id, {
      decidedBy: withDecision ? 'system:activation-policy' : 'operator:alice',
      reason: withDecision ? 'outranked by better candidates' : 'manual pause',
      ...(withDecision ? { decision: activationDecision(0.4, []) } : {}),
    });
  retire = (id: string, why = 'stopped working') => this.run('RetireStrategy', id, { decidedBy: 'system:supervisor', reason: why });
}

export interface History {
  /** The strategy that went all the way: Generated → … → Live → Paper → Retired. */
  readonly full: string;
  /** Live again after a deactivation without a decision (an operator's) and a reactivation. */
  readonly live: string;
  /** Rejected by the filter, then retired. */
  readonly rejected: string;
  /** Still where it was born. */
  readonly generated: string;
  /** Paper trading. */
  readonly paper: string;
  readonly all: readonly string[];
}

/** Five strategies whose commands interleave, so batches mix streams. */
export const writeHistory = async (w: HistoryWriter): Promise<History> => {
  const [full, live, rejected, generated, paper] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()] as const;
  const all = [full, live, rejected, generated, paper];
  for (const [i, id] of all.entries()) await w.generate(id, i);
  await w.backtest(full, 1.8);
  await w.backtest(live, 2.1);
  await w.backtest(rejected, 0.3);
  await w.backtest(paper, 1.2);
  await w.filter(full, 'passed');
  await w.filter(rejected, 'rejected');
  await w.filter(live, 'passed');
  await w.filter(paper, 'passed');
  await w.paper(full);
  await w.paper(live);
  await w.paper(paper);
  await w.retire(rejected, 'rejected by the filter');
  await w.activate(full, 0.9, [live, paper]);
  await w.activate(live, 0.95, [full]);
  await w.deactivate(live, false);
  await w.deactivate(full, true);
  await w.activate(live, 0.97, [paper]);
  await w.retire(full);
  return { full, live, rejected, generated, paper, all };
};

/** Every row of both read models, in a stable order. */
export const snapshot = async (pool: DatabasePool) => ({
  strategies: await pool.any(sql.unsafe`SELECT * FROM strategies ORDER BY id`),
  audit: await pool.any(sql.unsafe`SELECT * FROM activation_audit ORDER BY event_id`),
});

export const checkpointRow = (pool: DatabasePool, name: string) =>
  pool.maybeOne(
    sql.unsafe`SELECT projection, version, commit_position::text AS commit, prepare_position::text AS prepare, events_applied FROM projection_checkpoints WHERE projection = ${name}`,
  );

/**
 * Waits until the store shows `count` events, then catches the runner up. The store shows an event once no older
 * transaction is open anywhere on the server (pg_snapshot_xmin): another suite's long transaction would otherwise
 * leave the runner projecting a shorter log.
 */
export const catchUpOnVisible = async (store: EventStore, runner: { catchUp(): Promise<unknown> }, count: number): Promise<void> => {
  for (let tries = 0; (await store.readAll({})).length < count; tries++) {
    if (tries > 300) throw new Error(`the ${count} events never became visible: a transaction elsewhere on the server holds back the log`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await runner.catchUp();
};
