// The backtest work queue on RabbitMQ (BacktestJobQueue): one durable queue, competing consumers on any number of
// machines.
// - submit: persistent message (message id = job id, JSON body) on a confirm channel, published `mandatory` to
//   the queue: it resolves only once the broker confirmed it and did not return it.
// - consume: prefetch N, manual acks. Each message body is decoded with the BacktestJob codec; a malformed one is
//   rejected without requeue, which dead-letters it to `<queue>.dead` (never redelivered forever). A job is acked
//   ONLY after record(job, outcome) resolved; if run or record throws, it is nacked with requeue (after a short
//   pause) and the broker hands it out again. A consumer whose process dies mid-job never acked it: the broker
//   redelivers it (redelivered = true) to another consumer. record must be idempotent by jobId.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import pRetry from 'p-retry';
import { decodeBacktestJob, BacktestJobCodec } from '../../application/backtest/job-codec.js';
import type { BacktestJob, BacktestJobOutcome, BacktestJobQueue, RecordBacktestOutcome } from '../../application/ports/backtest-jobs.js';
import { createLogger, type Logger } from '../logging/logger.js';

export const DEFAULT_BACKTEST_QUEUE = 'mastertrade.backtest.jobs';

export interface RabbitMqJobQueueOptions {
  /** amqp://user:password@host:port/vhost */
  readonly url: string;
  /** Durable work queue. Default 'mastertrade.backtest.jobs'; malformed messages go to `<queue>.dead`. */
  readonly queue?: string;
  readonly log?: Logger;
  /** How long submit waits for the broker's confirm. Default 30 s. */
  readonly confirmTimeoutMs?: number;
  /** Pause before a failed job is handed back to the queue, so a failing job does not spin. Default 1 s. */
  readonly redeliveryDelayMs?: number;
  /** Shown by the broker (`rabbitmqctl list_connections client_properties`). */
  readonly connectionName?: string;
}

/** What a consumer learns about each delivery, besides the job (for logs, metrics and tests). */
export interface DeliveryInfo {
  readonly jobId: string | undefined;
  readonly redelivered: boolean;
  readonly deliveryTag: number;
  /** 'malformed' when the message was dead-lettered without running. */
  readonly status: 'received' | 'acked' | 'requeued' | 'malformed';
  readonly error?: string;
}

export interface ConsumeJobOptions {
  /** Jobs in progress at once on this consumer (unacked deliveries). Default 1. */
  readonly prefetch?: number;
  readonly onDelivery?: (info: DeliveryInfo) => void;
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RabbitMqJobQueue implements BacktestJobQueue {
  readonly queue: string;
  readonly deadLetterQueue: string;
  private model: ChannelModel | undefined;
  private publisher: Promise<ConfirmChannel> | undefined;
  private opening: Promise<ChannelModel> | undefined;
  private readonly returned = new Set<string>();
  private readonly consumers = new Set<{ stop(): Promise<void> }>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: RabbitMqJobQueueOptions) {
    this.queue = options.queue ?? DEFAULT_BACKTEST_QUEUE;
    this.deadLetterQueue = `${this.queue}.dead`;
    this.log = options.log ?? createLogger(process.env['LOG_LEVEL'] ?? 'info', 'backtest-queue');
  }

  /** Declares the work queue and its dead-letter queue (idempotent; submit and consume do it too). */
  async declare(channel?: Channel): Promise<void> {
    const ch = channel ?? (await this.publisherChannel());
    await ch.assertQueue(this.deadLetterQueue, { durable: true });
    await ch.assertQueue(this.queue, {
      durable: true,
      // Rejected without requeue → dead-lettered through the default exchange to `<queue>.dead`.
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': this.deadLetterQueue },
    });
  }

