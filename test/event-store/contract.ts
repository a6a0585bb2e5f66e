// The event store contract: every adapter must pass these, against a real server.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, Position, RecordedEvent } from '../../application/ports/event-store.js';
import { START, comparePositions } from '../../application/ports/event-store.js';
import type { EventMetadata } from '../../domain/events/metadata.js';

export interface ContractHarness {
  /** A store over a log of its own (or one shared with other tests: the suite never assumes an empty log). */
  store(): EventStore;
  /** Runs `first` inside an open transaction that commits only when `release` is called, when the adapter can. */
  concurrentTransactions?: (store: EventStore) => {
    appendInOpenTransaction(stream: string, events: NewEvent[]): Promise<{ commit(): Promise<void> }>;
  };
}

const metadata = (): EventMetadata =>
  ({
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: 'system:test',
    schemaVersion: 1,
    occurredAt: new Date(Date.UTC(2024, 0, 1)).toISOString(),
  }) as EventMetadata;

export const newEvent = (type = 'ThingHappened', data: unknown = { n: 1 }): NewEvent => ({ eventId: randomUUID(), type, data, metadata: metadata() });

const category = () => `ct${randomUUID().replace(/-/g, '').slice(0, 10)}`;

const collect = async (
  store: EventStore,
  from: Position,
  until: (seen: RecordedEvent[]) => boolean,
  filter?: { categories?: string[]; eventTypes?: string[] },
) => {
  const seen: RecordedEvent[] = [];
  let resolveDone!: () => void;
  const reached = new Promise<void>((r) => (resolveDone = r));
  const sub = store.subscribeToAll({ from, filter, batchSize: 7 }, async (batch) => {
    seen.push(...batch);
    if (until(seen)) resolveDone();
  });
  return { seen, reached, sub };
};

