// EventStoreDB adapter: its pure mapping helpers, and the shared contract against an in-memory stand-in of the
// @eventstore/db-client 6.2.1 calls the adapter makes (it checks the adapter's own logic, not the server; the real
// server runs the same contract in eventstoredb-server.test.ts when EVENTSTORE_CONNECTION_STRING is set).
import {
  ANY,
  BACKWARDS,
  END,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendToStreamOptions,
  type EventData,
  type EventStoreDBClient,
  type JSONRecordedEvent,
  type Position as EsdbPosition,
  type ReadAllOptions,
  type ReadStreamOptions,
} from '@eventstore/db-client';
import { expect } from 'chai';
import { either } from 'fp-ts';
import { START } from '../../application/ports/event-store.js';
import {
  EventStoreDbEventStore,
  isSystemEvent,
  matchesFilter,
  pageSizeFor,
  readPositionFor,
  toEsdbExpectedRevision,
} from '../../infrastructure/event-store/eventstoredb-event-store.js';
import { eventStoreContract, newEvent } from './contract.js';

describe('EventStoreDB event store: mapping', () => {
  it('maps the four expected revisions onto the client constants', () => {
    expect(toEsdbExpectedRevision('any')).to.equal(ANY);
    expect(toEsdbExpectedRevision('no_stream')).to.equal(NO_STREAM);
    expect(toEsdbExpectedRevision('stream_exists')).to.equal(STREAM_EXISTS);
    expect(toEsdbExpectedRevision(7n)).to.equal(7n);
  });

  it('filters by category (before the first dash) and event type, and always leaves system records out', () => {
    expect(matchesFilter('strategy-a-b', 'StrategyGenerated', { categories: ['strategy'] })).to.equal(true);
    expect(matchesFilter('strategyx-a', 'StrategyGenerated', { categories: ['strategy'] })).to.equal(false);
    expect(matchesFilter('settings', 'SettingsChanged', { categories: ['settings'] })).to.equal(true);
    expect(matchesFilter('order-1', 'OrderFilled', { categories: ['order'], eventTypes: ['OrderPlaced'] })).to.equal(false);
    expect(matchesFilter('order-1', 'OrderPlaced', { eventTypes: ['OrderPlaced'] })).to.equal(true);
    expect(matchesFilter('order-1', 'OrderPlaced', { categories: [], eventTypes: [] })).to.equal(true);
    expect(matchesFilter('$stats-127.0.0.1:2113', '$statsCollected')).to.equal(false);
    expect(matchesFilter('$ce-order', '$>', { categories: ['$ce'] })).to.equal(false);
    expect(isSystemEvent('$$order-1', '$metadata')).to.equal(true);
  });

  it('starts a read of "after START" at the start of $all and otherwise at the position itself', () => {
    expect(readPositionFor(START)).to.equal(ESDB_START);
    expect(readPositionFor({ commit: 12n, prepare: 10n })).to.deep.equal({ commit: 12n, prepare: 10n });
  });

  it('reads one extra record for the one at `from`, and whole pages when filtering', () => {
    expect(pageSizeFor(7, false)).to.equal(8);
    expect(pageSizeFor(5000, false)).to.equal(1000);
    expect(pageSizeFor(7, true)).to.equal(1000);
  });
});

/**
 * The calls the adapter makes, with the behaviour read from the 6.2.1 sources: reads of a missing stream fail
 * with StreamNotFoundError while iterating, a forward read of $all from a position includes that position, a
 * conflict throws WrongExpectedVersionError carrying the current revision, JSON data and metadata are serialised.
 * The log also holds system records ($statsCollected) to be filtered out. Backward reads from a position include it.
 */
class InMemoryEsdbClient {
  private readonly log: Array<JSONRecordedEvent & { position: EsdbPosition }> = [];
  private appends = 0;

