// The bus port's two adapters side by side (the real local RabbitMQ and the in-process bus): topic routing,
// order, redelivery after a failed handler, named queues; and what only RabbitMQ can do wrong: nacks,
// returned messages, lost connections.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { PublishError, type Bus, type BusMessage } from '../../application/ports/bus.js';
import { InProcessBus, topicMatches } from '../../infrastructure/messaging/in-process-bus.js';
import { RabbitMqBus } from '../../infrastructure/messaging/rabbitmq-bus.js';
import amqp from 'amqplib';
import { Collector, amqpUrl, closeConnectionFromBroker, deleteFromBroker, testLog, uniqueName, waitFor } from './support.js';

const message = (routingKey: string, data: unknown = {}): BusMessage => {
  const eventId = randomUUID();
  const [category, type] = routingKey.split('.');
  return {
    routingKey,
    messageId: eventId,
    body: { stream: `${category}-1`, revision: '0', position: { commit: '1', prepare: '1' }, eventId, type: type ?? 'T', data, metadata: {} },
  };
};

describe('topicMatches', () => {
  const cases: [string, string, boolean][] = [
    ['a.b', 'a.b', true],
    ['a.b', 'a.c', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a.b.c', false],
    ['a.*', 'a', false],
    ['*.B', 'x.B', true],
    ['a.#', 'a', true],
    ['a.#', 'a.b.c', true],
    ['a.#', 'ab.c', false],
    ['#', 'anything.at.all', true],
    ['#.c', 'c', true],
    ['#.c', 'a.b.c', true],
    ['#.c', 'a.b.d', false],
    ['a.#.c', 'a.c', true],
    ['a.#.c', 'a.x.y.c', true],
    ['a.*.#', 'a', false],
    ['a.*.#', 'a.b', true],
  ];
  for (const [pattern, key, expected] of cases)
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${key}`, () => expect(topicMatches(pattern, key)).to.equal(expected));
});

interface Harness {
  readonly bus: Bus;
  /** A second bus on the same exchange (RabbitMQ: its own connection). */
  readonly other: Bus;
  cleanup(queues?: string[]): Promise<void>;
}

const harnesses: Record<string, () => Harness> = {
  RabbitMQ: () => {
    const exchange = uniqueName('mt.test.bus.');
    const bus = new RabbitMqBus({ url: amqpUrl(), exchange, connectionName: uniqueName('mt-test-bus-'), log: testLog(), redeliveryDelayMs: 10 });
    const other = new RabbitMqBus({ url: amqpUrl(), exchange, connectionName: uniqueName('mt-test-bus-other-'), log: testLog(), redeliveryDelayMs: 10 });
    return {
      bus,
      other,
      cleanup: async (queues = []) => {
        await Promise.all([bus.close(), other.close()]);
        await deleteFromBroker({ exchanges: [exchange], queues: [`${exchange}.journal`, ...queues] });
      },
    };
  },
  'in-process': () => {
    const bus = new InProcessBus({ redeliveryDelayMs: 10 });
    return { bus, other: bus, cleanup: () => bus.close() };
  },
};

for (const [kind, make] of Object.entries(harnesses)) {
  describe(`bus: ${kind}`, function () {
    this.timeout(60_000);
    let h: Harness;
    let queues: string[] = [];
    beforeEach(() => {
      h = make();
      queues = [];
    });
    afterEach(() => h.cleanup(queues));

    it('routes by binding key with * and # and keeps publish order', async () => {
      const cat = uniqueName('c');
      const star = new Collector();
      const hash = new Collector();
      const typed = new Collector();
      await h.bus.subscribe([`${cat}.*`], star.handler);
      await h.bus.subscribe([`${cat}.#`], hash.handler);
      await h.bus.subscribe([`*.${cat}Typed`, `${cat}.Special.#`], typed.handler);
      const batch = [
        message(`${cat}.A`, { i: 0 }),
        message(`${cat}.Special.Deep`, { i: 1 }),
        message(`other${cat}.${cat}Typed`, { i: 2 }),
        ...Array.from({ length: 50 }, (_, i) => message(`${cat}.B`, { i: i + 3 })),
      ];
      await h.bus.publishBatch(batch);
      await waitFor(() => hash.received.length === 52 && star.received.length === 51 && typed.received.length === 2, 'deliveries');
      expect(hash.received.map((m) => m.messageId)).to.deep.equal([batch[0], batch[1], ...batch.slice(3)].map((m) => m!.messageId));
      expect(star.received.map((m) => m.messageId)).to.deep.equal([batch[0], ...batch.slice(3)].map((m) => m!.messageId));
      expect(typed.received.map((m) => m.messageId)).to.deep.equal([batch[1], batch[2]].map((m) => m!.messageId));
      const first = hash.received[0]!;
      expect(first).to.deep.include({ routingKey: `${cat}.A`, messageId: batch[0]!.messageId, redelivered: false });
      expect(first.body).to.deep.equal(batch[0]!.body);
    });

    it('hands a message whose handler failed out again, flagged redelivered', async () => {
      const cat = uniqueName('c');
      const seen: { id: string; redelivered: boolean }[] = [];
      let failOnce = true;
      await h.other.subscribe([`${cat}.#`], async (m) => {
        seen.push({ id: m.messageId, redelivered: m.redelivered });
        if (failOnce) {
          failOnce = false;
          throw new Error('handler failed on purpose');
        }
      });
      const m = message(`${cat}.A`);
      await h.bus.publishBatch([m]);
      await waitFor(() => seen.length === 2, 'the redelivery');
      expect(seen).to.deep.equal([
        { id: m.messageId, redelivered: false },
        { id: m.messageId, redelivered: true },
      ]);
    });

    it('a named queue keeps collecting while nobody consumes', async () => {
      const cat = uniqueName('c');
      const queue = uniqueName('mt.test.queue.');
      queues.push(queue);
      const first = new Collector();
      const sub = await h.other.subscribe([`${cat}.#`], first.handler, { queue });
      await h.bus.publishBatch([message(`${cat}.A`)]);
      await waitFor(() => first.received.length === 1, 'the first message');
      await sub.close();
      const later = [message(`${cat}.B`), message(`${cat}.C`)];
      await h.bus.publishBatch(later);
      const second = new Collector();
      await h.other.subscribe([`${cat}.#`], second.handler, { queue });
      await waitFor(() => second.received.length === 2, 'the messages published while away');
      expect(second.received.map((m) => m.messageId)).to.deep.equal(later.map((m) => m.messageId));
      expect(first.received).to.have.length(1);
    });

    it('refuses a body that is not JSON before sending anything', async () => {
      const cat = uniqueName('c');
      const c = new Collector();
      await h.other.subscribe([`${cat}.#`], c.handler);
      const bad = { ...message(`${cat}.A`), body: { ...message(`${cat}.A`).body, data: { n: 1n } } };
      let error: unknown;
      await h.bus.publishBatch([message(`${cat}.A`), bad]).catch((e) => (error = e));
      expect(error).to.be.instanceOf(TypeError);
      await h.bus.publishBatch([message(`${cat}.Z`)]);
      await waitFor(() => c.received.length >= 1, 'the next message');
      expect(c.received.map((m) => m.routingKey)).to.deep.equal([`${cat}.Z`]);
    });
  });
}