const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out: ${what}`)), ms))]);

export const eventStoreContract = (name: string, harness: ContractHarness) => {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    before(() => {
      store = harness.store();
    });

    describe('appendToStream', () => {
      it('appends to a new stream and reads it back in order with revisions from 0', async () => {
        const stream = `${category()}-${randomUUID()}`;
        const events = [newEvent('A', { i: 0 }), newEvent('B', { i: 1 }), newEvent('C', { i: 2 })];
        const r = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(either.isRight(r) && r.right.nextExpectedRevision).to.equal(2n);
        const read = await store.readStream(stream);
        expect(read.map((e) => [e.revision, e.type, e.eventId, e.data])).to.deep.equal(events.map((e, i) => [BigInt(i), e.type, e.eventId, e.data]));
        expect((read[0]?.metadata as EventMetadata).actor).to.equal('system:test');
      });

      it('no_stream refuses an existing stream and names its revision', async () => {
        const stream = `${category()}-${randomUUID()}`;
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const r = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        expect(r).to.deep.include({ _tag: 'Left' });
        if (either.isLeft(r)) expect(r.left).to.deep.include({ kind: 'WrongExpectedRevision', actual: 0n });
        expect(await store.readStream(stream)).to.have.length(1);
      });

      it('stream_exists refuses a missing stream and accepts an existing one', async () => {
        const stream = `${category()}-${randomUUID()}`;
        const missing = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' });
        expect(either.isLeft(missing) && missing.left).to.deep.include({ kind: 'WrongExpectedRevision', actual: 'no_stream' });
        expect(await store.readStream(stream)).to.have.length(0);
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const ok = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' });
        expect(either.isRight(ok) && ok.right.nextExpectedRevision).to.equal(1n);
      });

      it('an exact revision must match the last revision', async () => {
        const stream = `${category()}-${randomUUID()}`;
        await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });
        const stale = await store.appendToStream(stream, [newEvent()], { expectedRevision: 0n });
        expect(either.isLeft(stale) && stale.left).to.deep.include({ kind: 'WrongExpectedRevision', expected: 0n, actual: 1n });
        const fresh = await store.appendToStream(stream, [newEvent()], { expectedRevision: 1n });
        expect(either.isRight(fresh) && fresh.right.nextExpectedRevision).to.equal(2n);
        const onMissing = await store.appendToStream(`${category()}-${randomUUID()}`, [newEvent()], { expectedRevision: 0n });
        expect(either.isLeft(onMissing) && onMissing.left).to.deep.include({ actual: 'no_stream' });
      });

      it('any appends whatever the stream holds', async () => {
        const stream = `${category()}-${randomUUID()}`;
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
        const r = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
        expect(either.isRight(r) && r.right.nextExpectedRevision).to.equal(1n);
      });

      it('of two writers expecting the same revision exactly one wins', async () => {
        const stream = `${category()}-${randomUUID()}`;
        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const results = await Promise.all([0, 1, 2, 3].map(() => store.appendToStream(stream, [newEvent()], { expectedRevision: 0n })));
        expect(results.filter(either.isRight)).to.have.length(1);
        expect(await store.readStream(stream)).to.have.length(2);
      });

      it('re-appending the same event ids is an idempotent success that appends nothing', async () => {
        const stream = `${category()}-${randomUUID()}`;
        const events = [newEvent(), newEvent()];
        const first = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const retry = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(either.isRight(first) && first.right.appended).to.equal(true);
        expect(either.isRight(retry) && retry.right).to.deep.include({ appended: false, nextExpectedRevision: 1n });
        expect(await store.readStream(stream)).to.have.length(2);
      });

      it('a batch mixing stored and new event ids is refused and stores nothing new', async () => {
        const stream = `${category()}-${randomUUID()}`;
        const stored = newEvent();
        await store.appendToStream(stream, [stored]);
        const r = await store.appendToStream(stream, [stored, newEvent()]);
        expect(either.isLeft(r) && r.left.kind).to.equal('PartialDuplicate');
        expect(await store.readStream(stream)).to.have.length(1);
      });
    });

    describe('readStream', () => {
      it('returns nothing for a stream that does not exist', async () => {
        expect(await store.readStream(`${category()}-${randomUUID()}`)).to.deep.equal([]);
      });

      it('reads from a revision with a maximum count', async () => {
        const stream = `${category()}-${randomUUID()}`;
        await store.appendToStream(
          stream,
          [0, 1, 2, 3, 4].map((i) => newEvent('N', { i })),
        );
        const page = await store.readStream(stream, { fromRevision: 2n, maxCount: 2 });
        expect(page.map((e) => e.data)).to.deep.equal([{ i: 2 }, { i: 3 }]);
      });
    });

    describe('readAll', () => {
      it('reads the log in order after a position, filtered by category and event type', async () => {
        const head = (await store.headPosition()) ?? START;
        const cat = category();
        const other = category();
        await store.appendToStream(`${cat}-a`, [newEvent('X', { i: 0 }), newEvent('Y', { i: 1 })]);
        await store.appendToStream(`${other}-b`, [newEvent('X', { i: 2 })]);
        await store.appendToStream(`${cat}-c`, [newEvent('X', { i: 3 })]);
        const all = await store.readAll({ from: head, maxCount: 1000, filter: { categories: [cat, other] } });
        expect(all.map((e) => e.data)).to.deep.equal([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }]);
        for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1]!.position, all[i]!.position)).to.equal(-1);
        const onlyCat = await store.readAll({ from: head, filter: { categories: [cat] } });
        expect(onlyCat.map((e) => e.data)).to.deep.equal([{ i: 0 }, { i: 1 }, { i: 3 }]);
        const onlyX = await store.readAll({ from: head, filter: { categories: [cat, other], eventTypes: ['X'] } });
        expect(onlyX.map((e) => e.data)).to.deep.equal([{ i: 0 }, { i: 2 }, { i: 3 }]);
        const afterSecond = await store.readAll({ from: all[1]!.position, filter: { categories: [cat, other] } });
        expect(afterSecond.map((e) => e.data)).to.deep.equal([{ i: 2 }, { i: 3 }]);
        expect(await store.countAfter(head, { categories: [cat] })).to.equal(3);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up from a checkpoint, then follows live appends, and resumes from its last position', async () => {
        const head = (await store.headPosition()) ?? START;
        const cat = category();
        for (let i = 0; i < 10; i++) await store.appendToStream(`${cat}-${i % 3}`, [newEvent('T', { i })]);
        const first = await collect(store, head, (seen) => seen.length >= 15, { categories: [cat] });
        for (let i = 10; i < 15; i++) await store.appendToStream(`${cat}-${i % 3}`, [newEvent('T', { i })]);
        await withTimeout(first.reached, 10_000, 'live events');
        await first.sub.stop();
        expect(first.seen.map((e) => (e.data as { i: number }).i)).to.deep.equal([...Array(15).keys()]);

        const checkpoint = first.seen[9]!.position;
        const resumed = await collect(store, checkpoint, (seen) => seen.length >= 5, { categories: [cat] });
        await withTimeout(resumed.reached, 10_000, 'resume');
        await resumed.sub.stop();
        expect(resumed.seen.map((e) => (e.data as { i: number }).i)).to.deep.equal([10, 11, 12, 13, 14]);
      });

      it('filters by event type', async () => {
        const head = (await store.headPosition()) ?? START;
        const cat = category();
        await store.appendToStream(`${cat}-1`, [newEvent('Keep', { i: 0 }), newEvent('Drop', { i: 1 }), newEvent('Keep', { i: 2 })]);
        const s = await collect(store, head, (seen) => seen.length >= 2, { categories: [cat], eventTypes: ['Keep'] });
        await withTimeout(s.reached, 10_000, 'filtered');
        await s.sub.stop();
        expect(s.seen.map((e) => e.type)).to.deep.equal(['Keep', 'Keep']);
      });

      it('ends with the error when the handler fails', async () => {
        const cat = category();
        await store.appendToStream(`${cat}-1`, [newEvent()]);
        const head = START;
        const sub = store.subscribeToAll({ from: head, filter: { categories: [cat] } }, async () => {
          throw new Error('handler broke');
        });
        let failure: unknown;
        await withTimeout(
          sub.done.catch((e) => (failure = e)),
          10_000,
          'handler failure',
        );
        expect((failure as Error).message).to.equal('handler broke');
      });

      if (harness.concurrentTransactions)
        it('never skips an event a slower transaction commits after a later one', async () => {
          const tx = harness.concurrentTransactions!(store);
          const head = (await store.headPosition()) ?? START;
          const cat = category();
          const s = await collect(store, head, (seen) => seen.length >= 3, { categories: [cat] });
          // The slow transaction appends first (lower global position) but commits last.
          const slow = await tx.appendInOpenTransaction(`${cat}-slow`, [newEvent('Slow', { i: 'slow' })]);
          const fast = await tx.appendInOpenTransaction(`${cat}-fast`, [newEvent('Fast', { i: 'fast' })]);
          await fast.commit();
          await store.appendToStream(`${cat}-after`, [newEvent('After', { i: 'after' })]);
          await new Promise((r) => setTimeout(r, 300)); // let the subscriber poll while `slow` is still open
          expect(s.seen.map((e) => e.type)).to.deep.equal([]);
          await slow.commit();
          await withTimeout(s.reached, 10_000, 'late commit');
          await s.sub.stop();
          expect(s.seen.map((e) => e.type).sort()).to.deep.equal(['After', 'Fast', 'Slow']);
          expect(s.seen[0]!.type).to.equal('Slow');
        });
    });
  });
};
