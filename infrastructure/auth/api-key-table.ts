// The api_keys table (migration 21): the projection of the `api-keys` stream that the API's authentication reads,
// and last_used_at, which the API keeps (throttled, apps/api/authentication.ts). `syncApiKeyTable` folds the whole
// stream into it idempotently: the keys command runs it right after each append (so a revocation is refused by the
// next request), and the API runs it at start (which also heals a command that stopped between append and table).
import { either } from 'fp-ts';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { decodeAll } from '../../application/events/decode-event.js';
import type { EventStore } from '../../application/ports/event-store.js';
import { API_KEYS_STREAM, type ApiKeyEvent } from '../../domain/access/events.js';
import type { Role } from '../../domain/access/roles.js';

const ApiKeyRow = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['viewer', 'operator', 'admin']),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
/** A key as `keys list` and the middleware see it: never the key, never its hash. */
export type ApiKeyRow = z.infer<typeof ApiKeyRow>;

const iso = (column: string) => sql.fragment`to_char(${sql.identifier([column])} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const columns = sql.fragment`id, name, role, ${iso('created_at')} AS "createdAt", created_by AS "createdBy", ${iso('revoked_at')} AS "revokedAt",
  revoked_by AS "revokedBy", revoke_reason AS "revokeReason", ${iso('last_used_at')} AS "lastUsedAt"`;

/** Folds the `api-keys` stream into the table; running it twice changes nothing. A stream that does not decode throws. */
export const syncApiKeyTable = async (store: EventStore, pool: DatabasePool): Promise<number> => {
  const decoded = decodeAll<ApiKeyEvent>(await store.readStream(API_KEYS_STREAM));
  if (either.isLeft(decoded)) throw new Error(`the ${API_KEYS_STREAM} stream does not decode: ${decoded.left.message}`);
  await pool.transaction(async (tx) => {
    for (const { event, metadata } of decoded.right) {
      const at = metadata.occurredAt;
      if (event.type === 'ApiKeyCreated') {
        const d = event.data;
        await tx.query(sql.unsafe`
          INSERT INTO api_keys (id, name, role, secret_hash, created_at, created_by)
          VALUES (${d.keyId}, ${d.name}, ${d.role}, ${d.keyHash}, ${at}::timestamptz, ${d.createdBy})
          ON CONFLICT (id) DO NOTHING`);
      } else {
        const d = event.data;
        await tx.query(sql.unsafe`
          UPDATE api_keys SET revoked_at = ${at}::timestamptz, revoked_by = ${d.revokedBy}, revoke_reason = ${d.reason}
           WHERE id = ${d.keyId} AND revoked_at IS NULL`);
      }
    }
  });
  return decoded.right.length;
};

export const listApiKeys = (db: CommonQueryMethods): Promise<readonly ApiKeyRow[]> =>
  db.any(sql.type(ApiKeyRow)`SELECT ${columns} FROM api_keys ORDER BY created_at, id`);

export interface StoredKey {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly secretHash: string;
  readonly revoked: boolean;
}
const StoredKeyRow = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['viewer', 'operator', 'admin']),
  secretHash: z.string(),
  revoked: z.boolean(),
});

export const findApiKey = async (db: CommonQueryMethods, id: string): Promise<StoredKey | undefined> =>
  (await db.maybeOne(
    sql.type(StoredKeyRow)`SELECT id, name, role, secret_hash AS "secretHash", revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = ${id}`,
  )) ?? undefined;

export const hasActiveAdminKey = async (db: CommonQueryMethods): Promise<boolean> =>
  db.exists(sql.unsafe`SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL`);

/** Records when keys were last used (the API batches these: at most one write per key a minute). */
export const recordLastUsed = async (db: CommonQueryMethods, uses: ReadonlyMap<string, Date>): Promise<void> => {
  if (uses.size === 0) return;
  const ids = [...uses.keys()];
  const times = ids.map((id) => uses.get(id)!.toISOString());
  await db.query(sql.unsafe`
    UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.at)
      FROM unnest(${sql.array(ids, 'text')}, ${sql.array(times, 'timestamptz')}) AS u(id, at)
     WHERE k.id = u.id`);
};
