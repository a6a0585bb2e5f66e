// Small io-ts codecs shared by every boundary: ids, timestamps, actors, finite numbers, and the bounds every stored
// string, list and map is held to (an event is stored for good: what it may hold is decided here, once, for the HTTP
// boundary and the store alike).
import * as t from 'io-ts';

/**
 * The schema's ceilings. Every free-form string, list and map inside a stored event has one of these bounds (or a
 * tighter one of its own); a boundary may be stricter (see the API limits), never looser.
 */
export const SCHEMA_BOUNDS = {
  /** Ids, keys, correlation and causation ids, fingerprints. */
  id: 200,
  /** Names: metrics, features, codes, exchanges, versions. */
  name: 100,
  /** Free text written by the system: error messages, notes. */
  text: 20_000,
  /** An operator's reason. */
  reason: 2000,
  /** Entries of a map of figures (metrics, thresholds, parameters). */
  figures: 256,
} as const;

/** A string of at most `max` UTF-16 code units. */
export const boundedString = (max: number, name = `String(≤${max})`) => t.refinement(t.string, (s) => s.length <= max, name);
/** A non-empty string of at most `max` code units. */
export const boundedNonEmptyString = (max: number, name = `NonEmptyString(≤${max})`) => t.refinement(t.string, (s) => s.length > 0 && s.length <= max, name);
/** A list of at most `max` items. */
export const boundedArray = <C extends t.Mixed>(codec: C, max: number, name = `Array<${codec.name}>(≤${max})`) =>
  t.refinement(t.array(codec), (xs) => xs.length <= max, name);
/** A map with at most `maxKeys` keys, each at most SCHEMA_BOUNDS.name long. */
export const boundedRecord = <C extends t.Mixed>(codomain: C, maxKeys: number, name = `Record<string, ${codomain.name}>(≤${maxKeys})`) =>
  t.refinement(
    t.record(t.string, codomain),
    (r) => {
      let n = 0;
      for (const k in r) {
        if (!Object.prototype.hasOwnProperty.call(r, k)) continue;
        if (++n > maxKeys || k.length > SCHEMA_BOUNDS.name) return false;
      }
      return true;
    },
    name,
  );

/** Ids and keys (correlation, causation, idempotency, job ids). */
export const IdString = boundedNonEmptyString(SCHEMA_BOUNDS.id, 'Id');
/** A name: a metric, a feature, an error code, a version. */
export const Name = boundedNonEmptyString(SCHEMA_BOUNDS.name, 'Name');
/** System-written free text (an error message, a note); may be empty. */
export const Text = boundedString(SCHEMA_BOUNDS.text, 'Text');
/** Cuts system-written text to what Text accepts (an error message must never stop its own recording). */
export const clipText = (s: string, max: number = SCHEMA_BOUNDS.text): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export interface UuidBrand {
  readonly Uuid: unique symbol;
}
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const Uuid = t.brand(t.string, (s): s is t.Branded<string, UuidBrand> => UUID_RE.test(s), 'Uuid');
export type Uuid = t.TypeOf<typeof Uuid>;

export interface IsoTimestampBrand {
  readonly IsoTimestamp: unique symbol;
}
// ISO-8601 instant in UTC as produced by Date#toISOString, from 1970 (epoch milliseconds are never negative) to 9999
// (the last year Date#toISOString writes with four digits).
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
  if (year < 1970) return false;
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= days && num(s, 11, 2) < 24 && num(s, 14, 2) < 60 && num(s, 17, 2) < 60;
};
export const IsoTimestamp = t.brand(t.string, (s): s is t.Branded<string, IsoTimestampBrand> => ISO_RE.test(s) && isRealInstant(s), 'IsoTimestamp');
export type IsoTimestamp = t.TypeOf<typeof IsoTimestamp>;

export interface FiniteBrand {
  readonly Finite: unique symbol;
}
// JSON cannot carry NaN/Infinity and a metric that is NaN is a bug upstream: refuse it at the door.
export const Finite = t.brand(t.number, (n): n is t.Branded<number, FiniteBrand> => Number.isFinite(n), 'Finite');
export type Finite = t.TypeOf<typeof Finite>;

export const NonNegativeInt = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly NonNegativeInt: unique symbol }> => Number.isSafeInteger(n) && n >= 0,
  'NonNegativeInt',
);
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>;

/** The last millisecond of 9999-12-31 UTC: the latest instant an IsoTimestamp can name. */
export const MAX_EPOCH_MS = 253_402_300_799_999;
/** An instant in epoch milliseconds between 1970 and the end of 9999 (the range IsoTimestamp names). */
export const EpochMs = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly EpochMs: unique symbol }> => Number.isSafeInteger(n) && n >= 0 && n <= MAX_EPOCH_MS,
  'EpochMs',
);
export type EpochMs = t.TypeOf<typeof EpochMs>;

export interface FractionBrand {
  readonly Fraction: unique symbol;
}
/** A number in (0, 1]: a share of equity or a distance from the entry price. */
export const Fraction = t.brand(t.number, (n): n is t.Branded<number, FractionBrand> => n > 0 && n <= 1, 'Fraction');
export type Fraction = t.TypeOf<typeof Fraction>;

export const nonEmptyString = (max = 1000) =>
  t.brand(t.string, (s): s is t.Branded<string, { readonly NonEmptyString: unique symbol }> => s.trim().length > 0 && s.length <= max, 'NonEmptyString');
export const Reason = nonEmptyString(2000);
export type Reason = t.TypeOf<typeof Reason>;

export interface ActorBrand {
  readonly Actor: unique symbol;
}
// Who did it: `system:<name>`, `operator:<name>` or `worker:<id>`.
const ACTOR_RE = /^(system|operator|worker):[A-Za-z0-9._@-]{1,100}$/;
export const Actor = t.brand(t.string, (s): s is t.Branded<string, ActorBrand> => ACTOR_RE.test(s), 'Actor');
export type Actor = t.TypeOf<typeof Actor>;

/** A map of figures: at most SCHEMA_BOUNDS.figures names, each a finite number. */
export const FiniteRecord = boundedRecord(Finite, SCHEMA_BOUNDS.figures, 'FiniteRecord');
export type FiniteRecord = t.TypeOf<typeof FiniteRecord>;

export const nonEmptyArray = <C extends t.Mixed>(codec: C, name?: string, max = Number.MAX_SAFE_INTEGER) =>
  t.refinement(t.array(codec), (xs) => xs.length > 0 && xs.length <= max, name ?? `NonEmptyArray<${codec.name}>`);
