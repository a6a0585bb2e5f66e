// The mirror against real PostgreSQL and the real local RabbitMQ (and the in-process bus, held to the same
// delivery test): everything arrives, in stream order, the checkpoint moves only after the broker confirmed,
// and a connection cut by the broker loses nothing.
import { expect } from 'chai';
import type { Bus } from '../../application/ports/bus.js';
import { comparePositions } from '../../application/ports/event-store.js';
import { startMirror, mirrorHealth, mirrorLag, type Mirror } from '../../application/mirror/mirror.js';
import { PostgresCheckpointStore } from '../../infrastructure/db/postgres-checkpoint-store.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { InProcessBus } from '../../infrastructure/messaging/in-process-bus.js';
import { RabbitMqBus } from '../../infrastructure/messaging/rabbitmq-bus.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import {
  Collector,
  amqpUrl,
  appendAcrossStreams,
  closeConnectionFromBroker,
  connectionPids,
  oldestTransactions,
  deleteFromBroker,
  testEvent,
  testLog,
  totalOf,
  uniqueName,
  waitFor,
  type Appended,
} from './support.js';

interface Buses {
  /** What the mirror publishes through. */
  readonly publisher: Bus;
  /** What the test consumes through (on RabbitMQ a connection of its own, so cutting the mirror's leaves it alone). */
  readonly consumer: Bus;
  readonly mirrorConnectionName?: string;
  cleanup(): Promise<void>;
}

const rabbitBuses = (options: { journal?: false } = {}): Buses => {
  const exchange = uniqueName('mt.test.mirror.');
  const mirrorConnectionName = uniqueName('mt-test-mirror-');
  const publisher = new RabbitMqBus({
    url: amqpUrl(),
    exchange,
    connectionName: mirrorConnectionName,
    log: testLog(),
    reconnect: { minDelayMs: 50, maxDelayMs: 500 },
    ...(options.journal === false ? { journal: false as const } : {}),
  });
  const consumer = new RabbitMqBus({ url: amqpUrl(), exchange, connectionName: uniqueName('mt-test-consumer-'), log: testLog(), journal: false });
  return {
    publisher,
    consumer,
    mirrorConnectionName,
    cleanup: async () => {
      await Promise.all([publisher.close(), consumer.close()]);
      await deleteFromBroker({ exchanges: [exchange], queues: [`${exchange}.journal`] });
    },
  };
};

const inProcessBuses = (options: { rejectUnroutable?: boolean } = {}): Buses => {
  const bus = new InProcessBus({ rejectUnroutable: options.rejectUnroutable ?? false, redeliveryDelayMs: 10 });
  return { publisher: bus, consumer: bus, cleanup: () => bus.close() };
};

const expectAllInStreamOrder = (appended: Appended, collector: Collector) => {
  const arrived = collector.firstArrivals();
  expect([...arrived.keys()].sort()).to.deep.equal([...appended.keys()].sort());
  for (const [stream, ids] of appended) expect(arrived.get(stream), stream).to.deep.equal(ids);
};

