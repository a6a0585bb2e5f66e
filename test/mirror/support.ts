// Helpers for the bus and mirror suites: the real local RabbitMQ (TEST_AMQP_URL, default guest@127.0.0.1),
// closing a connection from the broker side with rabbitmqctl, polling with a deadline, appending test events.
import amqp from 'amqplib';
import pg from 'pg';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { DeliveredMessage } from '../../application/ports/bus.js';
import type { EventStore, NewEvent } from '../../application/ports/event-store.js';
import type { EventMetadata } from '../../domain/events/metadata.js';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { serverUrl } from '../support/database.js';

export const amqpUrl = (): string => process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
export const testLog = () => createLogger(process.env['TEST_LOG_LEVEL'] ?? 'silent', 'test');
export const uniqueName = (prefix: string): string => `${prefix}${randomBytes(5).toString('hex')}`;

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. */
export const waitFor = async (
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
  everyMs = 25,
  diagnose?: () => unknown,
): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) {
      const details = diagnose ? ` (${JSON.stringify(await diagnose(), (_, v) => (typeof v === 'bigint' ? v.toString() : v))})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${details}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
};

/** Deletes what a test declared on the broker (exchanges, queues), ignoring what is already gone. */
export const deleteFromBroker = async (what: { exchanges?: string[]; queues?: string[] }): Promise<void> => {
  const conn = await amqp.connect(amqpUrl());
  try {
    for (const q of what.queues ?? []) {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteQueue(q).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    for (const x of what.exchanges ?? []) {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteExchange(x).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
  } finally {
    await conn.close();
  }
};

const run = promisify(execFile);

/** The broker-side pids of the connections that carry this connection_name. */
export const connectionPids = async (connectionName: string): Promise<string[]> => {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties', '--no-table-headers']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`{"connection_name","${connectionName}"}`))
    .map((line) => line.split('\t')[0]!.trim());
};

/** Closes, from the broker's side, the (single) connection with this connection_name; returns its pid. */
export const closeConnectionFromBroker = async (connectionName: string): Promise<string> => {
  let pids: string[] = [];
  await waitFor(async () => (pids = await connectionPids(connectionName)).length === 1, `one broker connection named ${connectionName}`, 20_000, 200);
  await run('rabbitmqctl', ['-q', 'close_connection', pids[0]!, 'test: cutting the connection']);
  return pids[0]!;
};

const metadata = (): EventMetadata =>
  ({
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: 'system:test',
    schemaVersion: 1,
    occurredAt: new Date(Date.UTC(2024, 0, 1)).toISOString(),
  }) as EventMetadata;

export const testEvent = (type: string, data: unknown): NewEvent => ({ eventId: randomUUID(), type, data, metadata: metadata() });

/** The event ids of each stream in revision order, as the test appended them. */
export type Appended = Map<string, string[]>;

export const totalOf = (appended: Appended): number => [...appended.values()].reduce((n, ids) => n + ids.length, 0);

/**
 * Appends `perStream` events to each of `streams` streams of `category`, the streams written concurrently
 * (so the log interleaves them), every third append carrying two events.
 */
export const appendAcrossStreams = async (
  store: EventStore,
  category: string,
  streams: number,
  perStream: number,
  into: Appended = new Map(),
): Promise<Appended> => {
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      const stream = `${category}-${s}`;
      const ids = into.get(stream) ?? [];
      into.set(stream, ids);
      let written = 0;
      while (written < perStream) {
        const n = written % 3 === 2 && written + 2 <= perStream ? 2 : 1;
        const events = Array.from({ length: n }, (_, k) => testEvent(k % 2 === 0 ? 'ThingHappened' : 'OtherThingHappened', { stream: s, i: ids.length + k }));
        const r = await store.appendToStream(stream, events);
        if (r._tag === 'Left') throw new Error(`append failed: ${JSON.stringify(r.left)}`);
        ids.push(...events.map((e) => e.eventId));
        written += n;
      }
    }),
  );
  return into;
};

/** Collects deliveries; duplicates are kept so tests can look at them. */
export class Collector {
  readonly received: DeliveredMessage[] = [];
  readonly handler = async (m: DeliveredMessage): Promise<void> => {
    this.received.push(m);
  };
  distinctCount(): number {
    return new Set(this.received.map((m) => m.messageId)).size;
  }
  /** Each stream's event ids in the order of their first arrival (later duplicates dropped, as a consumer would). */
  firstArrivals(): Appended {
    const seen = new Set<string>();
    const out: Appended = new Map();
    for (const m of this.received) {
      if (seen.has(m.messageId)) continue;
      seen.add(m.messageId);
      const ids = out.get(m.body.stream) ?? [];
      ids.push(m.messageId);
      out.set(m.body.stream, ids);
    }
    return out;
  }
}

/** The oldest open transactions in the cluster: one of them holds every log subscriber back (see the event store). */
export const oldestTransactions = async (): Promise<unknown[]> => {
  const c = new pg.Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT datname, pid, state, backend_xid::text, backend_xmin::text, (now() - xact_start)::text AS age, left(query, 100) AS query
         FROM pg_stat_activity WHERE xact_start IS NOT NULL AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 3`,
    );
    return rows;
  } finally {
    await c.end();
  }
};
