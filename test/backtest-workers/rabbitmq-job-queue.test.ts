// The backtest work queue on a real local RabbitMQ: competing consumers record every job exactly once, a job is
// acked only after it is recorded, a consumer process killed mid-job has its job redelivered to another consumer,
// and a malformed message is dead-lettered. Each test uses its own queue and deletes it afterwards.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import amqp from 'amqplib';
import { pino } from 'pino';
import type { BacktestJob, BacktestJobOutcome } from '../../application/ports/backtest-jobs.js';
import { decodeBacktestJob, MalformedJobError } from '../../application/backtest/job-codec.js';
import { randomGenomes } from '../../domain/backtest/random-genome.js';
import { IndicatorCache } from '../../domain/indicators/cache.js';
import type { CandleSeries } from '../../domain/market/candles.js';
import { runBacktestJob } from '../../infrastructure/backtest/job-runner.js';
import { RabbitMqJobQueue, type DeliveryInfo } from '../../infrastructure/backtest/rabbitmq-job-queue.js';
import { btcusdt1h } from '../indicators/real-candles.js';
import { closeConnectionFromBroker } from '../mirror/support.js';
import { AMQP_TEST_URL, cleanUpQueue } from './queue-support.js';

const URL_ = AMQP_TEST_URL;
const silent = pino({ level: 'silent' });
const DAY = 86_400_000;

