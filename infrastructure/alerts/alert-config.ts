// The alert settings from the environment (doc/alerts.md), decoded with io-ts: a wrong value stops the start with a
// message naming the variable. Part of the configuration (infrastructure/config/config.ts `alerts`).
import * as t from 'io-ts';
import { either } from 'fp-ts';
import type { Either } from 'fp-ts/lib/Either.js';
import { fieldErrors } from '../../domain/primitives/decode-errors.js';
import type { AlertThresholds } from '../../domain/alerts/rules.js';
import type { RetryPolicy } from './post-json.js';
import { TELEGRAM_API_URL } from './telegram-channel.js';

const httpUrl = (name: string) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) => {
      try {
        const p = new URL(String(u));
        return p.protocol === 'http:' || p.protocol === 'https:' ? t.success(String(u)) : t.failure(u, c, `must be an http or https URL, got ${p.protocol}`);
      } catch {
        return t.failure(u, c, 'must be an http or https URL');
      }
    },
    (s) => s,
  );

const whole = (min: number, max: number, name: string) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d{1,12}$/.test(u.trim()) ? Number(u) : NaN;
      return n >= min && n <= max ? t.success(n) : t.failure(u, c, `must be an integer in [${min}, ${max}], got "${String(u)}"`);
    },
    String,
  );

/** Secrets are never echoed in an error. */
const secret = (name: string, pattern: RegExp, what: string) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string',
    (u, c) => (typeof u === 'string' && pattern.test(u) ? t.success(u) : t.failure(u, c, `must be ${what} (the value is not shown)`)),
    (s) => s,
  );

export const AlertEnv = t.partial({
  ALERT_WEBHOOK_URL: httpUrl('ALERT_WEBHOOK_URL'),
  ALERT_WEBHOOK_SECRET: secret('ALERT_WEBHOOK_SECRET', /^[\x21-\x7e]{16,4096}$/, 'printable ASCII without spaces, 16 to 4096 characters'),
  ALERT_TELEGRAM_TOKEN: secret('ALERT_TELEGRAM_TOKEN', /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'a bot token like 123456:ABC-DEF…'),
  ALERT_TELEGRAM_CHAT_ID: secret('ALERT_TELEGRAM_CHAT_ID', /^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/, 'a chat id (a number) or @channelname'),
  ALERT_TELEGRAM_API_URL: httpUrl('ALERT_TELEGRAM_API_URL'),
  ALERT_LAG_SECONDS: whole(1, 86_400, 'ALERT_LAG_SECONDS'),
  ALERT_STALE_MINUTES: whole(1, 100_000, 'ALERT_STALE_MINUTES'),
  ALERT_REPEAT_MINUTES: whole(1, 10_080, 'ALERT_REPEAT_MINUTES'),
  ALERT_MAX_EVENT_AGE_HOURS: whole(1, 87_600, 'ALERT_MAX_EVENT_AGE_HOURS'),
  ALERT_DELIVERY_TIMEOUT_MS: whole(100, 120_000, 'ALERT_DELIVERY_TIMEOUT_MS'),
  ALERT_DELIVERY_ATTEMPTS: whole(1, 10, 'ALERT_DELIVERY_ATTEMPTS'),
  ALERT_RETRY_BACKOFF_MS: whole(0, 60_000, 'ALERT_RETRY_BACKOFF_MS'),
});

export interface AlertConfig {
  readonly webhook: { readonly url: string; readonly secret: string } | undefined;
  readonly telegram: { readonly token: string; readonly chatId: string; readonly apiUrl: string } | undefined;
  readonly thresholds: AlertThresholds;
  readonly repeatAfterMs: number;
  readonly maxEventAgeMs: number;
  readonly retry: RetryPolicy;
}

export const DEFAULT_ALERT_SETTINGS = { lagSeconds: 300, staleMinutes: 30, repeatMinutes: 15, maxEventAgeHours: 24 } as const;

const problems = (lines: readonly string[]) => either.left(`Invalid configuration:\n${lines.map((l) => `  ${l}`).join('\n')}`);

/** `env` with empty values already dropped (as loadConfig does). */
export const loadAlertConfig = (env: Readonly<Record<string, string | undefined>>): Either<string, AlertConfig> => {
  const decoded = AlertEnv.decode(env);
  if (either.isLeft(decoded)) return problems(fieldErrors(decoded.left).map((e) => `${e.path}: ${e.message}`));
  const e = decoded.right;
  // A channel half set up is a mistake to say at the start, not an alert silently never sent.
  const pairs: [string | undefined, string | undefined, string, string][] = [
    [e.ALERT_WEBHOOK_URL, e.ALERT_WEBHOOK_SECRET, 'ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_SECRET'],
    [e.ALERT_TELEGRAM_TOKEN, e.ALERT_TELEGRAM_CHAT_ID, 'ALERT_TELEGRAM_TOKEN', 'ALERT_TELEGRAM_CHAT_ID'],
  ];
  const missing = pairs.flatMap(([a, b, na, nb]) =>
    a !== undefined && b === undefined
      ? [`${nb}: required when ${na} is set`]
      : a === undefined && b !== undefined
        ? [`${na}: required when ${nb} is set`]
        : [],
  );
  if (missing.length > 0) return problems(missing);
  return either.right({
    webhook:
      e.ALERT_WEBHOOK_URL !== undefined && e.ALERT_WEBHOOK_SECRET !== undefined ? { url: e.ALERT_WEBHOOK_URL, secret: e.ALERT_WEBHOOK_SECRET } : undefined,
    telegram:
      e.ALERT_TELEGRAM_TOKEN !== undefined && e.ALERT_TELEGRAM_CHAT_ID !== undefined
        ? { token: e.ALERT_TELEGRAM_TOKEN, chatId: e.ALERT_TELEGRAM_CHAT_ID, apiUrl: e.ALERT_TELEGRAM_API_URL ?? TELEGRAM_API_URL }
        : undefined,
    thresholds: {
      lagSeconds: e.ALERT_LAG_SECONDS ?? DEFAULT_ALERT_SETTINGS.lagSeconds,
      staleMinutes: e.ALERT_STALE_MINUTES ?? DEFAULT_ALERT_SETTINGS.staleMinutes,
    },
    repeatAfterMs: (e.ALERT_REPEAT_MINUTES ?? DEFAULT_ALERT_SETTINGS.repeatMinutes) * 60_000,
    maxEventAgeMs: (e.ALERT_MAX_EVENT_AGE_HOURS ?? DEFAULT_ALERT_SETTINGS.maxEventAgeHours) * 3_600_000,
    retry: { attempts: e.ALERT_DELIVERY_ATTEMPTS ?? 4, timeoutMs: e.ALERT_DELIVERY_TIMEOUT_MS ?? 5000, backoffMs: e.ALERT_RETRY_BACKOFF_MS ?? 500 },
  });
};
