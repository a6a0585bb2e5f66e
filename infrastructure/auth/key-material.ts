// A new API key: `mt_<id>_<secret>`, the id 64 random bits in hex (public: it names the key in lists and logs), the
// secret 256 random bits in base64url. Only the SHA-256 of the whole key is stored. A fast hash is enough here,
// unlike for passwords: a slow hash (scrypt, argon2) defends low-entropy secrets against guessing, and 2^256 random
// secrets cannot be guessed at any speed; a fast hash also keeps each request's check cheap (no CPU cost an
// attacker could multiply by sending keys).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyId, KeyHash } from '../../domain/access/events.js';

const KEY_FORMAT = /^mt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface KeyMaterial {
  readonly keyId: ApiKeyId;
  /** The key to hand to its user once; never stored. */
  readonly key: string;
  readonly keyHash: KeyHash;
}

export const hashKey = (key: string): KeyHash => createHash('sha256').update(key, 'utf8').digest('hex') as KeyHash;

export const newKeyMaterial = (): KeyMaterial => {
  const keyId = randomBytes(8).toString('hex') as ApiKeyId;
  const key = `mt_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, key, keyHash: hashKey(key) };
};

/** The id a presented key names, or undefined when it does not have a key's form. */
export const keyIdOf = (key: string): ApiKeyId | undefined => (KEY_FORMAT.exec(key)?.[1] as ApiKeyId | undefined) ?? undefined;

/** Whether `key` hashes to `stored`, compared in constant time. */
export const keyMatches = (key: string, stored: string): boolean => {
  const a = Buffer.from(hashKey(key), 'hex');
  const b = Buffer.from(stored, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
};
