// The logger's tee into PostgreSQL: records stored in batches (counted as INSERT transactions in the table itself),
// a database that refuses writes or holds a lock never blocks the logger nor stdout, the buffer stays in its bounds
// and drops the oldest info first (counted), writing resumes after the outage; huge and odd records are stored
// bounded; retention deletes only the old rows.
import { expect } from 'chai';
import pg from 'pg';
import type { DestinationStream } from 'pino';
import { createLogger } from '../../infrastructure/logging/logger.js';
import { LogTee, type LogTeeOptions } from '../../infrastructure/logging/log-tee.js';
import { deleteLogsBefore } from '../../infrastructure/logging/log-retention.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

/** A stdout stand-in that keeps the lines. */
const collect = (): DestinationStream & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, write: (s: string) => void lines.push(s) };
};

/** The services' logger (infrastructure/logging/logger.ts) with the tee, its stdout replaced by `out`. */
const loggerWith = (tee: LogTee, out: DestinationStream, service = 'worker') => createLogger('trace', service, { tee, destination: out });

describe('log storage (infrastructure/logging/log-tee.ts, migration 20)', () => {
  let db: TestDatabase;
  let admin: pg.Pool;
  const tees: LogTee[] = [];
  const problems: string[] = [];
  const newTee = (o: Partial<LogTeeOptions> = {}) => {
    const tee = new LogTee({ service: 'worker', store: true, flushIntervalMs: 3_600_000, onProblem: (m) => problems.push(m), ...o });
    tees.push(tee);
    return tee;
  };
  const rows = async () => Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM logs')).rows[0]!.n);

  before(async () => {
    db = await freshDatabase('log_store');
    admin = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  beforeEach(async () => {
    await admin.query('TRUNCATE logs');
    problems.length = 0;
  });
  after(async () => {
    for (const t of tees) await t.close();
    await admin.end();
    await db.drop();
  });

  it('stores a burst in batches: 2500 records, at most 1000 per INSERT, make 3 INSERT transactions', async () => {
    const tee = newTee({ batchSize: 500, maxBatch: 1000 });
    tee.startStoring({ connectionString: db.url });
    const out = collect();
    const log = loggerWith(tee, out);
    for (let i = 0; i < 2500; i++) log.info({ i }, `record ${i}`);
    await new Promise((r) => setImmediate(r)); // the size trigger fires on the next turn
    await tee.flush();
    expect(await rows()).to.equal(2500);
    // Each INSERT is one transaction: the rows' xmin tells how many statements stored them.
    const { rows: tx } = await admin.query<{ n: string }>('SELECT count(DISTINCT xmin::text) AS n FROM logs');
    expect(Number(tx[0]!.n)).to.equal(3);
    expect(tee.stats).to.include({ stored: 2500, batches: 3, failedBatches: 0, droppedLow: 0, droppedHigh: 0 });
    const { rows: sample } = await admin.query(`SELECT service, level, msg, record->>'i' AS i FROM logs WHERE msg = 'record 1234'`);
    expect(sample).to.deep.equal([{ service: 'worker', level: 30, msg: 'record 1234', i: '1234' }]);
  });

  it('stores nothing before the size or the interval says so (records wait in memory, not in a statement each)', async () => {
    const tee = newTee({ batchSize: 500 });
    tee.startStoring({ connectionString: db.url });
    const log = loggerWith(tee, collect());
    for (let i = 0; i < 499; i++) log.info(`r${i}`);
    await new Promise((r) => setTimeout(r, 50));
    expect(await rows()).to.equal(0);
    expect(tee.stats.buffered).to.equal(499);
    await tee.flush();
    expect(await rows()).to.equal(499);
    expect(tee.stats.batches).to.equal(1);
  });

  it('survives a table it cannot write to: stdout gets every line, the buffer keeps its bound dropping info first, writing resumes', async () => {
    const tee = newTee({ batchSize: 1000, maxBufferedRecords: 200 });
    tee.startStoring({ connectionString: db.url });
    const out = collect();
    const log = loggerWith(tee, out);
    await admin.query('ALTER TABLE logs RENAME TO logs_away');
    try {
      log.info('before the outage');
      await tee.flush(); // fails: the record is kept
      expect(tee.stats.failedBatches).to.equal(1);
      expect(tee.stats.buffered).to.equal(1);
      // 300 more: every 6th a warning (50), the rest info (250); with the one kept, 301 for 200 places.
      for (let i = 1; i <= 300; i++) (i % 6 === 0 ? log.warn.bind(log) : log.info.bind(log))(`during ${i}`);
      expect(out.lines).to.have.length(301);
      expect(tee.stats.buffered).to.equal(200);
      expect(tee.stats.droppedLow).to.equal(101);
      expect(tee.stats.droppedHigh).to.equal(0);
      await tee.flush();
      expect(tee.stats.failedBatches).to.equal(2);
      expect(tee.stats.buffered).to.equal(200);
    } finally {
      await admin.query('ALTER TABLE logs_away RENAME TO logs');
    }
    await tee.flush();
    expect(await rows()).to.equal(200);
    const { rows: levels } = await admin.query<{ level: number; n: string }>('SELECT level, count(*) AS n FROM logs GROUP BY level ORDER BY level');
    // every warning kept; the oldest info records went first: the newest 150 info remain
    expect(levels.map((r) => [r.level, Number(r.n)])).to.deep.equal([
      [30, 150],
      [40, 50],
    ]);
    const { rows: oldestInfo } = await admin.query<{ msg: string }>(`SELECT msg FROM logs WHERE level = 30 ORDER BY time, id LIMIT 1`);
    expect(oldestInfo[0]!.msg).to.equal('during 121'); // info records 1..300 minus the 50 warnings: the 101 oldest went (with 'before')
    expect(problems.some((p) => p.includes('cannot write'))).to.equal(true);
    expect(problems.some((p) => p.includes('writing again'))).to.equal(true);
  });

  it('never waits for a locked table: logging goes on while an INSERT hangs, then the batch lands', async () => {
    const tee = newTee({ batchSize: 100000 });
    tee.startStoring({ connectionString: db.url });
    const out = collect();
    const log = loggerWith(tee, out);
    const locker = await admin.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE logs IN ACCESS EXCLUSIVE MODE');
    log.info('first');
    const flushing = tee.flush(); // its INSERT waits for the lock
    for (let i = 0; i < 1000; i++) log.info(`while locked ${i}`);
    // Synchronously written, every one: the logger did not wait for the database.
    expect(out.lines).to.have.length(1001);
    expect(tee.stats.buffered).to.equal(1000);
    await locker.query('COMMIT');
    locker.release();
    await flushing;
    await tee.flush();
    expect(await rows()).to.equal(1001);
  });

  it('reconnects after its connection is killed', async () => {
    const tee = newTee();
    tee.startStoring({ connectionString: db.url });
    const log = loggerWith(tee, collect());
    log.info('one');
    await tee.flush();
    const { rows: killed } = await admin.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'mastertrade-logs' AND datname = current_database()`,
    );
    expect(killed.length).to.be.greaterThan(0);
    log.info('two');
    await tee.flush(); // may fail on the dead connection; then the record is kept and the next flush stores it
    await tee.flush();
    expect((await admin.query('SELECT msg FROM logs ORDER BY id')).rows.map((r: { msg: string }) => r.msg)).to.deep.equal(['one', 'two']);
  });

  it('stores a huge record cut and marked, and a record holding NUL', async () => {
    const tee = newTee({ maxRecordChars: 1000 });
    tee.startStoring({ connectionString: db.url });
    const log = loggerWith(tee, collect());
    log.error({ blob: 'x'.repeat(100_000) }, 'a huge one');
    log.info({ text: 'a\u0000b' }, 'with a NUL');
    await tee.flush();
    const { rows: stored } = await admin.query<{ level: number; msg: string; record: Record<string, unknown>; size: number }>(
      'SELECT level, msg, record, octet_length(record::text) AS size FROM logs ORDER BY id',
    );
    expect(stored).to.have.length(2);
    expect(stored[0]).to.deep.include({ level: 50, msg: 'a huge one' });
    expect(stored[0]!.record).to.include({ truncated: true, service: 'worker' });
    expect(stored[0]!.record['originalChars']).to.be.greaterThan(100_000);
    expect(stored[0]!.size).to.be.lessThan(2000);
    expect(stored[1]!.record['text']).to.equal('a\ufffdb');
    expect(tee.stats.truncated).to.equal(1);
  });

  it('retention deletes the rows older than the cut-off only, in batches', async () => {
    const cutoff = Date.UTC(2024, 0, 15);
    // 50 old rows (one hour apart before the cut-off), one exactly at it, 30 after
    const times = [
      ...Array.from({ length: 50 }, (_, i) => cutoff - (i + 1) * 3_600_000),
      cutoff,
      ...Array.from({ length: 30 }, (_, i) => cutoff + (i + 1) * 60_000),
    ];
    await admin.query(
      `INSERT INTO logs (time, service, level, msg, record)
       SELECT to_timestamp(t / 1000.0), 'api', 30, 'm', '{}'::jsonb FROM unnest($1::float8[]) AS u(t)`,
      [times],
    );
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const run = await deleteLogsBefore(pool, new Date(cutoff), 7);
      expect(run).to.deep.equal({ deleted: 50, batches: 8 }); // 7 × 7 + 1
      const { rows: left } = await admin.query<{ n: string; oldest: Date }>('SELECT count(*) AS n, min(time) AS oldest FROM logs');
      expect(Number(left[0]!.n)).to.equal(31);
      expect(left[0]!.oldest.getTime()).to.equal(cutoff);
      expect(await deleteLogsBefore(pool, new Date(cutoff), 7)).to.deep.equal({ deleted: 0, batches: 0 });
    } finally {
      await pool.end();
    }
  });
});
