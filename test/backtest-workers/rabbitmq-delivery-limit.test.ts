// Poison jobs on the backtest work queue (a quorum queue with a delivery limit), on a real local RabbitMQ and
// PostgreSQL: a job that always throws, or that kills its worker process every time, runs exactly deliveryLimit
// times and ends recorded as failed (BacktestFailed on its stream), never to be delivered again; a job that fails
// a few times and then succeeds completes; a failure that cannot be recorded is parked in `<queue>.dead`; a queue
// declared otherwise (the classic queue of earlier versions, another limit) fails with an error saying what to do.
// Each test uses its own queues and deletes them afterwards.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { either } from 'fp-ts';
import amqp from 'amqplib';
import { pino } from 'pino';
import { decodeAll } from '../../application/events/decode-event.js';
import { backtestOutcomeRecorder } from '../../application/backtest/record-outcome.js';
import type { BacktestJob, BacktestJobOutcome } from '../../application/ports/backtest-jobs.js';
import { backtestStream, type BacktestEvent } from '../../domain/backtest/events.js';
import { randomGenomes } from '../../domain/backtest/random-genome.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { DEFAULT_DELIVERY_LIMIT, QueueDeclarationError, RabbitMqJobQueue, type DeliveryInfo } from '../../infrastructure/backtest/rabbitmq-job-queue.js';
import { systemClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { checkedPostgresStore } from '../support/event-store.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { AMQP_TEST_URL, cleanUpQueue } from './queue-support.js';

const URL_ = AMQP_TEST_URL;
const silent = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const until = async (cond: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
};

describe('RabbitMQ backtest job queue: delivery limit (poison jobs)', function () {
  this.timeout(90_000);
  let db: TestDatabase;
  let store: EventStore;
  let queueName: string;
  const opened: RabbitMqJobQueue[] = [];
  const children: ChildProcess[] = [];

  const open = (deliveryLimit?: number) => {
    const q = new RabbitMqJobQueue({
      url: URL_,
      queue: queueName,
      log: silent,
      redeliveryDelayMs: 50,
      ...(deliveryLimit === undefined ? {} : { deliveryLimit }),
    });
    opened.push(q);
    return q;
  };
  const job = (): BacktestJob => {
    const [genome] = randomGenomes(7, 1, ['BTCUSDT']);
    return {
      jobId: randomUUID(),
      genome: genome!,
      exchange: 'binance',
      symbols: ['BTCUSDT'],
      interval: '1h',
      period: { from: 1_700_000_000_000, to: 1_700_086_400_000 },
    };
  };
  /** The real recorder (idempotent by job id), counting its calls. */
  const recorder = () => {
    const record = backtestOutcomeRecorder({ store, clock: systemClock, ids: uuidIds, actor: 'worker:test' as Actor });
    const calls: BacktestJobOutcome[] = [];
    return { calls, record: async (j: BacktestJob, o: BacktestJobOutcome) => (calls.push(o), record(j, o)) };
  };
  /** The job's facts as recorded: what GET /api/backtests/:id folds. */
  const recorded = async (jobId: string) => {
    const decoded = decodeAll<BacktestEvent>(await store.readStream(backtestStream(jobId)));
    if (either.isLeft(decoded)) throw new Error(decoded.left.message);
    return decoded.right.map((d) => d.event);
  };
  const queueCounts = async () => {
    const conn = await amqp.connect(URL_);
    try {
      const ch = await conn.createChannel();
      const main = await ch.checkQueue(queueName);
      const dead = await ch.checkQueue(`${queueName}.dead`);
      return { ready: main.messageCount, consumers: main.consumerCount, dead: dead.messageCount };
    } finally {
      await conn.close();
    }
  };

  before(async () => {
    db = await freshDatabase('backtest_delivery_limit');
    store = checkedPostgresStore({ connectionString: db.url, poolSize: 4 });
  });
  after(async () => {
    await store.close();
    await db.drop();
  });
  beforeEach(() => {
    queueName = `test.backtest.${randomUUID()}`;
  });
  afterEach(() => cleanUpQueue(queueName, children, opened));

  it(`records a job whose run always throws as failed (ATTEMPTS_EXHAUSTED) after exactly ${DEFAULT_DELIVERY_LIMIT} attempts, then never delivers it again`, async () => {
    const producer = open();
    expect(producer.deliveryLimit).to.equal(DEFAULT_DELIVERY_LIMIT);
    const j = job();
    const rec = recorder();
    const deliveries: DeliveryInfo[] = [];
    let runs = 0;
    const c = await open().consume(
      async () => {
        runs++;
        throw new Error('the engine blew up');
      },
      rec.record,
      { onDelivery: (d) => deliveries.push(d) },
    );
    await producer.submit(j);
    await until(() => deliveries.some((d) => d.status === 'given-up'), 20_000, 'the job to be given up');
    await sleep(500); // nothing more arrives
    expect(runs).to.equal(DEFAULT_DELIVERY_LIMIT);
    const expected: [string, number][] = [];
    for (let n = 1; n < DEFAULT_DELIVERY_LIMIT; n++) expected.push(['received', n], ['requeued', n]);
    expected.push(['received', DEFAULT_DELIVERY_LIMIT], ['given-up', DEFAULT_DELIVERY_LIMIT]);
    expect(deliveries.map((d) => [d.status, d.attempt])).to.deep.equal(expected);
    expect(deliveries.slice(2).every((d) => d.redelivered)).to.equal(true);
    expect(rec.calls).to.have.length(1);
    const events = await recorded(j.jobId);
    expect(events.map((e) => e.type)).to.deep.equal(['BacktestRequested', 'BacktestFailed']);
    const failed = events[1]!.data as { code: string; error: string };
    expect(failed.code).to.equal('ATTEMPTS_EXHAUSTED');
    expect(failed.error).to.match(/gave up after 5 attempts; the last one failed: the engine blew up/);
    expect(await queueCounts()).to.include({ ready: 0, dead: 0 });
    await c.stop();
  });

  it('completes a job that fails twice and then succeeds (the limit counts attempts, it does not cut them short)', async () => {
    const producer = open(3);
    const j = job();
    const rec = recorder();
    const deliveries: DeliveryInfo[] = [];
    let runs = 0;
    const fake: BacktestJobOutcome = {
      ok: true,
      result: {
        jobId: j.jobId,
        engineVersion: 'test',
        dataFingerprint: 'f',
        window: { from: 1_700_000_000_000, to: 1_700_082_800_000, bars: 24 },
        metrics: { sharpe: 1 },
        perSymbol: {},
        equity: {},
        trades: [],
      },
    };
    const c = await open(3).consume(
      async () => {
        if (++runs < 3) throw new Error(`transient ${runs}`);
        return fake;
      },
      rec.record,
      { onDelivery: (d) => deliveries.push(d) },
    );
    await producer.submit(j);
    await until(() => deliveries.some((d) => d.status === 'acked'), 20_000, 'the job to complete');
    expect(deliveries.map((d) => [d.status, d.attempt]).slice(-2)).to.deep.equal([
      ['received', 3],
      ['acked', 3],
    ]);
    expect((await recorded(j.jobId)).map((e) => e.type)).to.deep.equal(['BacktestRequested', 'BacktestCompleted']);
    expect(await queueCounts()).to.include({ ready: 0, dead: 0 });
    await c.stop();
  });

  it('records a job that kills its worker process (SIGKILL) every time as failed (WORKER_LOST) after exactly the limit of runs, and leaves the queue empty', async () => {
    const limit = 3;
    const producer = open(limit);
    await producer.declare();
    const j = job();
    const script = fileURLToPath(new URL('./crashing-consumer.ts', import.meta.url));
    type ChildMsg = { type: string; jobId?: string; status?: string; attempt?: number; outcome?: BacktestJobOutcome };
    const msgs: ChildMsg[] = [];
    const spawn = async () => {
      const child = fork(script, [], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, BACKTEST_QUEUE: queueName, AMQP_URL: URL_, DATABASE_URL: db.url, BACKTEST_DELIVERY_LIMIT: String(limit) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
      child.on('message', (m) => msgs.push(m as ChildMsg));
      return { child, exited };
    };

    // One worker at a time, as a fleet that restarts its workers would: each takes the job and dies with it.
    let first = true;
    for (let worker = 1; worker <= limit; worker++) {
      const { exited } = await spawn();
      if (first) {
        await until(() => msgs.some((m) => m.type === 'consuming'), 30_000, 'the first child consumer to start');
        await producer.submit(j);
        first = false;
      }
      expect(await exited, `worker ${worker} killed itself`).to.equal('SIGKILL');
    }
    expect(msgs.filter((m) => m.type === 'running')).to.have.length(limit);
    expect(msgs.filter((m) => m.type === 'delivery').map((m) => m.attempt)).to.deep.equal([1, 2, 3]);

    // The next worker receives it a fourth time: it records the failure without running it, and acks.
    const last = await spawn();
    await until(() => msgs.some((m) => m.type === 'delivery' && m.status === 'given-up'), 30_000, 'the job to be given up');
    last.child.send('stop');
    expect(await last.exited).to.equal(null);
    expect(msgs.filter((m) => m.type === 'running')).to.have.length(limit);
    expect(msgs.filter((m) => m.type === 'delivery').map((m) => [m.status, m.attempt])).to.deep.equal([
      ['received', 1],
      ['received', 2],
      ['received', 3],
      ['received', 4],
      ['given-up', 4],
    ]);
    const events = await recorded(j.jobId);
    expect(events.map((e) => e.type)).to.deep.equal(['BacktestRequested', 'BacktestFailed']);
    const failed = events[1]!.data as { code: string; error: string };
    expect(failed.code).to.equal('WORKER_LOST');
    expect(failed.error).to.match(/^ran 3 times without finishing: the worker process running it died/);

    // Gone for good: nothing ready, nothing dead-lettered, and a fresh consumer gets nothing.
    expect(await queueCounts()).to.deep.equal({ ready: 0, consumers: 0, dead: 0 });
    const deliveries: DeliveryInfo[] = [];
    const c = await open(limit).consume(
      async () => {
        throw new Error('must not run');
      },
      recorder().record,
      { onDelivery: (d) => deliveries.push(d) },
    );
    await sleep(500);
    expect(deliveries).to.have.length(0);
    await c.stop();
  });

  it('dead-letters a job given up whose failure cannot be recorded either, instead of dropping or looping it', async () => {
    const producer = open(2);
    const j = job();
    const deliveries: DeliveryInfo[] = [];
    const c = await open(2).consume(
      async () => {
        throw new Error('no candles');
      },
      async () => {
        throw new Error('the event store is down');
      },
      { onDelivery: (d) => deliveries.push(d) },
    );
    await producer.submit(j);
    await until(() => deliveries.some((d) => d.status === 'dead-lettered'), 20_000, 'the job to be dead-lettered');
    await sleep(300);
    expect(deliveries.map((d) => [d.status, d.attempt])).to.deep.equal([
      ['received', 1],
      ['requeued', 1],
      ['received', 2],
      ['dead-lettered', 2],
    ]);
    expect(await queueCounts()).to.include({ ready: 0, dead: 1 });
    const conn = await amqp.connect(URL_);
    const ch = await conn.createChannel();
    const m = await ch.get(`${queueName}.dead`, { noAck: true });
    expect(m && m.properties.messageId).to.equal(j.jobId);
    await conn.close();
    await c.stop();
  });

  it('refuses a classic queue of the same name (earlier versions) with an error naming it and what to do', async () => {
    const conn = await amqp.connect(URL_);
    const ch = await conn.createChannel();
    await ch.assertQueue(`${queueName}.dead`, { durable: true });
    await ch.assertQueue(queueName, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': `${queueName}.dead` } });
    await conn.close();
    const q = open();
    for (const attempt of [
      () => q.declare(),
      () => q.submit(job()),
      () =>
        q.consume(
          async () => Promise.reject(new Error('no')),
          async () => undefined,
        ),
    ]) {
      const e = await attempt().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).to.be.instanceOf(QueueDeclarationError);
      const err = e as QueueDeclarationError;
      expect(err.queue).to.equal(queueName);
      expect(err.message).to.include(`RabbitMQ queue ${queueName} exists as a classic queue`);
      expect(err.message).to.include(`rabbitmqctl delete_queue --if-empty ${queueName}`);
      expect(err.brokerMessage).to.include('PRECONDITION_FAILED');
    }
    // The queue is untouched and the queue object still works once the queue is gone.
    expect(await queueCounts()).to.include({ consumers: 0 });
    const conn2 = await amqp.connect(URL_);
    await (await conn2.createChannel()).deleteQueue(queueName);
    await conn2.close();
    await q.declare();
  });

  it('refuses to declare the queue with another delivery limit than it has', async () => {
    await open(5).declare();
    const e = await open(7)
      .declare()
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(e).to.be.instanceOf(QueueDeclarationError);
    expect((e as Error).message).to.match(/declared with another delivery limit/);
  });
});
