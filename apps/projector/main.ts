// `npm run start:projector`: the projection runner on its own (standbys may run beside it; one owns each projection).
import { configOrExit, openPlatform } from '../platform.js';
import { startProjector, stopOnSignals } from '../services.js';

const platform = await openPlatform(configOrExit(), 'projector');
stopOnSignals(platform, [startProjector(platform)]);
