// The bus on RabbitMQ: a durable topic exchange, publisher confirms in batches, mandatory publishing
// (a returned message fails the batch: an ack alone does not prove a queue got it), persistent messages,
// manual acks for consumers. One connection per bus, re-opened with backoff (p-retry) whenever it is lost;
// consumers come back on the new connection by themselves.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Message } from 'amqplib';
import pRetry, { AbortError } from 'p-retry';
import {
  PublishError,
  type Bus,
  type BusMessage,
  type BusSubscription,
  type ConsumeOptions,
  type DeliveredMessage,
  type EventMessageBody,
  type MessageHandler,
} from '../../application/ports/bus.js';
import { createLogger, type Logger } from '../logging/logger.js';

export const DEFAULT_EXCHANGE = 'mastertrade.events';

export interface RabbitMqBusOptions {
  /** amqp://user:password@host:port/vhost */
  readonly url: string;
  /** Durable topic exchange every event is published to. Default 'mastertrade.events'. */
  readonly exchange?: string;
  /** Shown by the broker (`rabbitmqctl list_connections name client_properties`). Default 'mastertrade'. */
  readonly connectionName?: string;
  /**
   * The journal queue, bound to '#' (default `<exchange>.journal`, 100 000 messages, oldest dropped first).
   * false: no journal, so a message no consumer queue is bound for is returned and fails its batch.
   */
  readonly journal?: false | { readonly queue?: string; readonly maxLength?: number };
  readonly log?: Logger;
  /** Backoff between connection attempts. Defaults: 200 ms doubling up to 10 s. */
  readonly reconnect?: { readonly minDelayMs?: number; readonly maxDelayMs?: number };
  /** How long publishBatch and subscribe wait for a connection before failing (reconnecting goes on). Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** How long publishBatch waits for the broker's confirms. Default 30 s. */
  readonly confirmTimeoutMs?: number;
  /** Pause before handing a message whose handler failed back to the queue, so a failing handler does not spin. Default 1 s. */
  readonly redeliveryDelayMs?: number;
  /** AMQP heartbeat: how soon a silently dead connection is noticed. Default 15 s. */
  readonly heartbeatSeconds?: number;
}

interface Connection {
  readonly model: ChannelModel;
  publisher: ConfirmChannel | undefined;
  alive: boolean;
}

interface Consumer {
  readonly bindingKeys: readonly string[];
  readonly handler: MessageHandler;
  readonly queue: string | undefined;
  readonly prefetch: number;
  closed: boolean;
  /** The connection the consumer runs on, so it is started once per connection. */
  model: ChannelModel | undefined;
  channel: Channel | undefined;
  consumerTag: string | undefined;
  /** Messages are handled one at a time, in the order they arrived. */
  inFlight: Promise<void>;
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Swallows the IllegalOperationError amqplib throws when acking on a channel that has closed. */
const quietly = (fn: () => void): void => {
  try {
    fn();
  } catch {
    /* the channel closed: the broker hands the message out again */
  }
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const stringHeaders = (headers: Record<string, unknown> | undefined): Record<string, string> | undefined => {
  if (!headers) return undefined;
  const entries = Object.entries(headers).filter(([, v]) => v !== undefined && v !== null);
  return entries.length === 0 ? undefined : Object.fromEntries(entries.map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]));
};

export class RabbitMqBus implements Bus {
  readonly exchange: string;
  readonly connectionName: string;
  readonly journalQueue: string | undefined;
  private readonly journalMaxLength: number;
  private readonly log: Logger;
  private readonly url: string;
  private readonly connectTimeoutMs: number;
  private readonly confirmTimeoutMs: number;
  private readonly redeliveryDelayMs: number;
  private readonly abort = new AbortController();
  private readonly consumers = new Set<Consumer>();
  private connected: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private lastConnectError: unknown;
  private publishChain: Promise<void> = Promise.resolve();
  /** Message ids the broker returned during the batch in hand. */
  private returned: Set<string> | undefined;
  private closing = false;
  private connects = 0;

