// The event store port: append with optimistic concurrency, read a stream, read and follow the global log.
// Two adapters implement it (PostgreSQL, EventStoreDB) and one contract suite holds them to it.
import type { Either } from 'fp-ts/lib/Either.js';
import type { EventMetadata } from '../../domain/events/metadata.js';

/** A place in the global log. PostgreSQL: (transaction id, global position); EventStoreDB: (commit, prepare). */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}
export const START: Position = { commit: 0n, prepare: 0n };
export const comparePositions = (a: Position, b: Position): number =>
  a.commit === b.commit ? (a.prepare === b.prepare ? 0 : a.prepare < b.prepare ? -1 : 1) : a.commit < b.commit ? -1 : 1;

/** any: no check; no_stream: the stream must not exist; stream_exists: it must; n: its last event has revision n. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export interface NewEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: Position;
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  /** Raw as stored: decode it before trusting it. */
  readonly metadata: unknown;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedRevision: bigint;
  /** Position of the last appended event (for an idempotent retry: of the event stored first). */
  readonly position: Position;
  /** False when every event was already stored (an idempotent retry). */
  readonly appended: boolean;
}

export interface WrongExpectedRevision {
  readonly kind: 'WrongExpectedRevision';
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  /** The stream's current revision, or 'no_stream'. */
  readonly actual: bigint | 'no_stream';
}

/** Some, not all, of the event ids are already in the stream: neither a retry nor a new append. */
export interface PartialDuplicate {
  readonly kind: 'PartialDuplicate';
  readonly streamName: string;
  readonly duplicateEventIds: readonly string[];
}

/**
 * An event that would not read back as it was given (its codec refuses it, it holds a field its codec does not know,
 * it is not storable JSON, or it is too large): nothing of the batch was appended. Only the checked store
 * (application/events/checked-event-store.ts) reports it; for a caller it is a bug upstream of the append.
 */
export interface EventRejected {
  readonly kind: 'EventRejected';
  readonly streamName: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly errors: readonly { readonly path: string; readonly message: string }[];
  readonly message: string;
}

export type AppendError = WrongExpectedRevision | PartialDuplicate | EventRejected;

export interface EventFilter {
  /** Stream categories (the part of a stream name before the first '-'). */
  readonly categories?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: events after this position. */
  readonly from?: Position;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions {
  readonly from?: Position;
  readonly filter?: EventFilter;
  readonly batchSize?: number;
}

export interface Subscription {
  /** Stops after the batch in hand; resolves when the handler is no longer running. */
  stop(): Promise<void>;
  /** Settles when the subscription ends: resolves on stop(), rejects if the handler or the store failed. */
  readonly done: Promise<void>;
}

export interface EventStore {
  readonly name: string;
  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<Either<AppendError, AppendResult>>;
  /** The stream's events in order; empty when the stream does not exist. */
  readStream(streamName: string, options?: { readonly fromRevision?: bigint; readonly maxCount?: number }): Promise<RecordedEvent[]>;
  /** Committed events after `from`, in log order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Catch-up subscription: delivers batches in log order from `from`, then follows new events live.
   * The handler is awaited before the next batch; a rejected handler ends the subscription.
   */
  subscribeToAll(options: SubscribeOptions, handler: (batch: readonly RecordedEvent[]) => Promise<void>): Subscription;
  /** Position of the last event in the log, or undefined when the log is empty. */
  headPosition(): Promise<Position | undefined>;
  /** How many events matching the filter lie after `from` (projection and mirror lag). */
  countAfter(from: Position, filter?: EventFilter): Promise<number>;
  /**
   * Committed events that readAll does not show yet (absent: none ever are). PostgreSQL's log shows an event only
   * once every transaction older than its own has ended on the whole server, so it is gap-free; a long transaction
   * elsewhere (another database, a rebuild) holds back events already committed. A reader that must see what was
   * just written — the pipeline deciding on read models — waits until this is 0.
   */
  unseenCommitted?(): Promise<number>;
  close(): Promise<void>;
}