  async appendToStream(streamName: string, events: EventData[], { expectedRevision = ANY }: AppendToStreamOptions = {}) {
    await Promise.resolve(); // from here on atomic, as the server's append is
    const current = this.revisionOf(streamName);
    const ok = (expected: AppendExpectedRevision) =>
      expected === ANY || (expected === NO_STREAM ? current === NO_STREAM : expected === STREAM_EXISTS ? current !== NO_STREAM : current === expected);
    if (!ok(expectedRevision)) throw new WrongExpectedVersionError(undefined, { streamName, expected: expectedRevision, current });
    let revision = current === NO_STREAM ? -1n : current;
    for (const e of events) {
      revision += 1n;
      this.record(
        streamName,
        e.id,
        e.type,
        JSON.parse(JSON.stringify(e.data)),
        e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)),
        revision,
      );
    }
    const last = this.log[this.log.length - 1]!;
    if (++this.appends % 3 === 0) this.record('$stats-127.0.0.1:2113', crypto.randomUUID(), '$statsCollected', {}, undefined);
    return { success: true, nextExpectedRevision: revision, position: last.position };
  }

  readStream(streamName: string, { fromRevision = ESDB_START, maxCount = Number.MAX_SAFE_INTEGER, direction }: ReadStreamOptions = {}) {
    const all = this.log.filter((e) => e.streamId === streamName);
    const ordered = direction === BACKWARDS ? [...all].reverse() : all;
    const from = fromRevision === ESDB_START || fromRevision === END ? undefined : fromRevision;
    const events = ordered.filter((e) => from === undefined || (direction === BACKWARDS ? e.revision <= from : e.revision >= from)).slice(0, Number(maxCount));
    return (async function* () {
      if (all.length === 0) throw new StreamNotFoundError(undefined, streamName);
      for (const event of events) yield { event, commitPosition: event.position.commit };
    })();
  }

  readAll({ fromPosition = ESDB_START, maxCount = Number.MAX_SAFE_INTEGER, direction }: ReadAllOptions = {}) {
    const ordered = direction === BACKWARDS ? [...this.log].reverse() : this.log;
    const at = fromPosition === ESDB_START || fromPosition === END ? undefined : fromPosition.commit;
    const events = ordered
      .filter((e) => at === undefined || (direction === BACKWARDS ? e.position.commit <= at : e.position.commit >= at))
      .slice(0, Number(maxCount));
    return (async function* (): AsyncGenerator<AllStreamResolvedEvent> {
      for (const event of events) yield { event, commitPosition: event.position.commit };
    })();
  }

  async dispose() {}

  private revisionOf(streamName: string): bigint | typeof NO_STREAM {
    const last = this.log.filter((e) => e.streamId === streamName).pop();
    return last ? last.revision : NO_STREAM;
  }

  private record(streamId: string, id: string, type: string, data: unknown, metadata: unknown, revision = this.revisionAfter(streamId)) {
    const p = BigInt(this.log.length + 1) * 137n;
    this.log.push({
      streamId,
      id,
      type,
      data,
      metadata,
      revision,
      isJson: true,
      created: new Date(),
      position: { commit: p, prepare: p },
    } as JSONRecordedEvent & {
      position: EsdbPosition;
    });
  }

  private revisionAfter(streamId: string): bigint {
    const current = this.revisionOf(streamId);
    return current === NO_STREAM ? 0n : current + 1n;
  }
}

describe('EventStoreDB event store over an in-memory stand-in of the client', () => {
  let store: EventStoreDbEventStore;
  before(() => {
    const client = new InMemoryEsdbClient() as unknown as EventStoreDBClient;
    store = new EventStoreDbEventStore({ connectionString: 'esdb://unused:2113?tls=false', client, pollIntervalMs: 50 });
  });
  after(() => store.close());

  // No concurrentTransactions here nor below: EventStoreDB has no open transaction a test could hold. Each append
  // commits on its own and $all is in commit order, so an event committed "late" behind a later one cannot happen.
  eventStoreContract('eventstoredb (in-memory client stand-in)', { store: () => store });

  it('pages through $all past system records without losing or repeating an event', async () => {
    const head = (await store.headPosition()) ?? START;
    const stream = `paging${crypto.randomUUID().slice(0, 8)}-1`;
    let last: EsdbPosition | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await store.appendToStream(stream, [newEvent('P', { i })]);
      if (either.isRight(r)) last = r.right.position;
    }
    expect(await store.headPosition()).to.deep.equal(last); // a $statsCollected record may lie after it
    const seen: unknown[] = [];
    for (let from = head, page = await store.readAll({ from, maxCount: 3 }); page.length > 0; page = await store.readAll({ from, maxCount: 3 })) {
      expect(page.length).to.be.at.most(3);
      seen.push(...page.map((e) => e.data));
      from = page[page.length - 1]!.position;
    }
    expect(seen).to.deep.equal([...Array(10).keys()].map((i) => ({ i })));
    expect(await store.countAfter(head)).to.equal(10);
  });
});
