// Worker-thread entry: registers tsx in this thread (Node 20 does not carry `--import tsx` loader hooks into a
// worker reliably) and then loads the TypeScript worker module named in workerData.entry.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
