// `npm run bench:rebuild`: `npm run replay -- --all` on a log shaped like the pipeline's (bench/mixed-history.ts:
// strategy lifecycles with genomes and backtest results, bracket orders, risk refusals, TradingDayClosed, learning
// cycles), 1M events by default. Prints the rebuild of every read model in one pass (rebuildAll, what replay --all
// does) and, for comparison, one projection after the other (what running `replay -- <name>` for each would do),
// with their digests, which must be equal.
//
// BENCH_EVENTS=n (default 1,000,000) · BENCH_MODES=each,all (default; a comma list; all:<n> = n connections; read =
// the pass's read and decoding alone, the floor of any rebuild) ·
// BENCH_REPEAT=n runs of each · BENCH_QUEUE=n windows a writing transaction may hold queued (default 2)
// BENCH_DATABASE_URL / DATABASE_URL: the server (default local PostgreSQL); a throw-away database on it, unless
// BENCH_KEEP=1: then the database mt_bench_rebuild_<events> is kept and reused (seeded once) by the next run.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'slonik';
import pgCopy from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { ensureDatabase, dropDatabase, withDatabaseName } from '../infrastructure/db/database.js';
import { migrate } from '../infrastructure/db/migrate.js';
import { createReadModelPool } from '../infrastructure/db/pool.js';
import { PostgresEventStore } from '../infrastructure/event-store/postgres-event-store.js';
import { createLogger } from '../infrastructure/logging/logger.js';
import { ALL_PROJECTIONS } from '../projections/all.js';
import { readModelDigest, type ReadModelDigest } from '../projections/digest.js';
import { DEFAULT_REBUILD_BATCH_SIZE, DEFAULT_REBUILD_CONNECTIONS, rebuildAll, rebuildProjection, unionFilter } from '../projections/rebuild.js';
import { readBatches } from '../projections/checkpoint.js';
import { decodeEvent } from '../application/events/decode-event.js';
import { START } from '../application/ports/event-store.js';
import { either } from 'fp-ts';
import { mixedHistory, type MixedEvent } from './mixed-history.js';

const server = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const total = Number(process.env['BENCH_EVENTS'] ?? '1000000');
const keep = process.env['BENCH_KEEP'] === '1';
const modes = (process.env['BENCH_MODES'] ?? 'each,all').split(',');
const repeat = Number(process.env['BENCH_REPEAT'] ?? '1');
const url = withDatabaseName(server, keep ? `mt_bench_rebuild_${total}` : `mt_bench_rebuild_${process.pid}`);
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} events/s`;

// COPY's text format: backslash, tab and newline are special; JSON.stringify escapes the last two inside strings.
const copyText = (s: string) => s.replaceAll('\\', '\\\\');

/** Writes the log with COPY, one transaction per simulated day (as many transaction ids as a real run would have, or fewer). */
const seed = async (): Promise<{ events: number; types: Map<string, number> }> => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const types = new Map<string, number>();
  const seen = new Set<string>();
  let events = 0;
  const t0 = performance.now();
  const copy = async (statement: string, lines: string[]) => {
    if (lines.length === 0) return;
    await pipeline(Readable.from(lines), c.query(pgCopy.from(statement)));
  };
  let pending: MixedEvent[] = [];
  const flush = async () => {
    await c.query('BEGIN');
    const streams: string[] = [];
    for (const e of pending)
      if (!seen.has(e.streamName)) {
        seen.add(e.streamName);
        streams.push(`${e.streamName}\t${e.category}\t0\n`);
      }
    await copy('COPY streams (stream_name, category, revision) FROM STDIN', streams);
    await copy(
      'COPY events (stream_name, stream_revision, event_id, event_type, category, data, metadata) FROM STDIN',
      pending.map(
        (e) =>
          `${e.streamName}\t${e.revision}\t${e.eventId}\t${e.type}\t${e.category}\t${copyText(JSON.stringify(e.data))}\t${copyText(JSON.stringify(e.metadata))}\n`,
      ),
    );
    await c.query('COMMIT');
    pending = [];
  };
  for (const day of mixedHistory({ seed: 20261204, events: total })) {
    for (const e of day) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    events += day.length;
    pending.push(...day);
    if (pending.length >= 20_000) await flush();
  }
  await flush();
  await c.query(
    `UPDATE streams s SET revision = m.r FROM (SELECT stream_name, max(stream_revision) AS r FROM events GROUP BY stream_name) m WHERE m.stream_name = s.stream_name`,
  );
  // Statistics as autovacuum would gather them on a live system; a freshly bulk-loaded table has none.
  await c.query('VACUUM ANALYZE events');
  await c.query('VACUUM ANALYZE streams');
  await c.end();
  console.log(`seeded ${events.toLocaleString('en-US')} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { events, types };
};

/** CPU seconds used so far by the server processes of the bench database (this machine's PostgreSQL, /proc). */
const serverCpu = async (): Promise<number> => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  await c.end();
  const { readFile } = await import('node:fs/promises');
  let ticks = 0;
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime
  }
  return ticks / 100; // USER_HZ
};

const logEvents = async (): Promise<number> => {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ n: string }>('SELECT count(*) AS n FROM events');
  await c.end();
  return Number(rows[0]!.n);
};

