// Subscriber checkpoints in PostgreSQL (table subscription_checkpoints), for the RabbitMQ mirror.
import type pg from 'pg';
import { pgPoolFrom, type PgPoolHandle, type PgPoolSource } from './pg-pool.js';
import type { CheckpointStore } from '../../application/ports/checkpoint-store.js';
import type { Position } from '../../application/ports/event-store.js';

export type PostgresCheckpointStoreOptions = PgPoolSource;

export class PostgresCheckpointStore implements CheckpointStore {
  private readonly handle: PgPoolHandle;
  private readonly pool: pg.Pool;

  constructor(options: PostgresCheckpointStoreOptions) {
    this.handle = pgPoolFrom(options);
    this.pool = this.handle.pool;
  }

  async load(name: string): Promise<Position | undefined> {
    const { rows } = await this.pool.query<{ commit_position: string; prepare_position: string }>(
      'SELECT commit_position::text, prepare_position::text FROM subscription_checkpoints WHERE name = $1',
      [name],
    );
    const r = rows[0];
    return r ? { commit: BigInt(r.commit_position), prepare: BigInt(r.prepare_position) } : undefined;
  }

  async save(name: string, position: Position): Promise<void> {
    // Forward only: a stale writer (a second mirror, a retry that lost a race) cannot move it back.
    await this.pool.query(
      `INSERT INTO subscription_checkpoints AS c (name, commit_position, prepare_position) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE
         SET commit_position = EXCLUDED.commit_position, prepare_position = EXCLUDED.prepare_position, updated_at = now()
         WHERE (c.commit_position, c.prepare_position) < (EXCLUDED.commit_position, EXCLUDED.prepare_position)`,
      [name, position.commit.toString(), position.prepare.toString()],
    );
  }

  async close(): Promise<void> {
    await this.handle.release();
  }
}
