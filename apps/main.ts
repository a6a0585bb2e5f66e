// `npm start`: every service in one process (apps/all-in-one.ts), stopped in order on SIGINT or SIGTERM, the pipeline
// loop ticking live. `npm start -- --replay <from> <to>`: the pipeline over stored history on a simulated clock
// (apps/pipeline.ts, doc/pipeline.md), a summary, then exit (0 done, 1 a step failed, 2 bad input).
import { startAll } from './all-in-one.js';
import { replayArgs, replayMain } from './pipeline.js';
import { serve } from './shutdown.js';

const replay = replayArgs(process.argv.slice(2));
if (replay !== undefined) {
  process.exit(await replayMain(replay));
} else {
  await serve('mastertrade', async () => {
    const app = await startAll();
    return { log: app.platform.log, stop: app.stop };
  });
}
