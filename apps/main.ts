// `npm start`: the API, the projector and the mirror in one process.
import { startAll } from './all-in-one.js';
import { stopOnSignals } from './services.js';

const app = await startAll();
stopOnSignals(app.platform, app.parts, app.closeRest);
