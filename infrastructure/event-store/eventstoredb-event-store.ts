// EventStoreDB event store (@eventstore/db-client 6.2.1), for users who run EventStoreDB instead of PostgreSQL.
// Appends map straight onto EventStoreDB's optimistic concurrency; reads and subscriptions walk `$all`.
//
// Two things the 6.2.1 client shapes here:
// - `readAll` takes no filter (the client hard-codes "no filter"; server-side filtering of reads came in a later
//   client), so the log is filtered in this process: category (the part of the stream name before the first '-')
//   and event type, and EventStoreDB's own records (types or streams starting with '$') are always left out.
// - `subscribeToAll` is implemented with the shared catch-up loop (followLog) over paged `readAll` reads, not with
//   the client's push subscription: the handler is awaited batch by batch with nothing buffered behind it, `stop()`
//   needs no gRPC stream teardown, and `from` is exclusive in exactly one place. A subscriber keeps a scan cursor, so
//   events its filter drops are read once. Cost: appends from other processes are seen within `pollIntervalMs`
//   (appends through this instance wake its subscribers at once), and the whole of `$all` crosses the wire.
import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONEventType,
  type JSONType,
  type ReadPosition,
  type ReadRevision,
  type RecordedEvent as EsdbRecordedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { categoryOf } from '../../domain/events/catalog.js';
