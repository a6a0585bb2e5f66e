// One JSON POST with a timeout, retried with exponential backoff (p-retry) on network errors, timeouts, 429 and 5xx;
// any other 4xx is final (sending it again would not change the answer). Never throws: the outcome says how it went.
import pRetry, { AbortError } from 'p-retry';
import type { DeliveryOutcome } from '../../domain/alerts/decide.js';

export interface RetryPolicy {
  /** Attempts in all (the first one included). */
  readonly attempts: number;
  /** Per attempt. */
  readonly timeoutMs: number;
  /** The wait before the first retry; doubled before each next one. */
  readonly backoffMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, timeoutMs: 5000, backoffMs: 500 };

class HttpStatusError extends Error {}

export const postJson = async (url: string, body: string, headers: Readonly<Record<string, string>>, policy: RetryPolicy): Promise<DeliveryOutcome> => {
  let attempts = 0;
  try {
    await pRetry(
      async () => {
        attempts++;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
          signal: AbortSignal.timeout(policy.timeoutMs),
          redirect: 'error',
        });
        // The answer's body is not needed; reading it frees the connection.
        const text = await res.text().catch(() => '');
        if (res.ok) return;
        const error = new HttpStatusError(`HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
        if (res.status === 429 || res.status >= 500) throw error;
        throw new AbortError(error);
      },
      { retries: policy.attempts - 1, minTimeout: policy.backoffMs, factor: 2, randomize: false },
    );
    return { ok: true, attempts };
  } catch (err) {
    const e = err as Error & { cause?: unknown };
    const why = e.name === 'TimeoutError' ? `timed out after ${policy.timeoutMs} ms` : e.message + (e.cause instanceof Error ? ` (${e.cause.message})` : '');
    return { ok: false, attempts, error: why };
  }
};
