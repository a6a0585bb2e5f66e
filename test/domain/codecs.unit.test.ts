// The small codecs every boundary relies on: who did it, when, which id, and numbers that are real numbers.
import { expect } from 'chai';
import { either } from 'fp-ts';
import type * as t from 'io-ts';
import { Actor, Finite, Fraction, IsoTimestamp, Uuid } from '../../domain/primitives/codecs.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';

const show = (u: unknown): string => {
  if (Object.is(u, -0)) return '-0';
  if (typeof u === 'bigint') return `${u}n`;
  const text = typeof u === 'number' ? String(u) : (JSON.stringify(u) ?? String(u));
  return text.length > 48 ? `${text.slice(0, 45)}...` : text;
};

/** One `it` per value: accepted values decode to themselves, refused ones are reported at the root, by codec name. */
const specify = (
  codec: t.Mixed,
  { accepts, refuses }: { accepts: readonly (readonly [string, unknown])[]; refuses: readonly (readonly [string, unknown])[] },
) => {
  for (const [why, value] of accepts)
    it(`accepts ${why}: ${show(value)}`, () => {
      const decoded = codec.decode(value);
      if (either.isLeft(decoded)) expect.fail(JSON.stringify(fieldErrors(decoded.left)));
      expect(Object.is(decoded.right, value)).to.equal(true);
      expect(codec.is(value)).to.equal(true);
    });
  for (const [why, value] of refuses)
    it(`refuses ${why}: ${show(value)}`, () => {
      const decoded = codec.decode(value);
      if (either.isRight(decoded)) expect.fail(`${codec.name} accepted ${show(value)}`);
      const errors = fieldErrors(decoded.left);
      expect(errors.map((e) => e.path)).to.deep.equal(['(root)']);
      expect(errors[0]?.message).to.match(new RegExp(`^expected ${codec.name}, got `));
      expect(codec.is(value)).to.equal(false);
    });
};

describe('Actor', () => {
  specify(Actor, {
    accepts: [
      ['the scheduler', 'system:scheduler'],
      ['a system component with a dash', 'system:activation-policy'],
      ['an operator by name', 'operator:alice'],
      ['an operator by e-mail', 'operator:alice.smith@example.com'],
      ['a worker by id', 'worker:backtest-7f3a_01'],
      ['a name of 100 characters', `worker:${'w'.repeat(100)}`],
    ],
    refuses: [
      ['an unknown kind of actor', 'admin:bob'],
      ['a capitalised prefix', 'Operator:alice'],
      ['a prefix without a name', 'system:'],
      ['a name without a prefix', 'alice'],
      ['a prefix without its colon', 'operator'],
      ['a space in the name', 'operator:alice smith'],
      ['a space after the colon', 'operator: alice'],
      ['a second colon', 'worker:a:b'],
      ['a name of 101 characters', `worker:${'w'.repeat(101)}`],
      ['an empty string', ''],
      ['a number', 42],
      ['null', null],
    ],
  });
});

describe('IsoTimestamp', () => {
  specify(IsoTimestamp, {
    accepts: [
      ['what Date#toISOString prints', new Date(Date.UTC(2024, 2, 31, 23, 59, 59, 999)).toISOString()],
      ['seconds without a fraction', '2024-01-01T00:00:00Z'],
      ['microseconds', '2024-01-01T12:30:45.123456Z'],
      ['the leap day of a leap year', '2024-02-29T00:00:00.000Z'],
      ['the epoch', '1970-01-01T00:00:00.000Z'],
    ],
    refuses: [
      ['a date alone', '2024-01-01'],
      ['a time without a zone', '2024-01-01T00:00:00'],
      ['an offset instead of Z', '2024-01-01T00:00:00+02:00'],
      ['a space instead of T', '2024-01-01 00:00:00Z'],
      ['a lowercase z', '2024-01-01T00:00:00z'],
      ['seven fraction digits', '2024-01-01T00:00:00.1234567Z'],
      ['a month 13', '2024-13-01T00:00:00Z'],
      ['February 30', '2024-02-30T00:00:00Z'],
      ['February 29 of a common year', '2023-02-29T00:00:00Z'],
      ['April 31', '2024-04-31T00:00:00Z'],
      ['hour 24', '2024-01-01T24:00:00Z'],
      ['second 60', '2024-01-01T23:59:60Z'],
      ['epoch milliseconds', 1704067200000],
      ['not a date at all', 'yesterday'],
    ],
  });
});

describe('Uuid', () => {
  specify(Uuid, {
    accepts: [
      ['a v4 uuid', '3f1c2a9e-7b4d-4e8a-9c21-5d6e7f809a1b'],
      ['a v4 uuid in upper case', '3F1C2A9E-7B4D-4E8A-9C21-5D6E7F809A1B'],
      ['a v7 uuid', '01890a5d-ac96-774b-bcce-b302099a8057'],
      ['a v5 uuid', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ],
    refuses: [
      ['the nil uuid', '00000000-0000-0000-0000-000000000000'],
      ['version 0', '3f1c2a9e-7b4d-0e8a-9c21-5d6e7f809a1b'],
      ['version 9', '3f1c2a9e-7b4d-9e8a-9c21-5d6e7f809a1b'],
      ['a variant outside RFC 4122', '3f1c2a9e-7b4d-4e8a-cc21-5d6e7f809a1b'],
      ['no dashes', '3f1c2a9e7b4d4e8a9c215d6e7f809a1b'],
      ['braces', '{3f1c2a9e-7b4d-4e8a-9c21-5d6e7f809a1b}'],
      ['a digit too few', '3f1c2a9e-7b4d-4e8a-9c21-5d6e7f809a1'],
      ['a non-hex character', '3f1c2a9e-7b4d-4e8a-9c21-5d6e7f809a1g'],
      ['a number', 1],
    ],
  });
});

describe('Finite', () => {
  specify(Finite, {
    accepts: [
      ['zero', 0],
      ['negative zero', -0],
      ['a negative fraction', -1.5],
      ['the largest number', Number.MAX_VALUE],
      ['the smallest positive number', Number.MIN_VALUE],
    ],
    refuses: [
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
      ['a numeric string', '1'],
      ['a bigint', 1n],
      ['null', null],
      ['undefined', undefined],
    ],
  });
});

describe('Fraction', () => {
  specify(Fraction, {
    accepts: [
      ['one: the whole', 1],
      ['a half', 0.5],
      ['a tiny share', 0.0001],
      ['the smallest positive number', Number.MIN_VALUE],
    ],
    refuses: [
      ['zero', 0],
      ['negative zero', -0],
      ['a negative share', -0.1],
      ['just above one', 1.0000001],
      ['a percentage written as a whole number', 5],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['a numeric string', '0.5'],
    ],
  });
});
