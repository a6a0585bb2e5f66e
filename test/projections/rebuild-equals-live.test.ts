// The rebuild of every read model (rebuildAll, what `npm run replay -- --all` runs: one pass, large windows, two
// transactions) builds, table for table, the rows the live projector built batch by batch from a pipeline-shaped log
// (bench/mixed-history.ts: strategy lifecycles with genomes and backtests, bracket orders and fills, days closed,
// learning cycles). And, checked against the log itself with plain SQL rather than against the projections' code:
// one row per strategy, order, fill and closed day, and the genomes and backtest results are the events' own.
// The tables a rebuild swaps in are the migrations' tables (same layout, analyzed), and do not grow from one
// rebuild to the next.
import { expect } from 'chai';
import { either } from 'fp-ts';
import { sql, type DatabasePool } from 'slonik';
import { mixedHistory } from '../../bench/mixed-history.js';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { PostgresEventStore } from '../../infrastructure/event-store/postgres-event-store.js';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { readModelDigest, type TableDigest } from '../../projections/digest.js';
import { rebuildAll } from '../../projections/rebuild.js';
import { ProjectionRunner } from '../../projections/runner.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';
import { allVisible, memoryLog } from './support.js';

describe('rebuilding every read model gives the live projector’s rows', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let pool: DatabasePool;
  let live: readonly TableDigest[];

  const tables = async () => {
    const out: TableDigest[] = [];
    for (const p of ALL_PROJECTIONS) out.push(...(await readModelDigest(pool, p)).tables);
    return out;
  };
  const count = async (query: ReturnType<typeof sql.unsafe>) => Number(await pool.oneFirst(query));
  const TABLES = ALL_PROJECTIONS.flatMap((p) => p.tables);
  /** Every read model table as the catalog describes it: schema, columns, constraints and indexes, by name. */
  const layout = () =>
    pool.any(sql.unsafe`
      SELECT n.nspname AS schema, c.relname AS table, c.reloptions AS options, c.relacl::text AS privileges,
             (SELECT json_agg(json_build_object('column', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull,
                                                'default', pg_get_expr(d.adbin, d.adrelid)) ORDER BY a.attnum)
                FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
             (SELECT json_agg(json_build_object('name', o.conname, 'definition', pg_get_constraintdef(o.oid)) ORDER BY o.conname)
                FROM pg_constraint o WHERE o.conrelid = c.oid) AS constraints,
             (SELECT json_agg(pg_get_indexdef(i.indexrelid) ORDER BY pg_get_indexdef(i.indexrelid)) FROM pg_index i WHERE i.indrelid = c.oid) AS indexes,
             (SELECT json_agg(t.tgname ORDER BY t.tgname) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) AS triggers
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relname = ANY(${sql.array(TABLES, 'text')}) AND c.relkind = 'r'
       ORDER BY c.relname`);
  const shadowSchemas = () => pool.anyFirst(sql.unsafe`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'mt\_rebuild\_%'`);
  const bytes = () =>
    count(sql.unsafe`SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relname = ANY(${sql.array(TABLES, 'text')}) AND c.relkind = 'r'`);
  let laidOut: readonly unknown[];

  before(async function () {
    this.timeout(300_000);
    db = await freshDatabase('rebuild_equals_live');
    store = new PostgresEventStore({ connectionString: db.url });
    pool = await createReadModelPool(db.url);
    for (const day of mixedHistory({ seed: 20261205, events: 3000, genomesPerDay: 40, paperSlots: 8, paperDays: 2, tradesPerDay: 3 }))
      for (const e of day) {
        const appended = await store.appendToStream(e.streamName, [{ eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata as never }]);
        if (either.isLeft(appended)) throw new Error(JSON.stringify(appended.left));
      }
    await allVisible(pool, store);
    // Live: small batches (a strategy's or an order's events fall in several, so rows are inserted, then updated).
    const runner = new ProjectionRunner({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog(), batchSize: 53 });
    await runner.catchUp();
    await runner.stop();
    live = await tables();
    // What an operator may have set on a table besides the migrations: a storage parameter, a reader's privilege.
    await pool.query(sql.unsafe`ALTER TABLE trading_orders SET (fillfactor = 90)`);
    await pool.query(sql.unsafe`GRANT SELECT ON strategies TO PUBLIC`);
    laidOut = await layout();
  });
  after(async () => {
    await pool?.end();
    await store?.close();
    await db?.drop();
  });

  it('the live read models hold what the log says: a row per strategy, order, fill and closed day, the events’ own genomes and results', async () => {
    const rows = new Map(live.map((t) => [t.table, t.rows]));
    const generated = await count(sql.unsafe`SELECT count(*) FROM events WHERE event_type = 'StrategyGenerated'`);
    expect(generated).to.be.greaterThan(100);
    expect(rows.get('strategies')).to.equal(generated);
    expect(rows.get('training_set')).to.equal(generated);
    expect(rows.get('trading_orders')).to.equal(await count(sql.unsafe`SELECT count(DISTINCT stream_name) FROM events WHERE category = 'order'`));
    expect(rows.get('trading_fills')).to.be.greaterThan(0);
    expect(rows.get('trading_fills')).to.equal(
      await count(sql.unsafe`SELECT count(*) FROM events WHERE event_type IN ('OrderFilled', 'OrderPartiallyFilled')`),
    );
    expect(rows.get('trading_days')).to.equal(await count(sql.unsafe`SELECT count(*) FROM events WHERE event_type = 'TradingDayClosed'`));
    // Genomes, latest backtests and their metrics, compared in SQL with the events that carry them.
    const differing = await count(sql.unsafe`
      SELECT count(*) FROM strategies s
        JOIN events g ON g.stream_name = 'strategy-' || s.id AND g.event_type = 'StrategyGenerated'
        LEFT JOIN LATERAL (SELECT data FROM events b WHERE b.stream_name = g.stream_name AND b.event_type = 'StrategyBacktested'
                            ORDER BY b.stream_revision DESC LIMIT 1) b ON true
        JOIN training_set t ON t.strategy_id = s.id
       WHERE s.genome IS DISTINCT FROM g.data -> 'genome'
          OR s.symbols IS DISTINCT FROM ARRAY(SELECT jsonb_array_elements_text(g.data -> 'genome' -> 'symbols'))
          OR s.latest_backtest IS DISTINCT FROM b.data -> 'result'
          OR s.latest_metrics IS DISTINCT FROM b.data -> 'result' -> 'metrics'
          OR t.in_sample_metrics IS DISTINCT FROM b.data -> 'result' -> 'metrics'
          OR t.out_of_sample_metrics IS DISTINCT FROM b.data -> 'result' -> 'outOfSampleMetrics'
          OR t.symbols IS DISTINCT FROM s.symbols`);
    expect(differing).to.equal(0);
    expect(await count(sql.unsafe`SELECT count(*) FROM strategies WHERE latest_backtest IS NOT NULL`)).to.be.greaterThan(100);
  });

  for (const options of [
    { name: 'default windows, two transactions', connections: 2 },
    { name: 'small reads, odd windows, one transaction', batchSize: 97, windowSize: 331, connections: 1 },
  ])
    it(`rebuildAll (${options.name}) gives every table the live projector’s rows`, async function () {
      this.timeout(120_000);
      await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog(), ...options });
      expect(await tables()).to.deep.equal(live);
    });

  it('a rebuild leaves every table as it was (columns, constraints, indexes by name, storage parameters, privileges), analyzed, and no copy behind', async function () {
    this.timeout(120_000);
    expect(laidOut).to.have.length(TABLES.length);
    expect(JSON.stringify(laidOut)).to.include('fillfactor=90').and.include('=r/');
    await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog() });
    expect(await layout()).to.deep.equal(laidOut);
    expect(await shadowSchemas()).to.deep.equal([]);
    // The rebuilt tables were analyzed: a table never analyzed has reltuples -1, and the planner guesses its size.
    const unanalyzed = await pool.anyFirst(sql.unsafe`
      SELECT relname FROM pg_class WHERE relname = ANY(${sql.array(TABLES, 'text')}) AND relkind = 'r' AND reltuples < 0`);
    expect(unanalyzed).to.deep.equal([]);
    expect(await count(sql.unsafe`SELECT reltuples::int8 FROM pg_class WHERE relname = 'strategies' AND relkind = 'r'`)).to.equal(
      live.find((t) => t.table === 'strategies')!.rows,
    );
  });

  it('rebuilding again and again does not grow the tables: the old ones are dropped, not left to vacuum', async function () {
    this.timeout(180_000);
    await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog() });
    const once = await bytes();
    for (let i = 0; i < 3; i++) await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog() });
    expect(await bytes()).to.be.at.most(once * 1.05);
    expect(await tables()).to.deep.equal(live);
  });

  it('readers reading while tables are swapped in get the old rows or the new ones, never an error', async function () {
    this.timeout(120_000);
    const strategies = live.find((t) => t.table === 'strategies')!.rows;
    const orders = live.find((t) => t.table === 'trading_orders')!.rows;
    let rebuilding = true;
    const counts: number[] = [];
    // Two readers in a loop (the pool's other connections), each statement on its own: as the API reads.
    const reader = async () => {
      while (rebuilding) {
        const [s, o] = await Promise.all([
          pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM strategies`),
          pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM trading_orders`),
        ]);
        counts.push(Number(s), Number(o));
      }
    };
    const readers = [reader(), reader()];
    for (let i = 0; i < 3; i++) await rebuildAll({ pool, store, projections: ALL_PROJECTIONS, log: memoryLog() });
    rebuilding = false;
    await Promise.all(readers); // rejects if any read failed
    expect(counts.length).to.be.greaterThan(6);
    expect(new Set(counts)).to.deep.equal(new Set([strategies, orders]));
  });

  it('a rebuild that fails leaves the tables, their layout and no copy behind', async function () {
    this.timeout(120_000);
    const [first, ...rest] = ALL_PROJECTIONS;
    const failing = { ...first!, applyBatch: () => Promise.reject(new Error('disk full, say')) };
    const failed = await rebuildAll({ pool, store, projections: [...rest, failing], log: memoryLog() }).then(
      () => 'rebuilt',
      (e: Error) => e.message,
    );
    expect(failed).to.equal('disk full, say');
    expect(await layout()).to.deep.equal(laidOut);
    expect(await shadowSchemas()).to.deep.equal([]);
    expect(await tables()).to.deep.equal(live);
  });
});
