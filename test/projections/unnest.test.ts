// The projections' bulk writes (projections/unnest.ts): every value comes back from PostgreSQL as it was sent,
// whatever its characters, and a value JSON cannot spell is NULL, as it was in the jsonb documents before.
import { expect } from 'chai';
import { sql, type DatabasePool } from 'slonik';
import { createReadModelPool } from '../../infrastructure/db/pool.js';
import { jsonbArray, unnestRows } from '../../projections/unnest.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

interface Row {
  readonly text: string | null | undefined;
  readonly number: number | null;
  readonly json: unknown;
  readonly flag: boolean;
  readonly at: string;
}

// Characters that mean something in an array literal or in JSON: quotes, backslashes, commas, braces, the word NULL,
// blanks, an empty string, non-ASCII (hand-picked; each must come back unchanged).
const AWKWARD = [
  'plain',
  'say "hi"',
  'back\\slash',
  'a,b',
  '{braces}',
  'NULL',
  'null',
  '',
  '  padded  ',
  'tab\there',
  'line\nbreak',
  'ünïcødé ✓ 🚀',
  '\\"',
  '"',
];

describe('unnestRows: rows as one typed array per column', () => {
  let db: TestDatabase;
  let pool: DatabasePool;
  before(async () => {
    db = await freshDatabase('projection_unnest');
    pool = await createReadModelPool(db.url);
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  const roundTrip = (rows: readonly Row[]) =>
    pool.any(sql.unsafe`
      SELECT text, number, json, flag, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
        FROM ${unnestRows(rows, {
          text: ['text', (r) => r.text],
          number: ['float8', (r) => r.number],
          json: ['jsonb', (r) => r.json],
          flag: ['bool', (r) => r.flag],
          at: ['timestamptz', (r) => r.at],
        })}`);

  it('gives back every string, number and JSON value unchanged, in order', async () => {
    const rows: Row[] = AWKWARD.map((text, i) => ({
      text,
      number: [0, -0.1, 1e21, 5e-324, 123456.789, -42][i % 6]!,
      json: { text, list: [text, i, null, true], nested: { 'key "q"': text } },
      flag: i % 2 === 0,
      at: `2024-01-0${(i % 9) + 1}T12:34:56.789Z`,
    }));
    const back = await roundTrip(rows);
    expect(back).to.deep.equal(rows);
  });

  it('undefined and null are NULL; NaN and ±Infinity are NULL (JSON has no spelling for them)', async () => {
    const back = await roundTrip([
      { text: undefined, number: Number.NaN, json: undefined, flag: false, at: '2024-01-01T00:00:00.000Z' },
      { text: null, number: Number.POSITIVE_INFINITY, json: null, flag: true, at: '2024-01-01T00:00:00.000Z' },
      { text: 'x', number: Number.NEGATIVE_INFINITY, json: 'a "string"', flag: true, at: '2024-01-01T00:00:00.000Z' },
    ]);
    expect(back.map((r) => [r['text'], r['number'], r['json']])).to.deep.equal([
      [null, null, null],
      [null, null, null],
      ['x', null, 'a "string"'],
    ]);
  });

  it('no rows: no rows back', async () => {
    expect(await roundTrip([])).to.deep.equal([]);
  });

  it('jsonbArray turns a JSON array into a PostgreSQL array, NULL into NULL, [] into {}', async () => {
    const back = await pool.any(sql.unsafe`
      SELECT ${jsonbArray(sql.fragment`x.j`, 'text')} AS a
        FROM ${unnestRows([['a', 'b "c"', 'NULL'], [], null], { j: ['jsonb', (r) => r] })}`);
    expect(back.map((r) => r['a'])).to.deep.equal([['a', 'b "c"', 'NULL'], [], null]);
  });
});
