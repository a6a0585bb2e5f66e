import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { decodeAll } from '../../application/events/decode-event.js';
import type { StrategyEvent } from '../../domain/strategy/events.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';

// The runner's mechanics are shown on the two strategy read models; later projections add nothing to them.
const PROJECTIONS = ALL_PROJECTIONS.filter((p) => p.name === 'strategies' || p.name === 'activation_audit');
import { applyBatchWithCheckpoint, loadCheckpoint, ProjectionRunner } from '../../projections/runner.js';
import { strategiesProjection } from '../../projections/strategies/projection.js';
import { activationAuditProjection } from '../../projections/activation-audit/projection.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { allVisible, checkpointRow, HistoryWriter, memoryLog, snapshot, writeHistory } from './support.js';

const waitFor = async (what: string, check: () => Promise<boolean>, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('projection runner', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let pool: DatabasePool;
  let writer: HistoryWriter;

  before(async () => {
    db = await freshDatabase('projection_runner');
    store = new PostgresEventStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    writer = new HistoryWriter(store);
    await writeHistory(writer);
    await allVisible(pool, store);
  });
  after(async () => {
    await pool.end();
    await store.close();
    await db.drop();
  });

  const catchUpOnce = async (projections = PROJECTIONS) => {
    const runner = new ProjectionRunner({ pool, store, projections, log: memoryLog(), batchSize: 5 });
    try {
      await runner.catchUp();
    } finally {
      await runner.stop();
    }
  };

  it('catches up every projection, moves each checkpoint, and reports no lag', async () => {
    await catchUpOnce();
    const runner = new ProjectionRunner({ pool, store, projections: PROJECTIONS, log: memoryLog() });
    const status = await runner.status();
    expect(status.map((s) => [s.name, s.version, s.storedVersion, s.lag, s.role])).to.deep.equal([
      ['strategies', 1, 1, 0, 'stopped'],
      ['activation_audit', 1, 1, 0, 'stopped'],
    ]);
    expect(status[0]!.eventsApplied).to.equal(23);
    expect(status[1]!.eventsApplied).to.equal(5);
    // Every event of this history is a strategy event: the strategies checkpoint is the head of the log.
    const head = (await store.headPosition())!;
    expect(status[0]!.checkpoint).to.deep.equal({ commit: head.commit.toString(), prepare: head.prepare.toString() });
    expect(() => JSON.stringify(status)).not.to.throw(); // ready for /health
  });

  it('rows and checkpoint commit together: a batch whose apply fails leaves both unchanged', async () => {
    await catchUpOnce();
    const id = randomUUID();
    await writer.generate(id, 0);
    await writer.backtest(id, 1.5);
    const before = await snapshot(pool);
    const checkpointBefore = await checkpointRow(pool, 'strategies');
    const failing = {
      ...strategiesProjection,
      async applyBatch(tx: Parameters<typeof strategiesProjection.applyBatch>[0], events: Parameters<typeof strategiesProjection.applyBatch>[1]) {
        await strategiesProjection.applyBatch(tx, events); // the rows are written …
        throw new Error('boom after writing'); // … and rolled back with the checkpoint
      },
    };
    let failure: unknown;
    await catchUpOnce([failing]).catch((e: unknown) => (failure = e));
    expect(String(failure)).to.contain('boom after writing');
    expect(await snapshot(pool)).to.deep.equal(before);
    expect(await checkpointRow(pool, 'strategies')).to.deep.equal(checkpointBefore);

    await catchUpOnce();
    expect((await snapshot(pool)).strategies.find((r) => r['id'] === id)).to.include({ state: 'Backtested', revision: 1 });
  });

  it("a stale owner's compare-and-set fails and writes nothing", async () => {
    await catchUpOnce();
    const from = (await loadCheckpoint(pool, 'strategies'))!.position;
    const id = randomUUID();
    await writer.generate(id, 1);
    const recorded = await store.readAll({ from, filter: strategiesProjection.filter });
    const decoded = decodeAll<StrategyEvent>(recorded);
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    const to = recorded[recorded.length - 1]!.position;

    // The current owner applies the batch …
    expect(await applyBatchWithCheckpoint({ pool, projection: strategiesProjection, from, to, events: decoded.right })).to.equal('applied');
    const after = await snapshot(pool);
    const checkpoint = await checkpointRow(pool, 'strategies');
    // … and an owner that still believes the checkpoint is where it read from cannot apply it again.
    expect(await applyBatchWithCheckpoint({ pool, projection: strategiesProjection, from, to, events: decoded.right })).to.equal('stale');
    expect(await snapshot(pool)).to.deep.equal(after);
    expect(await checkpointRow(pool, 'strategies')).to.deep.equal(checkpoint);
    // Nor can an owner running an older version of the projection.
    const old = { ...strategiesProjection, version: 0 };
    expect(await applyBatchWithCheckpoint({ pool, projection: old, from: to, to, events: [] })).to.equal('stale');
  });

  it('one owner at a time: a second runner is a standby until the owner stops', async () => {
    const a = new ProjectionRunner({ pool, store, projections: PROJECTIONS, log: memoryLog() });
    const b = new ProjectionRunner({ pool, store, projections: PROJECTIONS, log: memoryLog() });
    try {
      await a.catchUp();
      const refused = await b.catchUp().then(
        () => 'caught up',
        (e: Error) => e.message,
      );
      expect(refused).to.contain('strategies: owned by another runner').and.contain('activation_audit: owned by another runner');
      expect((await a.status()).map((s) => s.role)).to.deep.equal(['owner', 'owner']);
      await a.stop();
      await b.catchUp();
      expect((await b.status()).map((s) => s.role)).to.deep.equal(['owner', 'owner']);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('follows new events live after start(), and a runner whose lock connection dies stops owning', async () => {
    const a = new ProjectionRunner({ pool, store, projections: PROJECTIONS, log: memoryLog(), idleMs: 20, lockRetryMs: 60_000 });
    const b = new ProjectionRunner({ pool, store, projections: PROJECTIONS, log: memoryLog(), idleMs: 20 });
    try {
      a.start();
      await waitFor('a to own both projections', async () => (await a.status()).every((s) => s.role === 'owner'));
      const id = randomUUID();
      await writer.generate(id, 2);
      await waitFor('the live runner to project the new strategy', async () => (await snapshot(pool)).strategies.some((r) => r['id'] === id));

      // Kill the session that holds a's owner locks: the locks go with it, and a notices.
      await pool.query(sql.unsafe`
        SELECT pg_terminate_backend(pid) FROM pg_locks
         WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
      await waitFor('a to notice', async () => (await a.status()).every((s) => s.role === 'standby'));
      b.start();
      await waitFor('b to own both projections', async () => (await b.status()).every((s) => s.role === 'owner'));
      await writer.backtest(id, 2.2);
      await waitFor('b to apply the backtest', async () => (await snapshot(pool)).strategies.some((r) => r['id'] === id && r['state'] === 'Backtested'));
      expect((await a.status()).map((s) => s.role)).to.deep.equal(['standby', 'standby']);
      expect((await b.status()).every((s) => s.lag === 0 && s.lastError === undefined)).to.equal(true);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('a version bump rebuilds the projection from position zero', async () => {
    await catchUpOnce();
    const expected = await snapshot(pool);
    const total = (await checkpointRow(pool, 'strategies'))!['events_applied'];
    // A row the current code would never write: only a rebuild puts it right.
    await pool.query(sql.unsafe`UPDATE strategies SET state = 'Tampered' WHERE id = (SELECT id FROM strategies LIMIT 1)`);
    const log = memoryLog();
    const runner = new ProjectionRunner({ pool, store, projections: [{ ...strategiesProjection, version: 2 }, activationAuditProjection], log });
    try {
      await runner.catchUp();
      expect(await snapshot(pool)).to.deep.equal(expected);
      expect(await checkpointRow(pool, 'strategies')).to.include({ version: 2, events_applied: total });
      expect(log.entries.some((e) => e.level === 'info' && e.msg?.includes('version 1 → 2'))).to.equal(true);
    } finally {
      await runner.stop();
    }
    // The old code meets a newer stored version: it stops instead of writing rows the newer code owns.
    const oldLog = memoryLog();
    const old = new ProjectionRunner({ pool, store, projections: [strategiesProjection], log: oldLog });
    try {
      const refused = await old.catchUp().then(
        () => 'caught up',
        (e: Error) => e.message,
      );
      expect(refused).to.contain('stored version 2 is newer');
      expect((await old.status())[0]).to.include({ role: 'halted', storedVersion: 2 });
    } finally {
      await old.stop();
    }
    await pool.query(sql.unsafe`UPDATE projection_checkpoints SET version = 1 WHERE projection = 'strategies'`);
  });
});

describe('projection runner: an event that does not decode', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let pool: DatabasePool;
  let writer: HistoryWriter;

  before(async () => {
    db = await freshDatabase('projection_decode');
    store = new PostgresEventStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    writer = new HistoryWriter(store);
  });
  after(async () => {
    await pool.end();
    await store.close();
    await db.drop();
  });

  it('stops that projection at the event, loudly, without moving its checkpoint past it', async () => {
    const id = randomUUID();
    await writer.generate(id, 0);
    const log = memoryLog();
    const runner = new ProjectionRunner({ pool, store, projections: PROJECTIONS, log });
    try {
      await runner.catchUp();
      const checkpoint = await checkpointRow(pool, 'strategies');
      const before = await snapshot(pool);

      // Written past the command handler: a backtest whose metrics are not numbers.
      await pool.query(sql.unsafe`
        SELECT mt_append_to_stream(${`strategy-${id}`}, 'strategy', 'any', ARRAY[${randomUUID()}]::uuid[], ARRAY['StrategyBacktested'],
          ARRAY[${JSON.stringify({ strategyId: id, result: { metrics: { sharpe: 'high' } } })}::jsonb],
          ARRAY[${JSON.stringify({ correlationId: 'c', causationId: 'c', actor: 'system:test', schemaVersion: 1, occurredAt: '2026-03-02T00:00:00.000Z' })}::jsonb])`);
      const later = randomUUID();
      await writer.generate(later, 1); // a good event after the bad one is not applied either

      const refused = await runner.catchUp().then(
        () => 'caught up',
        (e: Error) => e.message,
      );
      expect(refused).to.contain(`strategies: event StrategyBacktested at strategy-${id}@1`);
      expect(await checkpointRow(pool, 'strategies')).to.deep.equal(checkpoint);
      expect(await snapshot(pool)).to.deep.equal(before);

      const loud = log.entries.find((e) => e.level === 'error' && e.obj['projection'] === 'strategies');
      expect(loud?.obj).to.include({ stream: `strategy-${id}`, revision: '1', eventType: 'StrategyBacktested' });
      expect(loud?.msg).to.contain('STOPPED');

      const [strategies, audit] = await runner.status();
      expect(strategies).to.include({ role: 'halted', lag: 2 });
      expect(strategies!.lastError).to.contain('data.result');
      // The other projection does not read that event and carries on.
      expect(audit).to.include({ role: 'owner', lag: 0 });
      expect(audit!.lastError).to.equal(undefined);
    } finally {
      await runner.stop();
    }
  });
});
