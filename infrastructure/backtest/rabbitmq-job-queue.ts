// The backtest work queue on RabbitMQ (BacktestJobQueue): one durable queue, competing consumers on any number of
// machines.
// - submit: persistent message (message id = job id, JSON body) on a confirm channel, published `mandatory` to
//   the queue: it resolves only once the broker confirmed it and did not return it.
// - consume: prefetch N, manual acks. Each message body is decoded with the BacktestJob codec; a malformed one is
//   rejected without requeue, which dead-letters it to `<queue>.dead` (never redelivered forever). A job is acked
//   ONLY after record(job, outcome) resolved; if run or record throws, it is nacked with requeue (after a pause that
//   doubles with each attempt) and the broker hands it out again. A consumer whose process dies mid-job never acked
//   it: the broker redelivers it (redelivered = true) to another consumer. record must be idempotent by jobId.
// - Delivery limit (poison jobs). The work queue is a quorum queue: the broker counts the deliveries of each message
//   (`x-delivery-count`, absent on the first), including those ended by a consumer that died or lost its connection.
//   The consumer, not a separate watcher, ends every job that cannot finish, so the job always ends on its record:
//     · delivery n ≤ deliveryLimit: run it. If it throws and n = deliveryLimit, record BacktestFailed
//       ATTEMPTS_EXHAUSTED (with the last error) and ack instead of requeueing.
//     · delivery n > deliveryLimit: its last run ended without an ack or a nack, i.e. the process running it died
//       or lost its connection (a job that crashes or exhausts its worker process does this). It is not run again:
//       record BacktestFailed WORKER_LOST and ack.
//     · if recording that failure throws, the message is dead-lettered to `<queue>.dead` (logged as an error).
//   The broker's own limit (`x-delivery-limit` = deliveryLimit + 1, so deliveryLimit + 2 deliveries) is only a
//   backstop for a give-up delivery that itself dies; what it dead-letters also lands in `<queue>.dead`. So a job
//   runs at most deliveryLimit times, and nothing loops forever. A dead-letter watcher was not needed: the broker
//   always gives the consumer one more delivery after the last run, and `<queue>.dead` stays a parking place for
//   messages an operator should look at (malformed ones, failures that could not be recorded).
//   Caveat: a process that dies takes every job it holds (up to prefetch) with it, and each of those deliveries
//   counts; a job that crashes its process every time can use up the attempts of jobs prefetched alongside it.
// - A queue's type and arguments cannot change once declared: a queue of the same name declared otherwise (the
//   classic queue of earlier versions, another delivery limit) fails with a QueueDeclarationError saying what to do.
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import pRetry, { AbortError } from 'p-retry';
import { decodeBacktestJob, BacktestJobCodec } from '../../application/backtest/job-codec.js';
import type { BacktestJob, BacktestJobOutcome, BacktestJobQueue, RecordBacktestOutcome } from '../../application/ports/backtest-jobs.js';
import { createLogger, type Logger } from '../logging/logger.js';

export const DEFAULT_BACKTEST_QUEUE = 'mastertrade.backtest.jobs';
/** Runs per job before it is recorded as failed (see the header). */
export const DEFAULT_DELIVERY_LIMIT = 5;
/** The longest pause before a failed job goes back to the queue. */
const MAX_REDELIVERY_DELAY_MS = 60_000;

export interface RabbitMqJobQueueOptions {
  /** amqp://user:password@host:port/vhost */
  readonly url: string;
  /** Durable work queue. Default 'mastertrade.backtest.jobs'; malformed messages go to `<queue>.dead`. */
  readonly queue?: string;
  readonly log?: Logger;
  /** How long submit waits for the broker's confirm. Default 30 s. */
  readonly confirmTimeoutMs?: number;
  /**
   * Pause before a failed job is handed back to the queue, so a failing job does not spin; doubled at each attempt
   * (1 s, 2 s, 4 s, … by default, at most 60 s), so that the attempts of a job outlast a short outage.
   */
  readonly redeliveryDelayMs?: number;
  /**
   * How many times a job runs at most (default 5) before it is recorded as failed (ATTEMPTS_EXHAUSTED, or
   * WORKER_LOST when its worker died every time). It is also a queue argument: every process declaring the queue
   * must use the same value, and changing it means deleting the (empty) queue.
   */
  readonly deliveryLimit?: number;
  /** Shown by the broker (`rabbitmqctl list_connections client_properties`). */
  readonly connectionName?: string;
}

