// Rows sent to PostgreSQL as one typed array per column, read back with `unnest`: the projections' bulk writes.
//
// Why not one jsonb document read with jsonb_to_recordset: PostgreSQL parses the document, then turns every field
// back into text and parses it again as its column type (a jsonb field twice more); an array of a column's type is
// parsed once. Values mean what they meant in the document: undefined and null are NULL, a number that JSON could
// not spell (NaN, ±Infinity) is NULL too, a jsonb value is the JSON text of the value (a JSON null is NULL).
import { sql, type FragmentSqlToken } from 'slonik';

export type ColumnType = 'text' | 'uuid' | 'int4' | 'int8' | 'float8' | 'bool' | 'jsonb' | 'timestamptz' | 'date';

/** A column: its type and how a row gives its value. */
export type Column<R> = readonly [ColumnType, (row: R) => unknown];

const NEEDS_ESCAPE = /["\\]/;
const BACKSLASH_OR_QUOTE = /["\\]/g;

/** An element of an array literal: quoted, `"` and `\` escaped; NULL unquoted. */
const element = (v: unknown): string => {
  if (v === undefined || v === null) return 'NULL';
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'number') {
    // JSON spells no NaN or ±Infinity: they were null in the document.
    if (!Number.isFinite(v)) return 'NULL';
    text = String(v);
  } else if (typeof v === 'boolean' || typeof v === 'bigint') text = String(v);
  else text = JSON.stringify(v); // what a document gave a text column for an object
  return NEEDS_ESCAPE.test(text) ? `"${text.replace(BACKSLASH_OR_QUOTE, '\\$&')}"` : `"${text}"`;
};

/**
 * `rows` as a FROM item `<alias> (col, …)`: one array per column, each sent as the text of an array literal built
 * here in one string (pg's own array serialisation is several times slower) and read with `unnest`.
 * A jsonb column is sent as one JSON array instead, read with `jsonb_array_elements` beside the unnests (ROWS FROM
 * zips them as unnest does its arrays): as an array literal's element each document had every `"` escaped, which
 * took as long again as JSON.stringify itself. Its `null`s are NULL, as the literal's NULLs were.
 * A column that is an array itself (text[], uuid[]) cannot be one (unnest flattens): send it as jsonb and convert it
 * (`jsonbArray`).
 */
export const unnestRows = <R>(rows: readonly R[], columns: Readonly<Record<string, Column<R>>>, alias = 'x'): FragmentSqlToken => {
  const names = Object.keys(columns);
  const calls = names.map((name) => {
    const [type, get] = columns[name]!;
    if (type === 'jsonb') {
      const values = new Array<unknown>(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = get(rows[i]!) ?? null; // JSON.stringify would leave undefined out
      return sql.fragment`jsonb_array_elements(${JSON.stringify(values)}::jsonb)`;
    }
    const parts = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) parts[i] = element(get(rows[i]!));
    return sql.fragment`unnest(${`{${parts.join(',')}}`}::${sql.identifier([type])}[])`;
  });
  const commas = (items: readonly FragmentSqlToken[]) => sql.join(items, sql.fragment`, `);
  const selected = names.map((n) =>
    columns[n]![0] === 'jsonb'
      ? sql.fragment`NULLIF(r.${sql.identifier([n])}, 'null'::jsonb) AS ${sql.identifier([n])}`
      : sql.fragment`r.${sql.identifier([n])}`,
  );
  const aliases = commas(names.map((n) => sql.fragment`${sql.identifier([n])}`));
  return sql.fragment`(SELECT ${commas(selected)} FROM ROWS FROM (${commas(calls)}) AS r (${aliases})) AS ${sql.identifier([alias])}`;
};

/** A jsonb array as a PostgreSQL array of `type` (NULL stays NULL), as jsonb_to_recordset read a JSON array into an array column. */
export const jsonbArray = (expression: FragmentSqlToken, type: 'text' | 'uuid'): FragmentSqlToken =>
  sql.fragment`CASE WHEN ${expression} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(${expression}))::${sql.identifier([type])}[] END`;
