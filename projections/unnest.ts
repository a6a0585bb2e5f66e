// Rows sent to PostgreSQL as one typed array per column, read back with `unnest`: the projections' bulk writes.
//
// Why not one jsonb document read with jsonb_to_recordset: PostgreSQL parses the document, then turns every field
// back into text and parses it again as its column type (a jsonb field twice more); an array of a column's type is
// parsed once. Values mean what they meant in the document: undefined and null are NULL, a number that JSON could
// not spell (NaN, ±Infinity) is NULL too, a jsonb value is the JSON text of the value.
import { sql, type FragmentSqlToken } from 'slonik';

export type ColumnType = 'text' | 'uuid' | 'int4' | 'int8' | 'float8' | 'bool' | 'jsonb' | 'timestamptz' | 'date';

/** A column: its type and how a row gives its value. */
export type Column<R> = readonly [ColumnType, (row: R) => unknown];

const NEEDS_ESCAPE = /["\\]/;
const BACKSLASH_OR_QUOTE = /["\\]/g;

/** An element of an array literal: quoted, `"` and `\` escaped; NULL unquoted. */
const element = (type: ColumnType, v: unknown): string => {
  if (v === undefined || v === null) return 'NULL';
  let text: string;
  if (type === 'jsonb') text = JSON.stringify(v);
  else if (typeof v === 'string') text = v;
  else if (typeof v === 'number') {
    // JSON spells no NaN or ±Infinity: they were null in the document.
    if (!Number.isFinite(v)) return 'NULL';
    text = String(v);
  } else if (typeof v === 'boolean' || typeof v === 'bigint') text = String(v);
  else text = JSON.stringify(v); // what a document gave a text column for an object
  return NEEDS_ESCAPE.test(text) ? `"${text.replace(BACKSLASH_OR_QUOTE, '\\$&')}"` : `"${text}"`;
};

/**
 * `unnest($1::type[], $2::type[], …) AS <alias> (col, …)` over `rows`, one array per column, each sent as the text
 * of an array literal built here in one string (pg's own array serialisation is several times slower).
 * A column that is an array itself (text[], uuid[]) cannot be one (unnest flattens): send it as jsonb and convert it
 * (`jsonbArray`).
 */
export const unnestRows = <R>(rows: readonly R[], columns: Readonly<Record<string, Column<R>>>, alias = 'x'): FragmentSqlToken => {
  const names = Object.keys(columns);
  const arrays = names.map((name) => {
    const [type, get] = columns[name]!;
    const parts = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) parts[i] = element(type, get(rows[i]!));
    return sql.fragment`${`{${parts.join(',')}}`}::${sql.identifier([type])}[]`;
  });
  return sql.fragment`unnest(${sql.join(arrays, sql.fragment`, `)}) AS ${sql.identifier([alias])} (${sql.join(
    names.map((n) => sql.identifier([n])),
    sql.fragment`, `,
  )})`;
};

/** A jsonb array as a PostgreSQL array of `type` (NULL stays NULL), as jsonb_to_recordset read a JSON array into an array column. */
export const jsonbArray = (expression: FragmentSqlToken, type: 'text' | 'uuid'): FragmentSqlToken =>
  sql.fragment`CASE WHEN ${expression} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(${expression}))::${sql.identifier([type])}[] END`;