describe('mirror', function () {
  this.timeout(90_000);
  let db: TestDatabase;
  let store: PostgresEventStore;
  let checkpoints: PostgresCheckpointStore;
  let buses: Buses | undefined;
  let mirror: Mirror | undefined;

  beforeEach(async () => {
    db = await freshDatabase('mirror');
    store = new PostgresEventStore({ connectionString: db.url, pollIntervalMs: 50 });
    checkpoints = new PostgresCheckpointStore({ connectionString: db.url });
  });

  afterEach(async () => {
    await mirror?.stop();
    mirror = undefined;
    await buses?.cleanup();
    buses = undefined;
    await checkpoints.close();
    await store.close();
    await db.drop();
  });

  const diagnose = (m: Mirror | undefined, collector: Collector) => async () => ({
    mirror: m?.status(),
    received: collector.received.length,
    distinct: collector.distinctCount(),
    lag: m ? await mirrorLag(store, m.status().checkpoint).catch((e) => String(e)) : null,
    head: await store.headPosition(),
    oldestTransactions: await oldestTransactions(),
  });

  const expectCaughtUp = async (m: Mirror) => {
    const head = await store.headPosition();
    await waitFor(() => {
      const at = m.status().checkpoint;
      return at !== undefined && comparePositions(at, head!) === 0;
    }, 'the mirror checkpoint to reach the head');
    expect(await checkpoints.load(m.status().name)).to.deep.equal(head);
    expect(await mirrorLag(store, m.status().checkpoint)).to.equal(0);
  };

  for (const kind of ['RabbitMQ', 'in-process'] as const) {
    it(`${kind}: 300 events across 20 streams all arrive, each stream in order, with the event as the message`, async () => {
      buses = kind === 'RabbitMQ' ? rabbitBuses() : inProcessBuses();
      const category = uniqueName('mirror');
      const collector = new Collector();
      await buses.consumer.subscribe([`${category}.#`], collector.handler);
      // Half before the mirror starts (catch-up), half while it runs (live).
      const appended = await appendAcrossStreams(store, category, 20, 8);
      mirror = startMirror({ store, bus: buses.publisher, checkpoints, log: testLog(), name: 'mirror-test', batchSize: 25 });
      await appendAcrossStreams(store, category, 20, 7, appended);
      const total = totalOf(appended);
      expect(total).to.equal(300);

      await waitFor(() => collector.distinctCount() === total, `${total} events to arrive`, 60_000, 25, diagnose(mirror, collector));
      expectAllInStreamOrder(appended, collector);
      expect(collector.received, 'no duplicates without a failure').to.have.length(total);

      const [first] = await store.readStream(`${category}-3`, { maxCount: 1 });
      const message = collector.received.find((m) => m.messageId === first!.eventId)!;
      expect(message.routingKey).to.equal(`${category}.${first!.type}`);
      expect(message.body).to.deep.equal({
        stream: `${category}-3`,
        revision: '0',
        position: { commit: first!.position.commit.toString(), prepare: first!.position.prepare.toString() },
        eventId: first!.eventId,
        type: first!.type,
        data: first!.data,
        metadata: first!.metadata,
      });

      await expectCaughtUp(mirror);
      const health = await mirrorHealth(mirror, store);
      expect(health).to.deep.include({ name: 'mirror-test', state: 'running', healthy: true, lag: 0, published: total, totalFailures: 0, lastError: null });
      expect(JSON.parse(JSON.stringify(health)).checkpoint).to.deep.equal(health.checkpoint);
    });
  }

  it('RabbitMQ: when the broker closes the mirror connection mid-flight, the mirror reconnects and nothing is lost', async () => {
    buses = rabbitBuses();
    const publisher = buses.publisher as RabbitMqBus;
    const category = uniqueName('mirrorcut');
    const collector = new Collector();
    await buses.consumer.subscribe([`${category}.#`], collector.handler);
    mirror = startMirror({ store, bus: publisher, checkpoints, log: testLog(), name: 'mirror-cut', batchSize: 10, retry: { minDelayMs: 20, maxDelayMs: 200 } });

    // A writer keeps appending while the connection is cut, so the mirror is publishing when it happens.
    const appended: Appended = new Map();
    let writing = true;
    const writer = (async () => {
      while (writing || totalOf(appended) < 300) await appendAcrossStreams(store, category, 20, 1, appended);
    })();

    await waitFor(() => collector.distinctCount() >= 60, 'the first events to arrive');
    expect(publisher.connectionCount).to.equal(1);
    const cut = await closeConnectionFromBroker(buses.mirrorConnectionName!);
    await waitFor(() => publisher.connectionCount >= 2, 'the mirror bus to reconnect');
    const afterReconnect = collector.distinctCount();
    await waitFor(() => collector.distinctCount() >= afterReconnect + 60, 'events published after the reconnect to arrive');
    writing = false;
    await writer;

    const total = totalOf(appended);
    await waitFor(() => collector.distinctCount() === total, `all ${total} events to arrive`, 60_000, 25, diagnose(mirror, collector));
    // After a failure older events may come again after newer ones; the first arrivals keep stream order.
    expectAllInStreamOrder(appended, collector);
    await expectCaughtUp(mirror);
    const [newPid] = await connectionPids(buses.mirrorConnectionName!);
    expect(newPid).to.be.a('string').and.not.equal(cut);
    expect(mirror.status().state).to.equal('running');
  });

  const unroutableCases = [
    { kind: 'RabbitMQ without its journal queue', make: () => rabbitBuses({ journal: false }) },
    { kind: 'in-process bus that rejects unroutable messages', make: () => inProcessBuses({ rejectUnroutable: true }) },
  ];
  for (const { kind, make } of unroutableCases) {
    it(`${kind}: a returned message stops the checkpoint just before it, and the mirror re-publishes from there`, async () => {
      buses = make();
      const routed = uniqueName('routed');
      const unrouted = uniqueName('unrouted');
      const collector = new Collector();
      await buses.consumer.subscribe([`${routed}.#`], collector.handler);
      // Log order: 5 routable events, then 5 that no queue is bound for yet, all in one batch.
      const good = Array.from({ length: 5 }, (_, i) => testEvent('ThingHappened', { i }));
      await store.appendToStream(`${routed}-1`, good);
      await store.appendToStream(
        `${unrouted}-1`,
        Array.from({ length: 5 }, (_, i) => testEvent('ThingHappened', { i })),
      );
      const [lastGood] = await store.readStream(`${routed}-1`, { fromRevision: 4n });

      mirror = startMirror({
        store,
        bus: buses.publisher,
        checkpoints,
        log: testLog(),
        name: 'mirror-returned',
        batchSize: 100,
        retry: { minDelayMs: 20, maxDelayMs: 100 },
      });
      await waitFor(() => mirror!.status().totalFailures >= 3, 'the mirror to fail a few times');
      const status = mirror.status();
      expect(status.state).to.equal('retrying');
      expect(status.lastError).to.match(/unroutable|returned/);
      expect(status.checkpoint).to.deep.equal(lastGood!.position);
      expect(await checkpoints.load('mirror-returned')).to.deep.equal(lastGood!.position);
      expect((await mirrorHealth(mirror, store)).lag).to.equal(5);
      expect((await mirrorHealth(mirror, store)).healthy).to.equal(false);

      // A queue for the second category appears: the mirror gets through and catches up.
      const late = new Collector();
      await buses.consumer.subscribe([`${unrouted}.#`], late.handler);
      await waitFor(() => late.distinctCount() === 5, 'the held-back events to arrive');
      await expectCaughtUp(mirror);
      expect(collector.firstArrivals().get(`${routed}-1`)).to.deep.equal(good.map((e) => e.eventId));
      expect(mirror.status()).to.deep.include({ state: 'running', consecutiveFailures: 0 });
    });
  }

  it('resumes from its stored checkpoint after a restart and publishes only what came after it', async () => {
    buses = inProcessBuses();
    const category = uniqueName('restart');
    const collector = new Collector();
    await buses.consumer.subscribe([`${category}.#`], collector.handler);
    const appended = await appendAcrossStreams(store, category, 4, 5);
    mirror = startMirror({ store, bus: buses.publisher, checkpoints, log: testLog(), name: 'mirror-restart', batchSize: 7 });
    await waitFor(() => collector.distinctCount() === 20, 'the first 20 events');
    await expectCaughtUp(mirror);
    await mirror.stop();
    expect(mirror.status().state).to.equal('stopped');

    await appendAcrossStreams(store, category, 4, 3, appended);
    mirror = startMirror({ store, bus: buses.publisher, checkpoints, log: testLog(), name: 'mirror-restart', batchSize: 7 });
    await waitFor(() => collector.distinctCount() === 32, 'the next 12 events');
    await expectCaughtUp(mirror);
    expect(collector.received, 'nothing published twice').to.have.length(32);
    expectAllInStreamOrder(appended, collector);
  });
});
