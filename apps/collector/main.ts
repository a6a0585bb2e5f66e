// `npm run start:collector`: the market data collector on its own.
import { configOrExit, openPlatform } from '../platform.js';
import { stopOnSignals } from '../services.js';
import { startCollector } from './service.js';
import { startLearningCycle } from '../learning-schedule.js';

const platform = await openPlatform(configOrExit(), 'collector');
// The daily schedules live here: pair selection (02:00 UTC) and the learning cycle (03:00 UTC).
stopOnSignals(platform, [startCollector(platform), startLearningCycle(platform)]);
