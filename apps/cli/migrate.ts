// `npm run migrate`: creates the database if missing and applies every pending migration in migrations/.
// Without DATABASE_URL it uses the embedded PostgreSQL: the one a running `npm start` serves, or its own.
import { configOrExit } from '../platform.js';
import { describeFailure } from '../failure.js';
import { ensureDatabase } from '../../infrastructure/db/database.js';
import { startEmbeddedPostgres } from '../../infrastructure/db/embedded-postgres.js';
import { migrate } from '../../infrastructure/db/migrate.js';
import { runCommand } from './run-command.js';

await runCommand('migrate', async () => {
  const config = configOrExit();
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, whenRunning: 'share' });
  const url = config.databaseUrl ?? embedded!.url;
  try {
    if (await ensureDatabase(url)) console.log(`created database ${new URL(url).pathname.slice(1)}`);
    const applied = await migrate(url);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
  } catch (err) {
    console.error(`migration failed: ${describeFailure(err)}`);
    return 1;
  } finally {
    await embedded?.stop();
  }
});
