// PostgreSQL event store (the default adapter). Appends go through one SQL function (migrations/…event-store.sql);
// reads and subscriptions follow (transaction id, global position) below the oldest running transaction,
// so an event committed late by a slow concurrent transaction is never skipped.
// Side effect: a long-running transaction anywhere in the cluster holds every subscriber back until it ends.
import pg from 'pg';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { categoryOf } from '../../domain/events/catalog.js';
import {
  START,
  type AppendError,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store.js';
import { followLog } from './follow-log.js';

interface EventRow {
  global_position: string;
  tx: string;
  stream_name: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: unknown;
}

const toRecorded = (r: EventRow): RecordedEvent => ({
  streamName: r.stream_name,
  revision: BigInt(r.stream_revision),
  position: { commit: BigInt(r.tx), prepare: BigInt(r.global_position) },
  eventId: r.event_id,
  type: r.event_type,
  data: r.data,
  metadata: r.metadata,
});

// The text copy of the transaction id gets its own name: ORDER BY transaction_id must sort the xid8, not text.
const COLUMNS = 'global_position, transaction_id::text AS tx, stream_name, stream_revision, event_id, event_type, data, metadata';

// readAll is the replay's hot path (millions of rows): rows come back as arrays in COLUMNS order, not as objects,
// and every column but the JSON ones stays the text PostgreSQL sent (what pg's default int8/uuid/text parsers
// return for these columns anyway, without their per-value checks).
const JSON_OIDS = new Set([114, 3802]); // json, jsonb
const asText = (v: string) => v;
const parseJson = (v: string): unknown => JSON.parse(v);
const READ_TYPES = { getTypeParser: (oid: number) => (JSON_OIDS.has(oid) ? parseJson : asText) };
type EventTuple = [string, string, string, string, string, string, unknown, unknown];

const tupleToRecorded = (r: EventTuple): RecordedEvent => ({
  streamName: r[2],
  revision: BigInt(r[3]),
  position: { commit: BigInt(r[1]), prepare: BigInt(r[0]) },
  eventId: r[4],
  type: r[5],
  data: r[6],
  metadata: r[7],
});

/** WHERE fragments for a filter; parameters are appended to `params`. */
const filterSql = (filter: EventFilter | undefined, params: unknown[]): string => {
  let sql = '';
  if (filter?.categories && filter.categories.length === 1) {
    // Equality lets the (category, transaction_id, global_position) index deliver rows already in log order.
    params.push(filter.categories[0]);
    sql += ` AND category = $${params.length}::text`;
  } else if (filter?.categories && filter.categories.length > 1) {
    params.push(filter.categories);
    sql += ` AND category = ANY($${params.length}::text[])`;
  }
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    params.push(filter.eventTypes);
    sql += ` AND event_type = ANY($${params.length}::text[])`;
  }
  return sql;
};

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  readonly poolSize?: number;
  /** How often a caught-up subscription polls when no notification arrives. */
  readonly pollIntervalMs?: number;
}

