// `npm run bench:console`: how long the console's bundle takes to build (esbuild, in-process, once per API start)
// and how large it is. Figures in doc/operator-console.md.
import { consoleBundle } from '../apps/api/ui/serve.js';

const t0 = performance.now();
const b = await consoleBundle();
process.stdout.write(
  `console bundle: ${(b.js.length / 1024).toFixed(0)} KiB script, ${(b.css.length / 1024).toFixed(1)} KiB stylesheet, built in ${(performance.now() - t0).toFixed(0)} ms\n`,
);
