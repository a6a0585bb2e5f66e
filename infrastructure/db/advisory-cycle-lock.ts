// The cycle lock across processes (application/learning/cycle-lock.ts): a PostgreSQL session advisory lock on the
// day, held on one pooled connection for the run. The database releases it when that connection ends — a killed
// process never leaves a day locked. The lock does not carry who holds it: a refused run is told "another process".
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { CycleLock } from '../../application/learning/cycle-lock.js';

/** Two int4 keys: a namespace for cycle locks and the day as a number (20230601). */
const NAMESPACE = 0x4d54_4359; // 'MTCY'

export const advisoryCycleLock = (pool: DatabasePool): CycleLock => ({
  withLock: async (cycleId, _holder, fn) => {
    const day = Number(cycleId.replaceAll('-', ''));
    if (!Number.isSafeInteger(day)) throw new RangeError(`cycle lock: not a cycle day: ${cycleId}`);
    return pool.connect(async (conn) => {
      const got = await conn.oneFirst(sql.type(z.object({ ok: z.boolean() }))`SELECT pg_try_advisory_lock(${NAMESPACE}::int, ${day}::int) AS ok`);
      if (!got) return { acquired: false as const, holder: 'another process (it holds the PostgreSQL advisory lock of the day)' };
      try {
        return { acquired: true as const, value: await fn() };
      } finally {
        await conn.query(sql.unsafe`SELECT pg_advisory_unlock(${NAMESPACE}::int, ${day}::int)`);
      }
    });
  },
});
