// io-ts codecs for the text fields of daily sources: numbers written as strings (CSV cells, alternative.me's
// JSON values), epoch seconds written as strings, and the labels that come with them.
import * as t from 'io-ts';

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal number written as a string (or already a number), accepted when `ok` holds; `expected` names the rule. */
export const numberFromString = (name: string, expected: string, ok: (n: number) => boolean) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => {
      const n = typeof u === 'number' ? u : typeof u === 'string' && NUMBER_RE.test(u.trim()) ? Number(u.trim()) : NaN;
      return Number.isFinite(n) && ok(n) ? t.success(n) : t.failure(u, c, `must be ${expected}, got ${JSON.stringify(u)}`);
    },
    String,
  );

/** Fear & Greed: 0 (extreme fear) … 100 (extreme greed). */
export const FearGreedScore = numberFromString('FearGreedScore', 'a number from 0 to 100', (n) => n >= 0 && n <= 100);
/** An index close or level: a positive number. */
export const PositiveClose = numberFromString('PositiveClose', 'a positive number', (n) => n > 0);

/** Whole seconds since the epoch, as alternative.me writes them: `"1714521600"`. */
export const EpochSecondsString = new t.Type<number, string, unknown>(
  'EpochSecondsString',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => {
    const s = typeof u === 'number' ? String(u) : u;
    return typeof s === 'string' && /^\d{1,12}$/.test(s.trim())
      ? t.success(Number(s.trim()))
      : t.failure(u, c, `must be epoch seconds (digits), got ${JSON.stringify(u)}`);
  },
  String,
);

/** A short non-empty text label (a classification). */
export const Label = t.brand(t.string, (s): s is t.Branded<string, { readonly Label: unique symbol }> => s.trim().length > 0 && s.length <= 100, 'Label');
