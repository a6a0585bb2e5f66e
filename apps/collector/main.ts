// `npm run start:collector`: the market data collector on its own.
import { configOrExit, openPlatform } from '../platform.js';
import { stopOnSignals } from '../services.js';
import { startCollector } from './service.js';

const platform = await openPlatform(configOrExit(), 'collector');
stopOnSignals(platform, [startCollector(platform)]);
