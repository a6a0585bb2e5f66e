// Query strings, decoded the same way by every read route: exactly (an unknown parameter is refused, not ignored, so
// a typo never silently widens an answer), every problem named by its parameter, values bounded.
import type { Response } from 'express';
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { IsoTimestamp } from '../../domain/primitives/codecs.js';
import { fieldErrors, type FieldError } from '../../domain/primitives/decode-errors.js';
import { unknownFields } from '../../domain/primitives/exact.js';
import { invalidRequest, type HttpAnswer } from './problems.js';

export const send = (res: Response, a: HttpAnswer) => res.status(a.status).json(a.body);

/** A whole number in [min, max] written in decimal (at most 10 digits). */
export const whole = (min: number, max: number) =>
  new t.Type<number, string, unknown>(
    `Int[${min}, ${max}]`,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) =>
      typeof u === 'string' && /^\d{1,10}$/.test(u) && Number(u) >= min && Number(u) <= max
        ? t.success(Number(u))
        : t.failure(u, c, `must be a whole number in [${min}, ${max}], got ${JSON.stringify(u)}`),
    String,
  );

const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && IsoTimestamp.is(`${s}T00:00:00.000Z`);
/** A UTC day (`2024-01-31`, its midnight) or an ISO-8601 UTC instant (`2024-01-31T12:00:00Z`), as epoch ms. */
export const Instant = new t.Type<number, string, unknown>(
  'Instant',
  (u): u is number => typeof u === 'number',
  (u, c) =>
    typeof u === 'string' && (isDay(u) || IsoTimestamp.is(u))
      ? t.success(Date.parse(isDay(u) ? `${u}T00:00:00.000Z` : u))
      : t.failure(u, c, `must be a UTC day like 2024-01-31 or an instant like 2024-01-31T12:00:00Z, got ${JSON.stringify(u)}`),
  (n) => new Date(n).toISOString(),
);

/** One of a list of names. */
export const oneOf = <K extends string>(name: string, values: readonly K[]) =>
  t.keyof(Object.fromEntries(values.map((v) => [v, null])) as Record<K, null>, `${name} (${values.join(' | ')})`);

/**
 * Decodes a query string exactly: unknown parameters and bad values are all named (a 400 `where: query`); `check`
 * adds the problems between parameters of a decoded query (a range's order, its length).
 */
export const decodeQuery = <A>(codec: t.Type<A, unknown, unknown>, query: unknown, check?: (a: A) => FieldError[]): either.Either<HttpAnswer, A> => {
  const errors: FieldError[] = unknownFields(codec, query);
  const decoded = codec.decode(query);
  if (either.isLeft(decoded)) errors.push(...fieldErrors(decoded.left));
  else if (check) errors.push(...check(decoded.right));
  return errors.length > 0 || either.isLeft(decoded) ? either.left(invalidRequest(errors, 'query')) : either.right(decoded.right);
};

/** `from` before `to`, when both are given. */
export const rangeInOrder = (a: { readonly from?: number; readonly to?: number }): FieldError[] =>
  a.from !== undefined && a.to !== undefined && a.from >= a.to ? [{ path: 'to', message: 'must be after from' }] : [];
