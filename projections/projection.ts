// What a read model is to the projection runner: a name, a version, the events it reads, the tables it owns,
// and how it folds a batch of decoded events into its rows inside the runner's transaction.
import type { DatabaseTransactionConnection } from 'slonik';
import type { DecodedEvent } from '../application/events/decode-event.js';
import type { EventFilter } from '../application/ports/event-store.js';

export type { DecodedEvent };

export interface AnyEvent {
  readonly type: string;
  readonly data: unknown;
}

export interface Projection<E extends AnyEvent = AnyEvent> {
  /** Also the key of its row in projection_checkpoints and of its advisory locks. */
  readonly name: string;
  /** Bump it whenever the rows it builds change: a runner meeting an older stored version rebuilds from position zero. */
  readonly version: number;
  /** Only these events reach applyBatch (and count towards its lag). */
  readonly filter: EventFilter;
  /**
   * The tables it owns, named unqualified in its statements, and the only ones it reads besides `events`: a rebuild
   * writes empty copies of them and swaps them in when it commits (shadow-tables.ts).
   */
  readonly tables: readonly string[];
  /**
   * Applies a batch, in log order, inside the transaction that also moves the checkpoint.
   * Write it set-based (a few statements per batch, not one per event): replays push thousands of events per second.
   * Throwing rolls back the batch and its checkpoint together.
   */
  applyBatch(tx: DatabaseTransactionConnection, events: readonly DecodedEvent<E>[]): Promise<void>;
}

/** The part of a pino logger the runner uses. */
export interface ProjectionLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