  constructor(private readonly options: RabbitMqBusOptions) {
    this.exchange = options.exchange ?? DEFAULT_EXCHANGE;
    this.connectionName = options.connectionName ?? 'mastertrade';
    this.journalQueue = options.journal === false ? undefined : (options.journal?.queue ?? `${this.exchange}.journal`);
    this.journalMaxLength = (options.journal || undefined)?.maxLength ?? 100_000;
    this.log = options.log ?? createLogger('silent');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? 30_000;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 1_000;
    const url = new URL(options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', String(options.heartbeatSeconds ?? 15));
    this.url = url.toString();
  }

  /** How many times a connection was opened (1 after the first, 2 after one reconnect, …). */
  get connectionCount(): number {
    return this.connects;
  }

  get isConnected(): boolean {
    return this.connected?.alive === true;
  }

  /** Connects now instead of on first use; resolves once connected (or rejects after connectTimeoutMs). */
  async start(): Promise<void> {
    await this.connectedWithin(this.connectTimeoutMs);
  }

  publishBatch(messages: readonly BusMessage[]): Promise<void> {
    // One batch at a time on the confirm channel, so a batch's confirms and returns are its own.
    const run = this.publishChain.then(() => this.publishNow(messages));
    this.publishChain = run.catch(() => undefined);
    return run;
  }

  async subscribe(bindingKeys: readonly string[], handler: MessageHandler, options: ConsumeOptions = {}): Promise<BusSubscription> {
    if (bindingKeys.length === 0) throw new Error('subscribe: at least one binding key is needed');
    if (this.closing) throw new Error('the bus is closed');
    const consumer: Consumer = {
      bindingKeys: [...bindingKeys],
      handler,
      queue: options.queue,
      prefetch: options.prefetch ?? 20,
      closed: false,
      model: undefined,
      channel: undefined,
      consumerTag: undefined,
      inFlight: Promise.resolve(),
    };
    this.consumers.add(consumer);
    try {
      const conn = await this.connectedWithin(this.connectTimeoutMs);
      await this.startConsumer(conn, consumer);
    } catch (err) {
      await this.stopConsumer(consumer);
      throw err;
    }
    return { close: () => this.stopConsumer(consumer) };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.abort.abort(new Error('the bus is closed'));
    await Promise.all([...this.consumers].map((c) => this.stopConsumer(c)));
    const conn = this.connected;
    this.connected = undefined;
    if (conn) await conn.model.close().catch(() => undefined); // fails a batch in flight at once
    await this.publishChain;
    await this.connecting?.catch(() => undefined);
  }

  // --- publishing ---------------------------------------------------------------------------

  private async publishNow(messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.closing) throw new PublishError('the bus is closed', 0);
    const contents = messages.map((m) => Buffer.from(JSON.stringify(m.body)));
    let channel: ConfirmChannel;
    let conn: Connection;
    try {
      conn = await this.connectedWithin(this.connectTimeoutMs);
      channel = conn.publisher ?? (conn.publisher = await this.openPublisher(conn));
    } catch (err) {
      throw new PublishError(errorMessage(err), 0, { cause: err });
    }

    const returned = new Set<string>();
    this.returned = returned;
    const settles: ((err: Error | null) => void)[] = [];
    const outcomes = messages.map(() => new Promise<Error | null>((resolve) => settles.push(resolve)));
    const settleRest = (from: number, err: Error) => settles.slice(from).forEach((settle) => settle(err));
    const timer = setTimeout(() => {
      // No answer from the broker: give up on this channel; confirms that still come are for nobody.
      settleRest(0, new Error(`no confirm from the broker within ${this.confirmTimeoutMs} ms`));
      if (conn.publisher === channel) conn.publisher = undefined;
      void channel.close().catch(() => undefined);
    }, this.confirmTimeoutMs);
    try {
      for (const [i, m] of messages.entries()) {
        try {
          const hasRoom = channel.publish(
            this.exchange,
            m.routingKey,
            contents[i]!,
            {
              persistent: true,
              mandatory: true,
              messageId: m.messageId,
              contentType: 'application/json',
              type: m.body.type,
              appId: 'mastertrade',
              headers: m.headers,
            },
            (err: unknown) => settles[i]!(err ? (err instanceof Error ? err : new Error(errorMessage(err))) : null),
          );
          if (!hasRoom) await drained(channel);
        } catch (err) {
          // The channel closed under us: this message and the ones after it were never sent.
          settleRest(i, err instanceof Error ? err : new Error(String(err)));
          break;
        }
      }
      // waitForConfirms rejects at the first nack; the outcomes below tell how far the batch got.
      await channel.waitForConfirms().catch(() => undefined);
      const results = await Promise.all(outcomes);
      let confirmed = 0;
      while (confirmed < messages.length && results[confirmed] === null && !returned.has(messages[confirmed]!.messageId)) confirmed++;
      if (confirmed === messages.length) return;
      const failed = messages[confirmed]!;
      const reason = returned.has(failed.messageId)
        ? `message ${failed.messageId} (${failed.routingKey}) was returned by the broker: no queue is bound for it`
        : `message ${failed.messageId} (${failed.routingKey}) was not confirmed: ${results[confirmed]?.message ?? 'unknown'}`;
      throw new PublishError(reason, confirmed);
    } finally {
      clearTimeout(timer);
      this.returned = undefined;
    }
  }

