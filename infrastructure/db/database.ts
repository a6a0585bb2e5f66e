// Creating the application database when it is missing, and dropping throw-away ones (tests, benchmarks).
import pg from 'pg';

const withMaintenanceClient = async <T>(databaseUrl: string, fn: (client: pg.Client, dbName: string) => Promise<T>): Promise<T> => {
  const url = new URL(databaseUrl);
  const dbName = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client, dbName);
  } finally {
    await client.end();
  }
};

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Creates the database named in the URL if it does not exist yet. Returns true when it was created. */
export const ensureDatabase = (databaseUrl: string): Promise<boolean> =>
  withMaintenanceClient(databaseUrl, async (client, dbName) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${quoteIdent(dbName)}`);
    } catch (err) {
      // Another process created it between our check and our CREATE.
      if ((err as { code?: string }).code !== '42P04') throw err;
      return false;
    }
    return true;
  });

export const dropDatabase = (databaseUrl: string): Promise<void> =>
  withMaintenanceClient(databaseUrl, async (client, dbName) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`);
  });

/** The same server, another database. */
export const withDatabaseName = (databaseUrl: string, name: string): string => {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
};
