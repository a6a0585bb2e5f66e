// The real replay job (apps/pipeline.ts replayMain, what `npm start -- --replay` runs) with the day-closer test
// step after pipelineSteps' own: `node --import tsx test/pipeline/support/replay-with-day-closer.ts --replay <from> <to>`.
// The crash test kills this with SIGKILL; on the pipeline-replay branch, where pipelineSteps is still empty, it is
// what gives the kills events to land between.
import { replayArgs, replayMain } from '../../../apps/pipeline.js';
import { dayCloserStep } from './day-closer-step.js';

const args = replayArgs(process.argv.slice(2));
if (args === undefined) {
  process.stderr.write('usage: replay-with-day-closer.ts --replay <from> <to>\n');
  process.exit(2);
}
process.exit(
  await replayMain(args, process.env, (platform, context) => [
    dayCloserStep(
      { store: platform.store, clock: platform.clock, ids: platform.ids, candles: context.candles },
      { accounts: 6, symbol: 'BTCUSDT', since: args.range.start },
    ),
  ]),
);
