// The observability settings, decoded from the environment with the variable named in the error:
// LOG_STORE (on|off, default on), LOG_RETENTION_DAYS (1..3650, default 14), METRICS_PORT (a port for a process
// without the API to serve /metrics; unset: none).
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { fieldErrors, formatFieldErrors } from '../../domain/primitives/decode-errors.js';

const intFromString = (min: number, max: number, name: string) =>
  new t.Type<number, string, unknown>(
    name,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d+$/.test(u.trim()) ? Number(u) : NaN;
      return Number.isSafeInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c, `must be an integer in [${min}, ${max}], got "${String(u)}"`);
    },
    String,
  );

const Env = t.partial({
  LOG_STORE: t.keyof({ on: null, off: null }, 'LOG_STORE (on or off)'),
  LOG_RETENTION_DAYS: intFromString(1, 3650, 'LOG_RETENTION_DAYS'),
  METRICS_PORT: intFromString(1, 65535, 'METRICS_PORT'),
});

export interface ObservabilitySettings {
  readonly storeLogs: boolean;
  readonly logRetentionDays: number;
  readonly metricsPort: number | undefined;
}

export const DEFAULT_LOG_RETENTION_DAYS = 14;

export const loadObservabilitySettings = (env: Record<string, string | undefined>): either.Either<string, ObservabilitySettings> =>
  either.bimap(
    (errs: t.Errors) => formatFieldErrors(fieldErrors(errs)),
    (e: t.TypeOf<typeof Env>): ObservabilitySettings => ({
      storeLogs: (e.LOG_STORE ?? 'on') === 'on',
      logRetentionDays: e.LOG_RETENTION_DAYS ?? DEFAULT_LOG_RETENTION_DAYS,
      metricsPort: e.METRICS_PORT,
    }),
  )(Env.decode(Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && k in Env.props))));
