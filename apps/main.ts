// `npm start`: every service in one process (apps/all-in-one.ts), stopped in order on SIGINT or SIGTERM.
import { startAll } from './all-in-one.js';
import { serve } from './shutdown.js';

await serve('mastertrade', async () => {
  const app = await startAll();
  return { log: app.platform.log, stop: app.stop };
});