/** Resolves when cond() holds, fails after timeoutMs. */
const until = async (cond: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** A record function idempotent by jobId, counting calls and distinct jobs. */
const recorder = () => {
  const byId = new Map<string, BacktestJobOutcome>();
  let calls = 0;
  const record = async (job: BacktestJob, outcome: BacktestJobOutcome) => {
    calls++;
    if (!byId.has(job.jobId)) byId.set(job.jobId, outcome);
  };
  return { record, byId, calls: () => calls };
};

describe('RabbitMQ backtest job queue', function () {
  this.timeout(60_000);
  let queueName: string;
  const opened: RabbitMqJobQueue[] = [];
  const children: ChildProcess[] = [];
  let series: Record<string, CandleSeries>;
  let period: { from: number; to: number };

  const open = () => {
    const q = new RabbitMqJobQueue({ url: URL_, queue: queueName, log: silent, redeliveryDelayMs: 50 });
    opened.push(q);
    return q;
  };
  const jobs = (n: number, prefix: string): BacktestJob[] =>
    randomGenomes(42, n, ['BTCUSDT']).map((genome, i) => ({
      jobId: `${prefix}-${i}-${randomUUID()}`,
      genome,
      exchange: 'binance',
      symbols: ['BTCUSDT'],
      interval: '1h',
      period,
    }));
  const cache = new IndicatorCache();
  const runJob = async (job: BacktestJob) => runBacktestJob(job, series, cache);

  before(() => {
    const btc = btcusdt1h();
    series = { BTCUSDT: btc };
    const end = btc.openTime[btc.length - 1]! + 3_600_000;
    period = { from: end - 30 * DAY, to: end };
  });

  beforeEach(() => {
    queueName = `test.backtest.${randomUUID()}`;
  });

  afterEach(() => cleanUpQueue(queueName, children, opened));

  it('round-trips a job through the codec and refuses a malformed one', () => {
    const [j] = jobs(1, 'codec');
    const wire = JSON.parse(JSON.stringify(j));
    expect(decodeBacktestJob(wire)).to.deep.equal(j);
    expect(() => decodeBacktestJob({ ...wire, period: { from: 5, to: 1 } })).to.throw(MalformedJobError);
    expect(() => decodeBacktestJob({ ...wire, genome: { ...wire.genome, indicators: [] } })).to.throw(MalformedJobError, /undeclared/);
  });

  it('two competing consumers record every job exactly once, acking only after recording', async () => {
    const producer = open();
    const n = 40;
    const all = jobs(n, 'compete');
    const rec = recorder();
    const seenBy = [new Set<string>(), new Set<string>()];
    const acked: string[] = [];
    const consumers = await Promise.all(
      [0, 1].map((k) =>
        open().consume(
          async (job) => {
            seenBy[k]!.add(job.jobId);
            return runJob(job);
          },
          rec.record,
          { prefetch: 2, onDelivery: (d) => d.status === 'acked' && acked.push(d.jobId!) },
        ),
      ),
    );
    for (const j of all) await producer.submit(j);
    await until(() => acked.length >= n, 30_000, `${n} acks`);
    await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
    expect(rec.byId.size).to.equal(n);
    expect(rec.calls()).to.equal(n);
    expect(acked.length).to.equal(n);
    expect(seenBy[0]!.size, 'consumer 1 got jobs').to.be.greaterThan(0);
    expect(seenBy[1]!.size, 'consumer 2 got jobs').to.be.greaterThan(0);
    expect(seenBy[0]!.size + seenBy[1]!.size).to.equal(n);
    for (const j of all) {
      const o = rec.byId.get(j.jobId)!;
      expect(o.ok ? o.result.jobId : o.jobId).to.equal(j.jobId);
    }
    await Promise.all(consumers.map((c) => c.stop()));
  });

  it('a consumer whose connection the broker closes reconnects and still records every job once', async () => {
    const name = `mt-test-consumer-${randomUUID()}`;
    const producer = open();
    const consumerQueue = new RabbitMqJobQueue({ url: URL_, queue: queueName, log: silent, redeliveryDelayMs: 50, connectionName: name });
    opened.push(consumerQueue);
    const rec = recorder();
    await consumerQueue.consume(runJob, rec.record, { prefetch: 2 });
    const first = jobs(10, 'before-cut');
    for (const j of first) await producer.submit(j);
    await until(() => rec.byId.size >= 3, 20_000, 'some jobs before the cut');
    await closeConnectionFromBroker(name);
    const second = jobs(10, 'after-cut');
    for (const j of second) await producer.submit(j);
    await until(() => rec.byId.size === 20, 40_000, 'every job after the reconnect');
    expect([...rec.byId.keys()].sort()).to.deep.equal([...first, ...second].map((j) => j.jobId).sort());
  });

  it('requeues a job whose record failed, and records it once on redelivery', async () => {
    const producer = open();
    const [j] = jobs(1, 'retry');
    const rec = recorder();
    let failures = 0;
    const deliveries: DeliveryInfo[] = [];
    const c = await open().consume(
      runJob,
      async (job, outcome) => {
        if (failures++ === 0) throw new Error('the read model is down');
        await rec.record(job, outcome);
      },
      { onDelivery: (d) => deliveries.push(d) },
    );
    await producer.submit(j!);
    await until(() => deliveries.some((d) => d.status === 'acked'), 20_000, 'the ack after the retry');
    expect(deliveries.map((d) => [d.status, d.redelivered])).to.deep.equal([
      ['received', false],
      ['requeued', false],
      ['received', true],
      ['acked', true],
    ]);
    expect(rec.byId.size).to.equal(1);
    expect(rec.calls()).to.equal(1);
    await c.stop();
  });

  it('redelivers the job of a consumer process killed mid-job (SIGKILL) to another consumer, which records it once', async () => {
    const producer = open();
    await producer.declare();
    const [j] = jobs(1, 'killed');
    const script = fileURLToPath(new URL('./hanging-consumer.ts', import.meta.url));
    const child = fork(script, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BACKTEST_QUEUE: queueName, AMQP_URL: URL_ },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    const childMsgs: { type: string; jobId?: string; redelivered?: boolean; status?: string }[] = [];
    child.on('message', (m) => childMsgs.push(m as (typeof childMsgs)[number]));
    await until(() => childMsgs.some((m) => m.type === 'consuming'), 30_000, 'the child consumer to start');
    await producer.submit(j!);
    await until(() => childMsgs.some((m) => m.type === 'delivery' && m.jobId === j!.jobId), 10_000, 'the child to take the job');
    expect(childMsgs.find((m) => m.type === 'delivery')).to.include({ redelivered: false, status: 'received' });

    // a second consumer is already waiting: the job is held (unacked) by the child, so it gets nothing yet
    const rec = recorder();
    const deliveries: DeliveryInfo[] = [];
    const c = await open().consume(runJob, rec.record, { onDelivery: (d) => deliveries.push(d) });
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveries).to.have.length(0);

    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    child.kill('SIGKILL');
    expect(await exited).to.equal('SIGKILL');

    await until(() => deliveries.some((d) => d.status === 'acked'), 20_000, 'the redelivered job to be recorded');
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveries.filter((d) => d.status === 'received')).to.deep.equal([
      { jobId: j!.jobId, redelivered: true, deliveryTag: deliveries[0]!.deliveryTag, attempt: 2, status: 'received' },
    ]);
    expect(rec.byId.size).to.equal(1);
    expect(rec.calls()).to.equal(1);
    const outcome = rec.byId.get(j!.jobId)!;
    expect(outcome.ok).to.equal(true);
    await c.stop();
  });

  it('dead-letters a malformed message instead of requeueing it forever', async () => {
    const q = open();
    await q.declare();
    const conn = await amqp.connect(URL_);
    const ch = await conn.createConfirmChannel();
    ch.sendToQueue(queueName, Buffer.from('{"jobId":"bad-1","genome":{}}'), { persistent: true, messageId: 'bad-1' });
    ch.sendToQueue(queueName, Buffer.from('not json'), { persistent: true, messageId: 'bad-2' });
    await ch.waitForConfirms();
    const [good] = jobs(1, 'good');
    await q.submit(good!);
    const rec = recorder();
    const deliveries: DeliveryInfo[] = [];
    const c = await open().consume(runJob, rec.record, { onDelivery: (d) => deliveries.push(d) });
    await until(() => deliveries.filter((d) => d.status === 'malformed' || d.status === 'acked').length >= 3, 20_000, 'three deliveries');
    await new Promise((r) => setTimeout(r, 300));
    expect(deliveries.filter((d) => d.status === 'malformed').map((d) => d.jobId)).to.deep.equal(['bad-1', 'bad-2']);
    expect([...rec.byId.keys()]).to.deep.equal([good!.jobId]);
    const dead = await ch.checkQueue(`${queueName}.dead`);
    expect(dead.messageCount).to.equal(2);
    const main = await ch.checkQueue(queueName);
    expect(main.messageCount).to.equal(0);
    const m = await ch.get(`${queueName}.dead`, { noAck: true });
    expect(m && m.properties.messageId).to.equal('bad-1');
    await c.stop();
    await conn.close();
  });
});
