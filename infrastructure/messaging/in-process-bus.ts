// The bus in memory, for a single process without RabbitMQ (AMQP_URL not set). Same semantics as the
// RabbitMQ adapter: topic binding keys with `*` and `#`, a queue per subscription (or a named queue that keeps
// collecting while nobody consumes and whose consumers compete), messages in publish order, one at a time per
// consumer, a failed handler gets its message again (flagged redelivered). Bodies travel as JSON copies,
// so a consumer never shares an object with the publisher and a body that is not JSON fails at publish time.
import {
  PublishError,
  type Bus,
  type BusMessage,
  type BusSubscription,
  type ConsumeOptions,
  type DeliveredMessage,
  type MessageHandler,
} from '../../application/ports/bus.js';

/** RabbitMQ topic matching: words split on '.', `*` matches exactly one word, `#` zero or more. */
export const topicMatches = (pattern: string, routingKey: string): boolean => {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const memo = new Map<number, boolean>();
  const match = (i: number, j: number): boolean => {
    const key = i * (k.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === p.length) result = j === k.length;
    else if (p[i] === '#') result = match(i + 1, j) || (j < k.length && match(i, j + 1));
    else result = j < k.length && (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
};

export interface InProcessBusOptions {
  /**
   * Fail a batch whose message no queue is bound for, as RabbitMQ does without its journal queue.
   * Default false: such a message is dropped, as RabbitMQ's bounded journal queue would eventually drop it.
   */
  readonly rejectUnroutable?: boolean;
  /** Pause before a message whose handler failed is handed out again. Default 1 s. */
  readonly redeliveryDelayMs?: number;
  /** Where a failed handler is reported (it is retried either way). */
  readonly onHandlerError?: (err: unknown, message: DeliveredMessage) => void;
}

interface Pending {
  readonly message: BusMessage;
  redelivered: boolean;
}

interface Consumer {
  readonly handler: MessageHandler;
  busy: boolean;
  closed: boolean;
  inFlight: Promise<void>;
}

interface Queue {
  readonly name: string | undefined;
  readonly bindingKeys: Set<string>;
  readonly pending: Pending[];
  readonly consumers: Consumer[];
  /** Round-robin start among competing consumers. */
  next: number;
  /** A pump is already due on the next turn of the event loop. */
  pumpDue: boolean;
}

export class InProcessBus implements Bus {
  private readonly queues = new Set<Queue>();
  private readonly named = new Map<string, Queue>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: InProcessBusOptions = {}) {}

  async publishBatch(messages: readonly BusMessage[]): Promise<void> {
    if (this.closed) throw new PublishError('the bus is closed', 0);
    // Encode everything first, as the RabbitMQ adapter does: a body that is not JSON sends nothing.
    const copies = messages.map((m) => JSON.parse(JSON.stringify(m)) as BusMessage);
    for (const [i, message] of copies.entries()) {
      const targets = [...this.queues].filter((q) => [...q.bindingKeys].some((key) => topicMatches(key, message.routingKey)));
      if (targets.length === 0 && this.options.rejectUnroutable)
        throw new PublishError(`message ${message.messageId} (${message.routingKey}) is unroutable: no queue is bound for it`, i);
      for (const q of targets) {
        q.pending.push({ message, redelivered: false });
        this.schedulePump(q);
      }
    }
  }

  async subscribe(bindingKeys: readonly string[], handler: MessageHandler, options: ConsumeOptions = {}): Promise<BusSubscription> {
    if (bindingKeys.length === 0) throw new Error('subscribe: at least one binding key is needed');
    if (this.closed) throw new Error('the bus is closed');
    let queue = options.queue === undefined ? undefined : this.named.get(options.queue);
    if (!queue) {
      queue = { name: options.queue, bindingKeys: new Set(), pending: [], consumers: [], next: 0, pumpDue: false };
      this.queues.add(queue);
      if (options.queue !== undefined) this.named.set(options.queue, queue);
    }
    for (const key of bindingKeys) queue.bindingKeys.add(key);
    const consumer: Consumer = { handler, busy: false, closed: false, inFlight: Promise.resolve() };
    queue.consumers.push(consumer);
    const q = queue;
    this.schedulePump(q);
    return {
      close: async () => {
        if (consumer.closed) return;
        consumer.closed = true;
        q.consumers.splice(q.consumers.indexOf(consumer), 1);
        // A private queue goes with its subscription; a named one keeps collecting.
        if (q.name === undefined) this.queues.delete(q);
        await consumer.inFlight;
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const running = [...this.queues].flatMap((q) => q.consumers.map((c) => ((c.closed = true), c.inFlight)));
    this.queues.clear();
    this.named.clear();
    await Promise.all(running);
  }

  private schedulePump(q: Queue, delayMs = 0): void {
    // Never run a handler inside publishBatch or subscribe: the caller continues first, as with a broker.
    if (delayMs === 0) {
      if (q.pumpDue) return;
      q.pumpDue = true;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (delayMs === 0) q.pumpDue = false;
      this.pump(q);
    }, delayMs);
    this.timers.add(t);
  }

  private pump(q: Queue): void {
    if (this.closed || !this.queues.has(q)) return;
    const n = q.consumers.length;
    for (let k = 0; k < n && q.pending.length > 0; k++) {
      const consumer = q.consumers[(q.next + k) % n]!;
      if (consumer.busy || consumer.closed) continue;
      q.next = (q.next + k + 1) % n;
      const item = q.pending.shift()!;
      consumer.busy = true;
      consumer.inFlight = this.deliver(q, consumer, item);
      k = -1; // look at every consumer again for the next message
    }
  }

  private async deliver(q: Queue, consumer: Consumer, item: Pending): Promise<void> {
    const delivered: DeliveredMessage = { ...item.message, redelivered: item.redelivered };
    let failed = false;
    try {
      await consumer.handler(delivered);
    } catch (err) {
      failed = true;
      this.options.onHandlerError?.(err, delivered);
      // Back at the head of its queue, so order holds for a single consumer.
      item.redelivered = true;
      q.pending.unshift(item);
    } finally {
      consumer.busy = false;
    }
    this.schedulePump(q, failed ? (this.options.redeliveryDelayMs ?? 1_000) : 0);
  }
}
