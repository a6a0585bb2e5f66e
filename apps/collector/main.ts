// `npm run start:collector`: the market data collector on its own.
import { configOrExit, openPlatform } from '../platform.js';
import { serve, stopInReverse } from '../shutdown.js';
import { startCollector } from './service.js';
import { startLearningCycle } from '../learning-schedule.js';

await serve('collector', async () => {
  const platform = await openPlatform(configOrExit(), 'collector');
  // The daily schedules live here: pair selection (02:00 UTC) and the learning cycle (03:00 UTC).
  const parts = [startCollector(platform), startLearningCycle(platform)];
  return { log: platform.log, stop: async () => void (await stopInReverse(platform.log, [{ stop: () => platform.close() }, ...parts])) };
});
