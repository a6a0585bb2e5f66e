// `npm run start:collector`: the market data collector on its own.
import { configOrExit, openPlatform } from '../platform.js';
import { serve, stopInReverse } from '../shutdown.js';
import { startCollector } from './service.js';

await serve('collector', async () => {
  const platform = await openPlatform(configOrExit(), 'collector');
  // Market data and the 02:00 UTC pair selection. The learning cycle is the pipeline's `cycle` step, in the process
  // that runs the pipeline (the autonomy service, or `npm start`): one place, with its promotion and its stages.
  const parts = [startCollector(platform)];
  return { log: platform.log, stop: async () => void (await stopInReverse(platform.log, [{ stop: () => platform.close() }, ...parts])) };
});
