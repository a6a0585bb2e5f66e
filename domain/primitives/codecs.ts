// Small io-ts codecs shared by every boundary: ids, timestamps, actors, finite numbers.
import * as t from 'io-ts';

export interface UuidBrand { readonly Uuid: unique symbol }
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const Uuid = t.brand(t.string, (s): s is t.Branded<string, UuidBrand> => UUID_RE.test(s), 'Uuid');
export type Uuid = t.TypeOf<typeof Uuid>;

export interface IsoTimestampBrand { readonly IsoTimestamp: unique symbol }
// ISO-8601 instant in UTC as produced by Date#toISOString.
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
// Date.parse rolls impossible dates over (2023-02-29 → 03-01, 24:00 → next day): the fields must name a real
// instant. Checked arithmetically on the characters — this runs for every event read back, millions in a replay.
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const num = (s: string, at: number, len: number): number => {
  let n = 0;
  for (let i = at; i < at + len; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
};
const isRealInstant = (s: string): boolean => {
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= days && num(s, 11, 2) < 24 && num(s, 14, 2) < 60 && num(s, 17, 2) < 60;
};
export const IsoTimestamp = t.brand(
  t.string,
  (s): s is t.Branded<string, IsoTimestampBrand> => ISO_RE.test(s) && isRealInstant(s),
  'IsoTimestamp',
);
export type IsoTimestamp = t.TypeOf<typeof IsoTimestamp>;

export interface FiniteBrand { readonly Finite: unique symbol }
// JSON cannot carry NaN/Infinity and a metric that is NaN is a bug upstream: refuse it at the door.
export const Finite = t.brand(t.number, (n): n is t.Branded<number, FiniteBrand> => Number.isFinite(n), 'Finite');
export type Finite = t.TypeOf<typeof Finite>;

export const NonNegativeInt = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly NonNegativeInt: unique symbol }> => Number.isSafeInteger(n) && n >= 0,
  'NonNegativeInt',
);
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>;

export interface FractionBrand { readonly Fraction: unique symbol }
/** A number in (0, 1]: a share of equity or a distance from the entry price. */
export const Fraction = t.brand(t.number, (n): n is t.Branded<number, FractionBrand> => n > 0 && n <= 1, 'Fraction');
export type Fraction = t.TypeOf<typeof Fraction>;

export const nonEmptyString = (max = 1000) =>
  t.brand(
    t.string,
    (s): s is t.Branded<string, { readonly NonEmptyString: unique symbol }> => s.trim().length > 0 && s.length <= max,
    'NonEmptyString',
  );
export const Reason = nonEmptyString(2000);
export type Reason = t.TypeOf<typeof Reason>;

export interface ActorBrand { readonly Actor: unique symbol }
// Who did it: `system:<name>`, `operator:<name>` or `worker:<id>`.
const ACTOR_RE = /^(system|operator|worker):[A-Za-z0-9._@-]{1,100}$/;
export const Actor = t.brand(t.string, (s): s is t.Branded<string, ActorBrand> => ACTOR_RE.test(s), 'Actor');
export type Actor = t.TypeOf<typeof Actor>;

export const FiniteRecord = t.record(t.string, Finite);
export type FiniteRecord = t.TypeOf<typeof FiniteRecord>;

export const nonEmptyArray = <C extends t.Mixed>(codec: C, name?: string) =>
  t.refinement(t.array(codec), (xs) => xs.length > 0, name ?? `NonEmptyArray<${codec.name}>`);
