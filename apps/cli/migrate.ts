// `npm run migrate`: creates the database if missing and applies every pending migration in migrations/.
import { configOrExit } from '../platform.js';
import { ensureDatabase } from '../../infrastructure/db/database.js';
import { startEmbeddedPostgres } from '../../infrastructure/db/embedded-postgres.js';
import { migrate } from '../../infrastructure/db/migrate.js';

const config = configOrExit();
const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
const url = config.databaseUrl ?? embedded!.url;
try {
  if (await ensureDatabase(url)) console.log(`created database ${new URL(url).pathname.slice(1)}`);
  const applied = await migrate(url);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
// Exit explicitly: the embedded PostgreSQL's exit hooks would otherwise turn a failure into exit code 0.
process.exit(process.exitCode ?? 0);
