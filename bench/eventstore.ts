// `npm run bench:eventstore`: append, read and replay throughput of the PostgreSQL event store.
// Runs on a throw-away database on the server in BENCH_DATABASE_URL / DATABASE_URL (default: local PostgreSQL).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { START, type NewEvent } from '../application/ports/event-store.js';
import { ensureDatabase, dropDatabase, withDatabaseName } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createReadModelPool } from '../infrastructure/db/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import { rebuildProjection } from '../projections/runner.js';
import { rsiMeanReversionGenome } from '../domain/strategy/templates.js';
import { exampleCommands } from '../apps/api/examples.js';

const server = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = withDatabaseName(server, `mt_bench_${process.pid}`);
const sizes = (process.env['BENCH_REPLAY_SIZES'] ?? '100000,1000000').split(',').map(Number);
/** BENCH_REPLAY_REPEAT=n replays each size n times (the first run also warms up the JIT). */
const repeat = Number(process.env['BENCH_REPLAY_REPEAT'] ?? '1');
const metadata = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: 'system:bench',
  schemaVersion: 1,
  occurredAt: '2024-01-01T00:00:00.000Z',
});
const ev = (type: string, data: unknown): NewEvent => ({ eventId: randomUUID(), type, data, metadata: metadata() as NewEvent['metadata'] });
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;

const appendBench = async (store: PostgresEventStore, label: string, writers: number, perWriter: number, batch: number) => {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const stream = `bench-${w}-${randomUUID()}`;
      for (let i = 0; i < perWriter; i += batch) {
        const events = Array.from({ length: batch }, (_, j) => ev('BenchEvent', { w, i: i + j }));
        const r = await store.appendToStream(stream, events, { expectedRevision: i === 0 ? 'no_stream' : BigInt(i - 1) });
        if (r._tag === 'Left') throw new Error(JSON.stringify(r.left, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      }
    }),
  );
  const ms = performance.now() - t0;
  console.log(`append ${label.padEnd(40)} ${String(writers * perWriter).padStart(8)} events in ${(ms / 1000).toFixed(2)} s = ${rate(writers * perWriter, ms)}`);
};

/** Seeds `total` strategy events (7 per strategy, a whole lifecycle) straight into the log with set-based SQL. */
const seedStrategyHistory = async (total: number) => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const strategies = Math.ceil(total / 7);
  const genome = rsiMeanReversionGenome();
  const result = (exampleCommands['record-backtest'] as { result: unknown }).result;
  const decision = (exampleCommands.activate as { decision: unknown }).decision;
  const t0 = performance.now();
  const chunk = 20000;
  for (let s0 = 0; s0 < strategies; s0 += chunk) {
    const n = Math.min(chunk, strategies - s0);
    await c.query('BEGIN');
    await c.query(
      `WITH ids AS (SELECT gen_random_uuid() AS id FROM generate_series(1, $1)),
            s AS (INSERT INTO streams (stream_name, category, revision) SELECT 'strategy-' || id, 'strategy', 6 FROM ids RETURNING stream_name)
       INSERT INTO events (stream_name, stream_revision, event_id, event_type, category, data, metadata)
       SELECT s.stream_name, k.rev, gen_random_uuid(), k.type, 'strategy',
              jsonb_build_object('strategyId', substr(s.stream_name, 10)) || k.data, $2::jsonb
         FROM s CROSS JOIN (VALUES
           (0, 'StrategyGenerated', jsonb_build_object('genome', $3::jsonb)),
           (1, 'StrategyBacktested', jsonb_build_object('result', $4::jsonb)),
           (2, 'StrategyFiltered', '{"verdict":{"outcome":"passed","reasons":["bench"],"thresholds":{"minSharpe":0.5}}}'::jsonb),
           (3, 'PaperTradingStarted', '{"decidedBy":"system:bench","reason":"bench"}'::jsonb),
           (4, 'StrategyActivated', jsonb_build_object('decidedBy', 'system:bench', 'reason', 'bench', 'decision', $5::jsonb)),
           (5, 'StrategyDeactivated', '{"decidedBy":"system:bench","reason":"bench"}'::jsonb),
           (6, 'StrategyRetired', '{"decidedBy":"system:bench","reason":"bench","fromState":"Paper"}'::jsonb)
         ) AS k (rev, type, data)
        ORDER BY s.stream_name, k.rev`,
      [n, JSON.stringify(metadata()), JSON.stringify(genome), JSON.stringify(result), JSON.stringify(decision)],
    );
    await c.query('COMMIT');
  }
  // Statistics as autovacuum would gather them on a live system; a freshly bulk-loaded table has none.
  await c.query('ANALYZE events');
  await c.end();
  return { strategies, events: strategies * 7, seedMs: performance.now() - t0 };
};

const main = async () => {
  const only = process.env['BENCH_ONLY'];
  console.log(`MasterTrade event store benchmark — PostgreSQL at ${new URL(server).host}, ${new Date().toISOString()}`);
  await dropDatabase(url).catch(() => undefined);
  await ensureDatabase(url);
  await migrate(url);
  const log = createLogger('warn', 'bench');
  // The adapter's own throughput, without the append check in front of it (that costs a codec pass per event).
  // eslint-disable-next-line no-restricted-syntax -- a benchmark of the raw adapter
  const store = new PostgresEventStore({ connectionString: url, poolSize: 8 });
  try {
    if (only !== 'replay') {
      await appendBench(store, 'single events, 1 writer', 1, 2000, 1);
      await appendBench(store, 'single events, 4 writers (distinct streams)', 4, 2000, 1);
      await appendBench(store, 'batches of 10, 1 writer', 1, 20000, 10);
      await appendBench(store, 'batches of 10, 4 writers (distinct streams)', 4, 20000, 10);
    }

    let read = 0;
    const t0 = performance.now();
    for (let from = START; ;) {
      const page = await store.readAll({ from, maxCount: 5000 });
      if (page.length === 0) break;
      read += page.length;
      from = page[page.length - 1]!.position;
    }
    const readMs = performance.now() - t0;
    console.log(`readAll in pages of 5000                    ${String(read).padStart(8)} events in ${(readMs / 1000).toFixed(2)} s = ${rate(read, readMs)}`);

    const strategiesProjection = ALL_PROJECTIONS.find((p) => p.name === 'strategies')!;
    const pool = await createReadModelPool(url, 4);
    let seeded = 0;
    for (const size of sizes) {
      const seed = await seedStrategyHistory(size - seeded);
      seeded += seed.events;
      const strategyEvents = seeded;
      for (let run = 0; run < repeat; run++) {
        const t1 = performance.now();
        const cpu0 = process.cpuUsage();
        const r = await rebuildProjection({ pool, store, projection: strategiesProjection, log });
        const ms = performance.now() - t1;
        const cpu = process.cpuUsage(cpu0);
        console.log(
          `replay into strategies (${strategyEvents.toLocaleString('en-US')} strategy events) ${String(r.events).padStart(8)} events in ${(ms / 1000).toFixed(2)} s = ${rate(r.events, ms)}` +
            ` (Node CPU ${((cpu.user + cpu.system) / 1000 / 1000).toFixed(2)} s)`,
        );
      }
    }
    await pool.end();
  } finally {
    await store.close();
    await dropDatabase(url);
  }
};

await main();