  private async openPublisher(conn: Connection): Promise<ConfirmChannel> {
    // Declared again with every new publisher channel: an exchange deleted under a running bus comes back.
    await this.declareTopology(conn.model);
    const channel = await conn.model.createConfirmChannel();
    channel.on('error', (err: Error) => this.log.warn({ err: err.message }, 'RabbitMQ publisher channel error'));
    channel.on('close', () => {
      if (conn.publisher === channel) conn.publisher = undefined;
    });
    channel.on('return', (msg: Message) => {
      const id = msg.properties.messageId as string | undefined;
      this.log.warn(
        { messageId: id, routingKey: msg.fields.routingKey, reply: (msg.fields as { replyText?: string }).replyText },
        'RabbitMQ returned a message',
      );
      if (id !== undefined) this.returned?.add(id);
    });
    return channel;
  }

  // --- consuming ----------------------------------------------------------------------------

  private async startConsumer(conn: Connection, c: Consumer): Promise<void> {
    if (c.closed || c.model === conn.model) return;
    c.model = conn.model;
    const channel = await conn.model.createChannel();
    c.channel = channel;
    channel.on('error', (err: Error) => this.log.warn({ err: err.message, bindingKeys: c.bindingKeys }, 'RabbitMQ consumer channel error'));
    channel.on('close', () => {
      if (c.channel === channel) c.channel = undefined;
    });
    await channel.prefetch(c.prefetch);
    const { queue } = c.queue
      ? await channel.assertQueue(c.queue, { durable: true })
      : await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const key of c.bindingKeys) await channel.bindQueue(queue, this.exchange, key);
    const { consumerTag } = await channel.consume(
      queue,
      (msg) => {
        if (msg === null) {
          this.log.warn({ queue, bindingKeys: c.bindingKeys }, 'RabbitMQ cancelled a consumer (its queue was deleted?)');
          return;
        }
        c.inFlight = c.inFlight.then(() => this.deliver(c, channel, msg));
      },
      { noAck: false },
    );
    c.consumerTag = consumerTag;
  }

  private async deliver(c: Consumer, channel: Channel, msg: ConsumeMessage): Promise<void> {
    // Unacked messages go back to the queue when the channel closes.
    if (c.closed || c.channel !== channel) return;
    let body: EventMessageBody;
    try {
      body = JSON.parse(msg.content.toString('utf8')) as EventMessageBody;
    } catch (err) {
      this.log.error({ err: errorMessage(err), messageId: msg.properties.messageId }, 'dropping a message that is not JSON');
      quietly(() => channel.nack(msg, false, false));
      return;
    }
    const delivered: DeliveredMessage = {
      routingKey: msg.fields.routingKey,
      messageId: String(msg.properties.messageId ?? ''),
      body,
      headers: stringHeaders(msg.properties.headers),
      redelivered: msg.fields.redelivered,
    };
    try {
      await c.handler(delivered);
      quietly(() => channel.ack(msg));
    } catch (err) {
      this.log.warn(
        { err: errorMessage(err), messageId: delivered.messageId, routingKey: delivered.routingKey },
        'message handler failed; the message will be redelivered',
      );
      if (!c.closed) await sleep(this.redeliveryDelayMs);
      quietly(() => channel.nack(msg, false, true));
    }
  }

  private async stopConsumer(c: Consumer): Promise<void> {
    if (c.closed) return;
    c.closed = true;
    this.consumers.delete(c);
    const channel = c.channel;
    if (channel && c.consumerTag) await channel.cancel(c.consumerTag).catch(() => undefined);
    await c.inFlight;
    c.channel = undefined;
    await channel?.close().catch(() => undefined);
  }

  // --- the connection -----------------------------------------------------------------------

  private async connectedWithin(ms: number): Promise<Connection> {
    if (this.connected?.alive) return this.connected;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const last = this.lastConnectError === undefined ? '' : `: ${errorMessage(this.lastConnectError)}`;
        reject(new Error(`no connection to RabbitMQ within ${ms} ms${last}`));
      }, ms);
    });
    try {
      return await Promise.race([this.ensureConnected(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One reconnect loop at a time, retrying forever with backoff until connected or closed. */
  private ensureConnected(): Promise<Connection> {
    if (this.connected?.alive) return Promise.resolve(this.connected);
    if (this.closing) return Promise.reject(new Error('the bus is closed'));
    if (!this.connecting) {
      const connecting = pRetry(() => this.openOnce(), {
        retries: Infinity,
        factor: 2,
        minTimeout: this.options.reconnect?.minDelayMs ?? 200,
        maxTimeout: this.options.reconnect?.maxDelayMs ?? 10_000,
        randomize: true,
        signal: this.abort.signal,
        onFailedAttempt: ({ error, attemptNumber }) => {
          this.lastConnectError = error;
          this.log.warn({ err: error.message, attempt: attemptNumber, connectionName: this.connectionName }, 'RabbitMQ connection attempt failed; retrying');
        },
      }).finally(() => {
        this.connecting = undefined;
      });
      connecting.catch(() => undefined); // observed by whoever awaits it
      this.connecting = connecting;
    }
    return this.connecting;
  }

  private async openOnce(): Promise<Connection> {
    const model = await amqp.connect(this.url, { clientProperties: { connection_name: this.connectionName }, timeout: 10_000 });
    const conn: Connection = { model, publisher: undefined, alive: true };
    model.on('error', (err: Error) => this.log.warn({ err: err.message, connectionName: this.connectionName }, 'RabbitMQ connection error'));
    model.on('close', (err?: Error) => this.onConnectionClosed(conn, err));
    model.on('blocked', (reason: string) => this.log.warn({ reason }, 'RabbitMQ blocked publishing (resource alarm)'));
    model.on('unblocked', () => this.log.info('RabbitMQ unblocked publishing'));
    try {
      if (this.closing) throw new AbortError('the bus is closed');
      conn.publisher = await this.openPublisher(conn);
      for (const c of this.consumers) {
        // One broken consumer must not keep the publisher (and every other consumer) offline.
        await this.startConsumer(conn, c).catch((err) => {
          if (conn.alive) this.log.error({ err: errorMessage(err), bindingKeys: c.bindingKeys }, 'could not restart a consumer');
        });
      }
      if (!conn.alive) throw new Error('the connection closed while it was being set up');
      if (this.closing) throw new AbortError('the bus is closed');
    } catch (err) {
      await model.close().catch(() => undefined);
      throw err;
    }
    this.connects++;
    this.connected = conn;
    this.lastConnectError = undefined;
    this.log.info({ connectionName: this.connectionName, exchange: this.exchange, connects: this.connects }, 'connected to RabbitMQ');
    return conn;
  }

  private async declareTopology(model: ChannelModel): Promise<void> {
    // A channel of its own: a declaration the broker refuses closes that channel, not the connection.
    const channel = await model.createChannel();
    channel.on('error', () => undefined); // the refusal also rejects the call below
    try {
      await channel.assertExchange(this.exchange, 'topic', { durable: true });
      if (this.journalQueue) {
        // Publishing is mandatory and a returned message fails its batch. On a fresh broker, before any
        // consumer declared its queue, every message would come back and the mirror would never advance;
        // the journal is a route that always exists (and a bounded record of recent events: the oldest
        // messages are dropped, never the publish refused).
        await channel.assertQueue(this.journalQueue, {
          durable: true,
          arguments: { 'x-max-length': this.journalMaxLength, 'x-overflow': 'drop-head' },
        });
        await channel.bindQueue(this.journalQueue, this.exchange, '#');
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private onConnectionClosed(conn: Connection, err: Error | undefined): void {
    conn.alive = false;
    conn.publisher = undefined;
    if (this.connected !== conn) return;
    this.connected = undefined;
    for (const c of this.consumers) {
      if (c.model === conn.model) {
        c.model = undefined;
        c.channel = undefined;
      }
    }
    if (this.closing) return;
    this.log.warn({ err: err?.message, connectionName: this.connectionName }, 'lost the RabbitMQ connection; reconnecting');
    void this.ensureConnected().catch(() => undefined);
  }
}

/** Resolves when the channel can take more, or when it closed (the next publish then fails). */
const drained = (channel: Channel): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.on('drain', done);
    channel.on('close', done);
  });
