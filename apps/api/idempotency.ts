// Idempotency-Key: the first answer to a command is stored and returned to every retry with the same key.
// The command handler also derives event ids from the key, so even a retry racing the first attempt appends nothing.
import { createHash } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { HttpAnswer } from './problems.js';

export interface StoredAnswer extends HttpAnswer {
  readonly fingerprint: string;
}

export const requestFingerprint = (method: string, path: string, body: unknown): string =>
  createHash('sha256')
    .update(`${method} ${path}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');

const AnswerRow = z.object({ fingerprint: z.string(), status: z.number(), body: z.unknown() });

export const findAnswer = async (pool: DatabasePool, key: string): Promise<StoredAnswer | undefined> => {
  const row = await pool.maybeOne(sql.type(AnswerRow)`
    SELECT request_fingerprint AS fingerprint, status_code AS status, response AS body FROM idempotency_keys WHERE key = ${key}`);
  return row ? { fingerprint: row.fingerprint, status: row.status, body: row.body } : undefined;
};

/** Stores the answer unless another attempt stored one first; returns the answer that stands. */
export const storeAnswer = async (pool: DatabasePool, key: string, answer: StoredAnswer): Promise<StoredAnswer> => {
  const inserted = await pool.maybeOne(sql.type(z.object({ key: z.string() }))`
    INSERT INTO idempotency_keys (key, request_fingerprint, status_code, response)
    VALUES (${key}, ${answer.fingerprint}, ${answer.status}, ${sql.jsonb(answer.body as never)})
    ON CONFLICT (key) DO NOTHING
    RETURNING key`);
  if (inserted) return answer;
  return (await findAnswer(pool, key)) ?? answer;
};