/** What a consumer learns about each delivery, besides the job (for logs, metrics and tests). */
export interface DeliveryInfo {
  readonly jobId: string | undefined;
  readonly redelivered: boolean;
  readonly deliveryTag: number;
  /** 1 for the first delivery of the message, 2 for its first redelivery, … (from `x-delivery-count`). */
  readonly attempt: number;
  /**
   * received: about to run (or, past the limit, to be given up); acked: recorded; requeued: failed, handed back;
   * given-up: recorded as failed (attempts exhausted or worker lost) and acked; dead-lettered: given up but the
   * failure could not be recorded; malformed: dead-lettered without running.
   */
  readonly status: 'received' | 'acked' | 'requeued' | 'given-up' | 'dead-lettered' | 'malformed';
  readonly error?: string;
}

export interface ConsumeJobOptions {
  /** Jobs in progress at once on this consumer (unacked deliveries). Default 1. */
  readonly prefetch?: number;
  readonly onDelivery?: (info: DeliveryInfo) => void;
}

/** A queue exists on the broker with another type or other arguments than this process declares. */
export class QueueDeclarationError extends Error {
  override readonly name = 'QueueDeclarationError';
  constructor(
    readonly queue: string,
    message: string,
    readonly brokerMessage: string,
  ) {
    super(message);
  }
}

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** How many times the broker handed this message out before (`x-delivery-count` of quorum queues; absent → 0). */
const earlierDeliveries = (msg: ConsumeMessage): number => {
  const v: unknown = msg.properties.headers?.['x-delivery-count'];
  const n = typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? Number(v) : 0;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

/** A clear error for a PRECONDITION_FAILED queue.declare (the channel is closed by then), or the error itself. */
const declarationError = (e: unknown, queue: string, workQueue: boolean): unknown => {
  const code = (e as { code?: unknown } | null)?.code;
  const broker = errorMessage(e);
  if (code !== 406 && !broker.includes('PRECONDITION_FAILED')) return e;
  const arg = /inequivalent arg '([^']+)'/.exec(broker)?.[1];
  const fix = `Let the previous workers drain it, stop every process using it, delete it (rabbitmqctl delete_queue --if-empty ${queue}) and start them again, or use another queue name (the \`queue\` option of RabbitMqJobQueue); see doc/backtesting.md`;
  if (workQueue && arg === 'x-queue-type' && /current is none/.test(broker))
    return new QueueDeclarationError(
      queue,
      `RabbitMQ queue ${queue} exists as a classic queue, but the backtest work queue is now a quorum queue (it counts deliveries, so that a job that keeps failing or crashing its worker is given up) and a queue cannot change its type. ${fix}.`,
      broker,
    );
  if (workQueue && arg === 'x-delivery-limit')
    return new QueueDeclarationError(
      queue,
      `RabbitMQ queue ${queue} was declared with another delivery limit than this process uses (${broker}). Every process using the queue must be configured with the same deliveryLimit; to change it, ${fix.charAt(0).toLowerCase()}${fix.slice(1)}.`,
      broker,
    );
  return new QueueDeclarationError(queue, `RabbitMQ queue ${queue} exists with other settings than this process declares (${broker}). ${fix}.`, broker);
};