  async submit(job: BacktestJob): Promise<void> {
    const body = Buffer.from(JSON.stringify(BacktestJobCodec.encode(job)));
    const ch = await this.publisherChannel();
    const timeoutMs = this.options.confirmTimeoutMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`backtest job ${job.jobId}: no broker confirm after ${timeoutMs} ms`)), timeoutMs);
      try {
        ch.sendToQueue(
          this.queue,
          body,
          { persistent: true, messageId: job.jobId, contentType: 'application/json', mandatory: true, type: 'BacktestJob' },
          (err: unknown) => {
            clearTimeout(timer);
            // A basic.return precedes the ack of the same message: by now it has been seen.
            if (this.returned.delete(job.jobId)) reject(new Error(`backtest job ${job.jobId} was returned: queue ${this.queue} does not exist`));
            else if (err) reject(new Error(`backtest job ${job.jobId} was not confirmed: ${errorMessage(err)}`));
            else resolve();
          },
        );
      } catch (e) {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  async consume(
    run: (job: BacktestJob) => Promise<BacktestJobOutcome>,
    record: RecordBacktestOutcome,
    options: ConsumeJobOptions = {},
  ): Promise<{ stop(): Promise<void> }> {
    const inFlight = new Set<Promise<void>>();
    let stopped = false;
    let ch: Channel | undefined;
    let consumerTag: string | undefined;
    const notify = (info: DeliveryInfo) => {
      try {
        options.onDelivery?.(info);
      } catch {
        /* an observer's failure is not the job's */
      }
    };
    const quietly = (fn: () => void) => {
      try {
        fn();
      } catch {
        /* channel closed: the broker hands the message out again */
      }
    };
    // Acks and nacks go to the channel the message came on: after a reconnect the broker redelivers what the
    // old channel had not acked, and recording is idempotent by job id.
    const handle = async (from: Channel, msg: ConsumeMessage): Promise<void> => {
      const { redelivered, deliveryTag } = msg.fields;
      let job: BacktestJob;
      try {
        job = decodeBacktestJob(JSON.parse(msg.content.toString('utf8')));
      } catch (e) {
        this.log.warn({ messageId: msg.properties.messageId, error: errorMessage(e) }, 'malformed backtest job dead-lettered');
        quietly(() => from.nack(msg, false, false));
        notify({ jobId: msg.properties.messageId as string | undefined, redelivered, deliveryTag, status: 'malformed', error: errorMessage(e) });
        return;
      }
      notify({ jobId: job.jobId, redelivered, deliveryTag, status: 'received' });
      try {
        const outcome = await run(job);
        await record(job, outcome);
      } catch (e) {
        this.log.warn({ jobId: job.jobId, error: errorMessage(e) }, 'backtest job failed; handing it back to the queue');
        await sleep(this.options.redeliveryDelayMs ?? 1000);
        quietly(() => from.nack(msg, false, true));
        notify({ jobId: job.jobId, redelivered, deliveryTag, status: 'requeued', error: errorMessage(e) });
        return;
      }
      quietly(() => from.ack(msg));
      notify({ jobId: job.jobId, redelivered, deliveryTag, status: 'acked' });
    };
    const start = async (): Promise<void> => {
      const model = await this.connection();
      const c = await model.createChannel();
      c.on('error', (e: unknown) => this.log.warn({ error: errorMessage(e) }, 'backtest queue consumer channel error'));
      c.on('close', () => {
        if (stopped || this.closed) return;
        // Lost the channel (broker restart, connection cut): consume again, with backoff, until stopped.
        this.log.warn({ queue: this.queue }, 'backtest queue consumer lost its channel; reconnecting');
        void pRetry(
          async () => {
            if (stopped || this.closed) return;
            await start();
          },
          { retries: Infinity, minTimeout: 500, maxTimeout: 30_000, onFailedAttempt: ({ attemptNumber, error }) => this.log.warn({ attempt: attemptNumber, error: errorMessage(error) }, 'backtest queue reconnect failed') },
        );
      });
      await this.declare(c);
      await c.prefetch(Math.max(1, options.prefetch ?? 1));
      const r = await c.consume(
        this.queue,
        (msg) => {
          if (msg === null) return; // cancelled by the broker (queue deleted)
          const p = handle(c, msg).finally(() => inFlight.delete(p));
          inFlight.add(p);
        },
        { noAck: false },
      );
      ch = c;
      consumerTag = r.consumerTag;
    };
    await start();
    const consumer = {
      stop: async (): Promise<void> => {
        if (stopped) return;
        stopped = true;
        this.consumers.delete(consumer);
        try {
          if (ch && consumerTag) await ch.cancel(consumerTag); // no new deliveries
        } catch {
          /* channel already closed */
        }
        await Promise.allSettled([...inFlight]); // let jobs in progress ack
        try {
          await ch?.close(); // anything unacked is requeued by the broker
        } catch {
          /* already closed */
        }
      },
    };
    this.consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.consumers].map((c) => c.stop()));
    const model = this.model;
    this.model = undefined;
    this.publisher = undefined;
    if (model !== undefined)
      try {
        await model.close();
      } catch {
        /* already closed */
      }
  }

  private async connection(): Promise<ChannelModel> {
    if (this.closed) throw new Error('the backtest job queue is closed');
    if (this.model !== undefined) return this.model;
    this.opening ??= (async () => {
      const model = await amqp.connect(this.options.url, {
        clientProperties: { connection_name: this.options.connectionName ?? `mastertrade-backtest-${process.pid}` },
      });
      model.on('error', (e: unknown) => this.log.warn({ error: errorMessage(e) }, 'backtest queue connection error'));
      model.on('close', () => {
        if (this.model === model) {
          this.model = undefined;
          this.publisher = undefined;
        }
      });
      this.model = model;
      return model;
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private publisherChannel(): Promise<ConfirmChannel> {
    if (this.publisher !== undefined) return this.publisher;
    const p = (async () => {
      const model = await this.connection();
      const ch = await model.createConfirmChannel();
      ch.on('return', (msg: ConsumeMessage) => {
        const id = msg.properties.messageId;
        if (typeof id === 'string') this.returned.add(id);
      });
      ch.on('error', (e: unknown) => this.log.warn({ error: errorMessage(e) }, 'backtest queue publisher channel error'));
      ch.on('close', () => {
        if (this.publisher === p) this.publisher = undefined;
      });
      await this.declare(ch);
      return ch;
    })();
    this.publisher = p;
    p.catch(() => {
      if (this.publisher === p) this.publisher = undefined;
    });
    return p;
  }
}
