// A rebuild writes a read model into fresh tables beside the ones readers use, and swaps them in when it commits.
//
// Why not empty the tables and refill them: DELETE keeps every old row version until vacuum, so each rebuild
// doubled the tables (PostgreSQL here runs without autovacuum, and a rebuild outruns it anyway), and the dead rows
// turned the next rebuild's lookups of stored rows into scans (doc/benchmarks.md). TRUNCATE would block every
// reader for the whole rebuild.
//
// How: the rebuild's transaction creates its own schema (`mt_rebuild_<transaction id>`) and puts it first on its search_path, then creates there,
// for each table, an empty copy (columns, defaults, checks, storage parameters, privileges, primary key and unique
// constraints under their own names).
// The projection's statements name tables unqualified, so they write the copies; `events` and every other table
// still resolve to their own schema. At the end, in the same transaction: the other indexes are built (once, on the
// full table, under their own names), the copy is analyzed, the old table dropped and the copy moved into its
// place. Readers keep the old rows until the commit, and wait only for the swap's last statements; a rebuild that
// fails leaves nothing behind (DDL is transactional).
// One thing readers must know: a REPEATABLE READ transaction that began before the swap and reads the table after
// it sees the new table empty (as after a TRUNCATE); the platform's readers are READ COMMITTED.
import { sql, type DatabaseTransactionConnection } from 'slonik';
import { z } from 'zod';

/** A read model table and its copy. */
export interface ShadowTable {
  /** Schema and name of the table readers use. */
  readonly schema: string;
  readonly name: string;
  /** `CREATE INDEX` statements of its indexes that back no constraint, to build on the copy when it is full. */
  readonly laterIndexes: readonly string[];
}

/** The schema of one rebuild transaction's copies. */
export interface ShadowSchema {
  readonly name: string;
}

const Home = z.object({ oid: z.number(), schema: z.string(), name: z.string(), options: z.string().nullable() });
const Constraint = z.object({ name: z.string(), definition: z.string() });
const IndexDef = z.object({ definition: z.string() });
const Grant = z.object({ grantee: z.string(), privilege: z.string(), grantable: z.boolean() });

/** Opens the transaction's shadow schema: the copies it creates are found before the tables they stand in for. */
export const openShadowSchema = async (tx: DatabaseTransactionConnection): Promise<ShadowSchema> => {
  // Named after the transaction: no two transactions running at once share it.
  const { name, path } = await tx.one(
    sql.type(z.object({ name: z.string(), path: z.string() }))`SELECT 'mt_rebuild_' || pg_current_xact_id() AS name, current_setting('search_path') AS path`,
  );
  await tx.query(sql.unsafe`CREATE SCHEMA ${sql.identifier([name])}`);
  // set_config(…, true) is SET LOCAL: the transaction's end restores the session's path.
  await tx.query(sql.unsafe`SELECT set_config('search_path', ${`${quoteIdent(name)}, ${path}`}, true)`);
  return { name };
};

const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * SQL text PostgreSQL itself wrote (pg_get_constraintdef, pg_get_indexdef), sent as it is: a fragment made as a
 * template literal with no values would be (slonik accepts only frozen template strings).
 */
const catalogSql = (text: string) => sql.fragment(Object.freeze(Object.assign([text], { raw: Object.freeze([text]) })));

/** Creates the empty copy of `table` (as the projection names it) in the shadow schema. */
export const createShadowTable = async (tx: DatabaseTransactionConnection, shadow: ShadowSchema, table: string): Promise<ShadowTable> => {
  // Resolved before the copy exists: the name still finds the table readers use.
  const home = await tx.maybeOne(sql.type(Home)`
    SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, array_to_string(c.reloptions, ', ') AS options
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = to_regclass(${table}) AND c.relkind = 'r'`);
  if (home === null) throw new Error(`rebuild: the table "${table}" does not exist`);
  const source = sql.identifier([home.schema, home.name]);
  const copy = sql.identifier([shadow.name, home.name]);
  await tx.query(sql.unsafe`
    CREATE TABLE ${copy} (LIKE ${source} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY
                                         INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS)`);
  // Storage parameters (fillfactor, toast_tuple_target, …): LIKE leaves them out.
  if (home.options !== null && home.options !== '') await tx.query(sql.unsafe`ALTER TABLE ${copy} SET (${catalogSql(home.options)})`);
  // Privileges granted on the table (a read-only role of a dashboard, say): LIKE leaves them out too.
  const grants = await tx.any(sql.type(Grant)`
    SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee, a.privilege_type AS privilege,
           a.is_grantable AS grantable
      FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = ${home.oid}::oid`);
  for (const g of grants)
    await tx.query(
      sql.unsafe`GRANT ${catalogSql(g.privilege)} ON ${copy} TO ${catalogSql(g.grantee)}${g.grantable ? sql.fragment` WITH GRANT OPTION` : sql.fragment``}`,
    );
  // Constraints with an index (primary key, unique, exclusion) from the start: the projection's upserts need them.
  const constraints = await tx.any(sql.type(Constraint)`
    SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE conrelid = ${home.oid}::oid AND contype IN ('p', 'u', 'x') ORDER BY conname`);
  for (const c of constraints) await tx.query(sql.unsafe`ALTER TABLE ${copy} ADD CONSTRAINT ${sql.identifier([c.name])} ${catalogSql(c.definition)}`);
  const indexes = await tx.any(sql.type(IndexDef)`
    SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
     WHERE i.indrelid = ${home.oid}::oid
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY i.indexrelid`);
  const onCopy = ` ON ${quoteIdent(shadow.name)}.${quoteIdent(home.name)} USING `;
  const laterIndexes = indexes.map(({ definition }) => {
    // `CREATE [UNIQUE] INDEX <name> ON [<schema>.]<table> USING …`: the same index, on the copy (an unqualified index name is made in its table's schema).
    const rewritten = definition.replace(/ ON (?:ONLY )?(?:"(?:[^"]|"")+"|[^\s".]+)(?:\.(?:"(?:[^"]|"")+"|[^\s".]+))? USING /, onCopy);
    if (rewritten === definition) throw new Error(`rebuild: cannot read the definition of an index of ${home.schema}.${home.name}: ${definition}`);
    return rewritten;
  });
  return { schema: home.schema, name: home.name, laterIndexes };
};

/** Builds the copy's remaining indexes, analyzes it, and puts it in the place of the table readers use. */
export const swapShadowTable = async (tx: DatabaseTransactionConnection, shadow: ShadowSchema, table: ShadowTable): Promise<void> => {
  const copy = sql.identifier([shadow.name, table.name]);
  for (const statement of table.laterIndexes) await tx.query(sql.unsafe`${catalogSql(statement)}`);
  // Fresh tables have no statistics: without them the planner guesses, and readers get the guesses' plans.
  await tx.query(sql.unsafe`ANALYZE ${copy}`);
  await tx.query(sql.unsafe`DROP TABLE ${sql.identifier([table.schema, table.name])}`);
  await tx.query(sql.unsafe`ALTER TABLE ${copy} SET SCHEMA ${sql.identifier([table.schema])}`);
};

/** Drops the (by now empty) shadow schema. */
export const closeShadowSchema = async (tx: DatabaseTransactionConnection, shadow: ShadowSchema): Promise<void> => {
  await tx.query(sql.unsafe`DROP SCHEMA ${sql.identifier([shadow.name])}`);
};