export class RabbitMqJobQueue implements BacktestJobQueue {
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly deliveryLimit: number;
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
    this.deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
    if (!Number.isSafeInteger(this.deliveryLimit) || this.deliveryLimit < 1)
      throw new Error(`deliveryLimit must be an integer >= 1, got ${this.deliveryLimit}`);
    this.log = options.log ?? createLogger(process.env['LOG_LEVEL'] ?? 'info', 'backtest-queue');
  }

  /**
   * Declares the work queue (quorum) and its dead-letter queue (classic) — idempotent; submit and consume do it too.
   * Rejects with a QueueDeclarationError when a queue of that name exists with another type or other arguments.
   */
  async declare(channel?: Channel): Promise<void> {
    const ch = channel ?? (await this.publisherChannel());
    try {
      await ch.assertQueue(this.deadLetterQueue, { durable: true });
    } catch (e) {
      throw declarationError(e, this.deadLetterQueue, false);
    }
    try {
      await ch.assertQueue(this.queue, {
        durable: true, // quorum queues are always durable, never exclusive or auto-delete
        arguments: {
          'x-queue-type': 'quorum',
          // The consumer gives up after deliveryLimit runs, on delivery deliveryLimit + 1; the broker allows one more
          // as a spare (a broker dead-letters a message whose delivery count exceeds the limit).
          'x-delivery-limit': this.deliveryLimit + 1,
          // Rejected without requeue, or past the delivery limit → dead-lettered through the default exchange.
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': this.deadLetterQueue,
        },
      });
    } catch (e) {
      throw declarationError(e, this.queue, true);
    }
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
    const limit = this.deliveryLimit;
    const baseDelay = this.options.redeliveryDelayMs ?? 1000;
    // The pause before a requeue ends early when the consumer stops, so that stop() does not wait it out.
    const pauses = new Set<() => void>();
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          pauses.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        pauses.add(done);
      });
    // Acks and nacks go to the channel the message came on: after a reconnect the broker redelivers what the
    // old channel had not acked, and recording is idempotent by job id.
    const handle = async (from: Channel, msg: ConsumeMessage): Promise<void> => {
      const { redelivered, deliveryTag } = msg.fields;
      const attempt = earlierDeliveries(msg) + 1;
      let job: BacktestJob;
      try {
        job = decodeBacktestJob(JSON.parse(msg.content.toString('utf8')));
      } catch (e) {
        this.log.warn({ messageId: msg.properties.messageId, error: errorMessage(e) }, 'malformed backtest job dead-lettered');
        quietly(() => from.nack(msg, false, false));
        notify({ jobId: msg.properties.messageId as string | undefined, redelivered, deliveryTag, attempt, status: 'malformed', error: errorMessage(e) });
        return;
      }
      const jobId = job.jobId;
      notify({ jobId, redelivered, deliveryTag, attempt, status: 'received' });
      // Records the job as failed and acks it; if even that cannot be recorded, parks it in `<queue>.dead`.
      const giveUp = async (code: string, error: string): Promise<void> => {
        try {
          await record(job, { ok: false, jobId, code, error });
        } catch (e) {
          this.log.error(
            { jobId, attempt, code, reason: error, error: errorMessage(e), deadLetterQueue: this.deadLetterQueue },
            'backtest job given up, but its failure could not be recorded: dead-lettered',
          );
          quietly(() => from.nack(msg, false, false));
          notify({ jobId, redelivered, deliveryTag, attempt, status: 'dead-lettered', error: errorMessage(e) });
          return;
        }
        this.log.warn({ jobId, attempt, code, reason: error }, 'backtest job given up: recorded as failed');
        quietly(() => from.ack(msg));
        notify({ jobId, redelivered, deliveryTag, attempt, status: 'given-up', error });
      };
      if (attempt > limit) {
        // Its last allowed run ended without an ack or a nack: the process running it died or lost its broker
        // connection. Running it again would likely take one more worker down.
        await giveUp(
          'WORKER_LOST',
          `ran ${limit} times without finishing: the worker process running it died or lost its broker connection (a job that crashes or exhausts its worker process does this, and so can another job in the same process)`,
        );
        return;
      }
      try {
        const outcome = await run(job);
        await record(job, outcome);
      } catch (e) {
        if (attempt >= limit) {
          await giveUp('ATTEMPTS_EXHAUSTED', `gave up after ${attempt} attempts; the last one failed: ${errorMessage(e)}`);
          return;
        }
        this.log.warn({ jobId, attempt, deliveryLimit: limit, error: errorMessage(e) }, 'backtest job failed; handing it back to the queue');
        if (!stopped) await pause(Math.min(baseDelay * 2 ** (attempt - 1), MAX_REDELIVERY_DELAY_MS));
        quietly(() => from.nack(msg, false, true));
        notify({ jobId, redelivered, deliveryTag, attempt, status: 'requeued', error: errorMessage(e) });
        return;
      }
      quietly(() => from.ack(msg));
      notify({ jobId, redelivered, deliveryTag, attempt, status: 'acked' });
    };
    // start() until it works, except when the queue cannot be declared (a QueueDeclarationError stays) or the
    // consumer was stopped meanwhile.
    const startWithRetries = (retries: number, what: string) =>
      pRetry(
        async () => {
          if (stopped) return;
          if (this.closed) throw new AbortError('the backtest job queue is closed');
          try {
            await start();
          } catch (e) {
            throw e instanceof QueueDeclarationError ? new AbortError(e) : e;
          }
        },
        {
          retries,
          minTimeout: 200,
          maxTimeout: 30_000,
          onFailedAttempt: ({ attemptNumber, error }) => this.log.warn({ attempt: attemptNumber, error: errorMessage(error) }, what),
        },
      );
    // Lost the channel (broker restart, connection cut): consume again, with backoff, until stopped.
    const reconnect = () => {
      this.log.warn({ queue: this.queue }, 'backtest queue consumer lost its channel; reconnecting');
      startWithRetries(Infinity, 'backtest queue reconnect failed').catch((e: unknown) => {
        if (!this.closed) this.log.error({ queue: this.queue, error: errorMessage(e) }, 'backtest queue consumer stopped: it cannot consume the queue');
      });
    };
    const start = async (): Promise<void> => {
      const model = await this.connection();
      const c = await model.createChannel();
      let consuming = false;
      let lost = false;
      c.on('error', (e: unknown) => this.log.warn({ error: errorMessage(e) }, 'backtest queue consumer channel error'));
      c.on('close', () => {
        lost = true;
        // A channel that never started consuming is not reconnected here: its start() call fails instead.
        if (consuming && !stopped && !this.closed) reconnect();
      });
      try {
        await this.declare(c); // a PRECONDITION_FAILED closes the channel
        await c.prefetch(Math.max(1, options.prefetch ?? 1)); // per consumer (quorum queues have no global prefetch)
        const r = await c.consume(
          this.queue,
          (msg) => {
            if (msg === null) return; // cancelled by the broker (queue deleted)
            const p = handle(c, msg).finally(() => inFlight.delete(p));
            inFlight.add(p);
          },
          { noAck: false },
        );
        if (lost) throw new Error(`the channel consuming ${this.queue} closed as it started`);
        ch = c;
        consumerTag = r.consumerTag;
        consuming = true;
      } catch (e) {
        if (!lost)
          try {
            await c.close();
          } catch {
            /* closing anyway */
          }
        throw e;
      }
    };
    // A few tries at first as well: a quorum queue just created may refuse consumers for a moment (RabbitMQ 3.10 fails
    // basic.consume with an internal error, {error,noproc}, and closes the connection).
    await startWithRetries(4, 'backtest queue consumer could not start; retrying');
    const consumer = {
      stop: async (): Promise<void> => {
        if (stopped) return;
        stopped = true;
        this.consumers.delete(consumer);
        for (const wake of [...pauses]) wake();
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
        const id: unknown = msg.properties.messageId;
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
