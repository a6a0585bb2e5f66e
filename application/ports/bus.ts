// The bus port: publish event messages with broker confirmation, consume them by topic binding keys.
// Two adapters: RabbitMQ (a durable topic exchange) and an in-process bus (when AMQP_URL is not set).
// Delivery is at least once: consumers drop duplicates by messageId (the event id).
import { categoryOf } from '../../domain/events/catalog.js';
import type { RecordedEvent } from './event-store.js';

/** What an event looks like on the bus. Big integers travel as strings: JSON has none. */
export interface EventMessageBody {
  readonly stream: string;
  readonly revision: string;
  readonly position: { readonly commit: string; readonly prepare: string };
  readonly eventId: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

export interface BusMessage {
  /** `<category>.<EventType>`. */
  readonly routingKey: string;
  /** The event id: the same event published twice carries the same id. */
  readonly messageId: string;
  readonly body: EventMessageBody;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface DeliveredMessage extends BusMessage {
  /** True when the message may have been handed to a consumer before (a failed handler, a lost connection). */
  readonly redelivered: boolean;
}

/** Resolving acknowledges the message; rejecting hands it back for redelivery. */
export type MessageHandler = (message: DeliveredMessage) => Promise<void>;

export interface ConsumeOptions {
  /**
   * A named, durable queue: it keeps collecting messages while no consumer runs, and consumers of the
   * same name compete for its messages. Omitted: a private queue that lives as long as the subscription
   * (messages published while it is away are not kept for it).
   */
  readonly queue?: string;
  /** Messages handed out before the first is acknowledged; they are still handled one at a time, in order. */
  readonly prefetch?: number;
}

export interface BusSubscription {
  /** Stops consuming; resolves when the handler is no longer running. */
  close(): Promise<void>;
}

export interface Bus {
  /**
   * Resolves when the broker confirmed every message (and routed each to at least one queue).
   * Rejects with a PublishError otherwise: a nack, a returned (unroutable) message, a lost connection.
   * Messages are published in the order given. A body that is not JSON throws a TypeError before anything is sent.
   */
  publishBatch(messages: readonly BusMessage[]): Promise<void>;
  /**
   * Binding keys are topic patterns: `*` is exactly one word, `#` zero or more (`strategy.#`, `*.StrategyActivated`).
   * Resolves once the queue is bound and consuming, so messages published afterwards reach the handler.
   */
  subscribe(bindingKeys: readonly string[], handler: MessageHandler, options?: ConsumeOptions): Promise<BusSubscription>;
  close(): Promise<void>;
}

/** A batch that was not wholly confirmed. `confirmed`: how many leading messages the broker did confirm. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    message: string,
    readonly confirmed: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const routingKeyOf = (streamName: string, eventType: string): string => `${categoryOf(streamName)}.${eventType}`;

export const toBusMessage = (e: RecordedEvent): BusMessage => ({
  routingKey: routingKeyOf(e.streamName, e.type),
  messageId: e.eventId,
  body: {
    stream: e.streamName,
    revision: e.revision.toString(),
    position: { commit: e.position.commit.toString(), prepare: e.position.prepare.toString() },
    eventId: e.eventId,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
  },
});