describe('bus: RabbitMQ only', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  const makeBus = (options: { journal?: false } = {}) => {
    const exchange = uniqueName('mt.test.bus.');
    const connectionName = uniqueName('mt-test-bus-');
    const bus = new RabbitMqBus({
      url: amqpUrl(),
      exchange,
      connectionName,
      log: testLog(),
      reconnect: { minDelayMs: 50, maxDelayMs: 500 },
      redeliveryDelayMs: 10,
      ...(options.journal === false ? { journal: false as const } : {}),
    });
    const queues: string[] = [];
    cleanups.push(async () => {
      await bus.close();
      await deleteFromBroker({ exchanges: [exchange], queues: [`${exchange}.journal`, ...queues] });
    });
    return { bus, exchange, connectionName, queues };
  };

  it('declares a durable journal queue bound to # so that a fresh broker routes every message', async () => {
    const { bus, exchange } = makeBus();
    await bus.publishBatch([message('nobody.listens'), message('nor.here')]);
    const conn = await amqp.connect(amqpUrl());
    try {
      const ch = await conn.createChannel();
      const q = await ch.checkQueue(`${exchange}.journal`);
      expect(q.messageCount).to.equal(2);
      await ch.close();
    } finally {
      await conn.close();
    }
  });

  it('rejects a batch with a returned message, telling how many leading messages were confirmed', async () => {
    const { bus } = makeBus({ journal: false });
    const cat = uniqueName('c');
    await bus.subscribe([`${cat}.routed`], async () => undefined);
    const batch = [message(`${cat}.routed`), message(`${cat}.routed`), message(`${cat}.unrouted`), message(`${cat}.routed`)];
    let error: unknown;
    await bus.publishBatch(batch).catch((e) => (error = e));
    expect(error).to.be.instanceOf(PublishError);
    expect((error as PublishError).confirmed).to.equal(2);
    expect((error as PublishError).message)
      .to.contain(batch[2]!.messageId)
      .and.contain('returned');
    await bus.publishBatch([message(`${cat}.routed`)]); // the bus goes on
  });

  it('rejects a batch the broker nacks', async () => {
    const { bus, exchange, queues } = makeBus();
    const cat = uniqueName('c');
    const full = uniqueName('mt.test.full.');
    queues.push(full);
    const conn = await amqp.connect(amqpUrl());
    try {
      const ch = await conn.createChannel();
      await bus.publishBatch([message(`${cat}.warmup`)]); // declares the exchange
      // A queue that refuses every message: the broker nacks what it cannot enqueue there.
      await ch.assertQueue(full, { durable: false, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
      await ch.bindQueue(full, exchange, `${cat}.refused`);
      await ch.close();
    } finally {
      await conn.close();
    }
    let error: unknown;
    await bus.publishBatch([message(`${cat}.fine`), message(`${cat}.refused`)]).catch((e) => (error = e));
    expect(error).to.be.instanceOf(PublishError);
    expect((error as PublishError).confirmed).to.equal(1);
    expect((error as PublishError).message).to.contain('nack');
  });

  it('a consumer on a named queue comes back after the broker closed its connection, and nothing is lost', async () => {
    const { bus: publisher, exchange } = makeBus();
    const consumerName = uniqueName('mt-test-consumer-');
    const consumer = new RabbitMqBus({
      url: amqpUrl(),
      exchange,
      connectionName: consumerName,
      log: testLog(),
      reconnect: { minDelayMs: 50, maxDelayMs: 500 },
    });
    const queue = uniqueName('mt.test.queue.');
    cleanups.unshift(async () => {
      await consumer.close();
      await deleteFromBroker({ queues: [queue] });
    });
    const cat = uniqueName('c');
    const c = new Collector();
    await consumer.subscribe([`${cat}.#`], c.handler, { queue });
    const before = [message(`${cat}.A`), message(`${cat}.A`)];
    await publisher.publishBatch(before);
    await waitFor(() => c.distinctCount() === 2, 'the first messages');

    await closeConnectionFromBroker(consumerName);
    await waitFor(() => !consumer.isConnected, 'the consumer to notice');
    const during = [message(`${cat}.B`), message(`${cat}.B`)];
    await publisher.publishBatch(during);
    await waitFor(() => consumer.connectionCount >= 2, 'the consumer to reconnect');
    const after = [message(`${cat}.C`)];
    await publisher.publishBatch(after);
    await waitFor(() => c.distinctCount() === 5, 'every message');
    const firstArrivals = [...new Set(c.received.map((m) => m.messageId))];
    expect(firstArrivals).to.deep.equal([...before, ...during, ...after].map((m) => m.messageId));
  });

  it('a batch sent to an exchange deleted under it fails, and the next batch declares it again', async () => {
    const { bus, exchange } = makeBus();
    await bus.publishBatch([message('a.b')]);
    await deleteFromBroker({ exchanges: [exchange] });
    let error: unknown;
    await bus.publishBatch([message('a.b')]).catch((e) => (error = e));
    expect(error).to.be.instanceOf(PublishError);
    await bus.publishBatch([message('a.b')]);
  });

  it('publishBatch fails after connectTimeoutMs when the broker cannot be reached, and close() ends the retrying', async () => {
    const bus = new RabbitMqBus({
      url: 'amqp://guest:guest@127.0.0.1:1',
      connectTimeoutMs: 300,
      reconnect: { minDelayMs: 20, maxDelayMs: 50 },
      log: testLog(),
    });
    let error: unknown;
    await bus.publishBatch([message('x.y')]).catch((e) => (error = e));
    expect(error).to.be.instanceOf(PublishError);
    expect((error as PublishError).confirmed).to.equal(0);
    expect((error as Error).message).to.match(/no connection to RabbitMQ within 300 ms/);
    await bus.close();
  });
});
