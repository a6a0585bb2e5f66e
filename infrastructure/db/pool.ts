// The slonik pool the read side uses: projections write through it, queries read through it.
// Rows come back JSON-ready: int8 and numeric as numbers, timestamps as ISO-8601 strings.
import { createPool, type DatabasePool } from 'slonik';

const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());

export const createReadModelPool = (databaseUrl: string, maximumPoolSize = 10): Promise<DatabasePool> =>
  createPool(databaseUrl, {
    maximumPoolSize,
    typeParsers: [
      { name: 'int8', parse: (v: string) => Number(v) },
      { name: 'numeric', parse: (v: string) => Number(v) },
      { name: 'timestamptz', parse: iso },
      { name: 'timestamp', parse: (v: string) => iso(`${v}Z`) },
    ],
  });
