// Every test suite gets a database of its own, copied from a migrated template that the root hook builds,
// on the machine's real PostgreSQL (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { dropDatabase, withDatabaseName } from '../../infrastructure/db/database.js';
import { migrate } from '../../infrastructure/db/migrate.js';

export const serverUrl = (): string => process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const templateName = `mt_test_template_${process.pid}`;
const created: string[] = [];

const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
  const c = new pg.Client({ connectionString: withDatabaseName(serverUrl(), 'postgres') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
};

export const buildTemplate = async (): Promise<void> => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${templateName} WITH (FORCE)`));
  await admin((c) => c.query(`CREATE DATABASE ${templateName}`));
  await migrate(withDatabaseName(serverUrl(), templateName));
};

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A new, migrated, empty database for one suite. Drop it in `after`. */
export const freshDatabase = async (label = 'suite'): Promise<TestDatabase> => {
  const name = `mt_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateName}`));
  created.push(name);
  const url = withDatabaseName(serverUrl(), name);
  return { url, name, drop: () => dropDatabase(url) };
};

export const dropAllTestDatabases = async (): Promise<void> => {
  for (const name of [...created, templateName]) await dropDatabase(withDatabaseName(serverUrl(), name)).catch(() => undefined);
};
