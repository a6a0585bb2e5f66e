// The command handler's ordered batch (application/commands/handle-command.ts handleCommands) over the real
// PostgreSQL event store: a strategy generated, backtested and filtered in one append must leave the log the three
// commands sent one by one leave — the same event ids, types, data, metadata and revisions — and a batch is all or
// nothing, resumes what a crash left half done, and appends nothing when retried.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { exampleCommands } from '../../apps/api/examples.js';
import type { CommandStep } from '../../application/commands/handle-command.js';
import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { handleStrategyCommand, handleStrategyCommands } from '../../application/strategy/handle-strategy-command.js';
import type { StrategyCommand } from '../../domain/strategy/commands.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { smaCrossoverGenome } from '../../domain/strategy/templates.js';
import { fixedClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { checkedPostgresStore } from '../support/event-store.js';

const result = (exampleCommands['record-backtest'] as { result: unknown }).result;
const verdict = (exampleCommands.filter as { verdict: unknown }).verdict;
type Id = StrategyCommand['strategyId'];

const steps = (strategyId: Id, key: string): CommandStep<StrategyCommand>[] =>
  [
    { type: 'GenerateStrategy', strategyId, data: { genome: smaCrossoverGenome(10, 30) } },
    { type: 'RecordBacktest', strategyId, data: { result } },
    { type: 'FilterStrategy', strategyId, data: { verdict } },
  ].map((command, i) => ({
    command: command as StrategyCommand,
    ctx: { actor: 'system:learning-cycle' as Actor, correlationId: key, idempotencyKey: `${key}:${i}` },
  }));

/** What a reader of the log sees of a stream (the stream name aside: each test writes its own). */
const view = (events: readonly RecordedEvent[]) =>
  events.map((e) => ({ revision: e.revision, eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata }));

describe('handleCommands: commands on one stream decided in order, appended at once', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let store: EventStore;
  const clock = fixedClock(new Date('2026-03-10T03:00:00.000Z'));
  const deps = () => ({ store, clock, ids: uuidIds });

  before(async () => {
    db = await freshDatabase('handle_commands');
    store = checkedPostgresStore({ connectionString: db.url });
  });
  after(async () => {
    await store?.close();
    await db?.drop();
  });

  it('leaves the log three single commands leave: same ids, data, metadata, revisions — in one append', async () => {
    const one = uuidIds.idFor('batch-vs-single:one') as Id;
    const batch = uuidIds.idFor('batch-vs-single:batch') as Id;
    for (const s of steps(one, 'single')) expect(either.isRight(await handleStrategyCommand(deps(), s.command, s.ctx))).to.equal(true);
    const batched = await handleStrategyCommands(deps(), batch, steps(batch, 'batch'));
    expect(either.isRight(batched) && batched.right).to.deep.include({ strategyId: batch, revision: 2, state: 'Filtered(passed)' });
    const [single, together] = [await store.readStream(`strategy-${one}`), await store.readStream(`strategy-${batch}`)];
    expect(together.map((e) => e.type)).to.deep.equal(['StrategyGenerated', 'StrategyBacktested', 'StrategyFiltered']);
    expect(together.map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
    // Event ids derive from each command's idempotency key and type (handle-command.ts), as a lone command's do.
    const types = ['GenerateStrategy', 'RecordBacktest', 'FilterStrategy'];
    expect(together.map((e) => e.eventId)).to.deep.equal(types.map((t, i) => uuidIds.idFor(`batch:${i}:${t}:0`)));
    expect(single.map((e) => e.eventId)).to.deep.equal(types.map((t, i) => uuidIds.idFor(`single:${i}:${t}:0`)));
    // The strategy ids and keys aside, the same data and metadata.
    const anonymous = (events: readonly RecordedEvent[], id: string, key: string) =>
      JSON.parse(
        JSON.stringify(view(events), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))
          .replaceAll(id, '<id>')
          .replaceAll(`"${key}`, '"<key>'),
      ) as unknown;
    const withoutIds = (x: unknown) => (x as { eventId: string }[]).map(({ eventId: _e, ...rest }) => rest);
    expect(withoutIds(anonymous(together, batch, 'batch'))).to.deep.equal(withoutIds(anonymous(single, one, 'single')));
    // One append: one transaction, so one commit position for the three (three appends give three).
    expect(new Set(together.map((e) => String(e.position.commit))).size).to.equal(1);
    expect(new Set(single.map((e) => String(e.position.commit))).size).to.equal(3);
  });

  it('is all or nothing: a refused command appends none of the batch', async () => {
    const id = uuidIds.idFor('all-or-nothing') as Id;
    const [generate, , filter] = steps(id, 'aon');
    // Filtering a strategy that was never backtested is an illegal transition.
    const refused = await handleStrategyCommands(deps(), id, [generate!, filter!]);
    expect(either.isLeft(refused) && refused.left.kind).to.equal('IllegalTransition');
    expect(await store.readStream(`strategy-${id}`)).to.deep.equal([]);
  });

  it('resumes a half-done batch and appends nothing when the whole batch is retried', async () => {
    const id = uuidIds.idFor('resume') as Id;
    const all = steps(id, 'resume');
    // A crash after the first command (sent alone, as the old code did): the retry appends the two it lacks.
    await handleStrategyCommand(deps(), all[0]!.command, all[0]!.ctx);
    const resumed = await handleStrategyCommands(deps(), id, all);
    expect(either.isRight(resumed) && resumed.right.events.map((e) => e.type)).to.deep.equal(['StrategyBacktested', 'StrategyFiltered']);
    const again = await handleStrategyCommands(deps(), id, all);
    expect(either.isRight(again) && again.right).to.deep.include({ revision: 2, state: 'Filtered(passed)', events: [] });
    expect((await store.readStream(`strategy-${id}`)).map((e) => e.type)).to.deep.equal(['StrategyGenerated', 'StrategyBacktested', 'StrategyFiltered']);
  });

  it('refuses a batch for another strategy than the one it names (a bug, thrown)', async () => {
    const id = uuidIds.idFor('wrong-stream') as Id;
    const other = uuidIds.idFor('wrong-stream:other') as Id;
    let thrown: unknown;
    await handleStrategyCommands(deps(), id, steps(other, 'x')).catch((e: unknown) => (thrown = e));
    expect(String(thrown)).to.contain(id);
  });
});
