// Applies the SQL migrations in migrations/ in order with node-pg-migrate; applied ones are recorded in `pgmigrations`.
import { runner } from 'node-pg-migrate';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface MigrationLog {
  info(msg: string): void;
}

/** Applies every pending migration. Safe to call from several processes at once (node-pg-migrate locks). */
export const migrate = async (databaseUrl: string, log?: MigrationLog): Promise<string[]> => {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    log: () => undefined,
  });
  const names = applied.map((m) => m.name);
  if (names.length > 0) log?.info(`applied migrations: ${names.join(', ')}`);
  return names;
};