export class PostgresEventStore implements EventStore {
  readonly name = 'postgres';
  private readonly pool: pg.Pool;
  private readonly listeners = new Set<() => void>();
  private listenClient: pg.Client | undefined;
  private listenStarting: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
    this.pool.on('error', () => {
      /* an idle client died (e.g. server restart); the pool replaces it */
    });
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision?: ExpectedRevision } = {},
  ): Promise<Either<AppendError, AppendResult>> {
    if (events.length === 0) throw new Error('appendToStream: no events to append');
    if (new Set(events.map((e) => e.eventId)).size !== events.length) throw new Error('appendToStream: an event id repeats within the batch');
    const expected = options.expectedRevision ?? 'any';
    try {
      const { rows } = await this.pool.query<{ next_revision: string; transaction_id: string; global_position: string; appended: boolean }>(
        'SELECT next_revision, transaction_id::text, global_position, appended FROM mt_append_to_stream($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])',
        [
          streamName,
          categoryOf(streamName),
          typeof expected === 'bigint' ? expected.toString() : expected,
          events.map((e) => e.eventId),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      );
      const row = rows[0];
      if (!row) throw new Error('mt_append_to_stream returned no row');
      return either.right({
        nextExpectedRevision: BigInt(row.next_revision),
        position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
        appended: row.appended,
      });
    } catch (err) {
      const e = err as { code?: string; detail?: string };
      if (e.code === 'MT001')
        return either.left({
          kind: 'WrongExpectedRevision',
          streamName,
          expected,
          actual: e.detail === 'no_stream' || e.detail === undefined ? 'no_stream' : BigInt(e.detail),
        });
      if (e.code === 'MT002') return either.left({ kind: 'PartialDuplicate', streamName, duplicateEventIds: (e.detail ?? '').split(',') });
      throw err;
    }
  }

  async readStream(streamName: string, options: { readonly fromRevision?: bigint; readonly maxCount?: number } = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_name = $1 AND stream_revision >= $2 ORDER BY stream_revision LIMIT $3`,
      [streamName, (options.fromRevision ?? 0n).toString(), options.maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const from = options.from ?? START;
    const params: unknown[] = [from.commit.toString(), from.prepare.toString(), options.maxCount ?? 1000];
    const { rows } = await this.pool.query<EventTuple>({
      text: `SELECT ${COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())${filterSql(options.filter, params)}
        ORDER BY events.transaction_id, events.global_position
        LIMIT $3`,
      values: params,
      rowMode: 'array',
      types: READ_TYPES,
    });
    const out = new Array<RecordedEvent>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = tupleToRecorded(rows[i]!);
    return out;
  }

  subscribeToAll(options: SubscribeOptions, handler: (batch: readonly RecordedEvent[]) => Promise<void>): Subscription {
    return followLog({
      from: options.from ?? START,
      read: (from) => this.readAll({ from, maxCount: options.batchSize ?? 500, filter: options.filter }),
      handler,
      waitForNews: (ms) => this.waitForNews(ms),
      idleMs: this.options.pollIntervalMs ?? 1000,
    });
  }

  async headPosition(): Promise<Position | undefined> {
    const { rows } = await this.pool.query<{ tx: string; global_position: string }>(
      `SELECT transaction_id::text AS tx, global_position FROM events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id DESC, events.global_position DESC LIMIT 1`,
    );
    const r = rows[0];
    return r ? { commit: BigInt(r.tx), prepare: BigInt(r.global_position) } : undefined;
  }

  async unseenCommitted(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())`);
    return Number(rows[0]?.n ?? 0);
  }

  async countAfter(from: Position, filter?: EventFilter): Promise<number> {
    const params: unknown[] = [from.commit.toString(), from.prepare.toString()];
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)${filterSql(filter, params)}`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.listeners) wake();
    // A LISTEN connection still being opened would otherwise be left open behind the close.
    await this.listenStarting?.catch(() => undefined);
    await this.listenClient?.end().catch(() => undefined);
    await this.pool.end();
  }

  /** Resolves on the next append notification or after `ms`, whichever comes first. */
  private async waitForNews(ms: number): Promise<void> {
    if (this.closed) return;
    await this.ensureListening().catch(() => undefined); // polling still works without LISTEN
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.listeners.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.listeners.add(wake);
    });
  }

  private ensureListening(): Promise<void> {
    if (this.listenClient || this.closed) return Promise.resolve();
    this.listenStarting ??= (async () => {
      const client = new pg.Client({ connectionString: this.options.connectionString });
      client.on('notification', () => {
        for (const wake of [...this.listeners]) wake();
      });
      client.on('error', () => {
        // Lost the LISTEN connection: fall back to polling and reconnect on the next wait.
        this.listenClient = undefined;
      });
      await client.connect();
      await client.query('LISTEN mt_events');
      this.listenClient = client;
    })().finally(() => {
      this.listenStarting = undefined;
    });
    return this.listenStarting;
  }
}
