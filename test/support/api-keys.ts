// A real API key in a test's database, made as `npm run keys -- create` makes one (an ApiKeyCreated on the
// api-keys stream, then the api_keys table caught up), for the suites that talk to the API: they send it as
// `Authorization: Bearer <key>`. The API has no way to run without keys.
import { either } from 'fp-ts';
import type { DatabasePool } from 'slonik';
import { recordApiKeyCommand } from '../../application/auth/api-keys.js';
import type { EventStore } from '../../application/ports/event-store.js';
import type { ApiKeyName } from '../../domain/access/events.js';
import type { Role } from '../../domain/access/roles.js';
import type { Actor } from '../../domain/primitives/codecs.js';
import { syncApiKeyTable } from '../../infrastructure/auth/api-key-table.js';
import { newKeyMaterial } from '../../infrastructure/auth/key-material.js';
import { systemClock } from '../../infrastructure/clock/system-clock.js';
import { uuidIds } from '../../infrastructure/clock/uuid-ids.js';

export interface TestKey {
  readonly keyId: string;
  readonly key: string;
  readonly name: string;
  /** The actor the API records for what this key does. */
  readonly actor: string;
  /** `{ authorization: 'Bearer <key>' }`, to spread into a request's headers. */
  readonly headers: { readonly authorization: string };
}

/** Creates a key named `name` (default: the role's name) with `role` (default admin) in the database behind `store`/`pool`. */
export const createTestKey = async (store: EventStore, pool: DatabasePool, options: { name?: string; role?: Role } = {}): Promise<TestKey> => {
  const role = options.role ?? 'admin';
  const name = options.name ?? role;
  const material = newKeyMaterial();
  const done = await recordApiKeyCommand({ store, clock: systemClock, ids: uuidIds })({
    type: 'CreateApiKey',
    data: { keyId: material.keyId, name: name as ApiKeyName, role, keyHash: material.keyHash, decidedBy: 'operator:test-setup' as Actor },
  });
  if (either.isLeft(done)) throw new Error(`test key ${name}: ${JSON.stringify(done.left)}`);
  await syncApiKeyTable(store, pool);
  return { keyId: material.keyId, key: material.key, name, actor: `operator:${name}`, headers: { authorization: `Bearer ${material.key}` } };
};

/** Revokes a test key as `npm run keys -- revoke` does. */
export const revokeTestKey = async (store: EventStore, pool: DatabasePool, keyId: string, reason = 'test'): Promise<void> => {
  const done = await recordApiKeyCommand({ store, clock: systemClock, ids: uuidIds })({
    type: 'RevokeApiKey',
    data: { keyId: keyId as never, reason: reason as never, decidedBy: 'operator:test-setup' as Actor },
  });
  if (either.isLeft(done)) throw new Error(`revoke ${keyId}: ${JSON.stringify(done.left)}`);
  await syncApiKeyTable(store, pool);
};

/**
 * Keys by actor, for suites whose bodies name operators: a body whose `actor` is `operator:<name>` is sent with
 * <name>'s admin key (made on first use), so the API records that actor as before; a `system:` or `worker:` actor,
 * which no key can claim, is left out of the body and the default key sends it. Anything else goes with the default key.
 */
export const keyring = (store: EventStore, pool: DatabasePool, defaultName = 'alice') => {
  const keys = new Map<string, Promise<TestKey>>();
  const key = (name: string = defaultName): Promise<TestKey> => {
    if (!keys.has(name)) keys.set(name, createTestKey(store, pool, { name, role: 'admin' }));
    return keys.get(name)!;
  };
  const sign = async (body: unknown): Promise<{ headers: Record<string, string>; body: unknown }> => {
    if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'actor' in body) {
      const actor = body.actor;
      if (typeof actor === 'string' && /^operator:[A-Za-z0-9._@-]{1,100}$/.test(actor)) return { headers: { ...(await key(actor.slice(9))).headers }, body };
      if (typeof actor === 'string' && /^(system|worker):/.test(actor)) {
        const { actor: _dropped, ...rest } = body as Record<string, unknown>;
        return { headers: { ...(await key()).headers }, body: rest };
      }
    }
    return { headers: { ...(await key()).headers }, body };
  };
  return { key, sign };
};
