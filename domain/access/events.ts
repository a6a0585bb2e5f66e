// The facts of the API keys, on the one `api-keys` stream: a key created (its name, role and the SHA-256 of the
// key, never the key) and a key revoked, each with who decided and (for a revocation) why. The stream is the record;
// the api_keys table the middleware reads is its projection (application/auth/api-keys.ts).
import * as t from 'io-ts';
import { Actor, Reason } from '../primitives/codecs.js';
import { Role } from './roles.js';

export const API_KEYS_STREAM = 'api-keys';

/** A key's public id: 16 lowercase hex characters, the part of the key that names it (`mt_<id>_<secret>`). */
export const ApiKeyId = t.brand(t.string, (s): s is t.Branded<string, { readonly ApiKeyId: unique symbol }> => /^[0-9a-f]{16}$/.test(s), 'ApiKeyId');
export type ApiKeyId = t.TypeOf<typeof ApiKeyId>;
/** A key's name: it becomes the actor `operator:<name>` of whatever the key does, so it has an actor name's form. */
export const ApiKeyName = t.brand(
  t.string,
  (s): s is t.Branded<string, { readonly ApiKeyName: unique symbol }> => /^[A-Za-z0-9._@-]{1,100}$/.test(s),
  'ApiKeyName',
);
export type ApiKeyName = t.TypeOf<typeof ApiKeyName>;
/** The SHA-256 of the whole key, as 64 lowercase hex characters. */
export const KeyHash = t.brand(t.string, (s): s is t.Branded<string, { readonly KeyHash: unique symbol }> => /^[0-9a-f]{64}$/.test(s), 'KeyHash');
export type KeyHash = t.TypeOf<typeof KeyHash>;

export const ApiKeyEventData = {
  // `purpose`: what the key is for, as its creator said (`--purpose`), e.g. "the Grafana dashboard".
  ApiKeyCreated: t.intersection([
    t.type({ keyId: ApiKeyId, name: ApiKeyName, role: Role, keyHash: KeyHash, createdBy: Actor }),
    t.partial({ purpose: Reason }),
  ]),
  ApiKeyRevoked: t.type({ keyId: ApiKeyId, name: ApiKeyName, revokedBy: Actor, reason: Reason }),
} as const;

export type ApiKeyEventType = keyof typeof ApiKeyEventData;
export type ApiKeyEventOf<K extends ApiKeyEventType> = { readonly type: K; readonly data: t.TypeOf<(typeof ApiKeyEventData)[K]> };
export type ApiKeyEvent = { [K in ApiKeyEventType]: ApiKeyEventOf<K> }[ApiKeyEventType];
