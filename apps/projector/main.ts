// `npm run start:projector`: the projection runner on its own (standbys may run beside it; one owns each projection).
import { configOrExit, openPlatform } from '../platform.js';
import { startProjector } from '../services.js';
import { serve, stopInReverse } from '../shutdown.js';

await serve('projector', async () => {
  const platform = await openPlatform(configOrExit(), 'projector');
  const projector = startProjector(platform);
  return { log: platform.log, stop: async () => void (await stopInReverse(platform.log, [{ stop: () => platform.close() }, projector])) };
});
