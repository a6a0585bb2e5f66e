// Random v4 ids for new things; v5 ids derived from a name so retries reuse the same id.
import { randomUUID } from 'node:crypto';
import { v5 } from 'uuid';
import type { IdGenerator } from '../../application/ports/ids.js';

// A fixed namespace for MasterTrade's derived ids.
const NAMESPACE = '6f1c9a52-3b7e-4f0a-9d21-5c8e7b4a2d10';

export const uuidIds: IdGenerator = { newId: () => randomUUID(), idFor: (name) => v5(name, NAMESPACE) };