import {
  START,
  comparePositions,
  type AppendError,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store.js';
import { followLog } from './follow-log.js';

export const toEsdbExpectedRevision = (expected: ExpectedRevision): AppendExpectedRevision =>
  expected === 'any' ? ANY : expected === 'no_stream' ? NO_STREAM : expected === 'stream_exists' ? STREAM_EXISTS : expected;

/** EventStoreDB's own records: statistics, stream metadata, projection links ($>), subscription checkpoints. */
export const isSystemEvent = (streamName: string, type: string): boolean => type.startsWith('$') || streamName.startsWith('$');

export const matchesFilter = (streamName: string, type: string, filter?: EventFilter): boolean =>
  !isSystemEvent(streamName, type) &&
  (!filter?.categories?.length || filter.categories.includes(categoryOf(streamName))) &&
  (!filter?.eventTypes?.length || filter.eventTypes.includes(type));

const hasFilter = (filter?: EventFilter): boolean => Boolean(filter?.categories?.length || filter?.eventTypes?.length);

/** Where a forward read for "after `from`" starts: reads from a position include it, so the caller skips an event at `from`. */
export const readPositionFor = (from: Position): ReadPosition =>
  comparePositions(from, START) === 0 ? ESDB_START : { commit: from.commit, prepare: from.prepare };

/** Raw page size for a walk of `$all`: unfiltered, `wanted` matches plus the event at `from`; filtered, a full page. */
export const pageSizeFor = (wanted: number, filtered: boolean): number => (filtered ? 1000 : Math.min(Math.max(wanted + 1, 2), 1000));

/** What servers before 22.6 put in the position of an event read from a stream (they had none to give). */
const NO_POSITION = 0xffffffffffffffffn;

const positionOf = (e: EsdbRecordedEvent, resolved: ResolvedEvent | AllStreamResolvedEvent): Position => {
  if (e.position && e.position.commit !== NO_POSITION) return { commit: e.position.commit, prepare: e.position.prepare };
  if (resolved.commitPosition !== undefined && resolved.commitPosition !== NO_POSITION)
    return { commit: resolved.commitPosition, prepare: resolved.commitPosition };
  // Failing beats a made-up position that a checkpoint could later be compared with.
  throw new Error(`EventStoreDB returned event ${e.id} of ${e.streamId} without a log position: this adapter needs EventStoreDB 22.6 or later`);
};

const toRecorded = (resolved: ResolvedEvent | AllStreamResolvedEvent, e: EsdbRecordedEvent): RecordedEvent => ({
  streamName: e.streamId,
  revision: e.revision,
  position: positionOf(e, resolved),
  eventId: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
});

const isStreamNotFound = (err: unknown): boolean => (err as { type?: unknown } | null)?.type === ErrorType.STREAM_NOT_FOUND;

export interface EventStoreDbEventStoreOptions {
  /** e.g. `esdb://admin:changeit@localhost:2113?tls=false` (reading `$all` needs a user allowed to). */
  readonly connectionString: string;
  /** How often a caught-up subscription polls for appends made by other processes. */
  readonly pollIntervalMs?: number;
  /** How many of a stream's latest events are checked for the event ids of an append (idempotent retries). */
  readonly idempotencyWindow?: number;
  /** A client to use instead of one built from the connection string (tests). */
  readonly client?: EventStoreDBClient;
}

export class EventStoreDbEventStore implements EventStore {
  readonly name = 'eventstoredb';
  private readonly client: EventStoreDBClient;
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: EventStoreDbEventStoreOptions) {
    this.client = options.client ?? EventStoreDBClient.connectionString(options.connectionString);
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision?: ExpectedRevision } = {},
  ): Promise<Either<AppendError, AppendResult>> {
    if (events.length === 0) throw new Error('appendToStream: no events to append');
    if (new Set(events.map((e) => e.eventId.toLowerCase())).size !== events.length) throw new Error('appendToStream: an event id repeats within the batch');
    const expected = options.expectedRevision ?? 'any';

    // Idempotency by event id, checked before the append because the contract asks more than EventStoreDB gives:
    // an identical retry succeeds with `appended: false` even when its expectation is stale, and a batch mixing
    // stored and new ids is refused. The check and the append are two calls, so there is a race window: a writer
    // storing the same ids between them is caught only afterwards. With an exact or no_stream expectation EventStoreDB
    // then either treats the repeat as idempotent itself (reported `appended: true`, nothing stored twice) or answers
    // "wrong expected version", after which the check runs again and reports the retry or the partial duplicate.
    // With `any` EventStoreDB's own id check is best effort, so two racing identical appends can, rarely, store the
    // events twice. Ids older than the last `idempotencyWindow` events of the stream are not checked at all.
    const stored = await this.storedEventIds(streamName, events);
    if (stored) return stored;

    try {
      const result = await this.client.appendToStream(
        streamName,
        events.map((e) => jsonEvent<JSONEventType>({ id: e.eventId, type: e.type, data: e.data as JSONType, metadata: e.metadata })),
        { expectedRevision: toEsdbExpectedRevision(expected) },
      );
      // With `throwOnAppendFailure=false` in the connection string a conflict comes back as success: false, and the
      // 6.2.1 batch-append path then reports a wrong current revision, so the stream is read instead.
      if (!result.success) return await this.afterConflict(streamName, events, expected, await this.currentRevision(streamName));
      for (const wake of [...this.listeners]) wake();
      return either.right({
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position ? { commit: result.position.commit, prepare: result.position.prepare } : await this.lastPosition(streamName),
        appended: true,
      });
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) return await this.afterConflict(streamName, events, expected, err.actualVersion);
      throw err;
    }
  }

  async readStream(streamName: string, options: { readonly fromRevision?: bigint; readonly maxCount?: number } = {}): Promise<RecordedEvent[]> {
    if (options.maxCount !== undefined && options.maxCount <= 0) return [];
    return (await this.readStreamRaw(streamName, FORWARDS, options.fromRevision ?? ESDB_START, options.maxCount)).map(([r, e]) => toRecorded(r, e));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? 1000;
    const found: RecordedEvent[] = [];
    if (maxCount <= 0) return found;
    await this.scan(options.from ?? START, options.filter, pageSizeFor(maxCount, hasFilter(options.filter)), (e) => {
      found.push(e);
      return found.length < maxCount;
    });
    return found;
  }

  subscribeToAll(options: SubscribeOptions, handler: (batch: readonly RecordedEvent[]) => Promise<void>): Subscription {
    const batchSize = Math.max(1, options.batchSize ?? 500);
    // How far this subscriber has looked: at or past the last event it was handed (followLog's `after`), also past
    // the events its filter dropped, so they are not read again on every poll.
    let scanned = options.from ?? START;
    return followLog({
      from: scanned,
      read: async (after) => {
        const batch: RecordedEvent[] = [];
        const start = comparePositions(after, scanned) > 0 ? after : scanned;
        scanned = await this.scan(start, options.filter, pageSizeFor(batchSize, hasFilter(options.filter)), (e) => {
          batch.push(e);
          return batch.length < batchSize;
        });
        return batch;
      },
      handler,
      waitForNews: (ms) => this.waitForNews(ms),
      idleMs: this.options.pollIntervalMs ?? 500,
    });
  }

  async headPosition(): Promise<Position | undefined> {
    // Backwards from the end, past EventStoreDB's own records (statistics are written every few seconds).
    const pageSize = 100;
    let from: ReadPosition = END;
    for (;;) {
      const page = await this.readAllPage(from, BACKWARDS, pageSize);
      for (const r of page) {
        if (r.event && !isSystemEvent(r.event.streamId, r.event.type)) return positionOf(r.event, r);
      }
      const last = page[page.length - 1]?.event;
      if (page.length < pageSize || !last) return undefined;
      // Whether a backward read includes its start position or not, the record there is a system one: skipped above.
      from = last.position;
    }
  }

  async countAfter(from: Position, filter?: EventFilter): Promise<number> {
    let n = 0;
    await this.scan(from, filter, 1000, () => {
      n += 1;
      return true;
    });
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.listeners]) wake();
    await this.client.dispose();
  }

  /**
   * Walks `$all` forward after `from` (exclusive), page by page, handing each event that passes the filter to
   * `visit` until it returns false or the log ends. Returns the position of the last record looked at.
   */
  private async scan(from: Position, filter: EventFilter | undefined, pageSize: number, visit: (e: RecordedEvent) => boolean): Promise<Position> {
    let cursor = from;
    for (;;) {
      const page = await this.readAllPage(readPositionFor(cursor), FORWARDS, pageSize);
      const pageStart = cursor;
      for (const r of page) {
        const e = r.event;
        if (!e || comparePositions(e.position, cursor) <= 0) continue; // the record at `from` itself
        cursor = { commit: e.position.commit, prepare: e.position.prepare };
        if (matchesFilter(e.streamId, e.type, filter) && !visit(toRecorded(r, e))) return cursor;
      }
      if (page.length < pageSize) return cursor;
      if (comparePositions(cursor, pageStart) === 0) throw new Error('EventStoreDB $all read made no progress');
    }
  }

  private async readAllPage(fromPosition: ReadPosition, direction: typeof FORWARDS | typeof BACKWARDS, maxCount: number): Promise<AllStreamResolvedEvent[]> {
    const page: AllStreamResolvedEvent[] = [];
    for await (const r of this.client.readAll({ fromPosition, direction, maxCount, resolveLinkTos: false })) page.push(r);
    return page;
  }

  /** The stream's events with their resolved envelopes; empty when the stream does not exist. */
  private async readStreamRaw(
    streamName: string,
    direction: typeof FORWARDS | typeof BACKWARDS,
    fromRevision: ReadRevision,
    maxCount?: number,
  ): Promise<Array<[ResolvedEvent, EsdbRecordedEvent]>> {
    const read: Array<[ResolvedEvent, EsdbRecordedEvent]> = [];
    try {
      const stream = this.client.readStream(streamName, { direction, fromRevision, ...(maxCount === undefined ? {} : { maxCount }) });
      for await (const r of stream) if (r.event) read.push([r, r.event]);
    } catch (err) {
      if (isStreamNotFound(err)) return [];
      throw err;
    }
    return read;
  }

  /**
   * Which of the append's event ids the stream's latest events already hold: all of them is an idempotent retry
   * (reported like the original append), some of them a PartialDuplicate, none undefined.
   */
  private async storedEventIds(streamName: string, events: readonly NewEvent[]): Promise<Either<AppendError, AppendResult> | undefined> {
    const window = Math.max(this.options.idempotencyWindow ?? 100, events.length);
    const latest = await this.readStreamRaw(streamName, BACKWARDS, END, window);
    const head = latest[0];
    if (!head) return undefined;
    const byId = new Map(latest.map(([r, e]) => [e.id.toLowerCase(), [r, e] as const]));
    const found = events.filter((e) => byId.has(e.eventId.toLowerCase()));
    if (found.length === 0) return undefined;
    if (found.length < events.length) return either.left({ kind: 'PartialDuplicate', streamName, duplicateEventIds: found.map((e) => e.eventId) });
    const lastOfBatch = byId.get(events[events.length - 1]!.eventId.toLowerCase())!;
    return either.right({ nextExpectedRevision: head[1].revision, position: positionOf(lastOfBatch[1], lastOfBatch[0]), appended: false });
  }

  /** A refused append: a racing writer may have stored these very ids meanwhile (then it is a retry after all). */
  private async afterConflict(
    streamName: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
    actual: bigint | 'no_stream',
  ): Promise<Either<AppendError, AppendResult>> {
    const stored = await this.storedEventIds(streamName, events);
    if (stored) return stored;
    return either.left({ kind: 'WrongExpectedRevision', streamName, expected, actual });
  }

  private async currentRevision(streamName: string): Promise<bigint | 'no_stream'> {
    const [last] = await this.readStreamRaw(streamName, BACKWARDS, END, 1);
    return last ? last[1].revision : 'no_stream';
  }

  private async lastPosition(streamName: string): Promise<Position> {
    const [last] = await this.readStreamRaw(streamName, BACKWARDS, END, 1);
    if (!last) throw new Error(`EventStoreDB reported an append to ${streamName} but the stream reads empty`);
    return positionOf(last[1], last[0]);
  }

  /** Resolves on an append through this instance or after `ms`, whichever comes first. */
  private async waitForNews(ms: number): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.listeners.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.listeners.add(wake);
    });
  }
}