const main = async () => {
  console.log(`MasterTrade rebuild benchmark (npm run replay -- --all) — PostgreSQL at ${new URL(server).host}, ${new Date().toISOString()}`);
  let events = 0;
  if (keep) {
    await ensureDatabase(url);
    await migrate(url);
    events = await logEvents();
  } else {
    await dropDatabase(url).catch(() => undefined);
    await ensureDatabase(url);
    await migrate(url);
  }
  if (events === 0) {
    const seeded = await seed();
    events = seeded.events;
    console.log(
      'event mix: ' +
        [...seeded.types]
          .sort((a, b) => b[1] - a[1])
          .map(([t, n]) => `${t} ${((n / events) * 100).toFixed(1)}%`)
          .join(', '),
    );
  } else console.log(`reusing the ${events.toLocaleString('en-US')} events of ${new URL(url).pathname.slice(1)}`);
  const log = createLogger('warn', 'bench');
  // eslint-disable-next-line no-restricted-syntax -- a benchmark of the raw adapter
  const store = new PostgresEventStore({ connectionString: url, poolSize: 4 });
  const pool = await createReadModelPool(url, 4);
  const digests = new Map<string, string>();
  const digestAll = async () => {
    const out: ReadModelDigest[] = [];
    for (const p of ALL_PROJECTIONS) out.push(await readModelDigest(pool, p));
    return out.map((d) => `${d.projection}:${d.digest}`).join(' ');
  };
  try {
    for (let run = 0; run < repeat; run++)
      for (const mode of modes) {
        await pool.query(sql.unsafe`SELECT 1`); // the pool's connections exist before the server CPU is read
        const server0 = await serverCpu();
        const t0 = performance.now();
        const cpu0 = process.cpuUsage();
        if (mode === 'each') {
          let applied = 0;
          for (const projection of ALL_PROJECTIONS) {
            const r = await rebuildProjection({ pool, store, projection, log });
            applied += r.events;
            console.log(
              `  each: ${projection.name.padEnd(20)} ${String(r.events).padStart(8)} events in ${(r.ms / 1000).toFixed(2)} s = ${rate(r.events, r.ms)}`,
            );
          }
          const ms = performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          console.log(
            `one projection after the other: ${events.toLocaleString('en-US')} log events (${applied.toLocaleString('en-US')} applied) in ${(ms / 1000).toFixed(2)} s = ${rate(events, ms)} of the log` +
              ` (Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, PostgreSQL CPU ${((await serverCpu()) - server0).toFixed(2)} s)`,
          );
        } else if (mode === 'all' || mode.startsWith('all:')) {
          const connections = mode === 'all' ? DEFAULT_REBUILD_CONNECTIONS : Number(mode.slice(4));
          const queueDepth = process.env['BENCH_QUEUE'] === undefined ? undefined : Number(process.env['BENCH_QUEUE']);
          const r = await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log, connections, ...(queueDepth === undefined ? {} : { queueDepth }) });
          const ms = performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          for (const p of r.projections)
            console.log(`  all: ${p.name.padEnd(20)} ${String(p.events).padStart(8)} events, writing ${(p.applyMs / 1000).toFixed(2)} s`);
          const applied = r.projections.reduce((n, p) => n + p.events, 0);
          console.log(
            `replay --all (one pass, ${connections} connection(s)): ${r.read.toLocaleString('en-US')} log events (${applied.toLocaleString('en-US')} applied) in ${(ms / 1000).toFixed(2)} s = ${rate(r.read, ms)}` +
              ` (Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, PostgreSQL CPU ${((await serverCpu()) - server0).toFixed(2)} s)`,
          );
        } else if (mode === 'read') {
          // The floor of any rebuild: the pass's read and decoding alone (the union of the filters, the same pages), nothing written.
          let read = 0;
          for await (const batch of readBatches(store, START, unionFilter(ALL_PROJECTIONS.map((p) => p.filter)), DEFAULT_REBUILD_BATCH_SIZE))
            for (const r of batch) {
              const decoded = decodeEvent(r);
              if (either.isLeft(decoded)) throw new Error(decoded.left.message);
              read += 1;
            }
          const ms = performance.now() - t0;
          const cpu = process.cpuUsage(cpu0);
          console.log(
            `read and decode only (no read model written): ${read.toLocaleString('en-US')} log events in ${(ms / 1000).toFixed(2)} s = ${rate(read, ms)}` +
              ` (Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, PostgreSQL CPU ${((await serverCpu()) - server0).toFixed(2)} s)`,
          );
          continue; // no digest: nothing was built
        } else throw new Error(`unknown BENCH_MODES entry "${mode}" (each, all, all:<connections>, read)`);
        const t1 = performance.now();
        digests.set(mode, await digestAll());
        console.log(`  digests in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
      }
    if (digests.size > 1) {
      const distinct = new Set(digests.values());
      console.log(
        distinct.size === 1
          ? 'digests: every mode built identical read models'
          : `digests DIFFER between modes: ${[...digests].map(([m, d]) => `${m}: ${d}`).join('\n')}`,
      );
      if (distinct.size !== 1) process.exitCode = 1;
    }
  } finally {
    await pool.end();
    await store.close();
    if (!keep) await dropDatabase(url);
  }
};

await main();
