// A small pg pool for a repository that is either given one (and must not close it) or opens its own.
import pg from 'pg';

export type PgPoolSource = { readonly connectionString: string } | { readonly pool: pg.Pool };

export interface PgPoolHandle {
  readonly pool: pg.Pool;
  /** Ends the pool only when this handle opened it. */
  release(): Promise<void>;
}

export const pgPoolFrom = (source: PgPoolSource, max = 2): PgPoolHandle => {
  if ('pool' in source) return { pool: source.pool, release: async () => undefined };
  const pool = new pg.Pool({ connectionString: source.connectionString, max });
  pool.on('error', () => {
    /* an idle client died (e.g. server restart); the pool replaces it */
  });
  return { pool, release: () => pool.end() };
};
